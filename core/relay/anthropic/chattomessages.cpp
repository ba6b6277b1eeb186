#include "relay/anthropic/chattomessages.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QSet>

#include <optional>

namespace RelayDesk::Relay {

namespace {

using Refusal = std::optional<OpenAiError>;

QString str(const char *s)
{
    return QString::fromLatin1(s);
}

OpenAiError unsupported(const QString &param, const QString &why)
{
    return OpenAiError::invalidRequest(QStringLiteral("'%1' cannot be sent to a Claude model: %2").arg(param, why),
                                       "unsupported_parameter", param.toUtf8());
}

OpenAiError invalid(const QString &param, const QString &why)
{
    return OpenAiError::invalidValue(param.toUtf8(), QStringLiteral("Invalid '%1': %2").arg(param, why));
}

bool isZero(const QJsonValue &v)
{
    return v.isNull() || v.isUndefined() || (v.isDouble() && v.toDouble() == 0.0);
}

bool isEmptyOrNull(const QJsonValue &v)
{
    return v.isNull() || v.isUndefined() || (v.isObject() && v.toObject().isEmpty()) ||
           (v.isArray() && v.toArray().isEmpty());
}

QJsonObject textBlock(const QString &text)
{
    return {{str("type"), str("text")}, {str("text"), text}};
}

// "data:<media type>;base64,<data>" → (media type, data); nullopt when `url` is not such a URL.
std::optional<std::pair<QString, QString>> dataUrl(const QString &url)
{
    if (!url.startsWith(QLatin1StringView("data:")))
        return std::nullopt;
    const qsizetype comma = url.indexOf(u',');
    const qsizetype marker = url.lastIndexOf(QLatin1StringView(";base64"), comma);
    if (comma < 0 || marker < 5 || marker + 7 != comma)
        return std::nullopt;
    return std::pair{url.mid(5, marker - 5).trimmed().toLower(), url.mid(comma + 1)};
}

class Converter
{
public:
    explicit Converter(const QJsonObject &chat) : m_chat(chat) {}

    std::variant<QJsonObject, OpenAiError> run(qint64 maxTokens)
    {
        QJsonObject out{{str("model"), m_chat.value(QLatin1StringView("model"))},
                        {str("max_tokens"), maxTokens}};
        for (auto it = m_chat.begin(); it != m_chat.end(); ++it) {
            if (Refusal r = field(it.key(), it.value(), out))
                return *r;
        }
        if (Refusal r = messages(out))
            return *r;
        if (Refusal r = toolChoice(out))
            return *r;
        return out;
    }

private:
    // One top-level field of the chat request: converted into `out`, accepted as asking for nothing, or refused.
    Refusal field(const QString &key, const QJsonValue &value, QJsonObject &out)
    {
        static const QSet<QString> handledElsewhere{
            str("model"), str("messages"), str("max_tokens"), str("max_completion_tokens"), str("stream_options"),
            str("tool_choice"), str("parallel_tool_calls"),
            // A hint for OpenAI's prompt cache routing: the answer does not depend on it.
            str("prompt_cache_key")};
        if (handledElsewhere.contains(key))
            return std::nullopt;
        if (key == u"temperature" || key == u"top_p" || key == u"top_k") {
            if (!value.isNull())
                out.insert(key, value);
            return std::nullopt;
        }
        if (key == u"stream") {
            if (!value.isNull() && !value.isBool())
                return invalid(key, str("expected a boolean."));
            out.insert(key, value.toBool());
            return std::nullopt;
        }
        if (key == u"stop")
            return stop(value, out);
        if (key == u"tools")
            return tools(value, out);
        if (key == u"user" || key == u"safety_identifier") {
            if (value.isNull())
                return std::nullopt;
            if (!value.isString())
                return invalid(key, str("expected a string."));
            QJsonObject metadata = out.value(QLatin1StringView("metadata")).toObject();
            if (key == u"user" || !metadata.contains(QLatin1StringView("user_id")))
                metadata.insert(str("user_id"), value.toString());
            out.insert(str("metadata"), metadata);
            return std::nullopt;
        }
        return withoutEffect(key, value);
    }

