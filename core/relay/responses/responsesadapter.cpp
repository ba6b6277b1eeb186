#include "relay/responses/responsesadapter.h"

#include "common/compactjson.h"
#include "relay/clientsink.h"
#include "relay/responses/responsestokens.h"
#include "store/backgroundresponserepository.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

namespace {

bool isTerminal(QByteArrayView type)
{
    return type == "response.completed" || type == "response.incomplete" || type == "response.failed";
}

bool carriesResponse(QByteArrayView type)
{
    return type == "response.created" || type == "response.in_progress" || type == "response.queued" ||
           isTerminal(type);
}

bool isReasoningDelta(QByteArrayView type)
{
    return type == "response.reasoning_text.delta" || type == "response.reasoning_summary_text.delta";
}

// The delta events whose text is output the client received (reasoning ones are also reasoning).
bool isOutputDelta(QByteArrayView type)
{
    return type == "response.output_text.delta" || type == "response.refusal.delta" ||
           type == "response.function_call_arguments.delta" || type == "response.custom_tool_call_input.delta" ||
           isReasoningDelta(type);
}

// Text and reasoning of one output item (what a local count bills as output).
void itemText(const QJsonObject &item, QString *text, QString *reasoning)
{
    const QString type = item.value(QLatin1StringView("type")).toString();
    if (type == QLatin1StringView("message")) {
        for (const QJsonValue &p : item.value(QLatin1StringView("content")).toArray()) {
            const QJsonObject part = p.toObject();
            *text += part.value(QLatin1StringView("text")).toString();
            *text += part.value(QLatin1StringView("refusal")).toString();
        }
    } else if (type == QLatin1StringView("function_call")) {
        *text += item.value(QLatin1StringView("name")).toString();
        *text += item.value(QLatin1StringView("arguments")).toString();
    } else if (type == QLatin1StringView("custom_tool_call")) {
        *text += item.value(QLatin1StringView("name")).toString();
        *text += item.value(QLatin1StringView("input")).toString();
    } else if (type == QLatin1StringView("reasoning")) {
        QString r;
        for (const auto key : {QLatin1StringView("summary"), QLatin1StringView("content")})
            for (const QJsonValue &p : item.value(key).toArray())
                r += p.toObject().value(QLatin1StringView("text")).toString();
        *text += r;
        *reasoning += r;
    }
}

// Output item types that are content, not calls.
bool isCall(const QString &type)
{
    return type != QLatin1StringView("message") && type != QLatin1StringView("reasoning") &&
           type != QLatin1StringView("compaction") && !type.isEmpty();
}

qint64 peekSequence(QByteArrayView data)
{
    const qsizetype at = data.indexOf("\"sequence_number\"");
    if (at < 0)
        return -1;
    qsizetype i = at + 17;
    while (i < data.size() && (data[i] == ' ' || data[i] == ':'))
        ++i;
    qint64 n = 0;
    qsizetype digits = 0;
    while (i < data.size() && data[i] >= '0' && data[i] <= '9' && digits < 15) {
        n = n * 10 + (data[i] - '0');
        ++i;
        ++digits;
    }
    return digits > 0 ? n : -1;
}

} // namespace

ResponsesAdapter::ResponsesAdapter(Mode mode, QJsonObject request, HoldParameters hold)
    : m_mode(mode)
    , m_request(std::move(request))
    , m_hold(hold)
{
    // WebSocket mode always streams (events as frames); compact answers one JSON body.
    m_stream = m_mode == Mode::WebSocket ||
               (m_mode == Mode::Create && m_request.value(QLatin1StringView("stream")).toBool());
}

QString ResponsesAdapter::requestPath() const
{
    return m_mode == Mode::Compact ? QStringLiteral("/v1/responses/compact") : QStringLiteral("/v1/responses");
}

QString ResponsesAdapter::reservationKind() const
{
    // A background response's hold outlives its call; crash recovery leaves it to the background poller.
    return isBackground() ? Store::kBackgroundResponseKind : QStringLiteral("responses");
}

bool ResponsesAdapter::isBackground() const
{
    return m_mode == Mode::Retrieve || m_request.value(QLatin1StringView("background")).toBool();
}

