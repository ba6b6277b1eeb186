#pragma once
// The relay's HTTP side: the authenticator in front of every /v1 route, the models list (ModelsEndpoint), GET /healthz, and the
// endpoint families, each an adapter on the one metered-call engine (CallEngine):
//
//   auth (Router authenticator) → endpoint checks (body, model allowed and served, price, hold numbers)
//   → reserve (ledger, conditional: refused = 403 insufficient_quota) → upstream (retry once on another
//   channel for connect errors and 5xx/429 before any byte reached the client, same reservation)
//   → settle once (consume log row in the same transaction) or refund (error log row).
//
// Every call ends in exactly one settle or refund — also on client disconnect, upstream reset, timeout and
// shutdown(). Lives on the relay server thread (create it in RelayServerThread's setup).
#include "billing/pricebook.h"
#include "relay/callcontext.h"

#include <QtCore/QObject>

#include <functional>
#include <memory>
#include <vector>

namespace RelayDesk::Relay {

class Auth;
class CallEngine;
class MeteredEndpoint;
class ModelsEndpoint;
class ClientSecretsEndpoint;
class HttpExchange;
class ResponsesEndpoint;
class Router;

class HttpRelay final : public QObject
{
    Q_OBJECT

public:
    using PriceBookProvider = std::function<Billing::PriceBookPtr()>;

    HttpRelay(std::shared_ptr<Store::Database> db, std::shared_ptr<Auth> auth,
              std::shared_ptr<ChannelSelector> channels, PriceBookProvider prices,
              Monitor::SessionRegistry *registry, CallConfig config = {}, QObject *parent = nullptr);
    // Ends every call still in flight (see shutdown()).
    ~HttpRelay() override;

    // Registers the authenticator and the routes on `router`.
    void install(Router &router);
    int inFlight() const;
    // Aborts every in-flight upstream and settles each call on what was delivered (refunds those that
    // delivered nothing). For a clean stop on SIGINT/SIGTERM or console quit.
    void shutdown();

    const CallConfig &config() const;
    CallEngine &engine() const { return *m_engine; }

Q_SIGNALS:
    void callFinished(const RelayDesk::Relay::CallResult &result);

private:
    std::shared_ptr<Store::Database> m_db;
    std::shared_ptr<Auth> m_auth;
    std::shared_ptr<ChannelSelector> m_channels;
    CallEngine *m_engine;
    std::vector<std::unique_ptr<MeteredEndpoint>> m_endpoints; // chat, embeddings, audio, images, …
    std::unique_ptr<ResponsesEndpoint> m_responses;
    std::unique_ptr<ModelsEndpoint> m_models;
    std::unique_ptr<ClientSecretsEndpoint> m_clientSecrets;
};

} // namespace RelayDesk::Relay
