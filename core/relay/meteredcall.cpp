#include "relay/meteredcall.h"

#include "billing/closingretry.h"
#include "billing/ledger.h"
#include "common/fastjson.h"
#include "common/jsonmembers.h"
#include "metrics/relaymetrics.h"
#include "monitor/endpointkind.h"
#include "monitor/sessionregistry.h"
#include "relay/ledgerrefusal.h"
#include "relay/secretscrubber.h"
#include "relay/upstreamclient.h"
#include "relay/upstreamurl.h"
#include "relay/usageceilings.h"
#include "store/database.h"
#include "store/storelane.h"

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

void addChargeHeaders(ClientSink &client, qint64 quota)
{
    client.addResponseHeader(QByteArrayLiteral("X-RelayDesk-Quota"), QByteArray::number(quota));
    client.addResponseHeader(QByteArrayLiteral("X-RelayDesk-Cost-USD"), Billing::QuotaMath::toUsdText(quota).toLatin1());
}

bool isOpenAiErrorBody(const QByteArray &body)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    return doc.isObject() && doc.object().value(QLatin1StringView("error")).isObject();
}

} // namespace

MeteredCall::MeteredCall(const CallContext &context, QObject *parent, ClientSink *client,
                         std::unique_ptr<CallAdapter> adapter, Request request)
    : QObject(parent)
    , m_ctx(context)
    , m_client(client)
    , m_adapter(std::move(adapter))
    , m_request(std::move(request))
    , m_requestId(newRequestId())
{
    m_clock.start();
    client->setParent(this);
    m_stream = m_adapter->isStream();
    connect(client, &ClientSink::gone, this, [this] { clientGone(); });
    connect(client, &ClientSink::drained, this, [this] {
        if (m_streamStarted && m_reply && !m_done && (m_reply->bytesAvailable() > 0 || m_upstreamFinished))
            onReadyRead();
    });
}

MeteredCall::~MeteredCall()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void MeteredCall::start()
{
    if (m_request.resume) { // a deferred call: its hold is open and durable already
        const DeferredCall &d = *m_request.resume;
        m_requestId = d.requestId;
        m_reservationId = d.reservationId;
        m_reserved = d.reserved;
        m_estimate.textTokens = d.promptTokens;
        sendUpstream();
        return;
    }
    const AuthContext &auth = m_request.auth;
    Monitor::SessionInfo info;
    info.kind = m_adapter->sessionKind();
    info.user = auth.user.name;
    info.keyHint = auth.key.keyHint;
    info.model = m_request.model;
    m_sharedSession = m_request.liveSession != 0;
    if (m_sharedSession)
        m_session = m_request.liveSession;
    else if (m_ctx.registry)
        m_session = m_ctx.registry->open(info);

    m_estimate = m_adapter->estimatePrompt(m_request.model);
    if (m_session && !m_sharedSession && !m_estimate.units.isEmpty())
        m_ctx.registry->setUnits(m_session, m_estimate.units); // what is asked for, until the settlement says
    // The hold's numbers were checked by the endpoint (HoldParameters): no unchecked number sizes the hold.
    const HoldParameters &hold = m_adapter->hold();
    const qint64 amount = Billing::QuotaMath::reserve(m_request.pricing, m_estimate.total(), hold.maxTokens(),
                                                      m_ctx.config.defaultMaxTokens, hold.choices(),
                                                      m_estimate.units, hold.isAudioOutput())
                              .quota;
    const qint64 tokens = Billing::QuotaMath::holdTokens(m_estimate.total(), hold.maxTokens(),
                                                         m_ctx.config.defaultMaxTokens, hold.choices());
    // The hold is taken on the store lane; the upstream is paid for from the moment it is called, so it is called
    // only once the hold is durable (reserved()). Until then the call stays alive whatever the client does.
    m_reserving = true;
    m_ctx.lane->submitStaged<Store::LedgerOutcome>(
        [db = m_ctx.db, userId = auth.user.id, keyId = auth.key.id, amount, requestId = m_requestId,
         kind = m_adapter->reservationKind(), tokens] {
            return Billing::Ledger(*db).stageReserve(userId, keyId, amount, requestId, kind, {}, tokens);
        },
        [self = QPointer<MeteredCall>(this), amount](const Store::LedgerOutcome &r, bool committed) {
            if (self)
                self->reserved(r, amount, committed);
        },
        [](const Store::LedgerOutcome &r) { return r.failure == Store::LedgerFailure::Database; }, m_chain);
}

