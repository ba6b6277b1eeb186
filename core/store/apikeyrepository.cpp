#include "apikeyrepository.h"

#include "database.h"
#include "secrettoken.h"
#include "userrepository.h"

namespace RelayDesk::Store {
namespace {

const QString kColumns = QStringLiteral(
    "id, user_id, name, key_hash, key_hint, status, remain_quota, unlimited, used_quota, expires_at, "
    "model_limits, grp, created_at");

template<typename Query> // QSqlQuery or Statement
ApiKey readKey(const Query &q)
{
    ApiKey k;
    k.id = q.value(0).toLongLong();
    k.userId = q.value(1).toLongLong();
    k.name = q.value(2).toString();
    k.keyHash = q.value(3).toString();
    k.keyHint = q.value(4).toString();
    k.status = RowStatus(q.value(5).toInt());
    k.remainQuota = q.value(6).toLongLong();
    k.unlimited = q.value(7).toInt() != 0;
    k.usedQuota = q.value(8).toLongLong();
    k.expiresAt = q.value(9).toLongLong();
    k.modelLimits = q.value(10).toString().split(u',', Qt::SkipEmptyParts);
    k.group = q.value(11).toString();
    k.createdAt = q.value(12).toLongLong();
    return k;
}

// Cached statement: the relay authenticates every request by key hash.
std::optional<ApiKey> selectOne(const Database &db, const char *column, const QVariant &value)
{
    CachedQuery q = db.prepared(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM api_keys WHERE ") +
                                QLatin1String(column) + QStringLiteral(" = ?"));
    q->bindValue(0, value);
    if (!q->exec() || !q->next())
        return std::nullopt;
    return readKey(*q);
}

} // namespace

QString ApiKeyRepository::generatePlainKey()
{
    return SecretToken::generate(kPrefix);
}

QString ApiKeyRepository::hashKey(const QString &plainKey)
{
    return SecretToken::hash(plainKey);
}

QString ApiKeyRepository::hintFor(const QString &plainKey)
{
    if (plainKey.size() < 12)
        return QStringLiteral("sk-…");
    return plainKey.left(5) + QStringLiteral("…") + plainKey.right(3);
}

bool ApiKeyRepository::looksLikeKey(const QString &text)
{
    return SecretToken::looksLike(text, kPrefix);
}

Result<CreatedApiKey> ApiKeyRepository::create(const NewApiKey &spec) const
{
    using R = Result<CreatedApiKey>;
    if (!UserRepository::isValidName(spec.name))
        return R::failure(QStringLiteral("invalid key name '%1' (1-64 of A-Z a-z 0-9 _ . @ -)").arg(spec.name));
    if (!spec.group.isEmpty() && !UserRepository::isValidName(spec.group))
        return R::failure(QStringLiteral("invalid group name '%1'").arg(spec.group));
    if (spec.quota < 0)
        return R::failure(QStringLiteral("key quota must not be negative"));
    for (const QString &m : spec.modelLimits)
        if (m.trimmed().isEmpty() || m.contains(u','))
            return R::failure(QStringLiteral("invalid model name in --models"));
    if (!UserRepository(m_db).byId(spec.userId))
        return R::failure(QStringLiteral("no user with id %1").arg(spec.userId));
    if (byName(spec.name))
        return R::failure(QStringLiteral("a key named '%1' already exists").arg(spec.name));

    CreatedApiKey created;
    created.plainKey = generatePlainKey();
    ApiKey &k = created.key;
    k.userId = spec.userId;
    k.name = spec.name;
    k.keyHash = hashKey(created.plainKey);
    k.keyHint = hintFor(created.plainKey);
    k.remainQuota = spec.unlimited ? 0 : spec.quota;
    k.unlimited = spec.unlimited;
    k.expiresAt = spec.expiresAt;
    k.modelLimits = spec.modelLimits;
    k.group = spec.group;
    k.createdAt = nowSecs();

    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral(
        "INSERT INTO api_keys(user_id, name, key_hash, key_hint, status, remain_quota, unlimited, expires_at, "
        "model_limits, grp, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
    q.addBindValue(k.userId);
    q.addBindValue(k.name);
    q.addBindValue(k.keyHash);
    q.addBindValue(k.keyHint);
    q.addBindValue(int(k.status));
    q.addBindValue(k.remainQuota);
    q.addBindValue(k.unlimited ? 1 : 0);
    q.addBindValue(k.expiresAt);
    q.addBindValue(nn(k.modelLimits.join(u',')));
    q.addBindValue(nn(k.group));
    q.addBindValue(k.createdAt);
    QString error;
    if (!execQuery(q, &error, "create key") || !q.next())
        return R::failure(error.isEmpty() ? QStringLiteral("create key: no id returned") : error);
    k.id = q.value(0).toLongLong();
    return created;
}

std::optional<ApiKey> ApiKeyRepository::byPlainKey(const QString &plainKey) const
{
    if (!looksLikeKey(plainKey))
        return std::nullopt;
    return byHash(hashKey(plainKey));
}

std::optional<ApiKey> ApiKeyRepository::byHash(const QString &sha256Hex) const
{
    return selectOne(m_db, "key_hash", sha256Hex.toLower());
}

std::optional<ApiKey> ApiKeyRepository::byId(qint64 id) const
{
    return selectOne(m_db, "id", id);
}

std::optional<ApiKey> ApiKeyRepository::byName(const QString &name) const
{
    return selectOne(m_db, "name", name);
}

QList<ApiKey> ApiKeyRepository::listForUser(qint64 userId) const
{
    QList<ApiKey> keys;
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM api_keys WHERE user_id = ? ORDER BY id"));
    q.addBindValue(userId);
    if (q.exec())
        while (q.next())
            keys << readKey(q);
    return keys;
}

QList<ApiKey> ApiKeyRepository::list(int limit, int offset) const
{
    QList<ApiKey> keys;
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM api_keys ORDER BY id LIMIT ? OFFSET ?"));
    q.addBindValue(limit);
    q.addBindValue(offset);
    if (q.exec())
        while (q.next())
            keys << readKey(q);
    return keys;
}

Status ApiKeyRepository::setStatus(qint64 id, RowStatus status) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("UPDATE api_keys SET status = ? WHERE id = ?"));
    q.addBindValue(int(status));
    q.addBindValue(id);
    QString error;
    if (!execQuery(q, &error, "set key status"))
        return Status::failure(error);
    return q.numRowsAffected() == 1 ? Status() : Status::failure(QStringLiteral("no key with id %1").arg(id));
}

