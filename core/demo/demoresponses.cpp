#include "demo/demoresponses.h"

#include "demo/demoresponserequest.h"
#include "demo/demoresponserun.h"
#include "demo/demoresponsessocket.h"
#include "demo/demoscenario.h"
#include "http/httpexchange.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QTimer>
#include <QtWebSockets/QWebSocket>

namespace RelayDesk::Relay {

namespace {

const QByteArray kPrefix = "/v1/responses/";

QByteArray compactJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

void writeSse(HttpExchange &exchange, const QJsonObject &event)
{
    exchange.writeEvent(event.value(u"type").toString().toUtf8(), compactJson(event));
}

OpenAiError responseNotFound(const QString &id)
{
    return OpenAiError::notFound(QStringLiteral("Response with id '%1' not found.").arg(id), {});
}

// User messages of a response and of the chain of responses before it, oldest first (what compaction keeps).
QJsonArray userMessages(const DemoResponseStore &store, const DemoResponseRequest &request)
{
    QList<QJsonArray> chain{request.inputItems};
    for (QString id = request.previousResponseId; const DemoResponseRun *run = store.find(id);
         id = run->request().previousResponseId)
        chain.prepend(run->inputItems());
    QJsonArray out;
    for (const QJsonArray &items : chain)
        for (const QJsonValue &v : items)
            if (v.toObject().value(u"type").toString() == u"message" && v.toObject().value(u"role").toString() == u"user")
                out.append(v);
    return out;
}

} // namespace

DemoResponses::DemoResponses(DemoUpstreamOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
}

DemoResponses::~DemoResponses() = default;

QStringList DemoResponses::scenarios()
{
    return {QStringLiteral("default"),    QStringLiteral("cached"),     QStringLiteral("reasoning"),
            QStringLiteral("tools"),      QStringLiteral("web_search"), QStringLiteral("web_search2"),
            QStringLiteral("no_usage"),   QStringLiteral("failed"),     QStringLiteral("incomplete"),
            QStringLiteral("error_500"),  QStringLiteral("error_429"),  QStringLiteral("reset"),
            QStringLiteral("hang"),       QStringLiteral("keepalive"),  QStringLiteral("slow")};
}

void DemoResponses::install(HttpServer &server)
{
    m_server = &server;
    Router &router = server.router();
    const auto route = [this](void (DemoResponses::*handler)(HttpExchange &)) {
        return [this, handler](HttpExchange &e) {
            if (authorized(e))
                (this->*handler)(e);
        };
    };
    router.addRoute("POST", "/v1/responses", route(&DemoResponses::create), Router::Access::Public);
    router.addRoute("POST", "/v1/responses/input_tokens", route(&DemoResponses::inputTokens), Router::Access::Public);
    router.addRoute("POST", "/v1/responses/compact", route(&DemoResponses::compact), Router::Access::Public);
    for (const QByteArray method : {"GET", "DELETE", "POST"})
        router.addPrefixRoute(method, kPrefix, route(&DemoResponses::byId), Router::Access::Public);
    installWebSocket(router);
}

bool DemoResponses::authorized(HttpExchange &exchange) const
{
    if (m_options.requiredKey.isEmpty() || exchange.request().bearerToken() == m_options.requiredKey)
        return true;
    exchange.respondError(OpenAiError::invalidApiKey(QStringLiteral("Incorrect API key provided.")));
    return false;
}

DemoResponsePacing DemoResponses::pacingFor(const DemoResponseRequest &request) const
{
    const bool slow = request.has(QLatin1StringView("slow"));
    DemoResponsePacing pacing;
    if (request.background) {
        // Spread over backgroundMs: a quarter queued, the rest producing the reply.
        const int total = m_options.backgroundMs * (slow ? 10 : 1);
        pacing.startMs = total / 4;
        pacing.chunkMs = pacing.firstMs = (total - pacing.startMs) / int(DemoScenario::replyWords().size());
        return pacing;
    }
    pacing.chunkMs = slow ? std::max(50, m_options.chunkDelayMs * 10) : m_options.chunkDelayMs;
    pacing.firstMs = slow ? std::max(50, m_options.firstChunkDelayMs) : m_options.firstChunkDelayMs;
    return pacing;
}

DemoResponseRun *DemoResponses::createRun(DemoResponseRequest request, QObject *owner)
{
    const bool stored = request.store;
    auto *run = new DemoResponseRun(std::move(request), owner);
    if (stored)
        m_store.add(run);
    return run;
}

bool DemoResponses::parseBody(HttpExchange &exchange, QJsonObject &body, DemoResponseRequest &request,
                              const QString &defaultModel)
{
    QJsonParseError error;
    body = QJsonDocument::fromJson(exchange.request().body, &error).object();
    if (error.error != QJsonParseError::NoError) {
        exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("We could not parse the JSON body of your request. (%1)").arg(error.errorString())));
        return false;
    }
    if (!defaultModel.isEmpty() && !body.contains(u"model"))
        body.insert(QStringLiteral("model"), defaultModel);
    if (auto refusal = DemoResponseRequest::parse(body, exchange.request().header("X-Fake-Scenario"), m_store, request)) {
        exchange.respondError(*refusal);
        return false;
    }
    return true;
}

