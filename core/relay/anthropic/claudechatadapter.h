#pragma once
// Chat Completions served by a Claude channel: the chat request converted to a Messages request (ChatToMessages),
// sent, metered and billed exactly as /v1/messages is (MessagesAdapter does the accounting: the Claude estimate,
// Anthropic's additive usage, the stream's usage so far, the local count), and the answers converted back
// (MessagesToChat): the JSON reply, each event as chat chunks, upstream error bodies in OpenAI's shape.
#include "relay/anthropic/messagesadapter.h"
#include "relay/anthropic/messagestochat.h"

namespace RelayDesk::Relay {

class ClaudeChatAdapter final : public CallAdapter
{
public:
    // `messagesRequest` is ChatToMessages' conversion of the client's chat request.
    ClaudeChatAdapter(QJsonObject messagesRequest, bool includeUsage, HoldParameters hold,
                      AnthropicHeaders headers);

    QString requestPath() const override { return QStringLiteral("/v1/chat/completions"); }
    QString reservationKind() const override { return QStringLiteral("chat"); }
    Monitor::SessionKind sessionKind() const override { return Monitor::SessionKind::Http; }
    bool isStream() const override { return m_messages.isStream(); }
    PromptEstimate estimatePrompt(const QString &model) const override { return m_messages.estimatePrompt(model); }
    const HoldParameters &hold() const override { return m_messages.hold(); }
    QString upstreamPath() const override { return m_messages.upstreamPath(); }
    UpstreamBody upstreamBody(const QString &upstreamModel) const override
    {
        return m_messages.upstreamBody(upstreamModel);
    }
    Store::ChannelWire channelWire() const override { return Store::ChannelWire::Anthropic; }
    QByteArray upstreamAuth(const Store::Channel &channel, UpstreamBody &body) const override
    {
        return m_messages.upstreamAuth(channel, body);
    }
    EventReport onEvent(const SseEvent &event, ClientSink &client) override;
    JsonReport onJson(const QJsonObject &reply) override { return m_messages.onJson(reply); }
    UsageReading readUsage(const QJsonValue &usage) const override { return m_messages.readUsage(usage); }
    QByteArray withLocalUsage(QJsonObject reply, const ParsedUsage &usage) const override;
    QByteArray clientReply(const QByteArray &body, const QJsonObject &reply, const ParsedUsage &usage) const override;
    QByteArray clientErrorBody(const QByteArray &body) const override { return MessagesToChat::errorBody(body); }
    LocalOutput countOutput(const QString &upstreamModel) override { return m_messages.countOutput(upstreamModel); }
    QHash<QString, qint64> toolCalls() const override { return m_messages.toolCalls(); }
    void describe(QJsonObject &other) const override;

private:
    // The stream's usage so far in OpenAI's shape: as reported, else as the relay counts it.
    QJsonObject streamUsage();

    MessagesAdapter m_messages;
    MessagesToChatStream m_chunks;
};

} // namespace RelayDesk::Relay