Status ApiKeyRepository::setRemainQuota(qint64 id, qint64 quota, bool unlimited) const
{
    if (quota < 0)
        return Status::failure(QStringLiteral("key quota must not be negative"));
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("UPDATE api_keys SET remain_quota = ?, unlimited = ? WHERE id = ?"));
    q.addBindValue(quota);
    q.addBindValue(unlimited ? 1 : 0);
    q.addBindValue(id);
    QString error;
    if (!execQuery(q, &error, "set key quota"))
        return Status::failure(error);
    return q.numRowsAffected() == 1 ? Status() : Status::failure(QStringLiteral("no key with id %1").arg(id));
}

Status ApiKeyRepository::update(const ApiKey &k) const
{
    if (k.remainQuota < 0)
        return Status::failure(QStringLiteral("key quota must not be negative"));
    if (k.expiresAt < 0)
        return Status::failure(QStringLiteral("key expiry must not be negative"));
    if (!k.group.isEmpty() && !UserRepository::isValidName(k.group))
        return Status::failure(QStringLiteral("invalid group name '%1'").arg(k.group));
    for (const QString &m : k.modelLimits)
        if (m.trimmed().isEmpty() || m.contains(u','))
            return Status::failure(QStringLiteral("invalid model name '%1'").arg(m));
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("UPDATE api_keys SET status = ?, remain_quota = ?, unlimited = ?, expires_at = ?, "
                             "model_limits = ?, grp = ? WHERE id = ?"));
    q.addBindValue(int(k.status));
    q.addBindValue(k.unlimited ? 0 : k.remainQuota);
    q.addBindValue(k.unlimited ? 1 : 0);
    q.addBindValue(k.expiresAt);
    q.addBindValue(nn(k.modelLimits.join(u',')));
    q.addBindValue(nn(k.group));
    q.addBindValue(k.id);
    QString error;
    if (!execQuery(q, &error, "update key"))
        return Status::failure(error);
    return q.numRowsAffected() == 1 ? Status() : Status::failure(QStringLiteral("no key with id %1").arg(k.id));
}

} // namespace RelayDesk::Store
