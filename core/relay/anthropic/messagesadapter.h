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
//
// A prior count_tokens (setCountedInput): when the caller counted this very prompt a moment ago, the upstream's
// input_tokens n sizes the hold — but never below the estimate: the prompt's tokens are max(estimate, n), and when
// n wins it stands for the whole prompt, images and documents included (count_tokens counts them). Why not n alone,
// though it is the upstream's own count: the hold is a worst case, and a count is only a hint — it may come from
// another channel than the one that serves the call (or its retry), behind another model mapping, and an upstream
// that undercounts would otherwise shrink holds for everyone who counts first. Taking the larger keeps every hold
// at least what it was without the count, while a count above the estimate (a tokenizer denser than the
// estimator's, many images) makes the hold honest instead of short. The settlement is the reply's usage anyway.
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
    // The prompt as a prior count_tokens counted it (see above); the log row's other keeps it (counted_input_tokens).
    void setCountedInput(qint64 inputTokens) { m_countedInput = inputTokens; }
    // max(estimate, counted) as the hold reads it: the count, when larger, replaces text and media alike.
    static PromptEstimate withCount(PromptEstimate estimate, std::optional<qint64> counted);

private:
    void collectBlock(const QJsonObject &block);

    QJsonObject m_request;
    HoldParameters m_hold;
    AnthropicHeaders m_headers;
    std::optional<qint64> m_countedInput; // a prior count_tokens of this prompt by this caller
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