QString ResponsesAdapter::deferrableId() const
{
    if (!isBackground())
        return {};
    return m_responseId.isEmpty() ? m_request.value(QLatin1StringView("id")).toString() : m_responseId;
}

Monitor::SessionKind ResponsesAdapter::sessionKind() const
{
    return m_mode == Mode::WebSocket ? Monitor::SessionKind::ResponsesWebSocket : Monitor::SessionKind::Responses;
}

PromptEstimate ResponsesAdapter::estimatePrompt(const QString &model) const
{
    return ResponsesTokens::estimatePrompt(m_request, model);
}

QString ResponsesAdapter::upstreamPath() const
{
    if (m_mode == Mode::Retrieve)
        return QStringLiteral("responses/") + m_request.value(QLatin1StringView("id")).toString();
    return m_mode == Mode::Compact ? QStringLiteral("responses/compact") : QStringLiteral("responses");
}

QByteArray ResponsesAdapter::upstreamMethod() const
{
    return m_mode == Mode::Retrieve ? QByteArrayLiteral("GET") : QByteArrayLiteral("POST");
}

UpstreamBody ResponsesAdapter::upstreamBody(const QString &upstreamModel) const
{
    if (m_mode == Mode::Retrieve)
        return {};
    QJsonObject body = m_request;
    body.remove(QStringLiteral("type")); // WebSocket mode's "response.create"
    body.insert(QStringLiteral("model"), upstreamModel);
    if (m_mode == Mode::WebSocket)
        body.insert(QStringLiteral("stream"), true);
    return CompactJson::write(body);
}

bool ResponsesAdapter::storesResponse() const
{
    return m_request.value(QLatin1StringView("store")).toBool(true);
}

QByteArray ResponsesAdapter::eventType(const SseEvent &event)
{
    if (!event.event.isEmpty())
        return event.event;
    return QJsonDocument::fromJson(event.data).object().value(QLatin1StringView("type")).toString().toUtf8();
}

EventReport ResponsesAdapter::onEvent(const SseEvent &event, ClientSink &client)
{
    const QByteArray type = eventType(event);
    EventReport report;
    report.liveType = QString::fromUtf8(type);
    m_lastSequence = std::max(m_lastSequence, peekSequence(event.data));
    client.writeEvent(type, event.data); // unchanged and in order

    if (isOutputDelta(type)) {
        m_pending.append({type, event.data});
        m_pendingBytes += event.data.size();
        if (m_pendingBytes > kMaxPendingBytes)
            drainDeltas();
    } else if (type == "response.output_item.done") {
        takeOutputItem(QJsonDocument::fromJson(event.data).object().value(QLatin1StringView("item")).toObject());
    } else if (carriesResponse(type)) {
        const QJsonObject response =
            QJsonDocument::fromJson(event.data).object().value(QLatin1StringView("response")).toObject();
        if (!response.isEmpty()) {
            m_responseId = response.value(QLatin1StringView("id")).toString(m_responseId);
            m_status = response.value(QLatin1StringView("status")).toString(m_status);
        }
        if (isTerminal(type)) {
            takeResponse(response);
            report.usage = response.value(QLatin1StringView("usage"));
            report.terminal = true;
        }
    }
    return report;
}

void ResponsesAdapter::writeStreamError(ClientSink &client, const OpenAiError &error)
{
    // The Responses stream's error event: {"type":"error","sequence_number":n,"code","message","param"}.
    const QJsonObject event{{QStringLiteral("type"), QStringLiteral("error")},
                            {QStringLiteral("sequence_number"), m_lastSequence + 1},
                            {QStringLiteral("code"), error.code.isEmpty() ? QJsonValue() : QString::fromUtf8(error.code)},
                            {QStringLiteral("message"), error.message},
                            {QStringLiteral("param"), QJsonValue()}};
    ++m_lastSequence;
    client.writeEvent("error", CompactJson::write(event));
}