void MeteredCall::clientGone()
{
    if (m_done || m_closing)
        return;
    if (m_session) { // the Live page shows when the client left, which may be well before the call ends
        Monitor::SessionEvent ev;
        ev.atMs = QDateTime::currentMSecsSinceEpoch();
        ev.direction = Monitor::EventDirection::FromClient;
        ev.type = QStringLiteral("client.gone");
        m_ctx.registry->recordEvent(m_session, ev);
    }
    if (m_reserving) { // the hold is on its way: reserved() gives it back
        m_endWhenReserved = QStringLiteral("client_gone");
        return;
    }
    abortUpstream();
    if (m_reservationId == 0)
        return finish(QStringLiteral("client_gone"), false, 499);
    if (m_tried.isEmpty()) // no upstream was called
        return refund(QStringLiteral("client_gone"), 499);
    if (defer(QStringLiteral("client_gone")))
        return;
    settle(QStringLiteral("client_gone"), 499);
}

void MeteredCall::shutdown()
{
    if (m_done || m_closing)
        return; // a closing on its way: CallEngine::shutdown drains the lane
    if (m_reserving) {
        m_endWhenReserved = QStringLiteral("shutdown");
        return;
    }
    abortUpstream();
    // A background response runs on upstream without us: the next run of the relay follows it to its end.
    if (!m_tried.isEmpty() && defer(QStringLiteral("shutdown")))
        return;
    if (m_client && !m_client->hasStarted()) {
        m_client->respondError(OpenAiError::serviceUnavailable(QStringLiteral("The relay is shutting down.")));
        return refund(QStringLiteral("shutdown"), 503);
    }
    if (m_client && m_client->isStreaming()) {
        m_adapter->writeStreamError(*m_client,
                                    OpenAiError::serviceUnavailable(QStringLiteral("The relay is shutting down.")));
        m_client->endStream();
    }
    settle(QStringLiteral("shutdown"), 200);
}

void MeteredCall::reserved(const Store::LedgerOutcome &r, qint64 amount, bool committed)
{
    m_reserving = false;
    if (r && !committed) // the hold went with its batch: nothing to refund
        return reject(OpenAiError::storeUnavailable(), QStringLiteral("refused:database"));
    if (!r) {
        if (m_endWhenReserved == QLatin1StringView("client_gone"))
            return finish(m_endWhenReserved, false, 499);
        return reject(ledgerRefusal(r, amount, m_request.auth.key.keyHint),
                      QStringLiteral("refused:") + Store::ledgerFailureName(r.failure));
    }
    m_reservationId = r.reservation.id;
    m_reserved = r.reservation.reserved;
    if (m_sharedSession)
        m_ctx.registry->addQuota(m_session, m_reserved, 0);
    else if (m_session)
        m_ctx.registry->setQuota(m_session, m_reserved, 0);
    if (m_endWhenReserved == QLatin1StringView("client_gone")) // gone while the hold was committed: no upstream called
        return refund(m_endWhenReserved, 499);
    if (m_endWhenReserved == QLatin1StringView("shutdown")) {
        if (m_client && !m_client->hasStarted())
            m_client->respondError(OpenAiError::serviceUnavailable(QStringLiteral("The relay is shutting down.")));
        return refund(m_endWhenReserved, 503);
    }
    sendUpstream();
}

std::optional<Store::Channel> MeteredCall::pickChannel()
{
    if (!m_request.pinnedChannel)
        return m_ctx.channels->select(m_request.model, m_request.auth.group, m_tried, m_adapter->channelWire());
    if (m_tried.contains(*m_request.pinnedChannel))
        return std::nullopt;
    return m_ctx.channels->enabledChannel(*m_request.pinnedChannel);
}

