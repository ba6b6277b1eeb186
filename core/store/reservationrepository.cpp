#include "reservationrepository.h"

#include "database.h"
#include "logrepository.h"

#include <QUuid>

namespace RelayDesk::Store {
namespace {

const QString kColumns = QStringLiteral(
    "id, request_id, user_id, key_id, reserved, charged, state, kind, final_quota, log_id, started_at, updated_at, model");

Reservation readReservation(const QSqlQuery &q)
{
    Reservation r;
    r.id = q.value(0).toLongLong();
    r.requestId = q.value(1).toString();
    r.userId = q.value(2).toLongLong();
    r.keyId = q.value(3).isNull() ? 0 : q.value(3).toLongLong();
    r.reserved = q.value(4).toLongLong();
    r.charged = q.value(5).toLongLong();
    r.state = Reservation::State(q.value(6).toInt());
    r.kind = q.value(7).toString();
    r.finalQuota = q.value(8).toLongLong();
    r.logId = q.value(9).toLongLong();
    r.startedAt = q.value(10).toLongLong();
    r.updatedAt = q.value(11).toLongLong();
    r.model = q.value(12).toString();
    return r;
}

LedgerOutcome fail(LedgerFailure failure, QString message)
{
    LedgerOutcome o;
    o.failure = failure;
    o.message = std::move(message);
    return o;
}

// Runs a prepared statement; returns rows affected, or -1 with *error set.
int execAffected(QSqlQuery &q, QString *error, const char *what)
{
    if (!execQuery(q, error, what))
        return -1;
    return q.numRowsAffected();
}

// Checks that the user (and key) may spend right now. Returns None and sets *keyUnlimited.
LedgerOutcome checkAccount(const Database &db, qint64 userId, qint64 keyId, bool *keyUnlimited)
{
    *keyUnlimited = false;
    {
        QSqlQuery q = db.query();
        q.prepare(QStringLiteral("SELECT status FROM users WHERE id = ?"));
        q.addBindValue(userId);
        QString error;
        if (!execQuery(q, &error, "read user"))
            return fail(LedgerFailure::Database, error);
        if (!q.next())
            return fail(LedgerFailure::UserNotFound, QStringLiteral("no user with id %1").arg(userId));
        if (RowStatus(q.value(0).toInt()) != RowStatus::Enabled)
            return fail(LedgerFailure::UserDisabled, QStringLiteral("user %1 is disabled").arg(userId));
    }
    if (keyId <= 0)
        return {};
    QSqlQuery q = db.query();
    q.prepare(QStringLiteral("SELECT user_id, status, expires_at, unlimited FROM api_keys WHERE id = ?"));
    q.addBindValue(keyId);
    QString error;
    if (!execQuery(q, &error, "read key"))
        return fail(LedgerFailure::Database, error);
    if (!q.next())
        return fail(LedgerFailure::KeyNotFound, QStringLiteral("no key with id %1").arg(keyId));
    if (q.value(0).toLongLong() != userId)
        return fail(LedgerFailure::KeyNotOwned, QStringLiteral("key %1 does not belong to user %2").arg(keyId).arg(userId));
    if (RowStatus(q.value(1).toInt()) != RowStatus::Enabled)
        return fail(LedgerFailure::KeyDisabled, QStringLiteral("key %1 is disabled").arg(keyId));
    const qint64 expiresAt = q.value(2).toLongLong();
    if (expiresAt > 0 && expiresAt <= nowSecs())
        return fail(LedgerFailure::KeyExpired, QStringLiteral("key %1 has expired").arg(keyId));
    *keyUnlimited = q.value(3).toInt() != 0;
    return {};
}

// The conditional debits: user, then (limited) key. Callers roll back on failure.
LedgerOutcome debit(const Database &db, qint64 userId, qint64 keyId, bool keyUnlimited, qint64 amount)
{
    QString error;
    QSqlQuery u = db.query();
    u.prepare(QStringLiteral("UPDATE users SET quota = quota - :q WHERE id = :id AND quota >= :q"));
    u.bindValue(QStringLiteral(":q"), amount);
    u.bindValue(QStringLiteral(":id"), userId);
    const int users = execAffected(u, &error, "debit user");
    if (users < 0)
        return fail(LedgerFailure::Database, error);
    if (users == 0)
        return fail(LedgerFailure::UserQuota, QStringLiteral("user quota is not enough for %1").arg(amount));
    if (keyId > 0 && !keyUnlimited) {
        QSqlQuery k = db.query();
        k.prepare(QStringLiteral("UPDATE api_keys SET remain_quota = remain_quota - :q WHERE id = :id AND remain_quota >= :q"));
        k.bindValue(QStringLiteral(":q"), amount);
        k.bindValue(QStringLiteral(":id"), keyId);
        const int keys = execAffected(k, &error, "debit key");
        if (keys < 0)
            return fail(LedgerFailure::Database, error);
        if (keys == 0)
            return fail(LedgerFailure::KeyQuota, QStringLiteral("key quota is not enough for %1").arg(amount));
    }
    return {};
}

bool keyIsUnlimited(const Database &db, qint64 keyId)
{
    if (keyId <= 0)
        return true;
    QSqlQuery q = db.query();
    q.prepare(QStringLiteral("SELECT unlimited FROM api_keys WHERE id = ?"));
    q.addBindValue(keyId);
    return q.exec() && q.next() && q.value(0).toInt() != 0;
}

// Unconditional balance move (refunds, and settlement shortfalls that must not be refused).
bool adjust(const Database &db, const char *table, const char *column, qint64 id, qint64 delta, QString *error)
{
    QSqlQuery q = db.query();
    q.prepare(QStringLiteral("UPDATE %1 SET %2 = %2 + ? WHERE id = ?").arg(QLatin1String(table), QLatin1String(column)));
    q.addBindValue(delta);
    q.addBindValue(id);
    return execQuery(q, error, "adjust balance");
}

// Tries the conditional debit first; when it cannot be covered, debits anyway and reports the overage.
bool debitNeverRefuse(const Database &db, const char *table, const char *column, qint64 id, qint64 amount,
                      bool *overage, QString *error)
{
    QSqlQuery q = db.query();
    q.prepare(QStringLiteral("UPDATE %1 SET %2 = %2 - :q WHERE id = :id AND %2 >= :q")
                  .arg(QLatin1String(table), QLatin1String(column)));
    q.bindValue(QStringLiteral(":q"), amount);
    q.bindValue(QStringLiteral(":id"), id);
    const int rows = execAffected(q, error, "debit shortfall");
    if (rows < 0)
        return false;
    *overage = rows == 0;
    return rows == 1 || adjust(db, table, column, id, -amount, error);
}

} // namespace

QString ledgerFailureName(LedgerFailure failure)
{
    switch (failure) {
    case LedgerFailure::None: return QStringLiteral("none");
    case LedgerFailure::InvalidAmount: return QStringLiteral("invalid_amount");
    case LedgerFailure::UserNotFound: return QStringLiteral("user_not_found");
    case LedgerFailure::UserDisabled: return QStringLiteral("user_disabled");
    case LedgerFailure::UserQuota: return QStringLiteral("user_quota");
    case LedgerFailure::KeyNotFound: return QStringLiteral("key_not_found");
    case LedgerFailure::KeyNotOwned: return QStringLiteral("key_not_owned");
    case LedgerFailure::KeyDisabled: return QStringLiteral("key_disabled");
    case LedgerFailure::KeyExpired: return QStringLiteral("key_expired");
    case LedgerFailure::KeyQuota: return QStringLiteral("key_quota");
    case LedgerFailure::DuplicateRequest: return QStringLiteral("duplicate_request");
    case LedgerFailure::ReservationNotFound: return QStringLiteral("reservation_not_found");
    case LedgerFailure::ReservationClosed: return QStringLiteral("reservation_closed");
    case LedgerFailure::Database: return QStringLiteral("database");
    }
    return QStringLiteral("unknown");
}

std::optional<Reservation> ReservationRepository::byId(qint64 id) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM reservations WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return readReservation(q);
}

