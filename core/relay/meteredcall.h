#pragma once
// One metered call in flight, whatever the endpoint: reserve → upstream (one retry on another channel, or
// none when the call is pinned to the channel that owns its state) → settle once or refund, whatever happens
// (client gone, upstream reset, timeout, store outage, shutdown). What differs per endpoint (the estimate, the
// upstream body, how replies and events are read and forwarded) is its CallAdapter. Created by CallEngine,
// which owns it until it reports done through its context; lives on the relay thread.
#include "billing/pricebook.h"
#include "billing/quotamath.h"
#include "http/openaierror.h"
#include "relay/auth.h"
#include "relay/callcontext.h"
#include "relay/channelselector.h"
#include "relay/clientsink.h"
#include "relay/calladapter.h"
#include "relay/usageparser.h"
#include "store/logrepository.h"
#include "store/records.h"
#include "store/reservationrepository.h"
#include "store/storelane.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonObject>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QSet>

#include <functional>
#include <memory>
#include <optional>

namespace RelayDesk::Relay {

class UpstreamReply;

class MeteredCall final : public QObject
{
public:
    struct Request
    {
        AuthContext auth;
        Billing::ModelPricing pricing;
        QString model;
        // The call must go to this channel (it owns the state the request refers to): no other channel is
        // tried, by weight or by retry.
        std::optional<qint64> pinnedChannel;
        // Called once the upstream's answer is known — the call settled, or was deferred — before it is done,
        // e.g. to record which channel owns the ids the reply created.
        std::function<void(MeteredCall &call)> onAnswered;
        // Continue a call deferred earlier (DeferredCall): its reservation is open already, nothing is reserved,
        // and a failed poll defers it again instead of refunding.
        std::optional<DeferredCall> resume;
        // A live session this call is one turn of (a Responses WebSocket connection): the call adds its events,
        // usage and quota to it instead of opening and closing a session of its own. 0 = its own session.
        quint64 liveSession = 0;
    };

    // `context` outlives the call (the engine owns both); `client` and `adapter` are owned by the call.
    MeteredCall(const CallContext &context, QObject *parent, ClientSink *client,
                std::unique_ptr<CallAdapter> adapter, Request request);
    ~MeteredCall() override;
    void start();

    // Client went away (socket closed/reset). Stop the upstream now; bill what it was given.
    void clientGone();
    // Relay stopping: settle on what was delivered, refund what delivered nothing.
    void shutdown();

    const QString &requestId() const { return m_requestId; }
    // This call's writes on the store lane: its reply waits for them (and for no other call's).
    Store::StoreLane::Chain storeChain() const { return m_chain; }
    // The channel the call went to (0 before one was chosen).
    qint64 channelId() const { return m_channel.id; }
    const AuthContext &auth() const { return m_request.auth; }
    CallAdapter &adapter() const { return *m_adapter; }
    // Handed to CallContext::defer (not settled yet).
    bool isDeferred() const { return m_deferred; }
    // The deferred call this one continues (nullopt for a call from a client).
    const std::optional<DeferredCall> &resume() const { return m_request.resume; }

private:
    // The hold's outcome from the store lane (committed: durable). Calls the upstream, or ends the call.
    void reserved(const Store::LedgerOutcome &r, qint64 amount, bool committed);
    void sendUpstream();
    std::optional<Store::Channel> pickChannel();
    int upstreamStatus() const;
    // The upstream's status line has arrived (for the upstream first-byte metric; the first time per attempt).
    void noteFirstByte();
    void onReadyRead();
    // A 200 reply that is neither JSON nor events, of an adapter that passes such bodies through: forwarded as
    // bytes as it arrives.
    bool isRawReply() const;
    void forwardRaw();
    void forward(const SseEvent &event);
    // Reads an upstream usage value strictly; the last one the upstream sends wins. A malformed one is not
    // billed: the call is then counted locally (as without usage) and the log row says what was rejected.
    void takeUsage(const QJsonValue &value);
    void completeStream();
    void onFinished();
    void failBeforeAnswer(UpstreamReply::Error error, bool connectError, const QString &errorString);
    void completeJson(const QByteArray &body);
    bool retry();