void MeteredCall::sendUpstream()
{
    const auto channel = pickChannel();
    if (!channel) {
        const QString why = m_request.pinnedChannel
                                ? QStringLiteral("The channel that holds this response's state is not available.")
                                : QStringLiteral("No available channel for model %1.").arg(m_request.model);
        respondAndRefund(OpenAiError::serviceUnavailable(why, "no_available_channel"), QStringLiteral("no_channel"));
        return;
    }
    m_channel = *channel;
    m_tried.insert(m_channel.id);
    m_triedOrder.append(QString::number(m_channel.id));
    m_upstreamModel = ChannelSelector::upstreamModel(m_channel, m_request.model);
    if (m_session)
        m_ctx.registry->setModel(m_session, m_request.model, m_upstreamModel, m_channel.name);

    UpstreamBody body = m_adapter->upstreamBody(m_upstreamModel);
    const QByteArray bearer = m_adapter->upstreamAuth(m_channel, body);
    m_reply = m_ctx.upstream->send(m_adapter->upstreamMethod(), upstreamApiUrl(m_channel.baseUrl, m_adapter->upstreamPath()),
                                    std::move(body), bearer, m_stream);
    m_sse = SseParser();
    m_sentNs = m_clock.nsecsElapsed();
    m_firstByteNs = -1;
    connect(m_reply, &UpstreamReply::readyRead, this, [this] {
        noteFirstByte();
        onReadyRead();
    });
    connect(m_reply, &UpstreamReply::finished, this, [this] {
        noteFirstByte();
        onFinished();
    });
}

void MeteredCall::noteFirstByte()
{
    if (m_firstByteNs < 0 && upstreamStatus() != 0)
        m_firstByteNs = m_clock.nsecsElapsed();
}

int MeteredCall::upstreamStatus() const
{
    return m_reply ? m_reply->status() : 0;
}

bool MeteredCall::isRawReply() const
{
    if (!m_reply || upstreamStatus() != 200 || !m_adapter->passesOtherBodiesThrough())
        return false;
    const QByteArray &type = m_reply->contentType();
    return !type.startsWith("application/json") && !type.startsWith("text/event-stream");
}

void MeteredCall::onReadyRead()
{
    if (m_done || m_closing || upstreamStatus() != 200)
        return; // errors are read whole in onFinished
    const bool raw = isRawReply();
    if (!raw && (!m_stream || !m_reply->contentType().startsWith("text/event-stream")))
        return; // JSON bodies are read whole in onFinished
    if (!m_client)
        return;
    if (!m_streamStarted) {
        m_streamStarted = true;
        m_ctx.channels->reportSuccess(m_channel.id);
        m_frtMs = m_clock.nsecsElapsed() / 1e6;
        if (raw)
            m_client->beginRawStream(m_reply->contentType());
        else
            m_client->beginEventStream();
        if (m_session)
            m_ctx.registry->setState(m_session, Monitor::SessionState::Streaming);
    }
    // Backpressure: stop handing data to a client that is not reading and resume on drained();
    // meanwhile the upstream reply fills its bounded buffer and then stops reading the socket.
    if (m_client->pendingOutputBytes() > kMaxClientBacklog)
        return;
    if (raw)
        return forwardRaw();
    const QList<SseEvent> events = m_sse.feed(m_reply->readAll());
    for (const SseEvent &e : events) {
        forward(e);
        if (m_done || m_closing)
            return;
    }
    if (m_sse.overflowed())
        midStreamError(QStringLiteral("The upstream sent an oversized event."), QStringLiteral("upstream_error"));
    else if (m_upstreamFinished && m_reply && m_reply->bytesAvailable() == 0)
        completeStream();
}

void MeteredCall::forwardRaw()
{
    const QByteArray data = m_reply->readAll();
    if (!data.isEmpty()) {
        m_adapter->onRawData(data);
        m_client->writeRaw(data);
        if (m_session) {
            Monitor::SessionEvent ev;
            ev.atMs = QDateTime::currentMSecsSinceEpoch();
            ev.direction = Monitor::EventDirection::FromUpstream;
            ev.type = QStringLiteral("data");
            ev.bytes = data.size();
            m_ctx.registry->recordEvent(m_session, ev);
        }
    }
    if (m_upstreamFinished && m_reply && m_reply->bytesAvailable() == 0)
        completeStream();
}

