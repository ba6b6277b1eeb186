#include "http/router.h"

namespace RelayDesk::Relay {

Router::Router()
{
    addRoute("GET", "/healthz",
             [](HttpExchange &exchange) { exchange.respond(200, QByteArrayLiteral("{\"status\":\"ok\"}")); },
             Access::Public);
}

void Router::addRoute(const QByteArray &method, const QByteArray &path, Handler handler, Access access)
{
    QList<Route> &methods = m_routes[path];
    methods.removeIf([&method](const Route &r) { return r.method == method; });
    methods.append(Route{method, std::move(handler), access});
}

void Router::addPrefixRoute(const QByteArray &method, const QByteArray &prefix, Handler handler, Access access)
{
    QList<Route> &methods = m_prefixRoutes[prefix];
    methods.removeIf([&method](const Route &r) { return r.method == method; });
    methods.append(Route{method, std::move(handler), access});
}

const QList<Router::Route> *Router::routesFor(const QByteArray &path) const
{
    const auto exact = m_routes.constFind(path);
    if (exact != m_routes.cend())
        return &*exact;
    const QList<Route> *best = nullptr;
    qsizetype bestLength = -1;
    for (auto it = m_prefixRoutes.cbegin(); it != m_prefixRoutes.cend(); ++it) {
        if (it.key().size() > bestLength && path.startsWith(it.key())) {
            best = &*it;
            bestLength = it.key().size();
        }
    }
    return best;
}

void Router::addWebSocketRoute(WebSocketRoute route)
{
    m_webSocketRoutes.removeIf([&route](const WebSocketRoute &r) { return r.path == route.path; });
    m_webSocketRoutes.append(std::move(route));
}

const Router::WebSocketRoute *Router::webSocketRoute(QByteArrayView path) const
{
    for (const WebSocketRoute &r : m_webSocketRoutes) {
        if (r.path == path)
            return &r;
    }
    return nullptr;
}

void Router::dispatch(HttpExchange &exchange) const
{
    const HttpRequest &request = exchange.request();
    const QList<Route> *routes = routesFor(request.path);
    if (webSocketRoute(request.path) && (!routes || request.isWebSocketUpgrade())) {
        // Accepted upgrades never reach here (HttpConnection hands them over on peeked bytes). An upgrade seen
        // here was pipelined behind other requests, which we do not support.
        if (request.isWebSocketUpgrade()) {
            exchange.setCloseAfterResponse();
            exchange.respondError(OpenAiError::invalidRequest(
                QStringLiteral("A WebSocket upgrade must not be pipelined behind other requests."),
                "pipelined_upgrade"));
        } else {
            exchange.respondError(OpenAiError::upgradeRequired(request.path));
        }
        return;
    }
    if (!routes) {
        exchange.respondError(OpenAiError::unknownUrl(request.method, request.path));
        return;
    }
    const Route *match = nullptr;
    for (const Route &r : *routes) {
        if (r.method == request.method) {
            match = &r;
            break;
        }
    }
    // HEAD is GET without the body; HttpExchange drops the body.
    if (!match && request.method == "HEAD") {
        for (const Route &r : *routes) {
            if (r.method == "GET")
                match = &r;
        }
    }
    if (!match) {
        QByteArray allow;
        for (const Route &r : *routes) {
            if (!allow.isEmpty())
                allow += ", ";
            allow += r.method;
        }
        HttpResponse response = HttpResponse::error(OpenAiError::methodNotAllowed(request.method, request.path));
        response.headers.add("Allow", allow);
        exchange.respond(std::move(response));
        return;
    }
    if (match->access == Access::Authenticated && m_authenticator && !m_authenticator(exchange))
        return;
    match->handler(exchange);
}

} // namespace RelayDesk::Relay
