#include "relay/anthropic/messagesadapter.h"

#include "common/compactjson.h"
#include "relay/anthropic/anthropicclientsink.h"
#include "relay/anthropic/messagesusage.h"
#include "relay/clientsink.h"
#include "relay/typedevent.h"
#include "tokenize/estimator.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

namespace {

QString compact(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isObject())
        return QString::fromUtf8(CompactJson::write(value.toObject()));
    if (value.isArray())
        return QString::fromUtf8(CompactJson::write(value.toArray()));
    return {};
}

// The text of one content block of a request (what the model reads), and its media blocks.
void promptBlock(const QJsonValue &value, QString &text, qint64 &media)
{
    if (value.isString()) {
        text += value.toString();
        return;
    }
    const QJsonObject block = value.toObject();
    const QString type = block.value(QLatin1StringView("type")).toString();
    if (type == u"image" || type == u"document") {
        ++media;
        return;
    }
    text += block.value(QLatin1StringView("text")).toString();
    text += block.value(QLatin1StringView("thinking")).toString();
    text += block.value(QLatin1StringView("name")).toString();
    if (block.contains(QLatin1StringView("input")))
        text += compact(block.value(QLatin1StringView("input")));
    const QJsonValue content = block.value(QLatin1StringView("content")); // tool_result
    if (content.isString())
        text += content.toString();
    for (const QJsonValue &inner : content.toArray())
        promptBlock(inner, text, media);
    text += u'\n';
}

void promptContent(const QJsonValue &content, QString &text, qint64 &media)
{
    if (content.isArray()) {
        for (const QJsonValue &block : content.toArray())
            promptBlock(block, text, media);
    } else {
        promptBlock(content, text, media);
    }
}

} // namespace

MessagesAdapter::MessagesAdapter(QJsonObject request, HoldParameters hold, AnthropicHeaders headers)
    : m_request(std::move(request))
    , m_hold(hold)
    , m_headers(std::move(headers))
    , m_stream(m_request.value(QLatin1StringView("stream")).toBool())
{
}

PromptEstimate MessagesAdapter::estimate(const QJsonObject &request)
{
    QString text;
    qint64 media = 0;
    promptContent(request.value(QLatin1StringView("system")), text, media);
    for (const QJsonValue &message : request.value(QLatin1StringView("messages")).toArray()) {
        text += message.toObject().value(QLatin1StringView("role")).toString() + u'\n';
        promptContent(message.toObject().value(QLatin1StringView("content")), text, media);
    }
    for (const QJsonValue &tool : request.value(QLatin1StringView("tools")).toArray())
        text += compact(tool) + u'\n';
    PromptEstimate out;
    out.textTokens = Tokenize::estimateTokens(text, Tokenize::EstimatorProvider::Claude);
    out.imageTokens = media * kMediaBlockTokens;
    return out;
}

PromptEstimate MessagesAdapter::withCount(PromptEstimate estimate, std::optional<qint64> counted)
{
    if (!counted || *counted <= estimate.total())
        return estimate;
    PromptEstimate out = estimate;
    out.textTokens = *counted; // images and documents are in the count
    out.imageTokens = 0;
    out.audioTokens = 0;
    return out;
}

PromptEstimate MessagesAdapter::estimatePrompt(const QString &model) const
{
    Q_UNUSED(model) // every model a Messages channel serves is priced as Claude's tokenizer counts
    return withCount(estimate(m_request), m_countedInput);
}

UpstreamBody MessagesAdapter::upstreamBody(const QString &upstreamModel) const
{
    QJsonObject body = m_request;
    body.insert(QStringLiteral("model"), upstreamModel);
    return CompactJson::write(body);
}

QByteArray MessagesAdapter::upstreamAuth(const Store::Channel &channel, UpstreamBody &body) const
{
    return m_headers.apply(channel, body);
}

QJsonObject MessagesAdapter::usageSoFar() const
{
    QJsonObject usage = m_usage;
    if (!m_sawDelta) {
        const qint64 started = usage.value(QLatin1StringView("output_tokens")).toInteger();
        usage.insert(QStringLiteral("output_tokens"), std::max(started, m_deliveredTokens));
    }
    return usage;
}

EventReport MessagesAdapter::onEvent(const SseEvent &event, ClientSink &client)
{
    return account(TypedEvent::forward(event, client));
}

