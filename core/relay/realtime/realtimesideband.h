#pragma once
// The metering of one WebRTC call. Its media goes straight between the browser (or phone) and the upstream; the
// relay sees the call only on the sideband WebSocket `ws(s)://<upstream>/v1/realtime?call_id=<id>` it opens with
// the channel's secret. It is the only client there and sends nothing: it reads the events and meters them as a
// WebSocket session's (RealtimeMeter: per-`response.done` cumulative charges and transcription usage;
// RealtimeAccount: the rolling reservation). It hangs the call up upstream (POST …/calls/{id}/hangup) when the
// reservation cannot be extended (quota gone), when the sideband cannot be opened within kOpenTimeout (the hold is
// then refunded: a call is never left running unbilled), and at shutdown. The upstream ending the call closes
// the sideband: the call settles once. The call's row (Store::RealtimeCallRepository) is marked ended once
// nothing is left to do upstream; a relay killed before that leaves it for the next one to hang up.
// Lives on the relay (server) thread.
#include "monitor/sessionregistry.h"
#include "relay/realtime/realtimeaccount.h"
#include "relay/realtime/realtimemeter.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <memory>

QT_BEGIN_NAMESPACE
class QWebSocket;
QT_END_NAMESPACE

namespace RelayDesk::Store { class StoreLane; }

namespace RelayDesk::Relay {

class UpstreamClient;
class UpstreamReply;

// The call and the channel that owns it.
struct RealtimeCallTarget
{
    QString callId;
    qint64 channelId = 0;
    QString channelName;
    QString channelBaseUrl;
    QByteArray channelKey; // never logged
};

class RealtimeSideband final : public QObject
{
    Q_OBJECT

public:
    // A sideband not open by then: the call is hung up and its hold refunded.
    static constexpr std::chrono::milliseconds kOpenTimeout{5'000};
    // The hangup and the close handshake get this long before the sideband is dropped and the call forgotten (a
    // hangup left unanswered is retried by RealtimeCallReaper: the call's row is not marked ended).
    static constexpr std::chrono::milliseconds kCloseGrace{5'000};
    static constexpr quint64 kMaxMessageBytes = 16 * 1024 * 1024;

    // Takes `account` with its reservation open. `lane` (the call's row) and `http` must outlive the sideband.
    RealtimeSideband(RealtimeCallTarget target, std::unique_ptr<RealtimeAccount> account,
                     Store::StoreLane &lane, UpstreamClient &http, Monitor::SessionRegistry *registry,
                     quint64 registryId, RealtimeMeter::TextCounter countText, QObject *parent = nullptr);
    ~RealtimeSideband() override;

    void start(std::chrono::milliseconds openTimeout = kOpenTimeout);
    // Server shutdown: settle and hang up. Idempotent.
    void shutdown();

    const QString &callId() const { return m_target.callId; }
    QString endReason() const { return m_endReason; }
    quint64 registryId() const { return m_registryId; }
    const RealtimeAccount &account() const { return *m_account; }
    bool isEnding() const { return m_ending; }

    // POSTs {base}/v1/realtime/calls/{id}/hangup with the channel's secret; `done` gets whether the call is over
    // upstream (2xx, or 404: it was already gone). Shared with the reaper of orphaned calls.
    static UpstreamReply *hangUp(UpstreamClient &http, const RealtimeCallTarget &target, QObject *context,
                                 std::function<void(bool over)> done);

Q_SIGNALS:
    // The money is settled (durably), the socket gone and the hangup (if any) answered or given up; deleteLater it.
    void finished(RelayDesk::Relay::RealtimeSideband *sideband);

private:
    void onConnected();
    void onText(const QString &message);
    void onGone();
    void bookkeeping();
    // Ends once: hangs up upstream unless the upstream ended the call itself, and settles (refunds when the sideband
    // never opened). With `drain` (the call still runs upstream: out of quota, a refused model) the sideband is read
    // on until the upstream closes it (at most kCloseGrace) and settlement waits for that: what the upstream answered
    // between the decision and the hangup — audio the browser heard — is billed too (the hold covers the response in
    // flight; beyond it, overage). Otherwise it settles at once.
    void end(const QString &reason, bool hangUpCall, bool drain = false);
    // Settles once (queued on the account after its charges); closed() once that is durable.
    void settle();
    void closed();
    void markEnded();
    void maybeFinish();

    RealtimeCallTarget m_target;
    std::unique_ptr<RealtimeAccount> m_account;
    Store::StoreLane &m_lane;
    UpstreamClient &m_http;
    Monitor::SessionRegistry *m_registry = nullptr;
    quint64 m_registryId = 0;
    RealtimeMeter m_meter;
    QPointer<QWebSocket> m_socket;
    QPointer<UpstreamReply> m_hangup;
    QElapsedTimer m_elapsed;
    QTimer m_openTimer;
    QTimer m_graceTimer;
    QString m_endReason;
    bool m_everOpen = false;
    bool m_ending = false;
    bool m_socketGone = false;
    bool m_hangupPending = false;
    bool m_finished = false;
    bool m_settled = false; // the settlement is queued
    bool m_closed = false;  // … and durable
};

} // namespace RelayDesk::Relay
