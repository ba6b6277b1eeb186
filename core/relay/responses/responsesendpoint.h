#pragma once
// The Responses API: POST /v1/responses (JSON and SSE) and /v1/responses/compact as metered calls
// (ResponsesAdapter on the engine); the WebSocket mode on GET /v1/responses (ResponsesSocket, one metered call per
// response.create); and the calls on stored objects — GET/DELETE /v1/responses/{id}, POST …/{id}/cancel,
// GET …/{id}/input_items, POST /v1/responses/input_tokens — relayed unmetered (UpstreamForward).
//
// Routing: a stored response, a conversation and their items live in the upstream account that created them.
// Every id a call hands out is recorded (response_routes: id → channel, user, key, 30 days), and a request that
// names one (previous_response_id, conversation, item_reference, /v1/responses/{id}…) goes to that channel —
// never another by weight or retry. An id of another user is answered as OpenAI answers an id that does not
// exist.
//
// Background responses (`background: true`): the create's hold stays open while the response runs upstream; the
// BackgroundPoller follows it to its end and settles it from its usage (also after a restart).
#include "billing/pricebook.h"
#include "http/openaierror.h"
#include "relay/auth.h"

#include <QtCore/QJsonObject>

#include <functional>
#include <memory>
#include <optional>
#include <variant>

namespace RelayDesk::Store { class Database; }
namespace RelayDesk::Monitor { class SessionRegistry; }

namespace RelayDesk::Relay {

class Auth;
class BackgroundPoller;
class CallEngine;
class ChannelSelector;
class ClientSink;
class HttpExchange;
class MeteredCall;
class Router;

class ResponsesEndpoint final
{
public:
    using PriceBookProvider = std::function<Billing::PriceBookPtr()>;
    // How long a recorded id routes to its channel (OpenAI keeps stored responses 30 days).
    static constexpr qint64 kRouteLifetimeMs = 30LL * 24 * 3600 * 1000;

    ResponsesEndpoint(CallEngine &engine, ChannelSelector &channels, PriceBookProvider prices,
                      std::shared_ptr<Store::Database> db, std::shared_ptr<Auth> auth,
                      Monitor::SessionRegistry *registry);
    ~ResponsesEndpoint();
    void install(Router &router);

    // Checks a create request (from POST or a WebSocket response.create) and starts its metered call answering
    // through `client`; on a refusal before any call, the error (the client is then deleted by the caller).
    // `webSocket`: the request came on a WebSocket-mode connection, whose live session is `liveSession`.
    std::optional<OpenAiError> startCall(const AuthContext &auth, QJsonObject request, bool compact,
                                         ClientSink *client, bool webSocket = false, quint64 liveSession = 0);

private:
    void create(HttpExchange &exchange, bool compact);
    void inputTokens(HttpExchange &exchange);
    void byId(HttpExchange &exchange);
    // The channel that owns what the request refers to (nullopt: any channel), or the error to answer.
    std::variant<std::optional<qint64>, OpenAiError> pinnedChannel(const AuthContext &auth,
                                                                   const QJsonObject &request) const;
    void recordRoutes(MeteredCall &call);

    CallEngine &m_engine;
    ChannelSelector &m_channels;
    PriceBookProvider m_prices;
    std::shared_ptr<Store::Database> m_db;
    std::shared_ptr<Auth> m_auth;
    Monitor::SessionRegistry *m_registry;
    std::unique_ptr<BackgroundPoller> m_poller;
    quint64 m_recorded = 0;
};

} // namespace RelayDesk::Relay
