#include "relay/chat/chatrelay.h"

#include "billing/quotamath.h"
#include "monitor/sessionregistry.h"
#include "relay/auth.h"
#include "relay/channelselector.h"
#include "relay/chat/chatrelaytokens.h"
#include "relay/holdparameters.h"
#include "relay/ledgerrefusal.h"
#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/secretscrubber.h"
#include "relay/upstreamurl.h"
#include "relay/sseparser.h"
#include "relay/usageceilings.h"
#include "relay/usageparser.h"
#include "store/commitbatch.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "billing/closingretry.h"
#include "billing/ledger.h"

#include <QtCore/QDateTime>
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRandomGenerator>

#include <atomic>

namespace RelayDesk::Relay {

namespace {

QString newRequestId()
{
    // Unique across restarts (random prefix) and cheap (counter): reservations are keyed by it.
    static const QString prefix = QString::number(QRandomGenerator::system()->generate64(), 36);
    static std::atomic<quint64> counter{0};
    return QStringLiteral("req-%1-%2").arg(prefix).arg(++counter, 0, 36);
}

bool isOpenAiErrorBody(const QByteArray &body)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    return doc.isObject() && doc.object().value(QLatin1StringView("error")).isObject();
}

} // namespace

// One chat completion in flight. Owned by ChatRelay; deletes itself (deleteLater) after its one settle or
// refund. All members are touched on the relay thread only.
class ChatCall final : public QObject
{
public:
    ChatCall(ChatRelay *relay, HttpExchange &exchange, AuthContext auth, QJsonObject request,
             Billing::ModelPricing pricing, QString model, HoldParameters hold)
        : QObject(relay)
        , m_relay(relay)
        , m_exchange(&exchange)
        , m_auth(std::move(auth))
        , m_request(std::move(request))
        , m_pricing(std::move(pricing))
        , m_model(std::move(model))
        , m_requestId(newRequestId())
        , m_hold(hold)
    {
        m_clock.start();
        m_stream = m_request.value(QLatin1StringView("stream")).toBool();
        m_clientWantsUsage = m_request.value(QLatin1StringView("stream_options"))
                                 .toObject()
                                 .value(QLatin1StringView("include_usage"))
                                 .toBool();
        connect(&exchange, &HttpExchange::clientDisconnected, this, [this] { clientGone(); });
    }

    ~ChatCall() override
    {
        if (m_reply) {
            m_reply->disconnect(this);
            m_reply->abort();
            m_reply->deleteLater();
        }
    }

    void start()
    {
        Monitor::SessionInfo info;
        info.kind = Monitor::SessionKind::Http;
        info.user = m_auth.user.name;
        info.keyHint = m_auth.key.keyHint;
        info.model = m_model;
        if (m_relay->m_registry)
            m_session = m_relay->m_registry->open(info);

        m_estimate = ChatRelayTokens::estimatePrompt(m_request, m_model);
        // max_tokens and n were checked in handleChat (HoldParameters): no unchecked number sizes the hold.
        const qint64 amount = Billing::QuotaMath::reserve(m_pricing, m_estimate.total(), m_hold.maxTokens(),
                                                          m_relay->m_config.defaultMaxTokens, m_hold.choices())
                                  .quota;
        m_relay->m_commits->join();
        const Store::LedgerOutcome r = Billing::Ledger(*m_relay->m_db)
                                           .reserve(m_auth.user.id, m_auth.key.id, amount, m_requestId,
                                                    QStringLiteral("chat"));
        if (!r) {
            reject(ledgerRefusal(r, amount), QStringLiteral("refused:") + Store::ledgerFailureName(r.failure));
            return;
        }
        m_reservationId = r.reservation.id;
        m_reserved = r.reservation.reserved;
        if (m_session)
            m_relay->m_registry->setQuota(m_session, m_reserved, 0);
        // The upstream is paid for from the moment it is called, so only call it once the hold is durable.
        m_relay->m_commits->afterCommit([self = QPointer<ChatCall>(this)](bool committed) {
            if (self)
                self->reserved(committed);
        });
    }

    // Client went away (socket closed/reset). Stop the upstream now; bill what it was given.
    void clientGone()
    {
        if (m_done)
            return;
        abortUpstream();
        if (m_reservationId == 0)
            return finish(QStringLiteral("client_gone"), false, 499);
        if (m_tried.isEmpty()) // gone while the hold was being committed: no upstream was called
            return refund(QStringLiteral("client_gone"), 499);
        settle(QStringLiteral("client_gone"), 499);
    }