    // Fields accepted only with a value that asks for nothing Claude would do differently.
    static Refusal withoutEffect(const QString &key, const QJsonValue &value)
    {
        if (value.isNull())
            return std::nullopt;
        if (key == u"n")
            return value.isDouble() && value.toDouble() == 1.0 ? Refusal{}
                                                               : unsupported(key, str("Claude returns one choice."));
        if (key == u"logprobs")
            return value == QJsonValue(false) ? Refusal{} : unsupported(key, str("Claude returns no log probabilities."));
        if (key == u"top_logprobs")
            return isZero(value) ? Refusal{} : unsupported(key, str("Claude returns no log probabilities."));
        if (key == u"presence_penalty" || key == u"frequency_penalty")
            return isZero(value) ? Refusal{} : unsupported(key, str("Claude has no such penalty."));
        if (key == u"logit_bias")
            return isEmptyOrNull(value) ? Refusal{} : unsupported(key, str("Claude has no logit bias."));
        if (key == u"store")
            return value == QJsonValue(false) ? Refusal{} : unsupported(key, str("the relay stores no completions."));
        if (key == u"metadata")
            return isEmptyOrNull(value) ? Refusal{}
                                        : unsupported(key, str("it describes stored completions; use 'user'."));
        if (key == u"service_tier")
            return value == QJsonValue(str("auto")) || value == QJsonValue(str("default"))
                       ? Refusal{}
                       : unsupported(key, str("only 'auto' or 'default'."));
        if (key == u"modalities")
            return value == QJsonValue(QJsonArray{str("text")}) ? Refusal{}
                                                                : unsupported(key, str("Claude answers in text only."));
        if (key == u"response_format") {
            const QString type = value.toObject().value(QLatin1StringView("type")).toString();
            return type == u"text" ? Refusal{}
                                   : unsupported(key, str("only type 'text'; ask for JSON with a tool, or use the "
                                                          "Messages API (/v1/messages)."));
        }
        if (key == u"functions" || key == u"function_call")
            return unsupported(key, str("the legacy functions API; use 'tools' and 'tool_choice'."));
        if (key == u"reasoning_effort" || key == u"verbosity" || key == u"seed" || key == u"audio" ||
            key == u"prediction" || key == u"web_search_options")
            return unsupported(key, str("it has no equivalent in Anthropic's Messages API; use /v1/messages "
                                        "for Claude's own options."));
        return OpenAiError::invalidRequest(QStringLiteral("Unrecognized request argument supplied: %1").arg(key),
                                           "unknown_parameter", key.toUtf8());
    }

    static Refusal stop(const QJsonValue &value, QJsonObject &out)
    {
        if (value.isNull())
            return std::nullopt;
        QJsonArray sequences;
        if (value.isString()) {
            sequences.append(value);
        } else if (value.isArray()) {
            for (const QJsonValue &s : value.toArray()) {
                if (!s.isString())
                    return invalid(str("stop"), str("expected a string or an array of strings."));
                sequences.append(s);
            }
        } else {
            return invalid(str("stop"), str("expected a string or an array of strings."));
        }
        if (!sequences.isEmpty())
            out.insert(str("stop_sequences"), sequences);
        return std::nullopt;
    }

    static Refusal tools(const QJsonValue &value, QJsonObject &out)
    {
        if (value.isNull())
            return std::nullopt;
        if (!value.isArray())
            return invalid(str("tools"), str("expected an array."));
        QJsonArray converted;
        const QJsonArray list = value.toArray();
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString param = QStringLiteral("tools[%1]").arg(i);
            const QJsonObject tool = list.at(i).toObject();
            if (tool.value(QLatin1StringView("type")).toString() != u"function")
                return unsupported(param + str(".type"), str("only function tools."));
            const QJsonObject fn = tool.value(QLatin1StringView("function")).toObject();
            const QString name = fn.value(QLatin1StringView("name")).toString();
            if (name.isEmpty())
                return invalid(param + str(".function.name"), str("a function needs a name."));
            QJsonObject schema = fn.value(QLatin1StringView("parameters")).toObject();
            if (schema.isEmpty()) // a function without parameters: Claude requires an object schema
                schema = {{str("type"), str("object")}, {str("properties"), QJsonObject()}};
            QJsonObject claude{{str("name"), name}, {str("input_schema"), schema}};
            const QJsonValue description = fn.value(QLatin1StringView("description"));
            if (description.isString())
                claude.insert(str("description"), description);
            const QJsonValue strict = fn.value(QLatin1StringView("strict"));
            if (strict.isBool())
                claude.insert(str("strict"), strict);
            converted.append(claude);
        }
        if (!converted.isEmpty())
            out.insert(str("tools"), converted);
        return std::nullopt;
    }

