#pragma once

#include "records.h"
#include "result.h"

#include <QList>

namespace RelayDesk::Store {

class Database;

struct NewApiKey
{
    qint64 userId = 0;
    QString name;            // unique across all keys
    qint64 quota = 0;        // remain_quota; ignored when unlimited
    bool unlimited = false;
    QStringList modelLimits; // empty = all models
    QString group;           // empty = the user's group
    qint64 expiresAt = 0;    // unix seconds, 0 = never
};

struct CreatedApiKey
{
    ApiKey key;
    QString plainKey; // "sk-…" — returned here once; only its SHA-256 is stored
};

class ApiKeyRepository final
{
public:
    explicit ApiKeyRepository(const Database &db) : m_db(db) {}

    Result<CreatedApiKey> create(const NewApiKey &spec) const;
    // Authentication: the relay hashes the presented key and looks the hash up.
    std::optional<ApiKey> byPlainKey(const QString &plainKey) const;
    std::optional<ApiKey> byHash(const QString &sha256Hex) const;
    std::optional<ApiKey> byId(qint64 id) const;
    std::optional<ApiKey> byName(const QString &name) const;
    QList<ApiKey> listForUser(qint64 userId) const;
    QList<ApiKey> list(int limit = 1000, int offset = 0) const;

    Status setStatus(qint64 id, RowStatus status) const;
    Status setRemainQuota(qint64 id, qint64 quota, bool unlimited) const;
    // Writes the editable columns by id: status, remain_quota, unlimited, expires_at, model_limits, grp
    // (never the name, hash or hint: a key's secret is fixed at creation).
    Status update(const ApiKey &key) const;

    static constexpr QLatin1StringView kPrefix{"sk-"};
    // "sk-" + 48 base62 characters from the system CSPRNG (SecretToken).
    static QString generatePlainKey();
    static QString hashKey(const QString &plainKey);
    // "sk-ab…xyz": enough to recognise a key, never enough to use it.
    static QString hintFor(const QString &plainKey);
    static bool looksLikeKey(const QString &text);

private:
    const Database &m_db;
};

} // namespace RelayDesk::Store