void MeteredCall::forward(const SseEvent &event)
{
    const EventReport report = m_adapter->onEvent(event, *m_client);
    if (!report.usage.isUndefined()) {
        takeUsage(report.usage);
        if (m_upstreamUsage && m_session && !m_sharedSession) // a shared session adds each turn once settled
            m_ctx.registry->setUsage(m_session, m_upstreamUsage->usage);
    }
    m_sawTerminal = m_sawTerminal || report.terminal;
    if (m_session) {
        Monitor::SessionEvent ev;
        ev.atMs = QDateTime::currentMSecsSinceEpoch();
        ev.direction = Monitor::EventDirection::FromUpstream;
        ev.type = report.liveType;
        ev.bytes = event.data.size();
        m_ctx.registry->recordEvent(m_session, ev);
    }
}

void MeteredCall::takeUsage(const QJsonValue &value)
{
    const UsageReading reading = m_adapter->readUsage(value);
    if (reading.status == UsageReading::Status::Absent)
        return;
    m_upstreamUsage = reading.usage;
    m_usageProblem = reading.problem;
    if (reading.status == UsageReading::Status::Malformed)
        m_rejectedUsage = QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact)).left(1000);
}

void MeteredCall::completeStream()
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
    if (m_client)
        m_client->endStream();
    if (isRawReply()) { // a passed-through body: complete when the upstream's bytes are
        takeUsage(m_adapter->onRawEnd().usage);
        m_sawTerminal = true;
    }
    if (!m_sawTerminal && defer(QStringLiteral("eof")))
        return; // the upstream goes on with a background response: follow it to its end
    settle(m_sawTerminal ? QStringLiteral("done") : QStringLiteral("eof"), 200);
}

void MeteredCall::onFinished()
{
    if (m_done || m_closing)
        return;
    UpstreamReply *reply = m_reply;
    const UpstreamReply::Error error = reply->error();
    const bool connectError = reply->isConnectError();
    const QString errorString = reply->errorString();
    const int status = upstreamStatus();
    if (m_streamStarted || (error == UpstreamReply::Error::None && isRawReply())) {
        // Forward what is still buffered (possibly later, if the client is backlogged), then end.
        m_upstreamFinished = true;
        onReadyRead();
        return;
    }
    const QByteArray body = reply->readAll();
    releaseReply();
    if (status == 0 || (error != UpstreamReply::Error::None && status < 400))
        return failBeforeAnswer(error, connectError, errorString);
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
    if (status < 200 || status >= 300) {
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
                         QStringLiteral("bad_response_body"), ClientSink::Retry::Never);
        return;
    }
    completeJson(body);
}

void MeteredCall::failBeforeAnswer(UpstreamReply::Error error, bool connectError, const QString &errorString)
{
    if (error == UpstreamReply::Error::Timeout) {
        reportChannelFailure(ChannelFailure::Timeout, QStringLiteral("the upstream timed out"));
        // The upstream had the request: it may be working on it (and billing it) still.
        respondAndRefund(OpenAiError::gatewayTimeout(QStringLiteral("The upstream timed out.")),
                         QStringLiteral("upstream_timeout"), ClientSink::Retry::Never);
        return;
    }
    const QString unreachable = SecretScrubber::scrub(errorString, m_channel.secret);
    reportChannelFailure(ChannelFailure::Connect, QStringLiteral("unreachable: ") + unreachable);
    if (connectError && retry())
        return;
    respondAndRefund(OpenAiError::badGateway(QStringLiteral("The upstream is unreachable: %1").arg(unreachable)),
                     QStringLiteral("upstream_unreachable"),
                     connectError ? ClientSink::Retry::Allowed : ClientSink::Retry::Never);
}

void MeteredCall::completeJson(const QByteArray &body)
{
    QJsonDocument doc = FastJson::parse(body);
    if (!doc.isObject()) {
        respondAndRefund(OpenAiError::badGateway(QStringLiteral("The upstream sent an invalid JSON body."),
                                                 "bad_response_body"),
                         QStringLiteral("bad_response_body"), ClientSink::Retry::Never);
        return;
    }
    const QJsonObject reply = doc.object();
    const JsonReport report = m_adapter->onJson(reply);
    if (report.pending) {
        m_jsonReply = body; // sent once the deferral is committed (finish)
        if (defer(QStringLiteral("background")))
            return;
    }
    takeUsage(report.usage);
    // Tell the client what it is billed for when the relay counted it.
    m_jsonReply = m_upstreamUsage ? m_adapter->clientReply(body, reply, *m_upstreamUsage)
                                  : m_adapter->withLocalUsage(reply, localUsage());
    settle(QStringLiteral("done"), 200); // the reply is sent once the settlement is committed (finish)
}

