#include "realtimecallrepository.h"

#include "database.h"
#include "records.h"

namespace RelayDesk::Store {

namespace {

constexpr const char *kColumns = "call_id, channel_id, reservation_id, user_id, key_id, model, ended, created_at";

template<typename Query> // QSqlQuery or Statement
RealtimeCall readCall(const Query &q)
{
    RealtimeCall c;
    c.callId = q.value(0).toString();
    c.channelId = q.value(1).toLongLong();
    c.reservationId = q.value(2).toLongLong();
    c.userId = q.value(3).toLongLong();
    c.keyId = q.value(4).toLongLong();
    c.model = q.value(5).toString();
    c.ended = q.value(6).toInt() != 0;
    c.createdAt = q.value(7).toLongLong();
    return c;
}

} // namespace

Status RealtimeCallRepository::add(const RealtimeCall &call) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("INSERT INTO realtime_calls(%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                  .arg(QLatin1StringView(kColumns)));
    q.addBindValue(call.callId);
    q.addBindValue(call.channelId);
    q.addBindValue(call.reservationId);
    q.addBindValue(call.userId);
    q.addBindValue(call.keyId);
    q.addBindValue(nn(call.model));
    q.addBindValue(call.ended ? 1 : 0);
    q.addBindValue(call.createdAt ? call.createdAt : nowMs());
    QString error;
    if (!execQuery(q, &error, "insert realtime call"))
        return Status::failure(error);
    return {};
}

std::optional<RealtimeCall> RealtimeCallRepository::byCallId(const QString &callId) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT %1 FROM realtime_calls WHERE call_id = ?").arg(QLatin1StringView(kColumns)));
    q.addBindValue(callId);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return readCall(q);
}

Status RealtimeCallRepository::markEnded(const QString &callId) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("UPDATE realtime_calls SET ended = 1 WHERE call_id = ?"));
    q.addBindValue(callId);
    QString error;
    if (!execQuery(q, &error, "end realtime call"))
        return Status::failure(error);
    return {};
}

Result<QList<RealtimeCall>> RealtimeCallRepository::pendingHangups() const
{
    QSqlQuery q = m_db.query();
    QString columns = QLatin1StringView(kColumns);
    columns.replace(QStringLiteral(", "), QStringLiteral(", c.")).prepend(QStringLiteral("c."));
    q.prepare(QStringLiteral("SELECT %1 FROM realtime_calls c LEFT JOIN reservations r ON r.id = c.reservation_id "
                             "WHERE c.ended = 0 AND (r.id IS NULL OR r.state <> ?) ORDER BY c.created_at")
                  .arg(columns));
    q.addBindValue(int(Reservation::State::Open));
    QString error;
    if (!execQuery(q, &error, "find calls to hang up"))
        return Result<QList<RealtimeCall>>::failure(error);
    QList<RealtimeCall> out;
    while (q.next())
        out << readCall(q);
    return out;
}

Result<qint64> RealtimeCallRepository::pruneEnded(qint64 beforeMs) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("DELETE FROM realtime_calls WHERE ended = 1 AND created_at < ?"));
    q.addBindValue(beforeMs);
    QString error;
    if (!execQuery(q, &error, "prune realtime calls"))
        return Result<qint64>::failure(error);
    return qint64(q.numRowsAffected());
}

} // namespace RelayDesk::Store
