#include "demo/demoembeddings.h"

#include "demo/demorequest.h"
#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/chat/chatrelaytokens.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QtEndian>

#include <cmath>

namespace RelayDesk::Relay {

namespace {

void handle(HttpExchange &exchange, const DemoUpstreamOptions &options)
{
    const auto request = DemoRequest::read(exchange, options, QLatin1StringView("input"));
    if (!request)
        return;
    const QJsonValue input = request->body.value(QLatin1StringView("input"));
    QJsonArray items;
    if (input.isString() || (input.isArray() && input.toArray().first().isDouble()))
        items.append(input); // one input: a string or one token array
    else
        items = input.toArray();
    if (items.isEmpty())
        return exchange.respondError(OpenAiError::invalidRequest(QStringLiteral("'input' must not be empty."),
                                                                 "invalid_value", "input"));
    const QJsonValue dims = request->body.value(QLatin1StringView("dimensions"));
    const int dimensions = dims.isDouble() ? dims.toInt()
                           : request->model.startsWith(QLatin1StringView("text-embedding-3-large")) ? 3072
                                                                                                   : 1536;
    if (dimensions < 1 || dimensions > 3072)
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("Invalid 'dimensions': expected 1 to 3072."), "invalid_value", "dimensions"));
    const bool base64 = request->body.value(QLatin1StringView("encoding_format")).toString() == u"base64";
    QJsonArray data;
    qint64 tokens = 0;
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QJsonValue &item = items.at(i);
        QByteArray seed;
        if (item.isString()) {
            seed = item.toString().toUtf8();
            tokens += ChatRelayTokens::countText(item.toString(), request->model);
        } else {
            seed = QJsonDocument(item.toArray()).toJson(QJsonDocument::Compact);
            tokens += item.toArray().size();
        }
        const QList<float> v = DemoEmbeddings::vector(seed, dimensions);
        QJsonValue embedding;
        if (base64) {
            QByteArray bytes(v.size() * 4, Qt::Uninitialized);
            for (qsizetype k = 0; k < v.size(); ++k)
                qToLittleEndian<float>(v.at(k), bytes.data() + 4 * k);
            embedding = QString::fromLatin1(bytes.toBase64());
        } else {
            QJsonArray numbers;
            for (const float f : v)
                numbers.append(double(f));
            embedding = numbers;
        }
        data.append(QJsonObject{{QStringLiteral("object"), QStringLiteral("embedding")},
                                {QStringLiteral("index"), i},
                                {QStringLiteral("embedding"), embedding}});
    }
    QJsonObject reply{{QStringLiteral("object"), QStringLiteral("list")},
                      {QStringLiteral("data"), data},
                      {QStringLiteral("model"), request->model}};
    if (!request->has(QLatin1StringView("no_usage")))
        reply.insert(QStringLiteral("usage"), QJsonObject{{QStringLiteral("prompt_tokens"), tokens},
                                                          {QStringLiteral("total_tokens"), tokens}});
    exchange.respond(200, QJsonDocument(reply).toJson(QJsonDocument::Compact));
}

} // namespace

QList<float> DemoEmbeddings::vector(const QByteArray &seed, int dimensions)
{
    DemoHashStream random(seed);
    QList<float> v(dimensions);
    double norm = 0;
    for (float &x : v) {
        x = float(random.nextUnit() * 2 - 1);
        norm += double(x) * double(x);
    }
    norm = std::sqrt(norm);
    if (norm > 0)
        for (float &x : v)
            x = float(double(x) / norm);
    return v;
}

void DemoEmbeddings::install(HttpServer &server, const DemoUpstreamOptions &options)
{
    server.router().addRoute("POST", "/v1/embeddings", [options](HttpExchange &e) { handle(e, options); },
                             Router::Access::Public);
}

} // namespace RelayDesk::Relay
