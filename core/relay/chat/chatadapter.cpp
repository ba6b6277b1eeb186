#include "relay/chat/chatadapter.h"

#include "common/compactjson.h"
#include "relay/clientsink.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

ChatAdapter::ChatAdapter(QJsonObject request, HoldParameters hold)
    : m_request(std::move(request))
    , m_hold(hold)
    , m_chunks(m_request, QStringLiteral("chat.completion.chunk"),
               [this](const QJsonArray &choices) { collectChoices(choices); })
{
}

PromptEstimate ChatAdapter::estimatePrompt(const QString &model) const
{
    return ChatRelayTokens::estimatePrompt(m_request, model);
}

UpstreamBody ChatAdapter::upstreamBody(const QString &upstreamModel) const
{
    QJsonObject body = m_request;
    body.insert(QStringLiteral("model"), upstreamModel);
    m_chunks.requestUsage(body); // hidden again from clients that did not ask (ChunkStream::onEvent)
    return CompactJson::write(body);
}

EventReport ChatAdapter::onEvent(const SseEvent &event, ClientSink &client)
{
    return m_chunks.onEvent(event, client);
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
    return CompactJson::write(reply);
}

LocalOutput ChatAdapter::countOutput(const QString &upstreamModel)
{
    m_chunks.drain();
    return LocalOutput{ChatRelayTokens::countText(m_completionText, upstreamModel),
                       ChatRelayTokens::countText(m_reasoningText, upstreamModel)};
}

void ChatAdapter::collectChoices(const QJsonArray &choices)
{
    for (const QJsonValue &cv : choices)
        collectDelta(cv.toObject().value(QLatin1StringView("delta")).toObject());
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
