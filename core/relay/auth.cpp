#include "relay/auth.h"

#include "http/httprequest.h"
#include "relay/ledgerrefusal.h"
#include "store/apikeyrepository.h"
#include "store/clientsecretrepository.h"
#include "store/database.h"
#include "store/userrepository.h"

#include <QtCore/QDateTime>
#include <QtCore/QMutexLocker>

namespace RelayDesk::Relay {

Auth::Auth(std::shared_ptr<Store::Database> db, qint64 cacheTtlMs)
    : m_db(std::move(db))
    , m_ttlMs(cacheTtlMs)
{
}

std::variant<AuthContext, OpenAiError> Auth::authenticate(const HttpRequest &request)
{
    return authenticateToken(clientKey(request));
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
    Entry entry{*key, *user, now};
    QMutexLocker lock(&m_mutex);
    if (generation != m_generation)
        return entry; // invalidated while we read: serve this call, but do not keep rows that may be stale
    if (m_cache.size() > 100'000)
        m_cache.clear(); // bounded; a flood of distinct valid keys only costs reloads
    m_cache.insert(hash, entry);
    return entry;
}

std::variant<AuthContext, OpenAiError> Auth::authenticateToken(const QByteArray &bearer)
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
    return admit(*entry, hint);
}

std::variant<AuthContext, OpenAiError> Auth::admit(const Entry &entry, const QString &hint)
{
    if (entry.key.status != Store::RowStatus::Enabled)
        return keyRefusal(Store::LedgerFailure::KeyDisabled, hint);
    if (entry.key.expiresAt > 0 && entry.key.expiresAt <= QDateTime::currentSecsSinceEpoch())
        return keyRefusal(Store::LedgerFailure::KeyExpired, hint);
    if (entry.user.status != Store::RowStatus::Enabled)
        return keyRefusal(Store::LedgerFailure::UserDisabled, hint);
    AuthContext ctx{entry.user, entry.key, entry.key.group.isEmpty() ? entry.user.group : entry.key.group};
    return ctx;
}

std::variant<ClientSecretGrant, OpenAiError> Auth::authenticateClientSecret(const QByteArray &secret)
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
    auto admitted = admit(Entry{*key, *user, 0}, key->keyHint);
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
}

} // namespace RelayDesk::Relay
