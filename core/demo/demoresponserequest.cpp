#include "demo/demoresponserequest.h"

#include "demo/demoresponserun.h"
#include "demo/demoresponsestore.h"
#include "demo/demoscenario.h"
#include "relay/chat/chatrelaytokens.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QRandomGenerator>

namespace RelayDesk::Relay {

namespace {

QString compact(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    return QString::fromUtf8(value.isArray() ? QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)
                                             : QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
}

QString idPrefixFor(const QString &type)
{
    if (type == u"function_call")
        return QStringLiteral("fc");
    if (type == u"function_call_output")
        return QStringLiteral("fco");
    if (type == u"reasoning")
        return QStringLiteral("rs");
    return QStringLiteral("msg");
}

// A message's content as items store it: a plain string becomes one text part (input_text for user, system
// and developer turns, output_text for the assistant's).
QJsonArray contentParts(const QJsonValue &content, const QString &role)
{
    if (!content.isString())
        return content.toArray();
    const bool assistant = role == u"assistant";
    QJsonObject part{{QStringLiteral("type"), assistant ? QStringLiteral("output_text") : QStringLiteral("input_text")},
                     {QStringLiteral("text"), content.toString()}};
    if (assistant)
        part.insert(QStringLiteral("annotations"), QJsonArray());
    return QJsonArray{part};
}

QJsonObject normaliseItem(QJsonObject item)
{
    QString type = item.value(u"type").toString();
    if (type.isEmpty() && item.contains(u"role")) { // EasyInputMessage
        type = QStringLiteral("message");
        item.insert(QStringLiteral("type"), type);
    }
    if (type == u"message") {
        const QString role = item.value(u"role").toString();
        item.insert(QStringLiteral("content"), contentParts(item.value(u"content"), role));
        if (!item.contains(u"status"))
            item.insert(QStringLiteral("status"), QStringLiteral("completed"));
    }
    if (!item.contains(u"id"))
        item.insert(QStringLiteral("id"), DemoResponseRequest::newId(QLatin1StringView(idPrefixFor(type).toLatin1())));
    return item;
}

// One chat message per item, so the chat estimator (exact tiktoken + chat overhead) counts Responses input.
QJsonObject chatMessageOf(const QJsonObject &item)
{
    const QString type = item.value(u"type").toString();
    if (type == u"message") {
        QJsonArray parts;
        for (const QJsonValue &v : item.value(u"content").toArray()) {
            const QJsonObject p = v.toObject();
            const QString partType = p.value(u"type").toString();
            if (partType == u"input_image" && p.contains(u"image_url"))
                parts.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("image_url")},
                                         {QStringLiteral("image_url"),
                                          QJsonObject{{QStringLiteral("url"), p.value(u"image_url")},
                                                      {QStringLiteral("detail"), p.value(u"detail").toString(QStringLiteral("auto"))}}}});
            else
                parts.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                         {QStringLiteral("text"), p.contains(u"text") ? p.value(u"text").toString()
                                                                                        : p.value(u"refusal").toString()}});
        }
        QString role = item.value(u"role").toString();
        if (role == u"developer")
            role = QStringLiteral("system");
        return {{QStringLiteral("role"), role}, {QStringLiteral("content"), parts}};
    }
    if (type == u"function_call")
        return {{QStringLiteral("role"), QStringLiteral("assistant")},
                {QStringLiteral("tool_calls"),
                 QJsonArray{QJsonObject{{QStringLiteral("id"), item.value(u"call_id")},
                                        {QStringLiteral("type"), QStringLiteral("function")},
                                        {QStringLiteral("function"),
                                         QJsonObject{{QStringLiteral("name"), item.value(u"name")},
                                                     {QStringLiteral("arguments"), item.value(u"arguments")}}}}}}};
    if (type == u"function_call_output")
        return {{QStringLiteral("role"), QStringLiteral("tool")},
                {QStringLiteral("tool_call_id"), item.value(u"call_id")},
                {QStringLiteral("content"), compact(item.value(u"output"))}};
    // Reasoning, compaction, tool-call items: their JSON stands in for what the server would feed the model.
    return {{QStringLiteral("role"), QStringLiteral("user")}, {QStringLiteral("content"), compact(item)}};
}

