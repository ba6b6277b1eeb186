#pragma once
// Shows spend alerts in the console. Polls the alert outbox through AdminService (on its worker thread) for events
// newer than the last one seen — fired by this console's relay or by any other instance on the same database — and
// announces each as a title and a message in the console's language and currency display; MainWindow puts it in a
// tray notification (or the status bar where there is no tray). Alerts fired before the console started are not
// announced again.
#include "widgets/money.h"

#include "service/adminservice.h"

#include <QObject>
#include <QTimer>

namespace RelayDesk::Ui {

class AlertNotifier final : public QObject
{
    Q_OBJECT

public:
    static constexpr int kPollMs = 3'000;

    explicit AlertNotifier(Service::AdminService *admin, QObject *parent = nullptr);

    // Reads the newest event id (to skip what is old), then polls every pollMs.
    void start(int pollMs = kPollMs);
    void poll();
    bool isPolling() const { return m_polling; } // a read is out on the service's worker
    void setCurrencyDisplay(CurrencyDisplay display) { m_currency = display; }

    // The words for one event.
    static QString title(const Store::AlertEvent &event);
    static QString message(const Store::AlertEvent &event, CurrencyDisplay currency);

Q_SIGNALS:
    void alert(const QString &title, const QString &message);

private:
    Service::AdminService *m_admin;
    QTimer m_timer;
    qint64 m_lastSeen = -1; // -1: not read yet
    bool m_polling = false;
    CurrencyDisplay m_currency = CurrencyDisplay::Dollars;
};

} // namespace RelayDesk::Ui
