#include "demo/demomoderations.h"

#include "demo/demorequest.h"
#include "http/httpexchange.h"
#include "http/router.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

#include <atomic>

namespace RelayDesk::Relay {

namespace {

const char *const kCategories[] = {"harassment", "harassment/threatening", "hate", "hate/threatening", "illicit",
                                   "illicit/violent", "self-harm", "self-harm/intent", "self-harm/instructions",
                                   "sexual", "sexual/minors", "violence", "violence/graphic"};

QJsonObject result(const QByteArray &seed, bool image, bool flagged)
{
    DemoHashStream random(seed);
    QJsonObject categories, scores, applied;
    for (const char *name : kCategories) {
        const QString key = QString::fromLatin1(name);
        const bool hit = flagged && key == u"violence";
        categories.insert(key, hit);
        scores.insert(key, hit ? 0.91 : random.nextUnit() * 1e-3);
        QJsonArray types{QStringLiteral("text")};
        if (image && (key.startsWith(u"self-harm") || key.startsWith(u"sexual") || key.startsWith(u"violence")))
            types.append(QStringLiteral("image"));
        applied.insert(key, types);
    }
    return QJsonObject{{QStringLiteral("flagged"), flagged},
                       {QStringLiteral("categories"), categories},
                       {QStringLiteral("category_scores"), scores},
                       {QStringLiteral("category_applied_input_types"), applied}};
}

void handle(HttpExchange &exchange, const DemoUpstreamOptions &options)
{
    const auto request = DemoRequest::read(exchange, options, QLatin1StringView("input"),
                                           QStringLiteral("omni-moderation-latest"));
    if (!request)
        return;
    const QJsonValue input = request->body.value(QLatin1StringView("input"));
    const bool flagged = request->has(QLatin1StringView("flagged"));
    QJsonArray results;
    if (input.isString()) {
        results.append(result(input.toString().toUtf8(), false, flagged));
    } else if (input.isArray() && !input.toArray().isEmpty() && input.toArray().first().isObject()) {
        bool image = false; // multi-modal parts: one result for the whole input
        for (const QJsonValue &part : input.toArray())
            image = image || part.toObject().value(QLatin1StringView("type")).toString() == u"image_url";
        results.append(result(QJsonDocument(input.toArray()).toJson(QJsonDocument::Compact), image, flagged));
    } else if (input.isArray() && !input.toArray().isEmpty()) {
        for (const QJsonValue &item : input.toArray())
            results.append(result(item.toString().toUtf8(), false, flagged));
    } else {
        return exchange.respondError(OpenAiError::invalidRequest(QStringLiteral("'input' is a required property"),
                                                                 "missing_required_parameter", "input"));
    }
    static std::atomic<quint64> counter{0};
    exchange.respond(200, QJsonDocument(QJsonObject{{QStringLiteral("id"), QStringLiteral("modr-demo%1").arg(++counter)},
                                                    {QStringLiteral("model"), request->model},
                                                    {QStringLiteral("results"), results}})
                              .toJson(QJsonDocument::Compact));
}

} // namespace

void DemoModerations::install(HttpServer &server, const DemoUpstreamOptions &options)
{
    server.router().addRoute("POST", "/v1/moderations", [options](HttpExchange &e) { handle(e, options); },
                             Router::Access::Public);
}

} // namespace RelayDesk::Relay