bool MeteredCall::retry()
{
    if (m_attempts >= m_ctx.config.retries || (m_client && m_client->hasStarted()) || m_request.pinnedChannel)
        return false;
    if (!m_ctx.channels->hasCandidate(m_request.model, m_request.auth.group, m_tried, m_adapter->channelWire()))
        return false;
    ++m_attempts;
    sendUpstream();
    return true;
}

QString MeteredCall::upstreamMessage(const QByteArray &body) const
{
    const QJsonValue error = QJsonDocument::fromJson(body).object().value(QLatin1StringView("error"));
    return SecretScrubber::scrub(error.toObject().value(QLatin1StringView("message")).toString().left(500),
                                 m_channel.secret);
}

void MeteredCall::reportChannelFailure(ChannelFailure kind, const QString &detail)
{
    m_ctx.channels->reportFailure(m_channel.id, kind, detail);
}

void MeteredCall::relayUpstreamError(int status, const QByteArray &body)
{
    const QJsonValue upstreamError = QJsonDocument::fromJson(body).object().value(QLatin1StringView("error"));
    const QString message = upstreamMessage(body);
    m_failure = QStringLiteral("The upstream answered HTTP %1").arg(status) +
                (message.isEmpty() ? QString() : QStringLiteral(": ") + message);
    if (m_request.resume) {
        // Following a deferred call: the upstream no longer has it (404) — bill what is known — or cannot
        // answer now — ask again later. Never a refund: the upstream did the work.
        if (status == 404)
            return settle(QStringLiteral("upstream_lost"), status);
        if (defer(QStringLiteral("upstream_http_%1").arg(status)))
            return;
    }
    if (m_client) {
        if (upstreamError.isObject()) { // an OpenAI-shaped error body goes through, minus the channel key
            m_client->respond(status, SecretScrubber::scrub(m_adapter->clientErrorBody(body),
                                                            m_channel.secret.toUtf8()));
        } else {
            OpenAiError e;
            e.httpStatus = status;
            e.message = QStringLiteral("The upstream answered HTTP %1.").arg(status);
            e.type = status == 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error"
                                                                           : "invalid_request_error";
            e.code = "upstream_error";
            m_client->respondError(e);
        }
    }
    refund(QStringLiteral("upstream_http_%1").arg(status), status);
}

void MeteredCall::midStreamError(const QString &message, const QString &reason)
{
    if (isRawReply()) { // settle first: cutting the client's connection reports it gone at once
        abortUpstream();
        const QPointer<ClientSink> client = m_client;
        settle(reason, 200);
        if (client)
            client->abortRawStream();
        return;
    }
    abortUpstream();
    if (m_client) {
        m_adapter->writeStreamError(*m_client, OpenAiError::badGateway(message, reason.toUtf8()));
        m_client->endStream();
    }
    settle(reason, 200);
}

void MeteredCall::respondAndRefund(const OpenAiError &error, const QString &reason, ClientSink::Retry retry)
{
    if (m_request.resume && defer(reason))
        return; // following a deferred call: the upstream did the work; ask again later
    m_failure = error.message;
    if (m_client && !m_client->hasStarted())
        m_client->respondError(error, retry);
    refund(reason, error.httpStatus);
}

void MeteredCall::reject(const OpenAiError &error, const QString &reason)
{
    m_failure = error.message;
    if (m_client)
        m_client->respondError(error);
    finish(reason, false, error.httpStatus);
}

