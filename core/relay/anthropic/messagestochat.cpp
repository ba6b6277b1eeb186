#include "relay/anthropic/messagestochat.h"

#include "relay/clientsink.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

namespace {

QString str(const char *s)
{
    return QString::fromLatin1(s);
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString compact(const QJsonValue &input)
{
    return QString::fromUtf8(QJsonDocument(input.toObject()).toJson(QJsonDocument::Compact));
}

// OpenAI's error type for Anthropic's (what the OpenAI SDKs and front-ends look at).
QString openAiType(const QString &anthropicType)
{
    if (anthropicType == u"rate_limit_error")
        return str("rate_limit_exceeded");
    if (anthropicType == u"api_error" || anthropicType == u"overloaded_error")
        return str("server_error");
    if (anthropicType.isEmpty())
        return str("invalid_request_error");
    return anthropicType; // invalid_request_error, authentication_error, permission_error, not_found_error, …
}

} // namespace

QString MessagesToChat::finishReason(const QString &stopReason)
{
    if (stopReason == u"max_tokens" || stopReason == u"model_context_window_exceeded")
        return str("length");
    if (stopReason == u"tool_use")
        return str("tool_calls");
    if (stopReason == u"refusal")
        return str("content_filter");
    return str("stop"); // end_turn, stop_sequence, pause_turn
}

QJsonObject MessagesToChat::reply(const QJsonObject &message, const QJsonObject &usage)
{
    QString text;
    QString reasoning;
    QJsonArray calls;
    for (const QJsonValue &value : message.value(QLatin1StringView("content")).toArray()) {
        const QJsonObject block = value.toObject();
        const QString type = block.value(QLatin1StringView("type")).toString();
        if (type == u"text") {
            text += block.value(QLatin1StringView("text")).toString();
        } else if (type == u"thinking") {
            reasoning += block.value(QLatin1StringView("thinking")).toString();
        } else if (type == u"tool_use") {
            calls.append(QJsonObject{
                {str("id"), block.value(QLatin1StringView("id"))},
                {str("type"), str("function")},
                {str("function"), QJsonObject{{str("name"), block.value(QLatin1StringView("name"))},
                                              {str("arguments"), compact(block.value(QLatin1StringView("input")))}}}});
        }
    }
    QJsonObject assistant{{str("role"), str("assistant")},
                          {str("content"), text.isEmpty() && !calls.isEmpty() ? QJsonValue() : QJsonValue(text)},
                          {str("refusal"), QJsonValue::Null}};
    if (!calls.isEmpty())
        assistant.insert(str("tool_calls"), calls);
    if (!reasoning.isEmpty())
        assistant.insert(str("reasoning_content"), reasoning);
    const QString stop = message.value(QLatin1StringView("stop_reason")).toString();
    return {{str("id"), message.value(QLatin1StringView("id"))},
            {str("object"), str("chat.completion")},
            {str("created"), QDateTime::currentSecsSinceEpoch()},
            {str("model"), message.value(QLatin1StringView("model"))},
            {str("choices"), QJsonArray{QJsonObject{{str("index"), 0},
                                                    {str("message"), assistant},
                                                    {str("logprobs"), QJsonValue::Null},
                                                    {str("finish_reason"), finishReason(stop)}}}},
            {str("usage"), usage}};
}

QByteArray MessagesToChat::errorBody(const QByteArray &body)
{
    const QJsonObject error = QJsonDocument::fromJson(body).object().value(QLatin1StringView("error")).toObject();
    if (error.isEmpty())
        return body;
    const QString type = error.value(QLatin1StringView("type")).toString();
    return json({{str("error"), QJsonObject{{str("message"), error.value(QLatin1StringView("message")).toString()},
                                            {str("type"), openAiType(type)},
                                            {str("param"), QJsonValue::Null},
                                            {str("code"), type.isEmpty() ? QJsonValue() : QJsonValue(type)}}}});
}

void MessagesToChatStream::write(const TypedEvent &event, ClientSink &client, const UsageSoFar &usage)
{
    const QJsonObject &data = event.payload;
    const QString &type = event.type;
    if (type == u"message_start") {
        const QJsonObject message = data.value(QLatin1StringView("message")).toObject();
        m_id = message.value(QLatin1StringView("id")).toString();
        m_model = message.value(QLatin1StringView("model")).toString();
        m_created = QDateTime::currentSecsSinceEpoch();
        chunk(client, {{str("role"), str("assistant")}, {str("content"), QString()}});
    } else if (type == u"content_block_start") {
        blockStart(data, client);
    } else if (type == u"content_block_delta") {
        blockDelta(data, client);
    } else if (type == u"message_delta") {
        const QString stop = data.value(QLatin1StringView("delta")).toObject()
                                 .value(QLatin1StringView("stop_reason")).toString();
        if (!stop.isEmpty())
            chunk(client, {}, MessagesToChat::finishReason(stop));
    } else if (type == u"message_stop") {
        if (m_includeUsage) {
            client.writeEvent({}, json({{str("id"), m_id},
                                        {str("object"), str("chat.completion.chunk")},
                                        {str("created"), m_created},
                                        {str("model"), m_model},
                                        {str("choices"), QJsonArray()},
                                        {str("usage"), usage()}}));
        }
        client.writeEvent({}, "[DONE]");
    } else if (type == u"error") {
        const QByteArray anthropic = json(data);
        client.writeEvent({}, MessagesToChat::errorBody(anthropic));
    }
}

void MessagesToChatStream::chunk(ClientSink &client, const QJsonObject &delta, const QJsonValue &finishReason)
{
    client.writeEvent({}, json({{str("id"), m_id},
                                {str("object"), str("chat.completion.chunk")},
                                {str("created"), m_created},
                                {str("model"), m_model},
                                {str("choices"), QJsonArray{QJsonObject{{str("index"), 0},
                                                                        {str("delta"), delta},
                                                                        {str("logprobs"), QJsonValue::Null},
                                                                        {str("finish_reason"), finishReason}}}}}));
}

void MessagesToChatStream::blockStart(const QJsonObject &event, ClientSink &client)
{
    const QJsonObject block = event.value(QLatin1StringView("content_block")).toObject();
    const QString type = block.value(QLatin1StringView("type")).toString();
    if (type == u"text") {
        const QString text = block.value(QLatin1StringView("text")).toString();
        if (!text.isEmpty())
            chunk(client, {{str("content"), text}});
    } else if (type == u"tool_use") {
        const qint64 index = m_toolIndex.size();
        m_toolIndex.insert(event.value(QLatin1StringView("index")).toInteger(), index);
        const QJsonObject call{{str("index"), index},
                               {str("id"), block.value(QLatin1StringView("id"))},
                               {str("type"), str("function")},
                               {str("function"), QJsonObject{{str("name"), block.value(QLatin1StringView("name"))},
                                                             {str("arguments"), QString()}}}};
        chunk(client, {{str("tool_calls"), QJsonArray{call}}});
    }
}

void MessagesToChatStream::blockDelta(const QJsonObject &event, ClientSink &client)
{
    const QJsonObject delta = event.value(QLatin1StringView("delta")).toObject();
    const QString type = delta.value(QLatin1StringView("type")).toString();
    if (type == u"text_delta") {
        chunk(client, {{str("content"), delta.value(QLatin1StringView("text")).toString()}});
    } else if (type == u"thinking_delta") {
        chunk(client, {{str("reasoning_content"), delta.value(QLatin1StringView("thinking")).toString()}});
    } else if (type == u"input_json_delta") {
        const auto index = m_toolIndex.constFind(event.value(QLatin1StringView("index")).toInteger());
        if (index == m_toolIndex.cend())
            return; // input of a block that is no tool call of ours
        const QJsonObject call{
            {str("index"), *index},
            {str("function"), QJsonObject{{str("arguments"), delta.value(QLatin1StringView("partial_json")).toString()}}}};
        chunk(client, {{str("tool_calls"), QJsonArray{call}}});
    }
}

} // namespace RelayDesk::Relay