QJsonArray chatToolsOf(const QJsonArray &tools)
{
    QJsonArray out;
    for (const QJsonValue &v : tools) {
        const QJsonObject t = v.toObject();
        if (t.value(u"type").toString() != u"function")
            continue;
        QJsonObject function{{QStringLiteral("name"), t.value(u"name")}};
        for (const auto key : {u"description", u"parameters"})
            if (t.contains(key))
                function.insert(QString::fromUtf16(key), t.value(key));
        out.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("function")}, {QStringLiteral("function"), function}});
    }
    return out;
}

qint64 countInput(const DemoResponseRequest &r)
{
    QJsonArray messages;
    if (!r.instructions.isEmpty())
        messages.append(QJsonObject{{QStringLiteral("role"), QStringLiteral("system")},
                                    {QStringLiteral("content"), r.instructions}});
    for (const QJsonValue &item : r.inputItems)
        messages.append(chatMessageOf(item.toObject()));
    QJsonObject chat{{QStringLiteral("model"), r.model}, {QStringLiteral("messages"), messages}};
    const QJsonArray tools = chatToolsOf(r.body.value(u"tools").toArray());
    if (!tools.isEmpty())
        chat.insert(QStringLiteral("tools"), tools);
    return ChatRelayTokens::estimatePrompt(chat, r.model).total();
}

} // namespace

bool DemoResponseRequest::has(QLatin1StringView scenarioName) const
{
    return DemoScenario::has(scenario, scenarioName);
}

qint64 DemoResponseRequest::countText(const QString &text, const QString &model)
{
    return ChatRelayTokens::countText(text, model);
}

QString DemoResponseRequest::newId(QLatin1StringView prefix)
{
    quint32 words[6];
    QRandomGenerator::global()->fillRange(words);
    return QStringLiteral("%1_%2").arg(prefix, QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex()));
}

std::optional<OpenAiError> DemoResponseRequest::parse(const QJsonObject &body, const QByteArray &scenarioHeader,
                                                      const DemoResponseStore &store, DemoResponseRequest &out)
{
    out.body = body;
    out.model = body.value(u"model").toString();
    if (out.model.isEmpty())
        return OpenAiError::invalidRequest(QStringLiteral("Missing required parameter: 'model'."),
                                           "missing_required_parameter", "model");
    const QJsonValue input = body.value(u"input");
    out.instructions = body.value(u"instructions").toString();
    out.scenario = DemoScenario::of(scenarioHeader, out.model, compact(input) + u'\n' + out.instructions);
    out.stream = body.value(u"stream").toBool();
    out.background = body.value(u"background").toBool();
    out.store = body.value(u"store").toBool(true);
    out.obfuscation = body.value(u"stream_options").toObject().value(u"include_obfuscation").toBool(true);
    out.previousResponseId = body.value(u"previous_response_id").toString();
    if (out.background && !out.store)
        return OpenAiError::invalidRequest(QStringLiteral("Background mode requires `store` to be true."),
                                           "invalid_value", "background");
    if (!out.previousResponseId.isEmpty()) {
        const DemoResponseRun *previous = store.find(out.previousResponseId);
        if (!previous)
            return OpenAiError::invalidRequest(
                QStringLiteral("Previous response with id '%1' not found.").arg(out.previousResponseId),
                "previous_response_not_found", "previous_response_id");
        out.contextTokens = previous->contextTokens();
    }
    if (input.isString()) {
        out.inputItems.append(normaliseItem(QJsonObject{{QStringLiteral("type"), QStringLiteral("message")},
                                                        {QStringLiteral("role"), QStringLiteral("user")},
                                                        {QStringLiteral("content"), input}}));
    } else {
        for (const QJsonValue &v : input.toArray()) {
            QJsonObject item = v.toObject();
            if (item.value(u"type").toString() == u"item_reference") {
                const QString id = item.value(u"id").toString();
                const std::optional<QJsonObject> stored = store.findItem(id);
                if (!stored)
                    return OpenAiError::invalidRequest(QStringLiteral("Item with id '%1' not found.").arg(id),
                                                       "item_not_found", "input");
                item = *stored;
            }
            out.inputItems.append(normaliseItem(item));
        }
    }
    out.inputTokens = countInput(out) + out.contextTokens;
    return std::nullopt;
}

} // namespace RelayDesk::Relay