EventReport MessagesAdapter::account(const TypedEvent &typed)
{
    const QJsonObject &data = typed.payload;
    const QString &type = typed.liveType; // the payload's type, else the event's name
    EventReport report;
    report.liveType = type;
    if (type == u"message_start") {
        const QJsonObject message = data.value(QLatin1StringView("message")).toObject();
        m_messageId = message.value(QLatin1StringView("id")).toString().left(200);
        m_usage = message.value(QLatin1StringView("usage")).toObject();
        report.usage = usageSoFar();
    } else if (type == u"message_delta") {
        m_usage = MessagesUsage::merged(m_usage, data.value(QLatin1StringView("usage")).toObject());
        m_sawDelta = m_sawDelta || data.value(QLatin1StringView("usage")).toObject().contains(
                                       QLatin1StringView("output_tokens"));
        const QString stop = data.value(QLatin1StringView("delta")).toObject()
                                 .value(QLatin1StringView("stop_reason")).toString();
        if (!stop.isEmpty())
            m_stopReason = stop.left(64);
        report.usage = usageSoFar();
    } else if (type == u"content_block_start") {
        const QJsonObject block = data.value(QLatin1StringView("content_block")).toObject();
        const QString name = block.value(QLatin1StringView("name")).toString(); // tool_use, server_tool_use
        if (!name.isEmpty()) {
            m_text += name;
            if (!m_sawDelta && !m_usage.isEmpty()) {
                m_deliveredTokens += Tokenize::estimateTokens(name, Tokenize::EstimatorProvider::Claude);
                report.usage = usageSoFar();
            }
        }
    } else if (type == u"content_block_delta") {
        const QJsonObject delta = data.value(QLatin1StringView("delta")).toObject();
        const QString piece = delta.value(QLatin1StringView("text")).toString() +
                              delta.value(QLatin1StringView("partial_json")).toString() +
                              delta.value(QLatin1StringView("thinking")).toString();
        m_text += piece;
        if (!piece.isEmpty() && !m_sawDelta && !m_usage.isEmpty()) {
            m_deliveredTokens += Tokenize::estimateTokens(piece, Tokenize::EstimatorProvider::Claude);
            report.usage = usageSoFar();
        }
    } else if (type == u"message_stop") {
        report.terminal = true;
    }
    if (report.usage.isObject()) // (an EventReport's usage is null, not undefined, when the event has none)
        m_tools = MessagesUsage::toolCalls(report.usage);
    return report;
}

void MessagesAdapter::writeStreamError(ClientSink &client, const OpenAiError &error)
{
    AnthropicClientSink::writeStreamError(client, error);
}

void MessagesAdapter::collectBlock(const QJsonObject &block)
{
    m_text += block.value(QLatin1StringView("text")).toString();
    m_text += block.value(QLatin1StringView("thinking")).toString();
    m_text += block.value(QLatin1StringView("name")).toString();
    if (block.value(QLatin1StringView("type")).toString() == u"tool_use")
        m_text += compact(block.value(QLatin1StringView("input")));
}

JsonReport MessagesAdapter::onJson(const QJsonObject &reply)
{
    m_messageId = reply.value(QLatin1StringView("id")).toString().left(200);
    m_stopReason = reply.value(QLatin1StringView("stop_reason")).toString().left(64);
    for (const QJsonValue &block : reply.value(QLatin1StringView("content")).toArray())
        collectBlock(block.toObject());
    const QJsonValue usage = reply.value(QLatin1StringView("usage"));
    m_tools = MessagesUsage::toolCalls(usage);
    return JsonReport{usage};
}

UsageReading MessagesAdapter::readUsage(const QJsonValue &usage) const
{
    return MessagesUsage::read(usage);
}

QByteArray MessagesAdapter::withLocalUsage(QJsonObject reply, const ParsedUsage &usage) const
{
    reply.insert(QStringLiteral("usage"), MessagesUsage::toJson(usage));
    return CompactJson::write(reply);
}

LocalOutput MessagesAdapter::countOutput(const QString &upstreamModel)
{
    Q_UNUSED(upstreamModel)
    return LocalOutput{Tokenize::estimateTokens(m_text, Tokenize::EstimatorProvider::Claude), 0};
}

void MessagesAdapter::describe(QJsonObject &other) const
{
    if (!m_messageId.isEmpty())
        other.insert(QStringLiteral("message_id"), m_messageId);
    if (!m_stopReason.isEmpty())
        other.insert(QStringLiteral("stop_reason"), m_stopReason);
    if (m_countedInput)
        other.insert(QStringLiteral("counted_input_tokens"), *m_countedInput); // a prior count_tokens, for the hold
    if (m_stream && !m_usage.isEmpty() && !m_sawDelta)
        other.insert(QStringLiteral("output_counted_locally"), true); // the stream ended before message_delta
}

} // namespace RelayDesk::Relay