    // Relay stopping: settle on what was delivered, refund what delivered nothing.
    void shutdown()
    {
        if (m_done)
            return;
        abortUpstream();
        if (m_exchange && !m_exchange->hasStarted()) {
            m_exchange->respondError(OpenAiError::serviceUnavailable(QStringLiteral("The relay is shutting down.")));
            return refund(QStringLiteral("shutdown"), 503);
        }
        if (m_exchange && m_exchange->isStreaming()) {
            m_exchange->writeEvent(OpenAiError::serviceUnavailable(QStringLiteral("The relay is shutting down."))
                                       .toJson());
            m_exchange->endStream();
        }
        settle(QStringLiteral("shutdown"), 200);
    }

private:
    void reserved(bool committed)
    {
        if (m_done)
            return; // the client left meanwhile (and the call was settled)
        if (!committed) { // the hold went with its batch: nothing to refund
            m_reservationId = 0;
            m_reserved = 0;
            reject(OpenAiError::storeUnavailable(), QStringLiteral("refused:database"));
            return;
        }
        sendUpstream();
    }

    void sendUpstream()
    {
        auto channel = m_relay->m_channels->select(m_model, m_auth.group, m_tried);
        if (!channel) {
            respondAndRefund(OpenAiError::serviceUnavailable(
                                 QStringLiteral("No available channel for model %1.").arg(m_model),
                                 "no_available_channel"),
                             QStringLiteral("no_channel"));
            return;
        }
        m_channel = *channel;
        m_tried.insert(m_channel.id);
        m_triedOrder.append(QString::number(m_channel.id));
        m_upstreamModel = ChannelSelector::upstreamModel(m_channel, m_model);
        if (m_session)
            m_relay->m_registry->setModel(m_session, m_model, m_upstreamModel, m_channel.name);

        QJsonObject body = m_request;
        body.insert(QStringLiteral("model"), m_upstreamModel);
        if (m_stream) // always ask for usage; hidden again from clients that did not ask (see onEvent)
            body.insert(QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}});
        m_reply = m_relay->m_upstream->postJson(upstreamApiUrl(m_channel.baseUrl, u"chat/completions"),
                                            QJsonDocument(body).toJson(QJsonDocument::Compact),
                                            m_channel.secret.toUtf8(), m_stream);
        m_sse = SseParser();
        connect(m_reply, &UpstreamReply::readyRead, this, [this] { onReadyRead(); });
        connect(m_reply, &UpstreamReply::finished, this, [this] { onFinished(); });
    }

    int upstreamStatus() const
    {
        return m_reply ? m_reply->status() : 0;
    }

    void onReadyRead()
    {
        if (m_done || !m_stream || upstreamStatus() != 200)
            return; // errors and JSON bodies are read whole in onFinished
        if (!m_reply->contentType().startsWith("text/event-stream"))
            return;
        if (!m_exchange)
            return;
        if (!m_streamStarted) {
            m_streamStarted = true;
            m_relay->m_channels->reportSuccess(m_channel.id);
            m_frtMs = m_clock.nsecsElapsed() / 1e6;
            m_exchange->beginEventStream();
            connect(m_exchange, &HttpExchange::outputDrained, this, [this] {
                if (m_reply && !m_done && (m_reply->bytesAvailable() > 0 || m_upstreamFinished))
                    onReadyRead();
            });
            if (m_session)
                m_relay->m_registry->setState(m_session, Monitor::SessionState::Streaming);
        }
        // Backpressure: stop handing data to a client that is not reading and resume on outputDrained();
        // meanwhile the upstream reply fills its bounded buffer and then stops reading the socket.
        if (m_exchange->pendingOutputBytes() > kMaxClientBacklog)
            return;
        const QList<SseEvent> events = m_sse.feed(m_reply->readAll());
        for (const SseEvent &e : events) {
            onEvent(e.data);
            if (m_done)
                return;
        }
        if (m_sse.overflowed())
            midStreamError(QStringLiteral("The upstream sent an oversized event."), QStringLiteral("upstream_error"));
        else if (m_upstreamFinished && m_reply && m_reply->bytesAvailable() == 0)
            completeStream();
    }

    void onEvent(const QByteArray &data)
    {
        if (data == "[DONE]") {
            m_sawDone = true;
            m_exchange->writeEvent(data);
            return;
        }
        bool forward = true;
        // Parsing every chunk costs more than relaying it, so only chunks that carry a usage object are
        // parsed now; the others are kept (shared, not copied) and read only if the completion has to be
        // counted locally (no upstream usage), in order, so the count sees the text exactly as streamed.
        if (carriesUsageObject(data)) {
            drainPending();
            const QJsonDocument doc = QJsonDocument::fromJson(data);
            if (doc.isObject()) {
                const QJsonObject chunk = doc.object();
                const bool sawUsage = takeUsage(chunk.value(QLatin1StringView("usage")));
                if (m_upstreamUsage && m_session)
                    m_relay->m_registry->setUsage(m_session, m_upstreamUsage->usage);
                const QJsonArray choices = chunk.value(QLatin1StringView("choices")).toArray();
                collectChoices(choices);
                // The usage-only chunk (empty choices) exists because we forced include_usage.
                if (sawUsage && choices.isEmpty() && !m_clientWantsUsage)
                    forward = false;
            }
        } else {
            m_pending.append(data);
            m_pendingBytes += data.size();
            if (m_pendingBytes > kMaxPendingBytes)
                drainPending();
        }
        if (forward && !m_clientWantsUsage && data.endsWith(kNullUsageMember)) {
            // Forced include_usage adds "usage":null to every chunk (last member, from OpenAI and the demo);
            // a client that did not ask sees chunks exactly as without it. The chunk ends with the member and
            // the object's closing brace, unescaped (so not inside a string): dropping the member keeps the
            // JSON valid without parsing a chunk that otherwise needs no parsing.
            m_exchange->writeEvent(QByteArray(data.first(data.size() - kNullUsageMember.size()) + '}'));
            ++m_chunksForwarded;
            forward = false;
        }
        if (forward) {
            m_exchange->writeEvent(data);
            ++m_chunksForwarded;
        }
        if (m_session) {
            Monitor::SessionEvent ev;
            ev.atMs = QDateTime::currentMSecsSinceEpoch();
            ev.direction = Monitor::EventDirection::FromUpstream;
            ev.type = QStringLiteral("chat.completion.chunk");
            ev.bytes = data.size();
            m_relay->m_registry->recordEvent(m_session, ev);
        }
    }

    // Reads an upstream usage value strictly; the last one the upstream sends wins. A malformed one is not
    // billed: the call is then counted locally (as without usage) and the log row says what was rejected.
    // True when the value was a usage report at all (valid or malformed).
    bool takeUsage(const QJsonValue &value)
    {
        const UsageReading reading = UsageParser::read(value);
        if (reading.status == UsageReading::Status::Absent)
            return false;
        m_upstreamUsage = reading.usage;
        m_usageProblem = reading.problem;
        if (reading.status == UsageReading::Status::Malformed)
            m_rejectedUsage = QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact)).left(1000);
        return true;
    }

    // `"usage"` followed by an object (not the null every chunk carries under include_usage).
    static bool carriesUsageObject(QByteArrayView data)
    {
        qsizetype at = data.indexOf("\"usage\"");
        while (at >= 0) {
            qsizetype i = at + 7;
            while (i < data.size() && (data[i] == ' ' || data[i] == ':' || data[i] == '\t'))
                ++i;
            if (i < data.size() && data[i] == '{')
                return true;
            at = data.indexOf("\"usage\"", at + 7);
        }
        return false;
    }

    void collectChoices(const QJsonArray &choices)
    {
        for (const QJsonValue &cv : choices)
            collectDelta(cv.toObject().value(QLatin1StringView("delta")).toObject());
    }

    // Reads the kept chunks into the streamed text (they are then dropped).
    void drainPending()
    {
        for (const QByteArray &payload : std::as_const(m_pending)) {
            const QJsonDocument doc = QJsonDocument::fromJson(payload);
            if (doc.isObject())
                collectChoices(doc.object().value(QLatin1StringView("choices")).toArray());
        }
        m_pending.clear();
        m_pendingBytes = 0;
    }

    // Streamed text the client received: content, reasoning and tool-call names/arguments.
    void collectDelta(const QJsonObject &delta)
    {
        m_completionText += delta.value(QLatin1StringView("content")).toString();
        const QString reasoning = delta.value(QLatin1StringView("reasoning_content")).toString() +
                                  delta.value(QLatin1StringView("reasoning")).toString();
        m_completionText += reasoning;
        m_reasoningText += reasoning;
        for (const QJsonValue &tc : delta.value(QLatin1StringView("tool_calls")).toArray()) {
            const QJsonObject fn = tc.toObject().value(QLatin1StringView("function")).toObject();
            m_completionText += fn.value(QLatin1StringView("name")).toString();
            m_completionText += fn.value(QLatin1StringView("arguments")).toString();
        }
    }

    // The upstream stream ended and everything it sent has been forwarded.
    void completeStream()
    {
        const UpstreamReply::Error error = m_reply->error();
        if (error != UpstreamReply::Error::None) {
            const bool timeout = error == UpstreamReply::Error::Timeout;
            midStreamError(timeout ? QStringLiteral("The upstream stopped sending (timeout).")
                                   : QStringLiteral("The upstream connection failed mid-stream: %1")
                                         .arg(m_reply->errorString()),
                           timeout ? QStringLiteral("upstream_timeout") : QStringLiteral("upstream_error"));
            return;
        }
        if (m_exchange)
            m_exchange->endStream();
        settle(m_sawDone ? QStringLiteral("done") : QStringLiteral("eof"), 200);
    }

    void onFinished()
    {
        if (m_done)
            return;
        UpstreamReply *reply = m_reply;
        const UpstreamReply::Error error = reply->error();
        const bool connectError = reply->isConnectError();
        const QString errorString = reply->errorString();
        const int status = upstreamStatus();
        if (m_streamStarted) {
            // Forward what is still buffered (possibly later, if the client is backlogged), then end.
            m_upstreamFinished = true;
            onReadyRead();
            return;
        }
        const QByteArray body = reply->readAll();
        releaseReply();
        if (status == 0 || (error != UpstreamReply::Error::None && status < 400)) {
            if (error == UpstreamReply::Error::Timeout) {
                reportChannelFailure(ChannelFailure::Timeout, QStringLiteral("the upstream timed out"));
                respondAndRefund(OpenAiError::gatewayTimeout(QStringLiteral("The upstream timed out.")),
                                 QStringLiteral("upstream_timeout"));
                return;
            }
            const QString unreachable = SecretScrubber::scrub(errorString, m_channel.secret);
            reportChannelFailure(ChannelFailure::Connect, QStringLiteral("unreachable: ") + unreachable);
            if (connectError && retry())
                return;
            respondAndRefund(OpenAiError::badGateway(
                                 QStringLiteral("The upstream is unreachable: %1").arg(unreachable)),
                             QStringLiteral("upstream_unreachable"));
            return;
        }
        if (status == 401 || status == 403) {
            // The channel's key was refused: not the client's fault, and the body may echo the channel key.
            reportChannelFailure(ChannelFailure::Auth, QStringLiteral("HTTP %1: %2").arg(status).arg(upstreamMessage(body)));
            if (retry())
                return;
            respondAndRefund(OpenAiError::upstreamAuthFailed(m_channel.name, status),
                             QStringLiteral("upstream_auth_failed"));
            return;
        }
        if (status >= 500)
            reportChannelFailure(ChannelFailure::ServerError, QStringLiteral("HTTP %1: %2").arg(status).arg(upstreamMessage(body)));
        else if (status != 429) // rate limits are per call or per minute, not a broken channel
            m_relay->m_channels->reportSuccess(m_channel.id);
        if (status >= 400 || status < 200 || status >= 300) {
            if ((status >= 500 || status == 429) && retry())
                return;
            relayUpstreamError(status, body);
            return;
        }
        if (m_stream) {
            // 200 but not an event stream: a JSON body where SSE was asked for. Treat it as a plain reply.
            if (!isOpenAiErrorBody(body) && QJsonDocument::fromJson(body).isObject())
                return completeJson(body);
            respondAndRefund(OpenAiError::badGateway(QStringLiteral("The upstream sent no event stream."),
                                                     "bad_response_body"),
                             QStringLiteral("bad_response_body"));
            return;
        }
        completeJson(body);
    }

    void completeJson(const QByteArray &body)
    {
        QJsonDocument doc = QJsonDocument::fromJson(body);
        if (!doc.isObject()) {
            respondAndRefund(OpenAiError::badGateway(QStringLiteral("The upstream sent an invalid JSON body."),
                                                     "bad_response_body"),
                             QStringLiteral("bad_response_body"));
            return;
        }
        QJsonObject reply = doc.object();
        takeUsage(reply.value(QLatin1StringView("usage")));
        for (const QJsonValue &cv : reply.value(QLatin1StringView("choices")).toArray()) {
            const QJsonObject msg = cv.toObject().value(QLatin1StringView("message")).toObject();
            collectDelta(msg);
        }
        QByteArray out = body;
        if (!m_upstreamUsage) { // tell the client what it is billed for
            reply.insert(QStringLiteral("usage"), UsageParser::toJson(localUsage()));
            out = QJsonDocument(reply).toJson(QJsonDocument::Compact);
        }
        m_jsonReply = out; // sent once the settlement is committed (finish)
        settle(QStringLiteral("done"), 200);
    }

    bool retry()
    {
        if (m_attempts >= m_relay->m_config.retries || (m_exchange && m_exchange->hasStarted()))
            return false;
        if (!m_relay->m_channels->hasCandidate(m_model, m_auth.group, m_tried))
            return false;
        ++m_attempts;
        sendUpstream();
        return true;
    }

    // The upstream's error message, without any piece of the channel key (for logs and channel health).
    QString upstreamMessage(const QByteArray &body) const
    {
        const QJsonValue error = QJsonDocument::fromJson(body).object().value(QLatin1StringView("error"));
        return SecretScrubber::scrub(error.toObject().value(QLatin1StringView("message")).toString().left(500),
                                     m_channel.secret);
    }

    void reportChannelFailure(ChannelFailure kind, const QString &detail)
    {
        m_relay->m_channels->reportFailure(m_channel.id, kind, detail);
    }

    void relayUpstreamError(int status, const QByteArray &body)
    {
        const QJsonValue upstreamError = QJsonDocument::fromJson(body).object().value(QLatin1StringView("error"));
        const QString message = upstreamMessage(body);
        m_failure = QStringLiteral("The upstream answered HTTP %1").arg(status) +
                    (message.isEmpty() ? QString() : QStringLiteral(": ") + message);
        if (m_exchange) {
            if (upstreamError.isObject()) { // an OpenAI-shaped error body goes through, minus the channel key
                m_exchange->respond(status, SecretScrubber::scrub(body, m_channel.secret.toUtf8()));
            } else {
                OpenAiError e;
                e.httpStatus = status;
                e.message = QStringLiteral("The upstream answered HTTP %1.").arg(status);
                e.type = status == 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error"
                                                                               : "invalid_request_error";
                e.code = "upstream_error";
                m_exchange->respondError(e);
            }
        }
        refund(QStringLiteral("upstream_http_%1").arg(status), status);
    }

    void midStreamError(const QString &message, const QString &reason)
    {
        abortUpstream();
        if (m_exchange) {
            OpenAiError e = OpenAiError::badGateway(message, reason.toUtf8());
            m_exchange->writeEvent(e.toJson());
            m_exchange->endStream();
        }
        settle(reason, 200);
    }

    void respondAndRefund(const OpenAiError &error, const QString &reason)
    {
        m_failure = error.message;
        if (m_exchange && !m_exchange->hasStarted())
            m_exchange->respondError(error);
        refund(reason, error.httpStatus);
    }

    void reject(const OpenAiError &error, const QString &reason)
    {
        m_failure = error.message;
        if (m_exchange)
            m_exchange->respondError(error);
        finish(reason, false, error.httpStatus);
    }

    ParsedUsage localUsage()
    {
        drainPending();
        const qint64 completion = ChatRelayTokens::countText(m_completionText, m_upstreamModel);
        const qint64 reasoning = ChatRelayTokens::countText(m_reasoningText, m_upstreamModel);
        return UsageParser::local(m_estimate.textTokens + m_estimate.audioTokens, m_estimate.imageTokens,
                                  completion, reasoning);
    }

    void settle(const QString &endReason, int httpStatus)
    {
        const bool upstream = m_upstreamUsage.has_value();
        ParsedUsage usage = upstream ? *m_upstreamUsage : localUsage();
        Billing::Quote quote = Billing::QuotaMath::settle(m_pricing, usage.usage);
        const QJsonObject disputed = upstream ? dispute(&usage, &quote) : QJsonObject();

        Store::LogRecord log = logRow(Store::LogType::Consume);
        log.promptTokens = usage.promptTokens;
        log.completionTokens = usage.completionTokens;
        log.quota = quote.quota;
        log.priceSnapshotId = m_pricing.snapshotId;
        log.other = otherJson(usage, upstream, endReason);
        if (!upstream)
            log.content = QStringLiteral("usage counted locally");
        if (!m_usageProblem.isEmpty()) {
            log.other.insert(QStringLiteral("upstream_usage_rejected"),
                             QJsonObject{{QStringLiteral("problem"), m_usageProblem},
                                         {QStringLiteral("raw"), m_rejectedUsage}});
            log.content = QStringLiteral("usage counted locally: the upstream's usage was malformed (%1)").arg(m_usageProblem);
        }
        if (!disputed.isEmpty()) {
            log.other.insert(QStringLiteral("disputed"), disputed);
            log.content = QStringLiteral("disputed: the upstream reported implausible usage; charged at most the hold");
        }

        m_relay->m_commits->join();
        // The upstream has answered: a store that does not answer now delays the settlement, never drops it.
        const Store::LedgerOutcome r = m_relay->m_closings->run(
            m_requestId, [db = m_relay->m_db, id = m_reservationId, quota = quote.quota, log] {
                return Billing::Ledger(*db).settle(id, quota, log);
            });
        const bool queued = r.failure == Store::LedgerFailure::Database;
        if (!r && !queued)
            qWarning("relay: settle of %s failed: %s", qPrintable(m_requestId), qPrintable(r.message));
        if (m_session) {
            m_relay->m_registry->setUsage(m_session, usage.usage);
            m_relay->m_registry->setQuota(m_session, m_reserved, quote.quota);
        }
        m_settledQuota = quote.quota;
        finish(endReason, r.ok() || queued, httpStatus);
    }

    // Usage beyond what the model can produce (UsageCeilings) is not billed as reported: the charge is capped at
    // the hold, the token columns show the local count, and the row keeps the upstream's figures for an
    // operator to decide. Returns the `disputed` object (empty when the usage is plausible).
    QJsonObject dispute(ParsedUsage *usage, Billing::Quote *quote)
    {
        const UsageCeilings::Ceiling ceiling =
            UsageCeilings::current().forModel(m_upstreamModel.isEmpty() ? m_model : m_upstreamModel);
        if (ceiling.admits(usage->promptTokens, usage->completionTokens, m_hold.choices()))
            return {};
        const QJsonObject disputed{{QStringLiteral("prompt_tokens"), usage->promptTokens},
                                   {QStringLiteral("completion_tokens"), usage->completionTokens},
                                   {QStringLiteral("usage"), usage->usage.toJson()},
                                   {QStringLiteral("ceiling"), ceiling.toJson()},
                                   {QStringLiteral("claimed_quota"), quote->quota},
                                   {QStringLiteral("capped_at"), std::min(quote->quota, m_reserved)}};
        quote->quota = std::min(quote->quota, m_reserved);
        *usage = localUsage();
        return disputed;
    }

    QJsonObject otherJson(const ParsedUsage &usage, bool upstream, const QString &endReason) const
    {
        QJsonObject o = m_pricing.toJson();
        o.insert(QStringLiteral("cache_tokens"), usage.usage.cachedText);
        o.insert(QStringLiteral("frt"), m_frtMs < 0 ? -1000.0 : m_frtMs);
        o.insert(QStringLiteral("request_path"), QStringLiteral("/v1/chat/completions"));
        QJsonObject admin{{QStringLiteral("use_channel"), QJsonArray::fromStringList(m_triedOrder)},
                          {QStringLiteral("local_count_tokens"), !upstream},
                          {QStringLiteral("usage_billing_path"),
                           upstream ? QStringLiteral("upstream") : QStringLiteral("local")}};
        o.insert(QStringLiteral("admin_info"), admin);
        if (m_upstreamModel != m_model) {
            o.insert(QStringLiteral("is_model_mapped"), true);
            o.insert(QStringLiteral("upstream_model_name"), m_upstreamModel);
        }
        if (m_stream) {
            const bool ok = endReason == QLatin1StringView("done") || endReason == QLatin1StringView("eof");
            QJsonObject s{{QStringLiteral("status"), ok ? QStringLiteral("ok") : QStringLiteral("error")},
                          {QStringLiteral("end_reason"), endReason}};
            o.insert(QStringLiteral("stream_status"), s);
        }
        o.insert(QStringLiteral("usage_source"), upstream ? QStringLiteral("upstream") : QStringLiteral("local"));
        o.insert(QStringLiteral("reservation_id"), m_reservationId);
        o.insert(QStringLiteral("price_snapshot_id"), m_pricing.snapshotId);
        o.insert(QStringLiteral("end_reason"), endReason);
        o.insert(QStringLiteral("usage"), usage.usage.toJson());
        return o;
    }

    void refund(const QString &reason, int httpStatus)
    {
        m_relay->m_commits->join();
        const Store::LedgerOutcome r = m_relay->m_closings->run(
            m_requestId, [db = m_relay->m_db, id = m_reservationId] { return Billing::Ledger(*db).refund(id); });
        if (!r && r.failure != Store::LedgerFailure::Database)
            qWarning("relay: refund of %s failed: %s", qPrintable(m_requestId), qPrintable(r.message));
        finish(QStringLiteral("refunded:") + reason, false, httpStatus);
    }

    void finish(const QString &reason, bool settled, int httpStatus)
    {
        if (m_done)
            return;
        m_done = true;
        abortUpstream();
        if (m_session) {
            const bool ok = settled && !reason.startsWith(QLatin1StringView("upstream"));
            m_relay->m_registry->close(m_session, ok ? Monitor::SessionState::Ended : Monitor::SessionState::Failed,
                                       reason);
        }
        ChatCallResult result;
        result.requestId = m_requestId;
        result.endReason = reason;
        result.settled = settled;
        result.reserved = m_reserved;
        result.quota = settled ? m_settledQuota : 0;
        result.httpStatus = httpStatus;
        if (!settled)
            logFailure(reason, httpStatus);
        if (m_reservationId == 0) // refused before any hold: nothing of this call is in the batch
            return m_relay->callDone(this, result);
        // The reply and the result (what tests and the console read the database on) wait for the commit.
        m_relay->m_commits->afterCommit([relay = m_relay, self = QPointer<ChatCall>(this), result,
                                         exchange = m_exchange, reply = std::exchange(m_jsonReply, {})](bool) {
            if (exchange && !reply.isEmpty())
                exchange->respond(200, reply);
            relay->callDone(self, result);
        });
    }

    // What every log row of this call says: who, which model and channel, how long, which request.
    Store::LogRecord logRow(Store::LogType type) const
    {
        Store::LogRecord log;
        log.type = type;
        log.userId = m_auth.user.id;
        log.keyId = m_auth.key.id;
        log.channelId = m_channel.id;
        log.model = m_model;
        log.upstreamModel = m_upstreamModel;
        log.useMs = m_clock.elapsed();
        log.isStream = m_stream;
        log.requestId = m_requestId;
        return log;
    }

    // A failed call leaves an error row (quota 0) so the console shows why an app's request failed; it does
    // not count toward consumption. Unauthenticated requests never get this far, so they cannot flood the log.
    void logFailure(const QString &reason, int httpStatus)
    {
        Store::LogRecord log = logRow(Store::LogType::Error);
        log.promptTokens = m_estimate.total();
        log.content = m_failure.isEmpty() ? reason : m_failure;
        log.other = QJsonObject{{QStringLiteral("end_reason"), reason},
                                {QStringLiteral("status_code"), httpStatus},
                                {QStringLiteral("request_path"), QStringLiteral("/v1/chat/completions")},
                                {QStringLiteral("reservation_id"), m_reservationId},
                                {QStringLiteral("admin_info"),
                                 QJsonObject{{QStringLiteral("use_channel"), QJsonArray::fromStringList(m_triedOrder)}}}};
        m_relay->m_commits->join();
        if (const auto r = Store::LogRepository(*m_relay->m_db).insert(log); !r)
            qWarning("relay: error log of %s failed: %s", qPrintable(m_requestId), qPrintable(r.error()));
    }

    void abortUpstream()
    {
        if (!m_reply)
            return;
        m_reply->disconnect(this);
        m_reply->abort();
        releaseReply();
    }

    void releaseReply()
    {
        if (m_reply) {
            m_reply->disconnect(this);
            m_reply->deleteLater();
            m_reply = nullptr;
        }
    }

    ChatRelay *m_relay;
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