void DemoResponses::create(HttpExchange &exchange)
{
    QJsonObject body;
    DemoResponseRequest request;
    if (!parseBody(exchange, body, request))
        return;
    if (request.has(QLatin1StringView("error_500")))
        return exchange.respondError(OpenAiError::internal(QStringLiteral("The demo upstream failed (scenario error_500).")));
    if (request.has(QLatin1StringView("error_429")))
        return exchange.respondError(OpenAiError::rateLimited(QStringLiteral("Rate limit reached (scenario error_429).")));
    if (request.has(QLatin1StringView("hang")))
        return; // never answered; the exchange dies with its connection
    if (request.has(QLatin1StringView("reset")) && !request.stream)
        return exchange.abortConnection();
    const DemoResponsePacing pacing = pacingFor(request);
    DemoResponseRun *run = createRun(request, &exchange); // an unstored run dies with its exchange
    if (request.stream) {
        streamRun(exchange, run, -1);
        run->start(pacing);
        return;
    }
    if (request.background) {
        run->start(pacing); // runs on after the reply: retrieve shows its progress
        return exchange.respond(200, compactJson(run->snapshot()));
    }
    run->runToEnd();
    const QByteArray reply = compactJson(run->snapshot());
    if (m_options.jsonDelayMs <= 0)
        return exchange.respond(200, reply);
    QPointer<HttpExchange> guard(&exchange);
    QTimer::singleShot(m_options.jsonDelayMs, &exchange, [guard, reply] {
        if (guard && !guard->isClientGone())
            guard->respond(200, reply);
    });
}

// SSE of `run`: the events already emitted after `startingAfter`, then the live ones until the run ends.
void DemoResponses::streamRun(HttpExchange &exchange, DemoResponseRun *run, qint64 startingAfter)
{
    exchange.beginEventStream();
    for (const QJsonObject &event : run->events())
        if (event.value(u"sequence_number").toInteger() > startingAfter)
            writeSse(exchange, event);
    if (!run->isPlaying() && run->events().size() > 0) {
        exchange.endStream();
        return;
    }
    connect(run, &DemoResponseRun::eventEmitted, &exchange, [&exchange](const QJsonObject &e) { writeSse(exchange, e); });
    connect(run, &DemoResponseRun::resetRequested, &exchange, [&exchange] { exchange.abortConnection(); });
    connect(run, &DemoResponseRun::ended, &exchange, [&exchange] {
        if (exchange.isStreaming() && !exchange.isClientGone())
            exchange.endStream();
    });
}

void DemoResponses::byId(HttpExchange &exchange)
{
    const HttpRequest &request = exchange.request();
    const QList<QByteArray> parts = request.path.mid(kPrefix.size()).split('/');
    const QString id = QString::fromUtf8(parts.value(0));
    const QByteArray action = parts.size() == 2 ? parts.at(1) : QByteArray();
    const bool known = !id.isEmpty() && parts.size() <= 2;
    if (!known || (parts.size() == 2 && action != "cancel" && action != "input_items"))
        return exchange.respondError(OpenAiError::unknownUrl(request.method, request.path));
    if (request.method == "DELETE" && action.isEmpty())
        return remove(exchange, id);
    DemoResponseRun *run = m_store.find(id);
    const QByteArray expected = action == "cancel" ? "POST" : "GET";
    if (request.method != expected && !(expected == "GET" && request.isHead()))
        return exchange.respondError(OpenAiError::methodNotAllowed(request.method, request.path));
    if (!run)
        return exchange.respondError(responseNotFound(id));
    if (action == "cancel")
        return cancel(exchange, run);
    if (action == "input_items")
        return inputItems(exchange, run);
    retrieve(exchange, run);
}

void DemoResponses::retrieve(HttpExchange &exchange, DemoResponseRun *run)
{
    if (exchange.request().queryItem(QStringLiteral("stream")) != u"true")
        return exchange.respond(200, compactJson(run->snapshot()));
    bool ok = false;
    qint64 after = exchange.request().queryItem(QStringLiteral("starting_after")).toLongLong(&ok);
    streamRun(exchange, run, ok ? after : -1);
}

void DemoResponses::remove(HttpExchange &exchange, const QString &id)
{
    if (!m_store.remove(id))
        return exchange.respondError(responseNotFound(id));
    exchange.respond(200, compactJson({{QStringLiteral("id"), id},
                                       {QStringLiteral("object"), QStringLiteral("response.deleted")},
                                       {QStringLiteral("deleted"), true}}));
}

