#include "relay/auth.h"

#include "http/httprequest.h"
#include "relay/clientaddress.h"
#include "relay/ledgerrefusal.h"
#include "store/apikeyrepository.h"
#include "store/clientsecretrepository.h"
#include "store/database.h"
#include "store/limitrepository.h"
#include "store/userrepository.h"

#include <QtCore/QDateTime>
#include <QtCore/QMutexLocker>

namespace RelayDesk::Relay {
namespace {

// Stored entries were checked when written; one that no longer parses matches nothing (its list stays closed).
QList<Cidr> toCidrs(const QStringList &texts)
{
    QList<Cidr> out;
    for (const QString &text : texts)
        out << Cidr::parse(text).value_or(Cidr());
    return out;
}

OpenAiError addressRefused(const QHostAddress &client, const QString &whose)
{
    const QString seen = client.isNull() ? QStringLiteral("(unknown)") : client.toString();
    return OpenAiError::permissionDenied(
        QStringLiteral("Requests from IP address %1 are not allowed for %2: the address is not in its IP allow-list.")
            .arg(seen, whose),
        "ip_not_allowed");
}

} // namespace

Auth::Auth(std::shared_ptr<Store::Database> db, qint64 cacheTtlMs)
    : m_db(std::move(db))
    , m_ttlMs(cacheTtlMs)
{
}

std::variant<AuthContext, OpenAiError> Auth::authenticate(const HttpRequest &request)
{
    return authenticateToken(clientKey(request), clientAddress(request));
}

QHostAddress Auth::clientAddress(const HttpRequest &request)
{
    return ClientAddress::of(request, trustedProxies());
}

void Auth::setTrustedProxies(QList<Cidr> proxies)
{
    QMutexLocker lock(&m_mutex);
    m_fixedProxies = std::move(proxies);
}

QList<Cidr> Auth::trustedProxies()
{
    quint64 generation = 0;
    QList<Cidr> fixed;
    {
        QMutexLocker lock(&m_mutex);
        if (m_optionProxies)
            return m_fixedProxies + *m_optionProxies;
        generation = m_generation;
        fixed = m_fixedProxies;
    }
    const QList<Cidr> option = toCidrs(Store::LimitRepository(*m_db).trustedProxies());
    QMutexLocker lock(&m_mutex);
    // Not kept when the store did not answer (an unread option looks unset): read again on the next request.
    if (generation == m_generation && m_db->isAvailable())
        m_optionProxies = option;
    return fixed + option;
}

QByteArray Auth::clientKey(const HttpRequest &request)
{
    const QByteArray bearer = request.bearerToken();
    if (!bearer.isEmpty())
        return bearer;
    return QByteArrayView(request.headers.value("x-api-key")).trimmed().toByteArray();
}

std::optional<Auth::Entry> Auth::lookup(const QString &hash)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    quint64 generation = 0;
    {
        QMutexLocker lock(&m_mutex);
        const auto it = m_cache.constFind(hash);
        if (it != m_cache.constEnd() && now - it->loadedAtMs < m_ttlMs)
            return *it;
        generation = m_generation;
    }
    const auto key = Store::ApiKeyRepository(*m_db).byHash(hash);
    if (!key)
        return std::nullopt; // unknown keys are not cached: a key created a moment later must work
    const auto user = Store::UserRepository(*m_db).byId(key->userId);
    if (!user)
        return std::nullopt;
    const auto loaded = load(*key, *user, now);
    if (!loaded)
        return std::nullopt;
    const Entry &entry = *loaded;
    QMutexLocker lock(&m_mutex);
    if (generation != m_generation)
        return entry; // invalidated while we read: serve this call, but do not keep rows that may be stale
    if (m_cache.size() > 100'000)
        m_cache.clear(); // bounded; a flood of distinct valid keys only costs reloads
    m_cache.insert(hash, entry);
    return entry;
}

std::optional<Auth::Entry> Auth::load(const Store::ApiKey &key, const Store::User &user, qint64 nowMs) const
{
    const auto lists = Store::LimitRepository(*m_db).allowLists(key.id, user.id);
    if (!lists)
        return std::nullopt;
    return Entry{key, user, nowMs, toCidrs(lists->key), toCidrs(lists->user)};
}

std::variant<AuthContext, OpenAiError> Auth::authenticateToken(const QByteArray &bearer, const QHostAddress &client)
{
    if (bearer.isEmpty())
        return OpenAiError::invalidApiKey(QStringLiteral(
            "You didn't provide an API key. You need to provide your API key in an Authorization header using "
            "Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or in an x-api-key header."));
    const QString plain = QString::fromUtf8(bearer);
    if (Store::ClientSecretRepository::looksLikeSecret(plain))
        return OpenAiError::invalidApiKey(QStringLiteral(
            "An ephemeral client secret (ek_…) is accepted only by the Realtime API (GET /v1/realtime); use an "
            "API key here."));
    // Never echo the key: only its hint.
    const QString hint = Store::ApiKeyRepository::hintFor(plain);
    const auto entry = Store::ApiKeyRepository::looksLikeKey(plain)
                           ? lookup(Store::ApiKeyRepository::hashKey(plain))
                           : std::nullopt;
    if (!entry) {
        // "Not found" is only believable from a database that answers (the lookup cannot tell).
        if (Store::ApiKeyRepository::looksLikeKey(plain) && !m_db->ping())
            return OpenAiError::storeUnavailable();
        return keyRefusal(Store::LedgerFailure::KeyNotFound, hint);
    }
    return admit(*entry, hint, client);
}

std::variant<AuthContext, OpenAiError> Auth::admit(const Entry &entry, const QString &hint, const QHostAddress &client)
{
    if (entry.key.status != Store::RowStatus::Enabled)
        return keyRefusal(Store::LedgerFailure::KeyDisabled, hint);
    if (entry.key.expiresAt > 0 && entry.key.expiresAt <= QDateTime::currentSecsSinceEpoch())
        return keyRefusal(Store::LedgerFailure::KeyExpired, hint);
    if (entry.user.status != Store::RowStatus::Enabled)
        return keyRefusal(Store::LedgerFailure::UserDisabled, hint);
    if (!entry.keyAllow.isEmpty() && !Cidr::anyContains(entry.keyAllow, client))
        return addressRefused(client, QStringLiteral("the API key %1").arg(hint));
    if (!entry.userAllow.isEmpty() && !Cidr::anyContains(entry.userAllow, client))
        return addressRefused(client, QStringLiteral("the user '%1'").arg(entry.user.name));
    AuthContext ctx{entry.user, entry.key, entry.key.group.isEmpty() ? entry.user.group : entry.key.group};
    return ctx;
}

std::variant<ClientSecretGrant, OpenAiError> Auth::authenticateRealtime(const QByteArray &token,
                                                                        const QHostAddress &client)
{
    if (Store::ClientSecretRepository::looksLikeSecret(QString::fromUtf8(token)))
        return authenticateClientSecret(token, client);
    auto key = authenticateToken(token, client);
    if (auto *error = std::get_if<OpenAiError>(&key))
        return *error;
    return ClientSecretGrant{std::get<AuthContext>(std::move(key)), {}};
}

std::variant<ClientSecretGrant, OpenAiError> Auth::authenticateClientSecret(const QByteArray &secret,
                                                                            const QHostAddress &client)
{
    const QString value = QString::fromUtf8(secret);
    const auto found = Store::ClientSecretRepository(*m_db).find(value, QDateTime::currentMSecsSinceEpoch());
    if (!found) {
        if (!m_db->ping())
            return OpenAiError::storeUnavailable();
        return OpenAiError::invalidApiKey(QStringLiteral(
            "The client secret is unknown or has expired. Ask your backend for a new one "
            "(POST /v1/realtime/client_secrets)."));
    }
    const auto key = Store::ApiKeyRepository(*m_db).byId(found->keyId);
    const auto user = key ? Store::UserRepository(*m_db).byId(key->userId) : std::nullopt;
    if (!key || !user)
        return keyRefusal(Store::LedgerFailure::KeyNotFound, QStringLiteral("(the client secret's key)"));
    const auto entry = load(*key, *user, 0);
    if (!entry)
        return OpenAiError::storeUnavailable();
    auto admitted = admit(*entry, key->keyHint, client);
    if (const auto *error = std::get_if<OpenAiError>(&admitted))
        return *error;
    return ClientSecretGrant{std::get<AuthContext>(std::move(admitted)), found->session};
}

void Auth::invalidateKey(qint64 keyId)
{
    QMutexLocker lock(&m_mutex);
    ++m_generation;
    for (auto it = m_cache.begin(); it != m_cache.end();)
        it = it->key.id == keyId ? m_cache.erase(it) : std::next(it);
}

void Auth::invalidateUser(qint64 userId)
{
    QMutexLocker lock(&m_mutex);
    ++m_generation;
    for (auto it = m_cache.begin(); it != m_cache.end();)
        it = it->user.id == userId ? m_cache.erase(it) : std::next(it);
}

void Auth::invalidateAll()
{
    QMutexLocker lock(&m_mutex);
    ++m_generation;
    m_cache.clear();
    m_optionProxies.reset(); // the trusted proxies option is announced as a change of every user
}

} // namespace RelayDesk::Relay