ChatRelay::ChatRelay(std::shared_ptr<Store::Database> db, std::shared_ptr<Auth> auth,
                     std::shared_ptr<ChannelSelector> channels, PriceBookProvider prices,
                     Monitor::SessionRegistry *registry, ChatRelayConfig config, QObject *parent)
    : QObject(parent)
    , m_db(std::move(db))
    , m_auth(std::move(auth))
    , m_channels(std::move(channels))
    , m_prices(std::move(prices))
    , m_registry(registry)
    , m_config(config)
    , m_upstream(new UpstreamClient(config.upstream, this))
    , m_commits(new Store::CommitBatch(m_db, this))
    , m_closings(new Billing::ClosingRetry(1000, this))
{
    qRegisterMetaType<ChatCallResult>();
}

ChatRelay::~ChatRelay()
{
    shutdown();
}

void ChatRelay::shutdown()
{
    const auto calls = m_calls; // finishing removes from m_calls
    for (ChatCall *call : calls)
        call->shutdown();
    m_commits->commit();
}

void ChatRelay::callDone(ChatCall *call, const ChatCallResult &result)
{
    if (call) {
        m_calls.remove(call);
        call->deleteLater();
    }
    Q_EMIT callFinished(result);
}

void ChatRelay::install(Router &router)
{
    router.setAuthenticator([this](HttpExchange &exchange) {
        auto result = m_auth->authenticate(exchange.request());
        if (auto *error = std::get_if<OpenAiError>(&result)) {
            exchange.respondError(*error);
            return false;
        }
        exchange.context() = std::get<AuthContext>(std::move(result));
        return true;
    });
    router.addRoute("POST", "/v1/chat/completions", [this](HttpExchange &e) { handleChat(e); });
    router.addRoute("GET", "/v1/models", [this](HttpExchange &e) { handleModels(e); });
    // Healthy means able to relay and bill: the store must answer too (a load balancer then stops sending
    // calls that could only fail). One SELECT 1 on the relay thread's connection per probe.
    router.addRoute("GET", "/healthz", [this](HttpExchange &e) {
        if (m_db->ping())
            return e.respond(200, QByteArrayLiteral("{\"status\":\"ok\",\"store\":\"ok\"}"));
        e.respond(503, QByteArrayLiteral("{\"status\":\"unavailable\",\"store\":\"unavailable\","
                                         "\"reason\":\"the database does not answer\"}"));
    }, Router::Access::Public);
}

