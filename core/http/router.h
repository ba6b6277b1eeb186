#pragma once
// Exact-path routing for the OpenAI-compatible API: method + path → handler, 404/405/426 in OpenAI's error
// shape, an optional authentication step in front of protected routes, GET /healthz built in, and WebSocket
// routes with a pre-upgrade check (auth, admission) that can refuse with an HTTP status before any upgrade.
// Prefix routes serve paths with an id in them (/v1/responses/{id}/cancel): an exact route always wins, then
// the longest matching prefix. A path may carry both HTTP routes and a WebSocket route (POST /v1/responses and
// the Responses WebSocket mode): only a path with no HTTP route answers plain requests with 426.
#include "http/httpexchange.h"

#include <QtCore/QHash>
#include <QtCore/QStringList>

#include <functional>
#include <optional>

QT_BEGIN_NAMESPACE
class QWebSocket;
QT_END_NAMESPACE

namespace RelayDesk::Relay {

class Router final
{
public:
    // Called on the server thread with the complete request; respond now or later through the exchange.
    using Handler = std::function<void(HttpExchange &exchange)>;
    // Runs before every Authenticated route. Return true to continue; return false after responding
    // (e.g. exchange.respondError(OpenAiError::invalidApiKey(...))). May fill exchange.context().
    using Authenticator = std::function<bool(HttpExchange &exchange)>;
    // Decides a WebSocket upgrade from the request head (headers, query, subprotocols, peer) before any 101:
    // std::nullopt accepts; an error is sent as an HTTP response and the connection closed.
    using UpgradeCheck = std::function<std::optional<OpenAiError>(const HttpRequest &request)>;
    // The same decision given later (a check that waits for the store, off the event loop): call decide(refusal)
    // exactly once, std::nullopt to accept. decide returns false when the connection is gone by then (closed by
    // the client or by a server shutdown): nothing was answered or upgraded, and what the check took for it must
    // be given back. Meanwhile the connection reads nothing and no header timeout runs.
    using UpgradeDecision = std::function<bool(std::optional<OpenAiError> refusal)>;
    using AsyncUpgradeCheck = std::function<void(const HttpRequest &request, UpgradeDecision decide)>;
    // Receives the upgraded socket (owned by the handler from now on; deleteLater it when done) and the
    // request that asked for it.
    using WebSocketHandler = std::function<void(QWebSocket *socket, const HttpRequest &request)>;

    enum class Access { Public, Authenticated };

    struct WebSocketRoute
    {
        QByteArray path;
        UpgradeCheck check;
        AsyncUpgradeCheck asyncCheck; // used instead of `check` when set
        WebSocketHandler handler;
        QStringList subprotocols; // offered to QWebSocketServer; it picks the client's first supported one
    };

    Router();

    void addRoute(const QByteArray &method, const QByteArray &path, Handler handler,
                  Access access = Access::Authenticated);
    // Serves every path that starts with `prefix` (e.g. "/v1/responses/") and has no exact route; the handler
    // reads the rest from exchange.request().path.
    void addPrefixRoute(const QByteArray &method, const QByteArray &prefix, Handler handler,
                        Access access = Access::Authenticated);
    void addWebSocketRoute(WebSocketRoute route);
    void setAuthenticator(Authenticator authenticator) { m_authenticator = std::move(authenticator); }

    // Answers the exchange (handler, 404, 405 with Allow, 426 for a WebSocket path without upgrade).
    void dispatch(HttpExchange &exchange) const;

    const WebSocketRoute *webSocketRoute(QByteArrayView path) const;
    const QList<WebSocketRoute> &webSocketRoutes() const { return m_webSocketRoutes; }

private:
    struct Route
    {
        QByteArray method;
        Handler handler;
        Access access;
    };

    const QList<Route> *routesFor(const QByteArray &path) const;

    QHash<QByteArray, QList<Route>> m_routes; // path → methods
    QHash<QByteArray, QList<Route>> m_prefixRoutes; // path prefix → methods
    QList<WebSocketRoute> m_webSocketRoutes;
    Authenticator m_authenticator;
};

} // namespace RelayDesk::Relay
