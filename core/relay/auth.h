#pragma once
// API-key authentication for the relay: "Authorization: Bearer sk-…" (OpenAI's SDKs, Claude Code's
// ANTHROPIC_AUTH_TOKEN) or "x-api-key: sk-…" (Anthropic's SDK) → key row by SHA-256 hash → user.
// Key and user rows are cached in memory (the relay thread authenticates every request) and dropped by the
// invalidate hooks: the change feed calls them for edits of any process (Runtime), the console may call them
// at once for its own (any thread). An entry read before an invalidation is never cached after it.
// Balances are NOT trusted from the cache: admission is the ledger's conditional reserve.
// IP allow-lists of the key and of its user are loaded and cached with those rows (the same invalidations), and
// checked in admit(), the one step every route, WebSocket and Realtime admission passes: the caller's address
// (ClientAddress: the peer, or X-Forwarded-For's first untrusted hop behind a trusted proxy) must be in each list
// that is set, else 403 naming the address seen. Trusted proxies: those given at start (serve --trusted-proxy)
// and the option RelayDeskTrustedProxies, read once and again after invalidateAll().
#include "common/cidr.h"
#include "http/openaierror.h"
#include "store/records.h"

#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QMutex>

#include <memory>
#include <variant>

namespace RelayDesk::Store { class Database; }

namespace RelayDesk::Relay {

struct HttpRequest;

struct AuthContext
{
    Store::User user;
    Store::ApiKey key;
    QString group; // the using group: the key's group, else the user's

    // Model limits of the key (empty list = every model).
    bool mayUse(const QString &model) const { return key.modelLimits.isEmpty() || key.modelLimits.contains(model); }
};

// What an ephemeral client secret (`ek_…`, Store::ClientSecretRepository) grants: its parent key's context and the
// session configuration it was minted with.
struct ClientSecretGrant
{
    AuthContext auth;
    QJsonObject session;
};

class Auth final
{
public:
    explicit Auth(std::shared_ptr<Store::Database> db, qint64 cacheTtlMs = 60'000);

    std::variant<AuthContext, OpenAiError> authenticate(const HttpRequest &request);
    // An `sk-` key, used from `client` (clientAddress()). An `ek_` client secret is refused here (Realtime only).
    std::variant<AuthContext, OpenAiError> authenticateToken(const QByteArray &bearer, const QHostAddress &client);
    // An `ek_` client secret, unexpired, whose parent key and user pass the checks a key does (read fresh: a
    // session is opened rarely, and a key disabled a moment ago must not open one), their allow-lists included.
    std::variant<ClientSecretGrant, OpenAiError> authenticateClientSecret(const QByteArray &secret,
                                                                          const QHostAddress &client);
    // What opens a Realtime session: an `ek_` client secret (authenticateClientSecret) or an API key (its context,
    // with no bound session).
    std::variant<ClientSecretGrant, OpenAiError> authenticateRealtime(const QByteArray &token,
                                                                      const QHostAddress &client);
    // The key a request presents: the Bearer token, else the x-api-key header (empty: none).
    static QByteArray clientKey(const HttpRequest &request);
    // The address the request's allow-lists are checked against (ClientAddress with the trusted proxies).
    QHostAddress clientAddress(const HttpRequest &request);
    // Proxies trusted besides the option's (serve --trusted-proxy); set before serving.
    void setTrustedProxies(QList<Cidr> proxies);

    // Invalidate hooks (thread-safe).
    void invalidateKey(qint64 keyId);
    void invalidateUser(qint64 userId);
    void invalidateAll();

private:
    struct Entry
    {
        Store::ApiKey key;
        Store::User user;
        qint64 loadedAtMs = 0;
        QList<Cidr> keyAllow;  // empty: every address
        QList<Cidr> userAllow; // empty: every address
    };
    std::optional<Entry> lookup(const QString &hash);
    // The rows with their allow-lists; nullopt when the lists cannot be read.
    std::optional<Entry> load(const Store::ApiKey &key, const Store::User &user, qint64 nowMs) const;
    // The key and user rows checked (enabled, unexpired, `client` in their allow-lists): the context, or the
    // refusal naming `hint`.
    static std::variant<AuthContext, OpenAiError> admit(const Entry &entry, const QString &hint,
                                                        const QHostAddress &client);
    QList<Cidr> trustedProxies();

    std::shared_ptr<Store::Database> m_db;
    qint64 m_ttlMs;
    QMutex m_mutex;
    QHash<QString, Entry> m_cache; // key hash → rows
    quint64 m_generation = 0;      // bumped by every invalidation (guarded by m_mutex)
    QList<Cidr> m_fixedProxies;    // setTrustedProxies (guarded by m_mutex)
    std::optional<QList<Cidr>> m_optionProxies; // the option, once read (guarded by m_mutex)
};

} // namespace RelayDesk::Relay