    Refusal toolChoice(QJsonObject &out) const
    {
        const QJsonValue choice = m_chat.value(QLatin1StringView("tool_choice"));
        const QJsonValue parallel = m_chat.value(QLatin1StringView("parallel_tool_calls"));
        if (!parallel.isNull() && !parallel.isUndefined() && !parallel.isBool())
            return invalid(str("parallel_tool_calls"), str("expected a boolean."));
        QJsonObject claude;
        if (choice.isString()) {
            const QString mode = choice.toString();
            if (mode == u"auto")
                claude = {{str("type"), str("auto")}};
            else if (mode == u"none")
                claude = {{str("type"), str("none")}};
            else if (mode == u"required")
                claude = {{str("type"), str("any")}};
            else
                return invalid(str("tool_choice"), str("expected 'auto', 'none', 'required' or a function."));
        } else if (choice.isObject()) {
            const QString name = choice.toObject().value(QLatin1StringView("function")).toObject()
                                     .value(QLatin1StringView("name")).toString();
            if (choice.toObject().value(QLatin1StringView("type")).toString() != u"function" || name.isEmpty())
                return invalid(str("tool_choice"), str("expected {\"type\":\"function\",\"function\":{\"name\":…}}."));
            claude = {{str("type"), str("tool")}, {str("name"), name}};
        } else if (!choice.isNull() && !choice.isUndefined()) {
            return invalid(str("tool_choice"), str("expected a string or an object."));
        }
        if (parallel == QJsonValue(false) && claude.value(QLatin1StringView("type")).toString() != u"none") {
            if (claude.isEmpty())
                claude = {{str("type"), str("auto")}};
            claude.insert(str("disable_parallel_tool_use"), true);
        }
        if (!claude.isEmpty()) {
            if (!out.contains(QLatin1StringView("tools")))
                return unsupported(str("tool_choice"), str("it needs 'tools'."));
            out.insert(str("tool_choice"), claude);
        }
        return std::nullopt;
    }

    Refusal messages(QJsonObject &out)
    {
        const QJsonArray list = m_chat.value(QLatin1StringView("messages")).toArray();
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (Refusal r = message(list.at(i), QStringLiteral("messages[%1]").arg(i)))
                return r;
        }
        if (!m_system.isEmpty())
            out.insert(str("system"), m_system);
        QJsonArray turns;
        for (const auto &[role, blocks] : std::as_const(m_turns))
            turns.append(QJsonObject{{str("role"), role}, {str("content"), blocks}});
        out.insert(str("messages"), turns);
        return std::nullopt;
    }

    // Appends blocks to the conversation, merged into the last turn when it has the same role.
    void append(const QString &role, const QJsonArray &blocks)
    {
        if (blocks.isEmpty())
            return; // an empty message says nothing (and Claude refuses empty content)
        if (!m_turns.isEmpty() && m_turns.last().first == role) {
            for (const QJsonValue &b : blocks)
                m_turns.last().second.append(b);
            return;
        }
        m_turns.append({role, blocks});
    }

    Refusal message(const QJsonValue &value, const QString &param)
    {
        if (!value.isObject())
            return invalid(param, str("expected an object."));
        const QJsonObject m = value.toObject();
        const QString role = m.value(QLatin1StringView("role")).toString();
        if (role == u"function")
            return unsupported(param + str(".role"), str("the legacy functions API; use tool messages."));
        static const QSet<QString> common{str("role"), str("content")};
        QSet<QString> allowed = common;
        if (role == u"assistant")
            allowed += {str("tool_calls"), str("refusal"), str("audio"), str("function_call")};
        else if (role == u"tool")
            allowed += {str("tool_call_id")};
        for (auto it = m.begin(); it != m.end(); ++it) {
            if (allowed.contains(it.key()) || it.value().isNull())
                continue;
            if (it.key() == u"name" && it.value().toString().isEmpty())
                continue;
            return unsupported(param + u'.' + it.key(), str("Claude's messages have no such field."));
        }
        if (!m.value(QLatin1StringView("function_call")).isNull() && m.contains(QLatin1StringView("function_call")))
            return unsupported(param + str(".function_call"), str("the legacy functions API; use 'tool_calls'."));
        if (!m.value(QLatin1StringView("audio")).isNull() && m.contains(QLatin1StringView("audio")))
            return unsupported(param + str(".audio"), str("Claude takes no audio."));

        if (role == u"system" || role == u"developer")
            return system(m.value(QLatin1StringView("content")), param + str(".content"));
        if (role == u"user") {
            QJsonArray blocks;
            if (Refusal r = userContent(m.value(QLatin1StringView("content")), param + str(".content"), blocks))
                return r;
            append(str("user"), blocks);
            return std::nullopt;
        }
        if (role == u"assistant")
            return assistant(m, param);
        if (role == u"tool")
            return toolResult(m, param);
        return invalid(param + str(".role"), str("expected 'system', 'developer', 'user', 'assistant' or 'tool'."));
    }

