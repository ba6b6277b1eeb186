#include "relay/realtime/realtimecallreaper.h"

#include "relay/realtime/realtimesideband.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/realtimecallrepository.h"

namespace RelayDesk::Relay {

RealtimeCallReaper::RealtimeCallReaper(std::shared_ptr<Store::Database> db, UpstreamClient &http,
                                       std::function<bool(const QString &)> isLive, QObject *parent)
    : QObject(parent)
    , m_db(std::move(db))
    , m_http(http)
    , m_isLive(std::move(isLive))
{
    connect(&m_timer, &QTimer::timeout, this, &RealtimeCallReaper::sweep);
}

void RealtimeCallReaper::start(std::chrono::milliseconds interval)
{
    m_timer.start(interval);
    sweep();
}

int RealtimeCallReaper::sweep()
{
    const Store::RealtimeCallRepository calls(*m_db);
    const auto pending = calls.pendingHangups();
    if (!pending) {
        qWarning("realtime: cannot read the calls to hang up: %s", qPrintable(pending.error()));
        return 0;
    }
    int sent = 0;
    for (const Store::RealtimeCall &call : *pending) {
        if (m_inFlight.contains(call.callId) || (m_isLive && m_isLive(call.callId)))
            continue;
        const auto channel = Store::ChannelRepository(*m_db).byId(call.channelId);
        if (!channel) { // the channel was deleted: nobody can hang this call up any more
            (void)calls.markEnded(call.callId);
            continue;
        }
        const RealtimeCallTarget target{call.callId, channel->id, channel->name, channel->baseUrl,
                                        channel->secret.toUtf8()};
        m_inFlight.insert(call.callId);
        RealtimeSideband::hangUp(m_http, target, this, [this, callId = call.callId](bool over) {
            m_inFlight.remove(callId);
            if (!over)
                return; // retried at the next sweep
            if (const auto marked = Store::RealtimeCallRepository(*m_db).markEnded(callId); !marked)
                qWarning("realtime: call %s could not be marked ended: %s", qPrintable(callId), qPrintable(marked.error()));
            qInfo("realtime: hung up call %s left by a relay that stopped", qPrintable(callId));
            Q_EMIT hungUp(callId);
        });
        ++sent;
    }
    // Ended rows are kept a day for routing late control requests, then dropped.
    (void)calls.pruneEnded(Store::nowMs() - 24LL * 3600 * 1000);
    return sent;
}

} // namespace RelayDesk::Relay
