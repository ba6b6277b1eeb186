#include "responserouterepository.h"

#include "database.h"

namespace RelayDesk::Store {

Status ResponseRouteRepository::record(const QList<ResponseRoute> &routes) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral(
        "INSERT INTO response_routes(object_id, channel_id, user_id, key_id, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(object_id) DO UPDATE SET channel_id = excluded.channel_id, "
        "user_id = excluded.user_id, key_id = excluded.key_id, created_at = excluded.created_at, "
        "expires_at = excluded.expires_at"));
    for (const ResponseRoute &r : routes) {
        q.addBindValue(r.objectId);
        q.addBindValue(r.channelId);
        q.addBindValue(r.userId);
        q.addBindValue(r.keyId);
        q.addBindValue(r.createdAt > 0 ? r.createdAt : nowMs());
        q.addBindValue(r.expiresAt);
        QString error;
        if (!execQuery(q, &error, "record response route"))
            return Status::failure(error);
    }
    return {};
}

std::optional<ResponseRoute> ResponseRouteRepository::find(const QString &objectId, qint64 nowMs) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT object_id, channel_id, user_id, key_id, created_at, expires_at "
                             "FROM response_routes WHERE object_id = ? AND expires_at > ?"));
    q.addBindValue(objectId);
    q.addBindValue(nowMs);
    if (!q.exec() || !q.next())
        return std::nullopt;
    ResponseRoute r;
    r.objectId = q.value(0).toString();
    r.channelId = q.value(1).toLongLong();
    r.userId = q.value(2).toLongLong();
    r.keyId = q.value(3).toLongLong();
    r.createdAt = q.value(4).toLongLong();
    r.expiresAt = q.value(5).toLongLong();
    return r;
}

Status ResponseRouteRepository::remove(const QString &objectId) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("DELETE FROM response_routes WHERE object_id = ?"));
    q.addBindValue(objectId);
    QString error;
    if (!execQuery(q, &error, "remove response route"))
        return Status::failure(error);
    return {};
}

Result<qint64> ResponseRouteRepository::prune(qint64 nowMs) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("DELETE FROM response_routes WHERE expires_at <= ?"));
    q.addBindValue(nowMs);
    QString error;
    if (!execQuery(q, &error, "prune response routes"))
        return Result<qint64>::failure(error);
    return qint64(q.numRowsAffected());
}

} // namespace RelayDesk::Store
