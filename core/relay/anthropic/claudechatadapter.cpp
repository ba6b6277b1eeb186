#include "relay/anthropic/claudechatadapter.h"

#include "common/compactjson.h"
#include "relay/anthropic/messagesusage.h"

#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

ClaudeChatAdapter::ClaudeChatAdapter(QJsonObject messagesRequest, bool includeUsage, HoldParameters hold,
                                     AnthropicHeaders headers)
    : m_messages(std::move(messagesRequest), hold, std::move(headers))
    , m_chunks(includeUsage)
{
}

EventReport ClaudeChatAdapter::onEvent(const SseEvent &event, ClientSink &client)
{
    const TypedEvent typed = TypedEvent::read(event);
    const EventReport report = m_messages.account(typed);
    m_chunks.write(typed, client, [this] { return streamUsage(); });
    return report;
}

QJsonObject ClaudeChatAdapter::streamUsage()
{
    const UsageReading reading = m_messages.readUsage(m_messages.usageSoFar());
    if (reading.status == UsageReading::Status::Valid)
        return UsageParser::toJson(*reading.usage);
    // No usable usage from the upstream: what the engine will bill (MeteredCall::localUsage for a text call).
    const PromptEstimate prompt = m_messages.estimatePrompt({});
    return UsageParser::toJson(UsageParser::local(prompt.textTokens, prompt.imageTokens,
                                                  m_messages.countOutput({}).completionTokens, 0));
}

QByteArray ClaudeChatAdapter::withLocalUsage(QJsonObject reply, const ParsedUsage &usage) const
{
    return clientReply({}, reply, usage);
}

QByteArray ClaudeChatAdapter::clientReply(const QByteArray &body, const QJsonObject &reply,
                                          const ParsedUsage &usage) const
{
    Q_UNUSED(body)
    return CompactJson::write(MessagesToChat::reply(reply, UsageParser::toJson(usage)));
}

void ClaudeChatAdapter::describe(QJsonObject &other) const
{
    m_messages.describe(other);
    other.insert(QStringLiteral("upstream_api"), QStringLiteral("anthropic_messages"));
}

} // namespace RelayDesk::Relay