std::optional<Reservation> ReservationRepository::byRequestId(const QString &requestId) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM reservations WHERE request_id = ?"));
    q.addBindValue(requestId);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return readReservation(q);
}

QList<Reservation> ReservationRepository::openReservations() const
{
    QList<Reservation> open;
    QSqlQuery q = m_db.query();
    if (q.exec(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM reservations WHERE state = 0 ORDER BY id")))
        while (q.next())
            open << readReservation(q);
    return open;
}

LedgerOutcome ReservationRepository::reserve(qint64 userId, qint64 keyId, qint64 amount, const QString &requestId,
                                             const QString &kind, const QString &model) const
{
    if (amount < 0)
        return fail(LedgerFailure::InvalidAmount, QStringLiteral("cannot reserve a negative amount"));
    const QString rid = requestId.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : requestId;
    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(LedgerFailure::Database, tx.error());
    bool unlimited = false;
    if (LedgerOutcome checked = checkAccount(m_db, userId, keyId, &unlimited); !checked)
        return checked;
    if (byRequestId(rid))
        return fail(LedgerFailure::DuplicateRequest, QStringLiteral("request id '%1' already has a reservation").arg(rid));
    if (LedgerOutcome debited = debit(m_db, userId, keyId, unlimited, amount); !debited)
        return debited;

    LedgerOutcome out;
    Reservation &r = out.reservation;
    r.requestId = rid;
    r.userId = userId;
    r.keyId = keyId > 0 ? keyId : 0;
    r.reserved = amount;
    r.kind = kind;
    r.model = model;
    r.startedAt = r.updatedAt = nowMs();
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("INSERT INTO reservations(request_id, user_id, key_id, reserved, charged, state, kind, "
                             "started_at, updated_at, model) VALUES (?, ?, ?, ?, 0, 0, ?, ?, ?, ?) RETURNING id"));
    q.addBindValue(r.requestId);
    q.addBindValue(r.userId);
    q.addBindValue(r.keyId > 0 ? QVariant(r.keyId) : QVariant(QMetaType::fromType<qint64>()));
    q.addBindValue(r.reserved);
    q.addBindValue(nn(r.kind));
    q.addBindValue(r.startedAt);
    q.addBindValue(r.updatedAt);
    q.addBindValue(nn(r.model));
    QString error;
    if (!execQuery(q, &error, "insert reservation") || !q.next())
        return fail(LedgerFailure::Database, error.isEmpty() ? QStringLiteral("insert reservation: no id") : error);
    r.id = q.value(0).toLongLong();
    q.finish();
    if (!tx.commit())
        return fail(LedgerFailure::Database, tx.error());
    return out;
}

LedgerOutcome ReservationRepository::charge(qint64 reservationId, qint64 amount, bool consumed) const
{
    if (amount < 0)
        return fail(LedgerFailure::InvalidAmount, QStringLiteral("cannot charge a negative amount"));
    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(LedgerFailure::Database, tx.error());
    // Touch the reservation row first: on PostgreSQL this locks it against a concurrent settle/refund.
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("UPDATE reservations SET reserved = reserved + ?, charged = charged + ?, updated_at = ? "
                             "WHERE id = ? AND state = 0"));
    q.addBindValue(amount);
    q.addBindValue(consumed ? amount : 0);
    q.addBindValue(nowMs());
    q.addBindValue(reservationId);
    QString error;
    const int rows = execAffected(q, &error, "charge reservation");
    if (rows < 0)
        return fail(LedgerFailure::Database, error);
    const auto r = byId(reservationId);
    if (!r)
        return fail(LedgerFailure::ReservationNotFound, QStringLiteral("no reservation %1").arg(reservationId));
    if (rows == 0)
        return fail(LedgerFailure::ReservationClosed, QStringLiteral("reservation %1 is closed").arg(reservationId));
    bool unlimited = false;
    if (LedgerOutcome checked = checkAccount(m_db, r->userId, r->keyId, &unlimited); !checked)
        return checked;
    if (LedgerOutcome debited = debit(m_db, r->userId, r->keyId, unlimited, amount); !debited)
        return debited;
    if (!tx.commit())
        return fail(LedgerFailure::Database, tx.error());
    LedgerOutcome out;
    out.reservation = *r;
    return out;
}

