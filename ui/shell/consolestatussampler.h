#pragma once

#include "shell/consolestatus.h"

#include "monitor/sessionregistry.h"

#include <QObject>
#include <QPointer>

#include <deque>
#include <memory>

class QTimer;

namespace RelayDesk::Service { class AdminService; }

namespace RelayDesk::Ui {

// Computes the status-bar numbers from the core's signals and emits a ConsoleStatus once a second:
// live sessions (registry), requests/s (sessions opened in the last 10 s), tokens/min (usage growth
// over the last 60 s, from registry snapshots) and quota spent today (the sum over today's consume logs,
// re-read every 10 s on AdminService's worker; the last answer is shown until the next lands). The relay part (address/state) is set by the app.
class ConsoleStatusSampler final : public QObject
{
    Q_OBJECT

public:
    ConsoleStatusSampler(Monitor::SessionRegistry *registry, Service::AdminService *admin, QString dataDir,
                         QObject *parent = nullptr);

    void setRelay(ConsoleStatus::RelayState state, const QString &address, const QString &error = {});
    const ConsoleStatus &status() const { return m_status; }
    // Samples now (also runs every second).
    void sample();

signals:
    void statusChanged(const RelayDesk::Ui::ConsoleStatus &status);

private:
    void onUpdated(const QList<RelayDesk::Monitor::SessionInfo> &changed);
    void onRemoved(const QList<quint64> &ids);

    QPointer<Monitor::SessionRegistry> m_registry;
    QPointer<Service::AdminService> m_admin;
    bool m_quotaPending = false;
    ConsoleStatus m_status;
    QHash<quint64, qint64> m_tokensSeen;      // per session: total tokens at the last snapshot
    std::deque<std::pair<qint64, qint64>> m_tokenEvents; // (ms, delta)
    std::deque<qint64> m_opened;               // ms at which new sessions appeared
    qint64 m_lastQuotaRead = 0;
    QTimer *m_timer = nullptr;
};

} // namespace RelayDesk::Ui
