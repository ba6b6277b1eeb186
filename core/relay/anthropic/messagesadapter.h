#pragma once
// Anthropic's Messages API on the metered-call engine: only channels of type anthropic serve it (x-api-key and
// anthropic-* headers, AnthropicHeaders), the hold is the Claude estimate of the prompt plus max_tokens at the
// completion price, and usage is Anthropic's additive shape (MessagesUsage).
//
// Streams: events pass through unchanged (message_start, content_block_*, message_delta, ping, error);
// message_start carries the input side of the usage, each message_delta the cumulative output (the last wins),
// message_stop ends the stream. Until a message_delta arrives, the output side is what was delivered, counted
// locally delta by delta — so a stream cut (or a client gone) before it settles on the real input and the output
// the client received. JSON replies: the reply's usage; web searches (server_tool_use) are billed per call.
#include "relay/anthropic/anthropicheaders.h"
#include "relay/calladapter.h"
#include "relay/typedevent.h"

namespace RelayDesk::Relay {

class MessagesAdapter final : public CallAdapter
{
public:
    MessagesAdapter(QJsonObject request, HoldParameters hold, AnthropicHeaders headers);

    QString requestPath() const override { return QStringLiteral("/v1/messages"); }
    QString reservationKind() const override { return QStringLiteral("messages"); }
    Monitor::SessionKind sessionKind() const override { return Monitor::SessionKind::Messages; }
    bool isStream() const override { return m_stream; }
    PromptEstimate estimatePrompt(const QString &model) const override;
    const HoldParameters &hold() const override { return m_hold; }
    QString upstreamPath() const override { return QStringLiteral("messages"); }
    UpstreamBody upstreamBody(const QString &upstreamModel) const override;
    Store::ChannelWire channelWire() const override { return Store::ChannelWire::Anthropic; }
    QByteArray upstreamAuth(const Store::Channel &channel, UpstreamBody &body) const override;
    EventReport onEvent(const SseEvent &event, ClientSink &client) override;
    void writeStreamError(ClientSink &client, const OpenAiError &error) override;
    JsonReport onJson(const QJsonObject &reply) override;
    UsageReading readUsage(const QJsonValue &usage) const override;
    QByteArray withLocalUsage(QJsonObject reply, const ParsedUsage &usage) const override;
    LocalOutput countOutput(const QString &upstreamModel) override;
    QHash<QString, qint64> toolCalls() const override { return m_tools; }
    void describe(QJsonObject &other) const override;

    // What one event of the stream (already read) says for the accounting, without writing it anywhere: the
    // usage so far, the end, the live type (onEvent forwards the event and reports this).
    EventReport account(const TypedEvent &typed);
    // A stream's usage so far as the engine should read it: message_start's input side, the output as reported
    // by the last message_delta or, before one, as delivered.
    QJsonObject usageSoFar() const;

    // The Claude estimate of a Messages request's prompt: system, messages (text, tool calls and results,
    // thinking), tools; each image or document block a flat kMediaBlockTokens.
    static PromptEstimate estimate(const QJsonObject &request);
    static constexpr qint64 kMediaBlockTokens = 1600; // an image of about 1.15 megapixels (Anthropic's scale)

private:
    void collectBlock(const QJsonObject &block);

    QJsonObject m_request;
    HoldParameters m_hold;
    AnthropicHeaders m_headers;
    bool m_stream = false;
    QJsonObject m_usage;          // message_start's usage merged with each message_delta's
    bool m_sawDelta = false;      // a message_delta reported the output count
    qint64 m_deliveredTokens = 0; // output delivered before any message_delta, counted delta by delta
    QString m_text;               // every output text delivered (for a local count)
    QString m_messageId;
    QString m_stopReason;
    QHash<QString, qint64> m_tools;
};

} // namespace RelayDesk::Relay