LedgerOutcome ReservationRepository::settle(qint64 reservationId, qint64 finalQuota, LogRecord log) const
{
    return close(reservationId, finalQuota, std::move(log), Reservation::State::Settled);
}

LedgerOutcome ReservationRepository::close(qint64 reservationId, qint64 finalQuota, LogRecord log,
                                           Reservation::State state) const
{
    if (finalQuota < 0)
        return fail(LedgerFailure::InvalidAmount, QStringLiteral("cannot settle at a negative amount"));
    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(LedgerFailure::Database, tx.error());
    QSqlQuery claim = m_db.query();
    claim.prepare(QStringLiteral("UPDATE reservations SET state = ?, final_quota = ?, updated_at = ? "
                                 "WHERE id = ? AND state = 0"));
    claim.addBindValue(int(state));
    claim.addBindValue(finalQuota);
    claim.addBindValue(nowMs());
    claim.addBindValue(reservationId);
    QString error;
    const int claimed = execAffected(claim, &error, "close reservation");
    if (claimed < 0)
        return fail(LedgerFailure::Database, error);
    const auto r = byId(reservationId);
    if (!r)
        return fail(LedgerFailure::ReservationNotFound, QStringLiteral("no reservation %1").arg(reservationId));
    if (claimed == 0) {
        // Already closed: repeat the first settlement's answer, refuse to settle a refunded one.
        if (r->state == Reservation::State::Refunded)
            return fail(LedgerFailure::ReservationClosed, QStringLiteral("reservation %1 was refunded").arg(reservationId));
        LedgerOutcome out;
        out.reservation = *r;
        out.logId = r->logId;
        out.alreadyApplied = true;
        return out;
    }

    const bool unlimited = keyIsUnlimited(m_db, r->keyId);
    const qint64 delta = finalQuota - r->reserved;
    qint64 overage = 0;
    QJsonObject overageInfo;
    if (delta < 0) {
        if (!adjust(m_db, "users", "quota", r->userId, -delta, &error) ||
            (!unlimited && !adjust(m_db, "api_keys", "remain_quota", r->keyId, -delta, &error)))
            return fail(LedgerFailure::Database, error);
    } else if (delta > 0) {
        bool userShort = false, keyShort = false;
        if (!debitNeverRefuse(m_db, "users", "quota", r->userId, delta, &userShort, &error) ||
            (!unlimited && !debitNeverRefuse(m_db, "api_keys", "remain_quota", r->keyId, delta, &keyShort, &error)))
            return fail(LedgerFailure::Database, error);
        if (userShort || keyShort) {
            overage = delta;
            overageInfo.insert(QStringLiteral("amount"), delta);
            overageInfo.insert(QStringLiteral("user"), userShort);
            overageInfo.insert(QStringLiteral("key"), keyShort);
        }
    }

    QSqlQuery used = m_db.query();
    used.prepare(QStringLiteral("UPDATE users SET used_quota = used_quota + ?, request_count = request_count + 1 WHERE id = ?"));
    used.addBindValue(finalQuota);
    used.addBindValue(r->userId);
    if (!execQuery(used, &error, "count user usage"))
        return fail(LedgerFailure::Database, error);
    if (r->keyId > 0 && !adjust(m_db, "api_keys", "used_quota", r->keyId, finalQuota, &error))
        return fail(LedgerFailure::Database, error);
    if (log.channelId > 0 && !adjust(m_db, "channels", "used_quota", log.channelId, finalQuota, &error))
        return fail(LedgerFailure::Database, error);

    log.type = LogType::Consume;
    log.userId = r->userId;
    log.keyId = r->keyId;
    log.quota = finalQuota;
    log.requestId = r->requestId;
    if (log.model.isEmpty())
        log.model = r->model;
    log.other.insert(QStringLiteral("reservation_id"), r->id);
    log.other.insert(QStringLiteral("reserved"), r->reserved);
    if (overage > 0)
        log.other.insert(QStringLiteral("overage"), overageInfo);
    if (state == Reservation::State::Recovered)
        log.other.insert(QStringLiteral("recovered"), true);
    const auto logId = LogRepository(m_db).insert(log);
    if (!logId)
        return fail(LedgerFailure::Database, logId.error());
    QSqlQuery link = m_db.query();
    link.prepare(QStringLiteral("UPDATE reservations SET log_id = ? WHERE id = ?"));
    link.addBindValue(*logId);
    link.addBindValue(r->id);
    if (!execQuery(link, &error, "link log"))
        return fail(LedgerFailure::Database, error);
    if (!tx.commit())
        return fail(LedgerFailure::Database, tx.error());

    LedgerOutcome out;
    out.reservation = *r;
    out.reservation.logId = *logId;
    out.logId = *logId;
    out.overage = overage;
    return out;
}

