#pragma once
// Hangs up the WebRTC calls nobody meters any more: a call's row (Store::RealtimeCallRepository) not marked ended
// whose reservation is closed — its relay was killed (kill -9, power loss) and crash recovery settled the hold, or
// it settled but died before the upstream answered its hangup. Each is POSTed …/calls/{id}/hangup on the channel
// that owns it, at start and then every `interval`, and marked ended once the upstream says it is over (2xx or 404).
// Calls this process still meters are skipped. Lives on the relay (server) thread.
#include <QObject>
#include <QSet>
#include <QTimer>

#include <chrono>
#include <functional>
#include <memory>

namespace RelayDesk::Store { class Database; }

namespace RelayDesk::Relay {

class UpstreamClient;

class RealtimeCallReaper final : public QObject
{
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds kDefaultInterval{30'000};

    // `isLive(callId)`: whether this process still meters the call. `http` must outlive the reaper.
    RealtimeCallReaper(std::shared_ptr<Store::Database> db, UpstreamClient &http,
                       std::function<bool(const QString &callId)> isLive, QObject *parent = nullptr);

    // Sweeps now and then every `interval`.
    void start(std::chrono::milliseconds interval = kDefaultInterval);
    // One sweep: hangs up what is pending (not already in flight); returns how many hangups it sent.
    int sweep();

Q_SIGNALS:
    void hungUp(const QString &callId);

private:
    std::shared_ptr<Store::Database> m_db;
    UpstreamClient &m_http;
    std::function<bool(const QString &)> m_isLive;
    QSet<QString> m_inFlight;
    QTimer m_timer;
};

} // namespace RelayDesk::Relay