void DemoResponses::cancel(HttpExchange &exchange, DemoResponseRun *run)
{
    if (!run->isBackground())
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("Cannot cancel a synchronous response."), {}, {}));
    // Cancelling twice is idempotent (OpenAI returns the cancelled response again).
    if (!run->cancel() && run->status() != u"cancelled")
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("Cannot cancel a completed response."), {}, {}));
    exchange.respond(200, compactJson(run->snapshot()));
}

void DemoResponses::inputItems(HttpExchange &exchange, const DemoResponseRun *run)
{
    const HttpRequest &request = exchange.request();
    QList<QJsonValue> items(run->inputItems().begin(), run->inputItems().end());
    if (request.queryItem(QStringLiteral("order")) != u"asc")
        std::reverse(items.begin(), items.end()); // newest first by default, like OpenAI
    const QString after = request.queryItem(QStringLiteral("after"));
    if (!after.isEmpty()) {
        const auto at = std::find_if(items.begin(), items.end(),
                                     [&after](const QJsonValue &v) { return v.toObject().value(u"id").toString() == after; });
        items.erase(items.begin(), at == items.end() ? at : at + 1);
    }
    bool ok = false;
    const int limit = std::clamp(request.queryItem(QStringLiteral("limit")).toInt(&ok), 1, 100);
    const bool hasMore = items.size() > (ok ? limit : 20);
    items = items.mid(0, ok ? limit : 20);
    QJsonArray data;
    for (const QJsonValue &v : items)
        data.append(v);
    const auto idOf = [](const QJsonValue &v) {
        return v.isUndefined() ? QJsonValue(QJsonValue::Null) : v.toObject().value(u"id");
    };
    exchange.respond(200, compactJson({{QStringLiteral("object"), QStringLiteral("list")},
                                       {QStringLiteral("data"), data},
                                       {QStringLiteral("first_id"), idOf(items.isEmpty() ? QJsonValue() : items.first())},
                                       {QStringLiteral("last_id"), idOf(items.isEmpty() ? QJsonValue() : items.last())},
                                       {QStringLiteral("has_more"), hasMore}}));
}

void DemoResponses::inputTokens(HttpExchange &exchange)
{
    QJsonObject body;
    DemoResponseRequest request;
    if (!parseBody(exchange, body, request, QStringLiteral("gpt-4o"))) // model is optional here
        return;
    exchange.respond(200, compactJson({{QStringLiteral("object"), QStringLiteral("response.input_tokens")},
                                       {QStringLiteral("input_tokens"), request.inputTokens}}));
}

void DemoResponses::compact(HttpExchange &exchange)
{
    QJsonObject body;
    DemoResponseRequest request;
    if (!parseBody(exchange, body, request))
        return;
    QJsonArray output = userMessages(m_store, request);
    // The opaque summary of everything else; its size stands for the compaction pass's output.
    const qint64 outputTokens = std::max<qint64>(1, request.inputTokens / 10);
    const QByteArray summary = QByteArray("relaydesk-demo-compaction:").append(QByteArray::number(request.inputTokens));
    output.append(QJsonObject{{QStringLiteral("id"), DemoResponseRequest::newId(QLatin1StringView("cmp"))},
                              {QStringLiteral("type"), QStringLiteral("compaction")},
                              {QStringLiteral("encrypted_content"), QString::fromLatin1(summary.toBase64())}});
    const qint64 in = request.inputTokens;
    exchange.respond(200, compactJson({
        {QStringLiteral("id"), DemoResponseRequest::newId(QLatin1StringView("resp"))},
        {QStringLiteral("object"), QStringLiteral("response.compaction")},
        {QStringLiteral("created_at"), QDateTime::currentSecsSinceEpoch()},
        {QStringLiteral("output"), output},
        {QStringLiteral("usage"),
         QJsonObject{{QStringLiteral("input_tokens"), in},
                     {QStringLiteral("input_tokens_details"),
                      QJsonObject{{QStringLiteral("cached_tokens"), 0}, {QStringLiteral("cache_write_tokens"), 0}}},
                     {QStringLiteral("output_tokens"), outputTokens},
                     {QStringLiteral("output_tokens_details"), QJsonObject{{QStringLiteral("reasoning_tokens"), 0}}},
                     {QStringLiteral("total_tokens"), in + outputTokens}}},
    }));
}

void DemoResponses::installWebSocket(Router &router)
{
    Router::WebSocketRoute route;
    route.path = "/v1/responses";
    route.check = [this](const HttpRequest &request) -> std::optional<OpenAiError> {
        if (!m_options.requiredKey.isEmpty() && request.bearerToken() != m_options.requiredKey)
            return OpenAiError::invalidApiKey(QStringLiteral("Incorrect API key provided."));
        return std::nullopt;
    };
    route.handler = [this](QWebSocket *socket, const HttpRequest &request) {
        new DemoResponsesSocket(this, socket, m_server, request.header("X-Fake-Scenario"));
    };
    router.addWebSocketRoute(std::move(route));
}

} // namespace RelayDesk::Relay
