#pragma once

#include "shell/consolepage.h"

#include <QPointer>

class QLabel;
class QTableView;
class QTimer;

namespace RelayDesk::Ui {

class InstancesModel;

// The Instances page: every relaying process on the database (this console's own relay, relaydeskd serve on
// other hosts), with address, version, uptime, request rate, live sessions, heartbeat age and state, read through
// AdminService on its worker about once a second.
class InstancesPage final : public ConsolePage
{
    Q_OBJECT

public:
    InstancesPage(Service::AdminService *admin, const QString &localInstance, QWidget *parent = nullptr);

    void refresh() override;
    QByteArray saveState() const override;
    void restoreState(const QByteArray &state) override;

    InstancesModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }

signals:
    void loaded();

private:
    QPointer<Service::AdminService> m_admin;
    InstancesModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_summary = nullptr;
    QTimer *m_timer = nullptr;
    bool m_inFlight = false;
};

} // namespace RelayDesk::Ui