    // The upstream's error message, without any piece of the channel key (for logs and channel health).
    QString upstreamMessage(const QByteArray &body) const;
    void reportChannelFailure(ChannelFailure kind, const QString &detail);
    void relayUpstreamError(int status, const QByteArray &body);
    void midStreamError(const QString &message, const QString &reason);
    void respondAndRefund(const OpenAiError &error, const QString &reason,
                          ClientSink::Retry retry = ClientSink::Retry::Allowed);
    void reject(const OpenAiError &error, const QString &reason);
    ParsedUsage localUsage();
    void settle(const QString &endReason, int httpStatus);

    // Usage beyond what the model can produce (UsageCeilings) is not billed as reported: the charge is capped at
    // the hold, the token columns show the local count, and the row keeps the upstream's figures for an
    // operator to decide. Returns the `disputed` object (empty when the usage is plausible).
    QJsonObject dispute(ParsedUsage *usage, Billing::Quote *quote);
    // The log row's other_json: the members read before it is written as an object, the rest as text (`members`).
    QJsonObject otherJson(const ParsedUsage &usage, bool upstream, const QString &endReason,
                          const QHash<QString, qint64> &tools, qint64 toolQuota, QByteArray *members) const;
    void refund(const QString &reason, int httpStatus);
    // The upstream goes on without the client: answer it (when a reply waits) and hand the open reservation to
    // CallContext::defer. False when the call cannot be deferred (then the caller settles or refunds).
    bool defer(const QString &reason);
    void finish(const QString &reason, bool settled, int httpStatus);

    // What every log row of this call says: who, which model and channel, how long, which request.
    Store::LogRecord logRow(Store::LogType type) const;

    // A failed call leaves an error row (quota 0) so the console shows why an app's request failed; it does
    // not count toward consumption. Unauthenticated requests never get this far, so they cannot flood the log.
    void logFailure(const QString &reason, int httpStatus);
    void abortUpstream();
    void releaseReply();

    const CallContext &m_ctx;
    QPointer<ClientSink> m_client;
    std::unique_ptr<CallAdapter> m_adapter;
    Request m_request;
    QString m_upstreamModel;
    QString m_requestId;
    Store::StoreLane::Chain m_chain = Store::StoreLane::newChain();
    Store::Channel m_channel;
    QSet<qint64> m_tried;
    QStringList m_triedOrder;
    int m_attempts = 0;
    UpstreamReply *m_reply = nullptr;
    SseParser m_sse;
    static constexpr qint64 kMaxClientBacklog = 1 << 20;
    PromptEstimate m_estimate;
    std::optional<ParsedUsage> m_upstreamUsage;
    QString m_usageProblem;  // the upstream's last usage was malformed: why (and m_rejectedUsage: what it was)
    QString m_rejectedUsage;
    QElapsedTimer m_clock;
    double m_frtMs = -1;
    qint64 m_sentNs = 0;       // m_clock when the current attempt was sent upstream
    qint64 m_firstByteNs = -1; // m_clock when its answer began (-1: none yet)
    QString m_failure; // what the client was told, for the error log row
    QByteArray m_jsonReply; // a non-stream reply waiting for its settlement's commit
    qint64 m_reservationId = 0;
    qint64 m_reserved = 0;
    qint64 m_settledQuota = 0;
    quint64 m_session = 0;
    bool m_stream = false;
    bool m_streamStarted = false;
    bool m_sawTerminal = false;
    bool m_upstreamFinished = false;
    bool m_done = false;
    bool m_reserving = false; // the hold is on the store lane
    bool m_closing = false;   // its settlement or refund is on the store lane: nothing else ends the call
    QString m_endWhenReserved; // client_gone | shutdown, seen while reserving
    bool m_deferred = false;
    bool m_sharedSession = false; // m_session is the connection's (Request::liveSession), not this call's
};

} // namespace RelayDesk::Relay
