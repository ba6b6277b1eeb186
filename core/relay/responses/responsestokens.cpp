#include "relay/responses/responsestokens.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

namespace {

QJsonObject textPart(const QString &text)
{
    return {{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), text}};
}

QString compact(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    const QJsonDocument doc = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    return QString::fromUtf8(doc.toJson(QJsonDocument::Compact));
}

// One content part of a Responses message as the chat estimator's part.
QJsonObject chatPart(const QJsonObject &part)
{
    const QString type = part.value(QLatin1StringView("type")).toString();
    if (type == QLatin1StringView("input_text") || type == QLatin1StringView("output_text"))
        return textPart(part.value(QLatin1StringView("text")).toString());
    if (type == QLatin1StringView("refusal"))
        return textPart(part.value(QLatin1StringView("refusal")).toString());
    if (type == QLatin1StringView("input_image")) {
        QJsonObject image{{QStringLiteral("url"), part.value(QLatin1StringView("image_url")).toString()}};
        if (part.contains(QLatin1StringView("detail")))
            image.insert(QStringLiteral("detail"), part.value(QLatin1StringView("detail")));
        return {{QStringLiteral("type"), QStringLiteral("image_url")}, {QStringLiteral("image_url"), image}};
    }
    if (type == QLatin1StringView("input_audio"))
        return {{QStringLiteral("type"), QStringLiteral("input_audio")},
                {QStringLiteral("input_audio"), part.value(QLatin1StringView("input_audio"))}};
    if (type == QLatin1StringView("input_file"))
        return {{QStringLiteral("type"), QStringLiteral("file")}, {QStringLiteral("file"), QJsonObject()}};
    return textPart(compact(part));
}

QJsonValue chatContent(const QJsonValue &content)
{
    if (!content.isArray())
        return content.toString();
    QJsonArray parts;
    for (const QJsonValue &p : content.toArray())
        parts.append(chatPart(p.toObject()));
    return parts;
}

QJsonObject message(const QString &role, const QJsonValue &content)
{
    return {{QStringLiteral("role"), role}, {QStringLiteral("content"), content}};
}

// One input item as chat messages (none for an item_reference: the server has it).
QJsonArray chatMessages(const QJsonObject &item)
{
    const QString type = item.value(QLatin1StringView("type")).toString();
    if (type.isEmpty() || type == QLatin1StringView("message")) {
        const QString role = item.value(QLatin1StringView("role")).toString(QStringLiteral("user"));
        return {message(role == QLatin1StringView("developer") ? QStringLiteral("system") : role,
                        chatContent(item.value(QLatin1StringView("content"))))};
    }
    if (type == QLatin1StringView("item_reference"))
        return {};
    if (type == QLatin1StringView("function_call") || type == QLatin1StringView("custom_tool_call")) {
        const QString arguments = item.value(type == QLatin1StringView("function_call") ? QLatin1StringView("arguments")
                                                                                         : QLatin1StringView("input"))
                                      .toString();
        const QJsonObject call{{QStringLiteral("type"), QStringLiteral("function")},
                               {QStringLiteral("function"),
                                QJsonObject{{QStringLiteral("name"), item.value(QLatin1StringView("name"))},
                                            {QStringLiteral("arguments"), arguments}}}};
        QJsonObject m = message(QStringLiteral("assistant"), QString());
        m.insert(QStringLiteral("tool_calls"), QJsonArray{call});
        return {m};
    }
    if (type == QLatin1StringView("function_call_output") || type == QLatin1StringView("custom_tool_call_output"))
        return {message(QStringLiteral("tool"), chatContent(item.value(QLatin1StringView("output"))))};
    if (type == QLatin1StringView("reasoning")) {
        QString summary;
        for (const QJsonValue &s : item.value(QLatin1StringView("summary")).toArray())
            summary += s.toObject().value(QLatin1StringView("text")).toString();
        return {message(QStringLiteral("assistant"), summary)};
    }
    return {message(QStringLiteral("user"), compact(item))};
}

} // namespace

QJsonObject ResponsesTokens::asChatRequest(const QJsonObject &request)
{
    QJsonArray messages;
    const QString instructions = request.value(QLatin1StringView("instructions")).toString();
    if (!instructions.isEmpty())
        messages.append(message(QStringLiteral("system"), instructions));
    const QJsonValue input = request.value(QLatin1StringView("input"));
    if (input.isString()) {
        messages.append(message(QStringLiteral("user"), input.toString()));
    } else {
        for (const QJsonValue &item : input.toArray())
            for (const QJsonValue &m : chatMessages(item.toObject()))
                messages.append(m);
    }
    QJsonObject chat{{QStringLiteral("messages"), messages}};
    if (request.value(QLatin1StringView("tools")).isArray())
        chat.insert(QStringLiteral("tools"), request.value(QLatin1StringView("tools")));
    return chat;
}

PromptEstimate ResponsesTokens::estimatePrompt(const QJsonObject &request, const QString &model)
{
    return ChatRelayTokens::estimatePrompt(asChatRequest(request), model);
}

} // namespace RelayDesk::Relay
