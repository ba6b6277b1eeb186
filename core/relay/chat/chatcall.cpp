#include "relay/chat/chatcall.h"

#include "billing/closingretry.h"
#include "billing/ledger.h"
#include "http/httpexchange.h"
#include "monitor/sessionregistry.h"
#include "relay/ledgerrefusal.h"
#include "relay/secretscrubber.h"
#include "relay/upstreamclient.h"
#include "relay/upstreamurl.h"
#include "relay/usageceilings.h"
#include "store/commitbatch.h"
#include "store/database.h"

#include <QtCore/QDateTime>
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

ChatCall::ChatCall(const ChatCallContext &context, QObject *parent, HttpExchange &exchange, AuthContext auth,
                   QJsonObject request, Billing::ModelPricing pricing, QString model, HoldParameters hold)
    : QObject(parent)
    , m_ctx(context)
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

ChatCall::~ChatCall()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void ChatCall::start()
{
    Monitor::SessionInfo info;
    info.kind = Monitor::SessionKind::Http;
    info.user = m_auth.user.name;
    info.keyHint = m_auth.key.keyHint;
    info.model = m_model;
    if (m_ctx.registry)
        m_session = m_ctx.registry->open(info);

    m_estimate = ChatRelayTokens::estimatePrompt(m_request, m_model);
    // max_tokens and n were checked in handleChat (HoldParameters): no unchecked number sizes the hold.
    const qint64 amount = Billing::QuotaMath::reserve(m_pricing, m_estimate.total(), m_hold.maxTokens(),
                                                      m_ctx.config.defaultMaxTokens, m_hold.choices())
                              .quota;
    m_ctx.commits->join();
    const Store::LedgerOutcome r = Billing::Ledger(*m_ctx.db)
                                       .reserve(m_auth.user.id, m_auth.key.id, amount, m_requestId,
                                                QStringLiteral("chat"));
    if (!r) {
        reject(ledgerRefusal(r, amount, m_auth.key.keyHint), QStringLiteral("refused:") + Store::ledgerFailureName(r.failure));
        return;
    }
    m_reservationId = r.reservation.id;
    m_reserved = r.reservation.reserved;
    if (m_session)
        m_ctx.registry->setQuota(m_session, m_reserved, 0);
    // The upstream is paid for from the moment it is called, so only call it once the hold is durable.
    m_ctx.commits->afterCommit([self = QPointer<ChatCall>(this)](bool committed) {
        if (self)
            self->reserved(committed);
    });
}

void ChatCall::clientGone()
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

void ChatCall::shutdown()
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

void ChatCall::reserved(bool committed)
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

void ChatCall::sendUpstream()
{
    auto channel = m_ctx.channels->select(m_model, m_auth.group, m_tried);
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
        m_ctx.registry->setModel(m_session, m_model, m_upstreamModel, m_channel.name);

    QJsonObject body = m_request;
    body.insert(QStringLiteral("model"), m_upstreamModel);
    if (m_stream) // always ask for usage; hidden again from clients that did not ask (see onEvent)
        body.insert(QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}});
    m_reply = m_ctx.upstream->postJson(upstreamApiUrl(m_channel.baseUrl, u"chat/completions"),
                                        QJsonDocument(body).toJson(QJsonDocument::Compact),
                                        m_channel.secret.toUtf8(), m_stream);
    m_sse = SseParser();
    connect(m_reply, &UpstreamReply::readyRead, this, [this] { onReadyRead(); });
    connect(m_reply, &UpstreamReply::finished, this, [this] { onFinished(); });
}

int ChatCall::upstreamStatus() const
{
    return m_reply ? m_reply->status() : 0;
}

void ChatCall::onReadyRead()
{
    if (m_done || !m_stream || upstreamStatus() != 200)
        return; // errors and JSON bodies are read whole in onFinished
    if (!m_reply->contentType().startsWith("text/event-stream"))
        return;
    if (!m_exchange)
        return;
    if (!m_streamStarted) {
        m_streamStarted = true;
        m_ctx.channels->reportSuccess(m_channel.id);
        m_frtMs = m_clock.nsecsElapsed() / 1e6;
        m_exchange->beginEventStream();
        connect(m_exchange, &HttpExchange::outputDrained, this, [this] {
            if (m_reply && !m_done && (m_reply->bytesAvailable() > 0 || m_upstreamFinished))
                onReadyRead();
        });
        if (m_session)
            m_ctx.registry->setState(m_session, Monitor::SessionState::Streaming);
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

void ChatCall::onEvent(const QByteArray &data)
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
                m_ctx.registry->setUsage(m_session, m_upstreamUsage->usage);
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
        m_ctx.registry->recordEvent(m_session, ev);
    }
}

bool ChatCall::takeUsage(const QJsonValue &value)
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

bool ChatCall::carriesUsageObject(QByteArrayView data)
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

void ChatCall::collectChoices(const QJsonArray &choices)
{
    for (const QJsonValue &cv : choices)
        collectDelta(cv.toObject().value(QLatin1StringView("delta")).toObject());
}

void ChatCall::drainPending()
{
    for (const QByteArray &payload : std::as_const(m_pending)) {
        const QJsonDocument doc = QJsonDocument::fromJson(payload);
        if (doc.isObject())
            collectChoices(doc.object().value(QLatin1StringView("choices")).toArray());
    }
    m_pending.clear();
    m_pendingBytes = 0;
}

void ChatCall::collectDelta(const QJsonObject &delta)
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