LedgerOutcome ReservationRepository::refund(qint64 reservationId) const
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(LedgerFailure::Database, tx.error());
    QSqlQuery claim = m_db.query();
    claim.prepare(QStringLiteral("UPDATE reservations SET state = 2, final_quota = 0, updated_at = ? WHERE id = ? AND state = 0"));
    claim.addBindValue(nowMs());
    claim.addBindValue(reservationId);
    QString error;
    const int claimed = execAffected(claim, &error, "refund reservation");
    if (claimed < 0)
        return fail(LedgerFailure::Database, error);
    const auto r = byId(reservationId);
    if (!r)
        return fail(LedgerFailure::ReservationNotFound, QStringLiteral("no reservation %1").arg(reservationId));
    if (claimed == 0) {
        if (r->state != Reservation::State::Refunded)
            return fail(LedgerFailure::ReservationClosed, QStringLiteral("reservation %1 was already settled").arg(reservationId));
        LedgerOutcome out;
        out.reservation = *r;
        out.alreadyApplied = true;
        return out;
    }
    if (!adjust(m_db, "users", "quota", r->userId, r->reserved, &error) ||
        (!keyIsUnlimited(m_db, r->keyId) && !adjust(m_db, "api_keys", "remain_quota", r->keyId, r->reserved, &error)))
        return fail(LedgerFailure::Database, error);
    if (!tx.commit())
        return fail(LedgerFailure::Database, tx.error());
    LedgerOutcome out;
    out.reservation = *r;
    return out;
}

Result<int> ReservationRepository::recoverOpen(qint64 startedBeforeMs) const
{
    int recovered = 0;
    for (const Reservation &r : openReservations()) {
        if (r.startedAt >= startedBeforeMs)
            continue;
        LogRecord log;
        log.content = QStringLiteral("recovered at start-up: settled at the %1 quota charged before the restart")
                          .arg(r.charged);
        log.other.insert(QStringLiteral("kind"), r.kind);
        const LedgerOutcome out = close(r.id, r.charged, log, Reservation::State::Recovered);
        if (!out)
            return Result<int>::failure(out.message);
        if (!out.alreadyApplied)
            ++recovered;
    }
    return recovered;
}

} // namespace RelayDesk::Store