    // Text parts only (system, developer, tool, assistant): appended to `blocks` as text blocks.
    static Refusal textContent(const QJsonValue &content, const QString &param, QJsonArray &blocks,
                               bool refusalParts = false)
    {
        if (content.isNull() || content.isUndefined())
            return std::nullopt;
        if (content.isString()) {
            if (!content.toString().isEmpty())
                blocks.append(textBlock(content.toString()));
            return std::nullopt;
        }
        if (!content.isArray())
            return invalid(param, str("expected a string or an array of content parts."));
        const QJsonArray parts = content.toArray();
        for (qsizetype i = 0; i < parts.size(); ++i) {
            const QJsonObject part = parts.at(i).toObject();
            const QString type = part.value(QLatin1StringView("type")).toString();
            const QString key = refusalParts && type == u"refusal" ? str("refusal") : str("text");
            if (type != u"text" && key != u"refusal")
                return unsupported(QStringLiteral("%1[%2].type").arg(param).arg(i),
                                   QStringLiteral("'%1' parts are not accepted here.").arg(type));
            const QString text = part.value(key).toString();
            if (!text.isEmpty())
                blocks.append(textBlock(text));
        }
        return std::nullopt;
    }

    Refusal system(const QJsonValue &content, const QString &param)
    {
        return textContent(content, param, m_system);
    }

    static Refusal userContent(const QJsonValue &content, const QString &param, QJsonArray &blocks)
    {
        if (!content.isArray())
            return textContent(content, param, blocks);
        const QJsonArray parts = content.toArray();
        for (qsizetype i = 0; i < parts.size(); ++i) {
            const QString at = QStringLiteral("%1[%2]").arg(param).arg(i);
            const QJsonObject part = parts.at(i).toObject();
            const QString type = part.value(QLatin1StringView("type")).toString();
            Refusal r;
            if (type == u"text")
                r = textContent(QJsonArray{part}, param, blocks);
            else if (type == u"image_url")
                r = image(part.value(QLatin1StringView("image_url")), at + str(".image_url"), blocks);
            else if (type == u"file")
                r = file(part.value(QLatin1StringView("file")).toObject(), at + str(".file"), blocks);
            else if (type == u"input_audio")
                r = unsupported(at, str("Claude takes no audio input."));
            else
                r = invalid(at + str(".type"), QStringLiteral("unknown content part type '%1'.").arg(type));
            if (r)
                return r;
        }
        return std::nullopt;
    }

    static Refusal image(const QJsonValue &value, const QString &param, QJsonArray &blocks)
    {
        const QString url = value.isString() ? value.toString()
                                             : value.toObject().value(QLatin1StringView("url")).toString();
        QJsonObject source;
        if (const auto data = dataUrl(url)) {
            static const QSet<QString> types{str("image/jpeg"), str("image/png"), str("image/gif"),
                                             str("image/webp")};
            if (!types.contains(data->first))
                return unsupported(param + str(".url"),
                                   QStringLiteral("Claude reads JPEG, PNG, GIF and WebP images, not '%1'.")
                                       .arg(data->first.left(64)));
            source = {{str("type"), str("base64")}, {str("media_type"), data->first}, {str("data"), data->second}};
        } else if (url.startsWith(QLatin1StringView("https://")) || url.startsWith(QLatin1StringView("http://"))) {
            source = {{str("type"), str("url")}, {str("url"), url}};
        } else {
            return invalid(param + str(".url"), str("expected an http(s) URL or a base64 data: URL."));
        }
        blocks.append(QJsonObject{{str("type"), str("image")}, {str("source"), source}});
        return std::nullopt;
    }

