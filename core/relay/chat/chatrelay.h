#pragma once
// POST /v1/chat/completions (JSON and SSE) and GET /v1/models, with exact accounting:
//
//   auth (Router authenticator) → model allowed → channel exists → prompt estimate → price
//   → reserve (ledger, conditional: refused = 403 insufficient_quota) → upstream (retry once on another
//   channel for connect errors and 5xx/429 before any byte reached the client, same reservation)
//   → settle once (consume log row in the same transaction) or refund (no log row).
//
// Every call ends in exactly one settle or refund — also on client disconnect, upstream reset, timeout and
// shutdown(). Lives on the relay server thread (create it in RelayServerThread's setup).
#include "billing/pricebook.h"
#include "relay/chat/chatcallcontext.h"

#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QSet>

#include <functional>
#include <memory>


namespace RelayDesk::Relay {

class Auth;
class HttpExchange;
class Router;

class ChatRelay final : public QObject
{
    Q_OBJECT

public:
    using PriceBookProvider = std::function<Billing::PriceBookPtr()>;

    ChatRelay(std::shared_ptr<Store::Database> db, std::shared_ptr<Auth> auth,
              std::shared_ptr<ChannelSelector> channels, PriceBookProvider prices,
              Monitor::SessionRegistry *registry, ChatRelayConfig config = {}, QObject *parent = nullptr);
    // Ends every call still in flight (see shutdown()).
    ~ChatRelay() override;

    // Registers the authenticator and the routes on `router`.
    void install(Router &router);
    int inFlight() const { return m_calls.size(); }
    // Aborts every in-flight upstream and settles each call on what was delivered (refunds those that
    // delivered nothing). For a clean stop on SIGINT/SIGTERM or console quit.
    void shutdown();

    const ChatRelayConfig &config() const { return m_config; }

Q_SIGNALS:
    void callFinished(const RelayDesk::Relay::ChatCallResult &result);

private:
    void handleChat(HttpExchange &exchange);
    void handleModels(HttpExchange &exchange);
    void callDone(ChatCall *call, const ChatCallResult &result);

    std::shared_ptr<Store::Database> m_db;
    std::shared_ptr<Auth> m_auth;
    std::shared_ptr<ChannelSelector> m_channels;
    PriceBookProvider m_prices;
    Monitor::SessionRegistry *m_registry;
    ChatRelayConfig m_config;
    UpstreamClient *m_upstream;
    Store::CommitBatch *m_commits; // group commit of this thread's ledger writes
    ChatCallContext m_context;     // what every call of this relay shares
    QSet<ChatCall *> m_calls;
};

} // namespace RelayDesk::Relay