void ChatRelay::handleModels(HttpExchange &exchange)
{
    const auto *auth = std::any_cast<AuthContext>(&exchange.context());
    if (!auth)
        return exchange.respondError(OpenAiError::internal(QStringLiteral("not authenticated")));
    QJsonArray data;
    for (const QString &model : m_channels->modelsFor(auth->group)) {
        if (!auth->mayUse(model))
            continue;
        data.append(QJsonObject{{QStringLiteral("id"), model},
                                {QStringLiteral("object"), QStringLiteral("model")},
                                {QStringLiteral("created"), 0},
                                {QStringLiteral("owned_by"), QStringLiteral("relaydesk")}});
    }
    exchange.respond(200, QJsonDocument(QJsonObject{{QStringLiteral("object"), QStringLiteral("list")},
                                                    {QStringLiteral("data"), data}})
                              .toJson(QJsonDocument::Compact));
}

void ChatRelay::handleChat(HttpExchange &exchange)
{
    const auto *auth = std::any_cast<AuthContext>(&exchange.context());
    if (!auth)
        return exchange.respondError(OpenAiError::internal(QStringLiteral("not authenticated")));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(exchange.request().body, &parseError);
    if (!doc.isObject())
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("The request body is not a JSON object: %1").arg(parseError.errorString())));
    QJsonObject request = doc.object();
    const QString model = request.value(QLatin1StringView("model")).toString();
    if (model.isEmpty())
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("you must provide a model parameter"), "missing_required_parameter", "model"));
    if (!request.value(QLatin1StringView("messages")).isArray())
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("'messages' is a required property"), "missing_required_parameter", "messages"));
    if (!auth->mayUse(model))
        return exchange.respondError(OpenAiError::modelNotAllowed(model));
    if (!m_channels->serves(model, auth->group))
        return exchange.respondError(OpenAiError::notFound(
            QStringLiteral("The model `%1` does not exist or you do not have access to it.").arg(model),
            "model_not_found"));
    const Billing::PriceBookPtr book = m_prices ? m_prices() : Billing::PriceBook::empty();
    auto pricing = book->pricing(model, auth->user.group, auth->group);
    if (!pricing) {
        OpenAiError e = OpenAiError::permissionDenied(
            QStringLiteral("The price of model %1 is not configured.").arg(model), "model_price_not_configured");
        return exchange.respondError(e);
    }
    const auto hold = HoldParameters::fromChatRequest(request); // before anything is reserved
    if (const auto *error = std::get_if<OpenAiError>(&hold))
        return exchange.respondError(*error);
    auto *call = new ChatCall(this, exchange, *auth, std::move(request), pricing.value(), model,
                              std::get<HoldParameters>(hold));
    m_calls.insert(call);
    call->start();
}

} // namespace RelayDesk::Relay
