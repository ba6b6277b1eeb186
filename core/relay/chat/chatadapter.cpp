#include "relay/chat/chatadapter.h"

#include "relay/clientsink.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

ChatAdapter::ChatAdapter(QJsonObject request, HoldParameters hold)
    : m_request(std::move(request))
    , m_hold(hold)
{
    m_stream = m_request.value(QLatin1StringView("stream")).toBool();
    m_clientWantsUsage = m_request.value(QLatin1StringView("stream_options"))
                             .toObject()
                             .value(QLatin1StringView("include_usage"))
                             .toBool();
}

PromptEstimate ChatAdapter::estimatePrompt(const QString &model) const
{
    return ChatRelayTokens::estimatePrompt(m_request, model);
}

QByteArray ChatAdapter::upstreamBody(const QString &upstreamModel) const
{
    QJsonObject body = m_request;
    body.insert(QStringLiteral("model"), upstreamModel);
    if (m_stream) // always ask for usage; hidden again from clients that did not ask (see onEvent)
        body.insert(QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}});
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

EventReport ChatAdapter::onEvent(const SseEvent &event, ClientSink &client)
{
    const QByteArray &data = event.data;
    EventReport report;
    report.liveType = QStringLiteral("chat.completion.chunk");
    if (data == "[DONE]") {
        report.terminal = true;
        client.writeEvent({}, data);
        return report;
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
            report.usage = chunk.value(QLatin1StringView("usage"));
            const QJsonArray choices = chunk.value(QLatin1StringView("choices")).toArray();
            collectChoices(choices);
            // The usage-only chunk (empty choices) exists because we forced include_usage.
            if (report.usage.isObject() && choices.isEmpty() && !m_clientWantsUsage)
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
        client.writeEvent({}, QByteArray(data.first(data.size() - kNullUsageMember.size()) + '}'));
        forward = false;
    }
    if (forward)
        client.writeEvent({}, data);
    return report;
}

void ChatAdapter::writeStreamError(ClientSink &client, const OpenAiError &error)
{
    client.writeEvent({}, error.toJson());
}

JsonReport ChatAdapter::onJson(const QJsonObject &reply)
{
    for (const QJsonValue &cv : reply.value(QLatin1StringView("choices")).toArray())
        collectDelta(cv.toObject().value(QLatin1StringView("message")).toObject());
    return JsonReport{reply.value(QLatin1StringView("usage"))};
}

QByteArray ChatAdapter::withLocalUsage(QJsonObject reply, const ParsedUsage &usage) const
{
    reply.insert(QStringLiteral("usage"), UsageParser::toJson(usage));
    return QJsonDocument(reply).toJson(QJsonDocument::Compact);
}

LocalOutput ChatAdapter::countOutput(const QString &upstreamModel)
{
    drainPending();
    return LocalOutput{ChatRelayTokens::countText(m_completionText, upstreamModel),
                       ChatRelayTokens::countText(m_reasoningText, upstreamModel)};
}

bool ChatAdapter::carriesUsageObject(QByteArrayView data)
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

void ChatAdapter::collectChoices(const QJsonArray &choices)
{
    for (const QJsonValue &cv : choices)
        collectDelta(cv.toObject().value(QLatin1StringView("delta")).toObject());
}

void ChatAdapter::drainPending()
{
    for (const QByteArray &payload : std::as_const(m_pending)) {
        const QJsonDocument doc = QJsonDocument::fromJson(payload);
        if (doc.isObject())
            collectChoices(doc.object().value(QLatin1StringView("choices")).toArray());
    }
    m_pending.clear();
    m_pendingBytes = 0;
}

void ChatAdapter::collectDelta(const QJsonObject &delta)
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

} // namespace RelayDesk::Relay