ParsedUsage MeteredCall::localUsage()
{
    const LocalOutput out = m_adapter->countOutput(m_upstreamModel.isEmpty() ? m_request.model : m_upstreamModel);
    ParsedUsage usage = UsageParser::local(m_estimate.textTokens, m_estimate.imageTokens, out.completionTokens,
                                           out.reasoningTokens);
    usage.usage.inputAudio = m_estimate.audioTokens; // priced as audio input, as the upstream would report it
    usage.promptTokens += m_estimate.audioTokens;
    usage.usage.outputAudio = out.audioTokens;
    usage.completionTokens += out.audioTokens;
    usage.units = out.units.value_or(m_estimate.units);
    return usage;
}

void MeteredCall::settle(const QString &endReason, int httpStatus)
{
    const bool upstream = m_upstreamUsage.has_value();
    ParsedUsage usage = upstream ? *m_upstreamUsage : localUsage();
    const QHash<QString, qint64> tools = m_adapter->toolCalls();
    Billing::Quote quote = Billing::QuotaMath::settle(m_request.pricing, usage.usage, tools, usage.units);
    const qint64 toolQuota = tools.isEmpty() ? 0 : Billing::QuotaMath::toolCalls(m_request.pricing, tools).quota;
    const QJsonObject disputed = upstream ? dispute(&usage, &quote) : QJsonObject();

    Store::LogRecord log = logRow(Store::LogType::Consume);
    log.promptTokens = usage.promptTokens;
    log.completionTokens = usage.completionTokens;
    log.quota = quote.quota;
    log.priceSnapshotId = m_request.pricing.snapshotId;
    log.other = otherJson(usage, upstream, endReason, tools, toolQuota, &log.otherMembers);
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

    // The upstream has answered: a store that does not answer now delays the settlement, never drops it. The call
    // is done once the settlement is durable (or queued for retry); a JSON reply waits for that (finish()).
    m_closing = true;
    abortUpstream();
    m_ctx.closings->run(
        m_requestId,
        Billing::ClosingRetry::StagedClosing([db = m_ctx.db, id = m_reservationId, quota = quote.quota, log,
                                              billed = usage.usage] {
            return Billing::Ledger(*db).stageSettle(id, quota, log, billed);
        }),
        [self = QPointer<MeteredCall>(this), requestId = m_requestId, endReason, httpStatus](const Store::LedgerOutcome &r) {
            const bool queued = r.failure == Store::LedgerFailure::Database;
            if (!r && !queued)
                qWarning("relay: settle of %s failed: %s", qPrintable(requestId), qPrintable(r.message));
            if (self)
                self->finish(endReason, r.ok() || queued, httpStatus);
        });
    if (m_sharedSession) { // one turn of the connection: its usage and charge add to the session's
        m_ctx.registry->addUsage(m_session, usage.usage);
        m_ctx.registry->addQuota(m_session, 0, quote.quota);
        Monitor::SessionTurn turn; // the console's per-turn view, as for a Realtime session's responses
        turn.id = m_requestId;
        turn.status = endReason;
        turn.startedAt = QDateTime::currentDateTimeUtc().addMSecs(-m_clock.elapsed());
        turn.usage = usage.usage;
        turn.estimated = !upstream;
        turn.quota = quote.quota;
        m_ctx.registry->addTurn(m_session, std::move(turn));
        Monitor::SessionEvent ev;
        ev.atMs = QDateTime::currentMSecsSinceEpoch();
        ev.type = QStringLiteral("turn.settled");
        ev.tokens = usage.usage.total();
        m_ctx.registry->recordEvent(m_session, ev);
    } else if (m_session) {
        m_ctx.registry->setUsage(m_session, usage.usage);
        m_ctx.registry->setUnits(m_session, usage.units);
        m_ctx.registry->setQuota(m_session, m_reserved, quote.quota);
    }
    m_settledQuota = quote.quota;
    if (m_request.onAnswered)
        m_request.onAnswered(*this);
}

