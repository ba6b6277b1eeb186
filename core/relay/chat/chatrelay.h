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
#include "relay/upstreamclient.h"

#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QSet>

#include <functional>
#include <memory>

namespace RelayDesk::Store {
class CommitBatch;
class Database;
}
namespace RelayDesk::Monitor { class SessionRegistry; }
namespace RelayDesk::Billing { class ClosingRetry; }

namespace RelayDesk::Relay {

class Auth;
class ChannelSelector;
class HttpExchange;
class Router;
class ChatCall;

struct ChatRelayConfig
{
    // Completion tokens reserved when the request sets neither max_tokens nor max_completion_tokens.
    qint64 defaultMaxTokens = 4096;
    // Extra attempts on another channel (connect error, 5xx, 429 before the first byte to the client).
    int retries = 1;
    UpstreamClient::Options upstream;
};

// What a finished call did, for tests, benches and the console's counters.
struct ChatCallResult
{
    QString requestId;
    QString endReason;     // done | eof | client_gone | upstream_error | upstream_timeout | shutdown | refunded:<why>
    bool settled = false;  // false = refunded (or refused before reserving)
    qint64 reserved = 0;
    qint64 quota = 0;      // settled quota (0 when refunded)
    int httpStatus = 0;
};

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
    friend class ChatCall;
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
    Billing::ClosingRetry *m_closings; // settlements/refunds waiting for the store to answer
    QSet<ChatCall *> m_calls;
};

} // namespace RelayDesk::Relay

Q_DECLARE_METATYPE(RelayDesk::Relay::ChatCallResult)
