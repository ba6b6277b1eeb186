#pragma once

#include "service/adminservice.h"

#include <QDialog>
#include <QFuture>

class QComboBox;
class QLabel;

namespace RelayDesk::Ui {

class IpListEdit;

// The settings every limit shares: the time zone calendar budget windows count in, and the proxies whose
// X-Forwarded-For is believed. Read and written through AdminService::async (each write audited); a bad zone or
// proxy line is named and nothing is written; OK applies and closes only when the writes succeeded.
class LimitSettingsDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit LimitSettingsDialog(Service::AdminService *admin, QWidget *parent = nullptr);

    QComboBox *timeZoneBox() const { return m_zone; }
    IpListEdit *trustedProxies() const { return m_proxies; }
    QString message() const;
    QFuture<Store::Status> apply();

signals:
    void loaded();

private:
    void showMessage(const QString &error);

    Service::AdminService *m_admin = nullptr;
    QComboBox *m_zone = nullptr;
    IpListEdit *m_proxies = nullptr;
    QLabel *m_message = nullptr;
    QString m_loadedZone;
};

} // namespace RelayDesk::Ui
