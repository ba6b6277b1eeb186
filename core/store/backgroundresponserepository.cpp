#include "backgroundresponserepository.h"

#include "database.h"
#include "instancerepository.h"
#include "reservationrepository.h"

#include <QSet>
#include <QSqlError>

namespace RelayDesk::Store {

Status BackgroundResponseRepository::add(const BackgroundResponse &row) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("INSERT INTO background_responses(reservation_id, response_id, channel_id, model, "
                             "prompt_tokens, request_path, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                             "ON CONFLICT(reservation_id) DO NOTHING"));
    q.addBindValue(row.reservationId);
    q.addBindValue(row.responseId);
    q.addBindValue(row.channelId);
    q.addBindValue(nn(row.model));
    q.addBindValue(row.promptTokens);
    q.addBindValue(nn(row.requestPath));
    q.addBindValue(row.createdAt > 0 ? row.createdAt : nowMs());
    QString error;
    if (!execQuery(q, &error, "add background response"))
        return Status::failure(error);
    return {};
}

Status BackgroundResponseRepository::remove(qint64 reservationId) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("DELETE FROM background_responses WHERE reservation_id = ?"));
    q.addBindValue(reservationId);
    QString error;
    if (!execQuery(q, &error, "remove background response"))
        return Status::failure(error);
    return {};
}

Result<QList<BackgroundResponse>> BackgroundResponseRepository::adopt(const QString &selfId, qint64 now,
                                                                      qint64 leaseMs) const
{
    using R = Result<QList<BackgroundResponse>>;
    const auto lapsed = InstanceRepository(m_db).lapsed(selfId, now, leaseMs);
    if (!lapsed)
        return R::failure(lapsed.error());
    QSet<QString> gone;
    for (const Instance &i : *lapsed)
        gone.insert(i.id);
    QSqlQuery q = m_db.query();
    if (!q.exec(QStringLiteral("SELECT reservation_id, response_id, channel_id, model, prompt_tokens, request_path, "
                               "created_at FROM background_responses ORDER BY reservation_id")))
        return R::failure(q.lastError().text());
    QList<BackgroundResponse> rows;
    while (q.next()) {
        BackgroundResponse b;
        b.reservationId = q.value(0).toLongLong();
        b.responseId = q.value(1).toString();
        b.channelId = q.value(2).toLongLong();
        b.model = q.value(3).toString();
        b.promptTokens = q.value(4).toLongLong();
        b.requestPath = q.value(5).toString();
        b.createdAt = q.value(6).toLongLong();
        rows.append(b);
    }
    q.finish();
    const ReservationRepository reservations(m_db);
    QList<BackgroundResponse> mine;
    for (BackgroundResponse &b : rows) {
        const auto r = reservations.byId(b.reservationId);
        if (!r || r->state != Reservation::State::Open) {
            (void)remove(b.reservationId); // settled, refunded or recovered: nothing left to poll
            continue;
        }
        if (r->instanceId != selfId) {
            if (!gone.contains(r->instanceId))
                continue; // its owner is alive and polls it
            QSqlQuery claim = m_db.query();
            claim.prepare(QStringLiteral("UPDATE reservations SET instance_id = ?, updated_at = ? "
                                         "WHERE id = ? AND state = 0 AND instance_id = ?"));
            claim.addBindValue(selfId);
            claim.addBindValue(now);
            claim.addBindValue(b.reservationId);
            claim.addBindValue(r->instanceId);
            QString error;
            if (!execQuery(claim, &error, "adopt background response"))
                return R::failure(error);
            if (claim.numRowsAffected() != 1)
                continue; // another survivor adopted it first
        }
        b.reservation = *reservations.byId(b.reservationId);
        mine.append(b);
    }
    return mine;
}

} // namespace RelayDesk::Store
