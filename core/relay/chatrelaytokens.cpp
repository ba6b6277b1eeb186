#include "relay/chatrelaytokens.h"

#include "tokenize/estimator.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

namespace {

void appendLine(QString &combined, const QString &text)
{
    if (text.isEmpty())
        return;
    if (!combined.isEmpty())
        combined += QLatin1Char('\n');
    combined += text;
}

QString compactJson(const QJsonValue &v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    return v.toVariant().toString();
}

} // namespace

qint64 ChatRelayTokens::countText(QStringView text, const QString &model)
{
    return text.isEmpty() ? 0 : Tokenize::countTextTokens(text, model);
}

qint64 ChatRelayTokens::imageTokens(const QJsonObject &imagePart)
{
    const QJsonObject image = imagePart.value(QLatin1StringView("image_url")).toObject();
    return image.value(QLatin1StringView("detail")).toString() == QLatin1StringView("low") ? 85 : 765;
}

PromptEstimate ChatRelayTokens::estimatePrompt(const QJsonObject &request, const QString &model)
{
    PromptEstimate out;
    QString combined;
    qint64 messages = 0, names = 0, tools = 0;
    const QJsonArray msgs = request.value(QLatin1StringView("messages")).toArray();
    for (const QJsonValue &mv : msgs) {
        const QJsonObject m = mv.toObject();
        ++messages;
        appendLine(combined, m.value(QLatin1StringView("role")).toString());
        const QJsonValue content = m.value(QLatin1StringView("content"));
        const QString name = m.value(QLatin1StringView("name")).toString();
        if (!name.isEmpty() && !content.isNull() && !content.isUndefined()) {
            ++names;
            appendLine(combined, name);
        }
        if (content.isString()) {
            appendLine(combined, content.toString());
        } else if (content.isArray()) {
            for (const QJsonValue &pv : content.toArray()) {
                const QJsonObject part = pv.toObject();
                const QString type = part.value(QLatin1StringView("type")).toString();
                if (type == QLatin1StringView("text") || type == QLatin1StringView("input_text"))
                    appendLine(combined, part.value(QLatin1StringView("text")).toString());
                else if (type == QLatin1StringView("image_url"))
                    out.imageTokens += imageTokens(part);
                else if (type == QLatin1StringView("input_audio"))
                    out.audioTokens += 0; // duration unknown without decoding; the upstream usage decides
            }
        }
        for (const QJsonValue &tc : m.value(QLatin1StringView("tool_calls")).toArray()) {
            const QJsonObject fn = tc.toObject().value(QLatin1StringView("function")).toObject();
            appendLine(combined, fn.value(QLatin1StringView("name")).toString());
            appendLine(combined, fn.value(QLatin1StringView("arguments")).toString());
        }
    }
    for (const QJsonValue &tv : request.value(QLatin1StringView("tools")).toArray()) {
        const QJsonObject fn = tv.toObject().value(QLatin1StringView("function")).toObject();
        ++tools;
        appendLine(combined, fn.value(QLatin1StringView("name")).toString());
        appendLine(combined, fn.value(QLatin1StringView("description")).toString());
        if (fn.contains(QLatin1StringView("parameters")))
            appendLine(combined, compactJson(fn.value(QLatin1StringView("parameters"))));
    }
    out.textTokens = countText(combined, model) + tools * 8 + messages * 3 + names * 3 + 3;
    return out;
}

} // namespace RelayDesk::Relay
