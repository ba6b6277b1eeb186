#pragma once
// Ephemeral client secrets for Realtime: POST /v1/realtime/client_secrets (GA: {expires_after:{anchor,seconds},
// session:{type,model,…}} → {value, expires_at, session}) and the beta POST /v1/realtime/sessions (the session
// config, with an optional client_secret.expires_after → the session with client_secret {value, expires_at}). A
// backend calls them with its `sk-` key; the relay mints its own `ek_` secret (ClientSecretRepository: hashed,
// bound to the parent key, its user and the session config) without calling the upstream. The model is admitted
// as a Realtime session's would be (key limits, a channel, a price), so a secret that could never open a session
// is refused here, in OpenAI's shape.
#include "billing/pricebook.h"

#include <QtCore/QJsonObject>

#include <functional>
#include <memory>

namespace RelayDesk::Store { class Database; }

namespace RelayDesk::Relay {

struct AuthContext;
class ChannelSelector;
class HttpExchange;
class Router;

class ClientSecretsEndpoint final
{
public:
    using PriceBookProvider = std::function<Billing::PriceBookPtr()>;

    // Lifetimes a client may ask for (OpenAI's bounds), and the defaults: GA 10 minutes, beta 1 minute.
    static constexpr qint64 kMinSeconds = 10;
    static constexpr qint64 kMaxSeconds = 7200;
    static constexpr qint64 kDefaultSeconds = 600;
    static constexpr qint64 kDefaultBetaSeconds = 60;
    static constexpr const char *kDefaultModel = "gpt-realtime";
    // The session config a secret keeps (stored with it, sent upstream with each session): instructions and tools
    // fit easily; a client cannot park megabytes in the store.
    static constexpr qsizetype kMaxSessionBytes = 64 * 1024;

    ClientSecretsEndpoint(std::shared_ptr<Store::Database> db, ChannelSelector &channels, PriceBookProvider prices);
    void install(Router &router);

private:
    void mintGa(HttpExchange &exchange);
    void mintBeta(HttpExchange &exchange);
    // The lifetime in seconds `expiresAfter` asks for (absent: `fallback`); -1 after answering the 400.
    static qint64 lifetime(HttpExchange &exchange, const QJsonValue &expiresAfter, const QByteArray &param,
                           qint64 fallback);
    // Admits the session's model for the caller and stores the secret; the secret's value and expiry (unix s),
    // or an empty value after answering the refusal.
    std::pair<QString, qint64> mint(HttpExchange &exchange, const AuthContext &auth, QJsonObject &session,
                                    qint64 seconds);

    std::shared_ptr<Store::Database> m_db;
    ChannelSelector &m_channels;
    PriceBookProvider m_prices;
    int m_minted = 0;
};

} // namespace RelayDesk::Relay