    static Refusal file(const QJsonObject &file, const QString &param, QJsonArray &blocks)
    {
        if (!file.value(QLatin1StringView("file_id")).isNull() && file.contains(QLatin1StringView("file_id")))
            return unsupported(param + str(".file_id"), str("files uploaded to OpenAI are not readable by Claude; "
                                                            "send file_data."));
        const auto data = dataUrl(file.value(QLatin1StringView("file_data")).toString());
        if (!data || data->first != u"application/pdf")
            return unsupported(param + str(".file_data"), str("only PDF documents as a base64 data: URL."));
        QJsonObject document{{str("type"), str("document")},
                             {str("source"), QJsonObject{{str("type"), str("base64")},
                                                         {str("media_type"), data->first},
                                                         {str("data"), data->second}}}};
        const QString name = file.value(QLatin1StringView("filename")).toString();
        if (!name.isEmpty())
            document.insert(str("title"), name);
        blocks.append(document);
        return std::nullopt;
    }

    Refusal assistant(const QJsonObject &m, const QString &param)
    {
        QJsonArray blocks;
        if (Refusal r = textContent(m.value(QLatin1StringView("content")), param + str(".content"), blocks, true))
            return r;
        const QJsonValue refusal = m.value(QLatin1StringView("refusal"));
        if (refusal.isString() && !refusal.toString().isEmpty())
            blocks.append(textBlock(refusal.toString()));
        const QJsonValue calls = m.value(QLatin1StringView("tool_calls"));
        if (!calls.isNull() && !calls.isUndefined() && !calls.isArray())
            return invalid(param + str(".tool_calls"), str("expected an array."));
        const QJsonArray list = calls.toArray();
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString at = QStringLiteral("%1.tool_calls[%2]").arg(param).arg(i);
            const QJsonObject call = list.at(i).toObject();
            if (call.value(QLatin1StringView("type")).toString() != u"function")
                return unsupported(at + str(".type"), str("only function tool calls."));
            const QJsonObject fn = call.value(QLatin1StringView("function")).toObject();
            const QString id = call.value(QLatin1StringView("id")).toString();
            const QString name = fn.value(QLatin1StringView("name")).toString();
            if (id.isEmpty() || name.isEmpty())
                return invalid(at, str("a tool call needs an id and a function name."));
            const QString arguments = fn.value(QLatin1StringView("arguments")).toString();
            QJsonObject input;
            if (!arguments.trimmed().isEmpty()) {
                const QJsonDocument doc = QJsonDocument::fromJson(arguments.toUtf8());
                if (!doc.isObject())
                    return invalid(at + str(".function.arguments"),
                                   str("Claude takes a tool call's arguments as a JSON object."));
                input = doc.object();
            }
            blocks.append(QJsonObject{{str("type"), str("tool_use")}, {str("id"), id}, {str("name"), name},
                                      {str("input"), input}});
        }
        append(str("assistant"), blocks);
        return std::nullopt;
    }

    Refusal toolResult(const QJsonObject &m, const QString &param)
    {
        const QString id = m.value(QLatin1StringView("tool_call_id")).toString();
        if (id.isEmpty())
            return invalid(param + str(".tool_call_id"), str("a tool message needs the tool_call_id it answers."));
        QJsonArray content;
        if (Refusal r = textContent(m.value(QLatin1StringView("content")), param + str(".content"), content))
            return r;
        QJsonObject result{{str("type"), str("tool_result")}, {str("tool_use_id"), id}};
        if (!content.isEmpty())
            result.insert(str("content"), content);
        append(str("user"), QJsonArray{result});
        return std::nullopt;
    }

    const QJsonObject &m_chat;
    QJsonArray m_system;
    QList<std::pair<QString, QJsonArray>> m_turns;
};

} // namespace

std::variant<QJsonObject, OpenAiError> ChatToMessages::convert(const QJsonObject &chat, qint64 maxTokens)
{
    return Converter(chat).run(maxTokens);
}

qint64 ChatToMessages::defaultMaxTokens(const QString &model)
{
    const QString m = model.toLower();
    if (m.startsWith(QLatin1StringView("claude-3-5-")) || m.startsWith(QLatin1StringView("claude-3.5-")))
        return 8192;
    if (m.startsWith(QLatin1StringView("claude-3-7-")) || m.startsWith(QLatin1StringView("claude-3.7-")))
        return 32000;
    if (m.startsWith(QLatin1StringView("claude-3-")) || m.startsWith(QLatin1StringView("claude-2")) ||
        m.startsWith(QLatin1StringView("claude-instant")))
        return 4096;
    return 32000;
}

} // namespace RelayDesk::Relay
