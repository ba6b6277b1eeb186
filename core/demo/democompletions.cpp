#include "demo/democompletions.h"

#include "demo/demorequest.h"
#include "demo/demoscenario.h"
#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/chat/chatrelaytokens.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

#include <atomic>

namespace RelayDesk::Relay {

namespace {

struct Choice
{
    qint64 index = 0;
    QString echo;          // the prompt put before the text (echo)
    QStringList words;     // the completion, word by word (the first without a leading space)
    QString finishReason;
};

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonObject choiceJson(qint64 index, const QString &text, const QJsonValue &finish)
{
    return QJsonObject{{QStringLiteral("text"), text},
                       {QStringLiteral("index"), index},
                       {QStringLiteral("logprobs"), QJsonValue::Null},
                       {QStringLiteral("finish_reason"), finish}};
}

void handle(HttpExchange &exchange, const DemoUpstreamOptions &options)
{
    const auto request = DemoRequest::read(exchange, options, QLatin1StringView("prompt"));
    if (!request)
        return;
    const QJsonObject &body = request->body;
    const QString &model = request->model;
    const QJsonValue prompt = body.value(QLatin1StringView("prompt"));
    QJsonArray prompts;
    if (prompt.isString() || (prompt.isArray() && prompt.toArray().first().isDouble()))
        prompts.append(prompt);
    else
        prompts = prompt.toArray();
    if (prompts.isEmpty())
        return exchange.respondError(OpenAiError::invalidRequest(QStringLiteral("'prompt' must not be empty."),
                                                                 "invalid_value", "prompt"));
    const qint64 maxTokens = body.value(QLatin1StringView("max_tokens")).toInteger(16);
    const qint64 n = std::max<qint64>(1, body.value(QLatin1StringView("n")).toInteger(1));
    const bool echo = body.value(QLatin1StringView("echo")).toBool();
    // The demo reply, cut to max_tokens on a word boundary.
    QStringList words;
    QString text;
    bool cut = false;
    for (const QString &word : DemoScenario::replyWords()) {
        const QString next = text.isEmpty() ? word : text + QLatin1Char(' ') + word;
        if (ChatRelayTokens::countText(next, model) > maxTokens) {
            cut = true;
            break;
        }
        words.append(words.isEmpty() ? word : QLatin1Char(' ') + word);
        text = next;
    }
    const qint64 completionTokens = ChatRelayTokens::countText(text, model);
    qint64 promptTokens = ChatRelayTokens::countText(body.value(QLatin1StringView("suffix")).toString(), model);
    QList<Choice> choices;
    for (qsizetype p = 0; p < prompts.size(); ++p) {
        const QJsonValue &item = prompts.at(p);
        promptTokens += item.isString() ? ChatRelayTokens::countText(item.toString(), model) : item.toArray().size();
        for (qint64 j = 0; j < n; ++j)
            choices.append(Choice{p * n + j, echo && item.isString() ? item.toString() : QString(), words,
                                  cut ? QStringLiteral("length") : QStringLiteral("stop")});
    }
    static std::atomic<quint64> counter{0};
    const QString id = QStringLiteral("cmpl-demo%1").arg(++counter);
    const qint64 created = QDateTime::currentSecsSinceEpoch();
    const bool withUsage = !request->has(QLatin1StringView("no_usage"));
    const qint64 allCompletion = completionTokens * choices.size();
    const QJsonObject usage{{QStringLiteral("prompt_tokens"), promptTokens},
                            {QStringLiteral("completion_tokens"), allCompletion},
                            {QStringLiteral("total_tokens"), promptTokens + allCompletion}};
    const auto envelope = [&](const QJsonArray &cs) {
        return QJsonObject{{QStringLiteral("id"), id},
                           {QStringLiteral("object"), QStringLiteral("text_completion")},
                           {QStringLiteral("created"), created},
                           {QStringLiteral("model"), model},
                           {QStringLiteral("system_fingerprint"), QStringLiteral("fp_demo")},
                           {QStringLiteral("choices"), cs}};
    };
    if (!body.value(QLatin1StringView("stream")).toBool()) {
        QJsonArray cs;
        for (const Choice &c : std::as_const(choices))
            cs.append(choiceJson(c.index, c.echo + c.words.join(QString()), c.finishReason));
        QJsonObject reply = envelope(cs);
        if (withUsage)
            reply.insert(QStringLiteral("usage"), usage);
        return exchange.respond(200, compact(reply));
    }
    const bool includeUsage = body.value(QLatin1StringView("stream_options")).toObject()
                                  .value(QLatin1StringView("include_usage")).toBool() && withUsage;
    const auto chunk = [&](qint64 index, const QString &piece, const QJsonValue &finish) {
        QJsonObject o = envelope(QJsonArray{choiceJson(index, piece, finish)});
        if (includeUsage)
            o.insert(QStringLiteral("usage"), QJsonValue::Null); // last member, as from OpenAI
        return compact(o);
    };
    exchange.beginEventStream();
    for (const Choice &c : std::as_const(choices)) {
        if (!c.echo.isEmpty())
            exchange.writeEvent(chunk(c.index, c.echo, QJsonValue::Null));
        for (const QString &word : c.words)
            exchange.writeEvent(chunk(c.index, word, QJsonValue::Null));
        exchange.writeEvent(chunk(c.index, QString(), c.finishReason));
    }
    if (includeUsage) {
        QJsonObject last = envelope(QJsonArray{});
        last.insert(QStringLiteral("usage"), usage);
        exchange.writeEvent(compact(last));
    }
    exchange.writeEvent(QByteArrayLiteral("[DONE]"));
    exchange.endStream();
}

} // namespace

void DemoCompletions::install(HttpServer &server, const DemoUpstreamOptions &options)
{
    server.router().addRoute("POST", "/v1/completions", [options](HttpExchange &e) { handle(e, options); },
                             Router::Access::Public);
}

} // namespace RelayDesk::Relay
