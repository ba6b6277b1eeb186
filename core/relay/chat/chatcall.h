#pragma once
// One chat completion in flight: reserve → upstream (one retry on another channel) → settle once or refund,
// whatever happens (client gone, upstream reset, timeout, store outage, shutdown). Created by ChatRelay, which
// owns it until it reports done through its context; lives on the relay thread.
#include "billing/pricebook.h"
#include "billing/quotamath.h"
#include "http/openaierror.h"
#include "relay/auth.h"
#include "relay/channelselector.h"
#include "relay/chat/chatcallcontext.h"
#include "relay/chat/chatrelaytokens.h"
#include "relay/holdparameters.h"
#include "relay/sseparser.h"
#include "relay/usageparser.h"
#include "store/logrepository.h"
#include "store/records.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonObject>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QSet>

#include <optional>

namespace RelayDesk::Relay {

class HttpExchange;
class UpstreamReply;

class ChatCall final : public QObject
{
public:
    // `context` outlives the call (the ChatRelay owns both); `parent` owns the call until it is done.
    ChatCall(const ChatCallContext &context, QObject *parent, HttpExchange &exchange, AuthContext auth,
             QJsonObject request, Billing::ModelPricing pricing, QString model, HoldParameters hold);
    ~ChatCall() override;
    void start();

    // Client went away (socket closed/reset). Stop the upstream now; bill what it was given.
    void clientGone();

    // Relay stopping: settle on what was delivered, refund what delivered nothing.
    void shutdown();

private:
    void reserved(bool committed);
    void sendUpstream();
    int upstreamStatus() const;
    void onReadyRead();
    void onEvent(const QByteArray &data);

    // Reads an upstream usage value strictly; the last one the upstream sends wins. A malformed one is not
    // billed: the call is then counted locally (as without usage) and the log row says what was rejected.
    // True when the value was a usage report at all (valid or malformed).
    bool takeUsage(const QJsonValue &value);

    // `"usage"` followed by an object (not the null every chunk carries under include_usage).
    static bool carriesUsageObject(QByteArrayView data);
    void collectChoices(const QJsonArray &choices);

    // Reads the kept chunks into the streamed text (they are then dropped).
    void drainPending();

    // Streamed text the client received: content, reasoning and tool-call names/arguments.
    void collectDelta(const QJsonObject &delta);

    // The upstream stream ended and everything it sent has been forwarded.
    void completeStream();
    void onFinished();
    void completeJson(const QByteArray &body);
    bool retry();

    // The upstream's error message, without any piece of the channel key (for logs and channel health).
    QString upstreamMessage(const QByteArray &body) const;
    void reportChannelFailure(ChannelFailure kind, const QString &detail);
    void relayUpstreamError(int status, const QByteArray &body);
    void midStreamError(const QString &message, const QString &reason);
    void respondAndRefund(const OpenAiError &error, const QString &reason);
    void reject(const OpenAiError &error, const QString &reason);
    ParsedUsage localUsage();
    void settle(const QString &endReason, int httpStatus);

    // Usage beyond what the model can produce (UsageCeilings) is not billed as reported: the charge is capped at
    // the hold, the token columns show the local count, and the row keeps the upstream's figures for an
    // operator to decide. Returns the `disputed` object (empty when the usage is plausible).
    QJsonObject dispute(ParsedUsage *usage, Billing::Quote *quote);
    QJsonObject otherJson(const ParsedUsage &usage, bool upstream, const QString &endReason) const;
    void refund(const QString &reason, int httpStatus);
    void finish(const QString &reason, bool settled, int httpStatus);

    // What every log row of this call says: who, which model and channel, how long, which request.
    Store::LogRecord logRow(Store::LogType type) const;

    // A failed call leaves an error row (quota 0) so the console shows why an app's request failed; it does
    // not count toward consumption. Unauthenticated requests never get this far, so they cannot flood the log.
    void logFailure(const QString &reason, int httpStatus);
    void abortUpstream();
    void releaseReply();
    const ChatCallContext &m_ctx;
    QPointer<HttpExchange> m_exchange;
    AuthContext m_auth;
    QJsonObject m_request;
    Billing::ModelPricing m_pricing;
    QString m_model;
    QString m_upstreamModel;
    QString m_requestId;
    Store::Channel m_channel;
    QSet<qint64> m_tried;
    QStringList m_triedOrder;
    int m_attempts = 0;
    UpstreamReply *m_reply = nullptr;
    SseParser m_sse;
    static constexpr qsizetype kMaxPendingBytes = 1 << 20;
    // The member forced include_usage appends to every chunk, with the closing brace of the chunk.
    static constexpr QByteArrayView kNullUsageMember{",\"usage\":null}"};
    static constexpr qint64 kMaxClientBacklog = 1 << 20;
    QList<QByteArray> m_pending; // chunks not parsed yet (see onEvent)
    qsizetype m_pendingBytes = 0;
    PromptEstimate m_estimate;
    std::optional<ParsedUsage> m_upstreamUsage;
    QString m_usageProblem;  // the upstream's last usage was malformed: why (and m_rejectedUsage: what it was)
    QString m_rejectedUsage;
    HoldParameters m_hold;
    QString m_completionText;
    QString m_reasoningText;
    QElapsedTimer m_clock;
    double m_frtMs = -1;
    QString m_failure; // what the client was told, for the error log row
    QByteArray m_jsonReply; // a non-stream reply waiting for its settlement's commit
    qint64 m_reservationId = 0;
    qint64 m_reserved = 0;
    qint64 m_settledQuota = 0;
    quint64 m_session = 0;
    int m_chunksForwarded = 0;
    bool m_stream = false;
    bool m_clientWantsUsage = false;
    bool m_streamStarted = false;
    bool m_sawDone = false;
    bool m_upstreamFinished = false;
    bool m_done = false;
};

} // namespace RelayDesk::Relay