JsonReport ResponsesAdapter::onJson(const QJsonObject &reply)
{
    m_responseId = reply.value(QLatin1StringView("id")).toString();
    m_status = reply.value(QLatin1StringView("status")).toString();
    takeResponse(reply);
    // A background response still running: its usage comes later (the relay follows it).
    const bool running = m_status == QLatin1StringView("queued") || m_status == QLatin1StringView("in_progress");
    return JsonReport{reply.value(QLatin1StringView("usage")), isBackground() && running};
}

void ResponsesAdapter::takeResponse(const QJsonObject &response)
{
    const QJsonValue output = response.value(QLatin1StringView("output"));
    if (!output.isArray())
        return; // a cut or odd terminal event: keep what the stream showed
    // The terminal output is the whole answer: it replaces what the deltas and done items collected.
    m_toolCalls.clear();
    m_itemIds.clear();
    m_finalText.clear();
    m_finalReasoning.clear();
    for (const QJsonValue &item : output.toArray()) {
        const QJsonObject o = item.toObject();
        itemText(o, &m_finalText, &m_finalReasoning);
        takeOutputItem(o);
    }
    m_haveFinal = true;
}

void ResponsesAdapter::takeOutputItem(const QJsonObject &item)
{
    const QString id = item.value(QLatin1StringView("id")).toString();
    if (!id.isEmpty() && !m_itemIds.contains(id))
        m_itemIds.append(id);
    const QString type = item.value(QLatin1StringView("type")).toString();
    if (isCall(type))
        ++m_toolCalls[type];
    if (!m_haveFinal && type == QLatin1StringView("function_call"))
        m_callNames += item.value(QLatin1StringView("name")).toString(); // its arguments came as deltas
}

QByteArray ResponsesAdapter::withLocalUsage(QJsonObject reply, const ParsedUsage &usage) const
{
    reply.insert(QStringLiteral("usage"), usageJson(usage));
    return CompactJson::write(reply);
}

QJsonObject ResponsesAdapter::usageJson(const ParsedUsage &p)
{
    const Billing::Usage &b = p.usage;
    return {{QStringLiteral("input_tokens"), p.promptTokens},
            {QStringLiteral("input_tokens_details"),
             QJsonObject{{QStringLiteral("cached_tokens"), b.cachedText + b.cachedAudio + b.cachedImage}}},
            {QStringLiteral("output_tokens"), p.completionTokens},
            {QStringLiteral("output_tokens_details"), QJsonObject{{QStringLiteral("reasoning_tokens"), b.outputReasoning}}},
            {QStringLiteral("total_tokens"), p.promptTokens + p.completionTokens}};
}

void ResponsesAdapter::drainDeltas()
{
    for (const auto &[type, data] : std::as_const(m_pending))
        collectDelta(type, QJsonDocument::fromJson(data).object());
    m_pending.clear();
    m_pendingBytes = 0;
}

void ResponsesAdapter::collectDelta(const QByteArray &type, const QJsonObject &event)
{
    const QString delta = event.value(QLatin1StringView("delta")).toString();
    m_outputText += delta;
    if (isReasoningDelta(type))
        m_reasoningText += delta;
}

LocalOutput ResponsesAdapter::countOutput(const QString &upstreamModel)
{
    drainDeltas();
    // Both reached the client: the streamed deltas, and the output of the terminal event or JSON body. A failed
    // response's terminal output may hold less than was streamed before the failure, so the larger one counts.
    const LocalOutput streamed{ChatRelayTokens::countText(QString(m_outputText + m_callNames), upstreamModel),
                               ChatRelayTokens::countText(m_reasoningText, upstreamModel)};
    if (!m_haveFinal)
        return streamed;
    const LocalOutput final{ChatRelayTokens::countText(m_finalText, upstreamModel),
                            ChatRelayTokens::countText(m_finalReasoning, upstreamModel)};
    return final.completionTokens >= streamed.completionTokens ? final : streamed;
}

void ResponsesAdapter::describe(QJsonObject &other) const
{
    if (!m_responseId.isEmpty())
        other.insert(QStringLiteral("response_id"), m_responseId);
    if (!m_status.isEmpty())
        other.insert(QStringLiteral("response_status"), m_status);
}

} // namespace RelayDesk::Relay