void ChatCall::completeStream()
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

void ChatCall::onFinished()
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
        m_ctx.channels->reportSuccess(m_channel.id);
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

void ChatCall::completeJson(const QByteArray &body)
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

bool ChatCall::retry()
{
    if (m_attempts >= m_ctx.config.retries || (m_exchange && m_exchange->hasStarted()))
        return false;
    if (!m_ctx.channels->hasCandidate(m_model, m_auth.group, m_tried))
        return false;
    ++m_attempts;
    sendUpstream();
    return true;
}

QString ChatCall::upstreamMessage(const QByteArray &body) const
{
    const QJsonValue error = QJsonDocument::fromJson(body).object().value(QLatin1StringView("error"));
    return SecretScrubber::scrub(error.toObject().value(QLatin1StringView("message")).toString().left(500),
                                 m_channel.secret);
}

void ChatCall::reportChannelFailure(ChannelFailure kind, const QString &detail)
{
    m_ctx.channels->reportFailure(m_channel.id, kind, detail);
}

void ChatCall::relayUpstreamError(int status, const QByteArray &body)
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

void ChatCall::midStreamError(const QString &message, const QString &reason)
{
    abortUpstream();
    if (m_exchange) {
        OpenAiError e = OpenAiError::badGateway(message, reason.toUtf8());
        m_exchange->writeEvent(e.toJson());
        m_exchange->endStream();
    }
    settle(reason, 200);
}

void ChatCall::respondAndRefund(const OpenAiError &error, const QString &reason)
{
    m_failure = error.message;
    if (m_exchange && !m_exchange->hasStarted())
        m_exchange->respondError(error);
    refund(reason, error.httpStatus);
}

void ChatCall::reject(const OpenAiError &error, const QString &reason)
{
    m_failure = error.message;
    if (m_exchange)
        m_exchange->respondError(error);
    finish(reason, false, error.httpStatus);
}

ParsedUsage ChatCall::localUsage()
{
    drainPending();
    const qint64 completion = ChatRelayTokens::countText(m_completionText, m_upstreamModel);
    const qint64 reasoning = ChatRelayTokens::countText(m_reasoningText, m_upstreamModel);
    return UsageParser::local(m_estimate.textTokens + m_estimate.audioTokens, m_estimate.imageTokens,
                              completion, reasoning);
}

void ChatCall::settle(const QString &endReason, int httpStatus)
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

    m_ctx.commits->join();
    // The upstream has answered: a store that does not answer now delays the settlement, never drops it.
    const Store::LedgerOutcome r = m_ctx.closings->run(
        m_requestId, [db = m_ctx.db, id = m_reservationId, quota = quote.quota, log] {
            return Billing::Ledger(*db).settle(id, quota, log);
        });
    const bool queued = r.failure == Store::LedgerFailure::Database;
    if (!r && !queued)
        qWarning("relay: settle of %s failed: %s", qPrintable(m_requestId), qPrintable(r.message));
    if (m_session) {
        m_ctx.registry->setUsage(m_session, usage.usage);
        m_ctx.registry->setQuota(m_session, m_reserved, quote.quota);
    }
    m_settledQuota = quote.quota;
    finish(endReason, r.ok() || queued, httpStatus);
}

QJsonObject ChatCall::dispute(ParsedUsage *usage, Billing::Quote *quote)
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

QJsonObject ChatCall::otherJson(const ParsedUsage &usage, bool upstream, const QString &endReason) const
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

void ChatCall::refund(const QString &reason, int httpStatus)
{
    m_ctx.commits->join();
    const Store::LedgerOutcome r = m_ctx.closings->run(
        m_requestId, [db = m_ctx.db, id = m_reservationId] { return Billing::Ledger(*db).refund(id); });
    if (!r && r.failure != Store::LedgerFailure::Database)
        qWarning("relay: refund of %s failed: %s", qPrintable(m_requestId), qPrintable(r.message));
    finish(QStringLiteral("refunded:") + reason, false, httpStatus);
}

void ChatCall::finish(const QString &reason, bool settled, int httpStatus)
{
    if (m_done)
        return;
    m_done = true;
    abortUpstream();
    if (m_session) {
        const bool ok = settled && !reason.startsWith(QLatin1StringView("upstream"));
        m_ctx.registry->close(m_session, ok ? Monitor::SessionState::Ended : Monitor::SessionState::Failed,
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
        return m_ctx.done(this, result);
    // The reply and the result (what tests and the console read the database on) wait for the commit.
    m_ctx.commits->afterCommit([done = m_ctx.done, self = QPointer<ChatCall>(this), result,
                                exchange = m_exchange, reply = std::exchange(m_jsonReply, {})](bool) {
        if (exchange && !reply.isEmpty())
            exchange->respond(200, reply);
        done(self, result);
    });
}

Store::LogRecord ChatCall::logRow(Store::LogType type) const
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

void ChatCall::logFailure(const QString &reason, int httpStatus)
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
    m_ctx.commits->join();
    if (const auto r = Store::LogRepository(*m_ctx.db).insert(log); !r)
        qWarning("relay: error log of %s failed: %s", qPrintable(m_requestId), qPrintable(r.error()));
}

void ChatCall::abortUpstream()
{
    if (!m_reply)
        return;
    m_reply->disconnect(this);
    m_reply->abort();
    releaseReply();
}

void ChatCall::releaseReply()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->deleteLater();
        m_reply = nullptr;
    }
}

} // namespace RelayDesk::Relay