QJsonObject MeteredCall::dispute(ParsedUsage *usage, Billing::Quote *quote)
{
    const UsageCeilings::Ceiling ceiling =
        UsageCeilings::current().forModel(m_upstreamModel.isEmpty() ? m_request.model : m_upstreamModel);
    if (ceiling.admits(usage->promptTokens, usage->completionTokens, m_adapter->hold().choices()))
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

QJsonObject MeteredCall::otherJson(const ParsedUsage &usage, bool upstream, const QString &endReason,
                                   const QHash<QString, qint64> &tools, qint64 toolQuota, QByteArray *members) const
{
    // The members read or replaced before the row is written (the log's request_path column, the settlement's
    // reservation_id) and the adapter's stay an object; the rest is written as text at once
    // (Store::LogRecord::otherMembers). The ledger is given the usage itself (Ledger::stageSettle).
    QJsonObject o;
    o.insert(QStringLiteral("request_path"), m_adapter->requestPath());
    o.insert(QStringLiteral("reservation_id"), m_reservationId);
    m_adapter->describe(o);

    JsonMembers m;
    m.addWritten(m_request.pricing.jsonMembers()); // its price_snapshot_id included
    m.addJson(QLatin1StringView("usage"), usage.usage.toJsonText());
    m.add(QLatin1StringView("cache_tokens"), usage.usage.cachedText);
    m.add(QLatin1StringView("cache_write_tokens"), usage.usage.cacheWrite);
    m.add(QLatin1StringView("reasoning_tokens"), usage.usage.outputReasoning);
    m.add(QLatin1StringView("frt"), m_frtMs < 0 ? -1000.0 : m_frtMs);
    if (!usage.units.isEmpty())
        m.add(QLatin1StringView("units"), usage.units.toJson());
    JsonMembers admin;
    admin.add(QLatin1StringView("use_channel"), QJsonArray::fromStringList(m_triedOrder));
    admin.add(QLatin1StringView("local_count_tokens"), !upstream);
    admin.add(QLatin1StringView("usage_billing_path"), upstream ? QStringLiteral("upstream") : QStringLiteral("local"));
    m.addJson(QLatin1StringView("admin_info"), admin.object());
    if (m_upstreamModel != m_request.model) {
        m.add(QLatin1StringView("is_model_mapped"), true);
        m.add(QLatin1StringView("upstream_model_name"), m_upstreamModel);
    }
    if (m_stream) {
        const bool ok = endReason == QLatin1StringView("done") || endReason == QLatin1StringView("eof");
        m.add(QLatin1StringView("stream_status"),
              QJsonObject{{QStringLiteral("status"), ok ? QStringLiteral("ok") : QStringLiteral("error")},
                          {QStringLiteral("end_reason"), endReason}});
    }
    if (!tools.isEmpty()) {
        QJsonObject calls;
        for (auto it = tools.cbegin(); it != tools.cend(); ++it)
            calls.insert(it.key(), it.value());
        m.add(QLatin1StringView("tool_calls"), calls);
        m.add(QLatin1StringView("tool_quota"), toolQuota);
    }
    m.add(QLatin1StringView("usage_source"), upstream ? QStringLiteral("upstream") : QStringLiteral("local"));
    m.add(QLatin1StringView("end_reason"), endReason);
    *members = m.take();
    return o;
}

void MeteredCall::refund(const QString &reason, int httpStatus)
{
    m_closing = true;
    abortUpstream();
    m_ctx.closings->run(
        m_requestId, [db = m_ctx.db, id = m_reservationId] { return Billing::Ledger(*db).refund(id); },
        [self = QPointer<MeteredCall>(this), requestId = m_requestId, reason, httpStatus](const Store::LedgerOutcome &r) {
            if (!r && r.failure != Store::LedgerFailure::Database)
                qWarning("relay: refund of %s failed: %s", qPrintable(requestId), qPrintable(r.message));
            if (self)
                self->finish(QStringLiteral("refunded:") + reason, false, httpStatus);
        });
}

bool MeteredCall::defer(const QString &reason)
{
    const QString id = m_adapter->deferrableId();
    if (!m_ctx.defer || id.isEmpty() || m_reservationId == 0 || m_channel.id == 0)
        return false;
    abortUpstream();
    DeferredCall deferred;
    deferred.reservationId = m_reservationId;
    deferred.reserved = m_reserved;
    deferred.userId = m_request.auth.user.id;
    deferred.keyId = m_request.auth.key.id;
    deferred.requestId = m_requestId;
    deferred.requestPath = m_adapter->requestPath();
    deferred.channelId = m_channel.id;
    deferred.model = m_request.model;
    deferred.objectId = id;
    deferred.promptTokens = m_estimate.total();
    m_deferred = true;
    m_ctx.defer(deferred);
    if (m_request.onAnswered)
        m_request.onAnswered(*this);
    finish(QStringLiteral("deferred:") + reason, false, 200);
    return true;
}

void MeteredCall::finish(const QString &reason, bool settled, int httpStatus)
{
    if (m_done)
        return;
    m_done = true;
    abortUpstream();
    if (m_sharedSession) { // one turn of the connection's session ends; the session goes on
        if (!settled) {
            Monitor::SessionEvent ev;
            ev.atMs = QDateTime::currentMSecsSinceEpoch();
            ev.type = m_deferred ? QStringLiteral("turn.deferred") : QStringLiteral("turn.refunded");
            m_ctx.registry->recordEvent(m_session, ev);
        }
        m_ctx.registry->setState(m_session, Monitor::SessionState::Active);
    } else if (m_session) {
        const bool ok = (settled || m_deferred) && !reason.startsWith(QLatin1StringView("upstream"));
        m_ctx.registry->close(m_session, ok ? Monitor::SessionState::Ended : Monitor::SessionState::Failed, reason);
    }
    CallResult result;
    result.requestId = m_requestId;
    result.endReason = reason;
    result.settled = settled;
    result.reserved = m_reserved;
    result.quota = settled ? m_settledQuota : 0;
    result.httpStatus = httpStatus;
    result.requestPath = m_adapter->requestPath();
    result.deferred = m_deferred;
    if (!m_request.resume) // following a deferred call is not a client's request
        Metrics::RelayMetrics::global().callFinished(
            Monitor::endpointKindId(Monitor::endpointKindForPath(result.requestPath)), m_request.model, httpStatus,
            m_clock.nsecsElapsed() / 1e9, m_firstByteNs < 0 ? -1.0 : (m_firstByteNs - m_sentNs) / 1e9);
    if (!settled && !m_deferred)
        logFailure(reason, httpStatus);
    if (m_reservationId == 0) // refused before any hold: no money moved, the result does not wait for the error row
        return m_ctx.done(this, result);
    // The reply and the result (what tests and the console read the database on) wait for the commit of every
    // write of the call (its error log row included).
    m_ctx.lane->afterCommit([done = m_ctx.done, self = QPointer<MeteredCall>(this), result,
                                client = m_client, reply = std::exchange(m_jsonReply, {})](bool) {
        if (client && !reply.isEmpty()) {
            if (result.settled) // what the reply cost, for the caller's own accounting
                addChargeHeaders(*client, result.quota);
            client->respond(200, reply);
        }
        done(self, result);
    }, m_chain);
}

Store::LogRecord MeteredCall::logRow(Store::LogType type) const
{
    Store::LogRecord log;
    log.type = type;
    log.userId = m_request.auth.user.id;
    log.keyId = m_request.auth.key.id;
    log.channelId = m_channel.id;
    log.model = m_request.model;
    log.upstreamModel = m_upstreamModel;
    log.useMs = m_clock.elapsed();
    log.isStream = m_stream;
    log.requestId = m_requestId;
    return log;
}

void MeteredCall::logFailure(const QString &reason, int httpStatus)
{
    Store::LogRecord log = logRow(Store::LogType::Error);
    log.promptTokens = m_estimate.total();
    log.content = m_failure.isEmpty() ? reason : m_failure;
    log.other = QJsonObject{{QStringLiteral("end_reason"), reason},
                            {QStringLiteral("status_code"), httpStatus},
                            {QStringLiteral("request_path"), m_adapter->requestPath()},
                            {QStringLiteral("reservation_id"), m_reservationId},
                            {QStringLiteral("admin_info"),
                             QJsonObject{{QStringLiteral("use_channel"), QJsonArray::fromStringList(m_triedOrder)}}}};
    m_ctx.lane->write(QStringLiteral("the error log of ") + m_requestId,
                      [log](const Store::Database &db) { return Store::LogRepository(db).insert(log); }, m_chain);
}

void MeteredCall::abortUpstream()
{
    if (!m_reply)
        return;
    m_reply->disconnect(this);
    m_reply->abort();
    releaseReply();
}

void MeteredCall::releaseReply()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->deleteLater();
        m_reply = nullptr;
    }
}

} // namespace RelayDesk::Relay
