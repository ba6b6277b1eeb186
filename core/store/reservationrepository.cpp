#include "reservationrepository.h"

#include "backgroundresponserepository.h"
#include "budgetledger.h"
#include "common/compactjson.h"
#include "rateledger.h"

#include "database.h"
#include "instancerepository.h"
#include "logrepository.h"

#include <QSet>

#include <QUuid>

#include <functional>

namespace RelayDesk::Store {
namespace {

// A macro so the ledger's statements can spell it inside one literal: the statement cache finds literal SQL by
// its address (Database::prepared), without hashing the text.
#define RELAYDESK_RESERVATION_COLUMNS                                                                             \
    "id, request_id, user_id, key_id, reserved, charged, state, kind, final_quota, log_id, started_at, updated_at, " \
    "model, instance_id"
const QString kColumns = QStringLiteral(RELAYDESK_RESERVATION_COLUMNS);

// Reads kColumns starting at column `first` of a row: a QSqlQuery or a ServerAnswer.
template<class Row>
Reservation readReservationAt(const Row &q, int first)
{
    const auto at = [&q, first](int i) { return q.value(first + i); };
    Reservation r;
    r.id = at(0).toLongLong();
    r.requestId = at(1).toString();
    r.userId = at(2).toLongLong();
    r.keyId = at(3).isNull() ? 0 : at(3).toLongLong();
    r.reserved = at(4).toLongLong();
    r.charged = at(5).toLongLong();
    r.state = Reservation::State(at(6).toInt());
    r.kind = at(7).toString();
    r.finalQuota = at(8).toLongLong();
    r.logId = at(9).toLongLong();
    r.startedAt = at(10).toLongLong();
    r.updatedAt = at(11).toLongLong();
    r.model = at(12).toString();
    r.instanceId = at(13).toString();
    return r;
}

template<typename Query> // QSqlQuery or Statement
Reservation readReservation(const Query &q)
{
    return readReservationAt(q, 0);
}

LedgerOutcome fail(LedgerFailure failure, QString message)
{
    LedgerOutcome o;
    o.failure = failure;
    o.message = std::move(message);
    return o;
}

// Runs a prepared statement; returns rows affected, or -1 with *error set.
template<typename Query> // QSqlQuery or Statement
int execAffected(Query &q, QString *error, const char *what)
{
    if (!execQuery(q, error, what))
        return -1;
    return q.numRowsAffected();
}

// Binds values positionally (cached statements are re-bound on every use).
template<typename Query, typename... Values>
void bindAll(Query &q, const Values &...values)
{
    int i = 0;
    (q.bindValue(i++, QVariant::fromValue(values)), ...);
}

// Checks that the user (and key) may spend right now — one statement for both rows.
// Returns None and sets *keyUnlimited.
LedgerOutcome checkAccount(const Database &db, qint64 userId, qint64 keyId, bool *keyUnlimited)
{
    *keyUnlimited = false;
    const bool withKey = keyId > 0;
    CachedQuery q = db.prepared(withKey
        ? QStringLiteral("SELECT u.status, k.user_id, k.status, k.expires_at, k.unlimited "
                         "FROM users u LEFT JOIN api_keys k ON k.id = ? WHERE u.id = ?")
        : QStringLiteral("SELECT status FROM users WHERE id = ?"));
    if (withKey)
        bindAll(*q, keyId, userId);
    else
        bindAll(*q, userId);
    QString error;
    if (!execQuery(*q, &error, "read account"))
        return fail(LedgerFailure::Database, error);
    if (!q->next())
        return fail(LedgerFailure::UserNotFound, QStringLiteral("no user with id %1").arg(userId));
    if (RowStatus(q->value(0).toInt()) != RowStatus::Enabled)
        return fail(LedgerFailure::UserDisabled, QStringLiteral("user %1 is disabled").arg(userId));
    if (!withKey)
        return {};
    if (q->value(1).isNull())
        return fail(LedgerFailure::KeyNotFound, QStringLiteral("no key with id %1").arg(keyId));
    if (q->value(1).toLongLong() != userId)
        return fail(LedgerFailure::KeyNotOwned, QStringLiteral("key %1 does not belong to user %2").arg(keyId).arg(userId));
    if (RowStatus(q->value(2).toInt()) != RowStatus::Enabled)
        return fail(LedgerFailure::KeyDisabled, QStringLiteral("key %1 is disabled").arg(keyId));
    const qint64 expiresAt = q->value(3).toLongLong();
    if (expiresAt > 0 && expiresAt <= nowSecs())
        return fail(LedgerFailure::KeyExpired, QStringLiteral("key %1 has expired").arg(keyId));
    *keyUnlimited = q->value(4).toInt() != 0;
    return {};
}

// The conditional debits: user, then (limited) key. Callers roll back on failure.
LedgerOutcome debit(const Database &db, qint64 userId, qint64 keyId, bool keyUnlimited, qint64 amount)
{
    QString error;
    int users = -1;
    {
        CachedQuery u = db.prepared(QStringLiteral("UPDATE users SET quota = quota - ? WHERE id = ? AND quota >= ?"));
        bindAll(*u, amount, userId, amount);
        users = execAffected(*u, &error, "debit user");
    }
    if (users < 0)
        return fail(LedgerFailure::Database, error);
    if (users == 0)
        return fail(LedgerFailure::UserQuota, QStringLiteral("user quota is not enough for %1").arg(amount));
    if (keyId > 0 && !keyUnlimited) {
        CachedQuery k = db.prepared(
            QStringLiteral("UPDATE api_keys SET remain_quota = remain_quota - ? WHERE id = ? AND remain_quota >= ?"));
        bindAll(*k, amount, keyId, amount);
        const int keys = execAffected(*k, &error, "debit key");
        if (keys < 0)
            return fail(LedgerFailure::Database, error);
        if (keys == 0)
            return fail(LedgerFailure::KeyQuota, QStringLiteral("key quota is not enough for %1").arg(amount));
    }
    return {};
}

// Runs `sql` (an UPDATE … RETURNING the reservation columns) and reads the updated row, if any.
// Returns false with *error set when the statement failed.
bool updateReturning(const Database &db, const QString &sql, const QVariantList &binds,
                     std::optional<Reservation> *row, QString *error, const char *what)
{
    CachedQuery q = db.prepared(sql);
    for (int i = 0; i < binds.size(); ++i)
        q->bindValue(i, binds.at(i));
    if (!execQuery(*q, error, what))
        return false;
    if (q->next())
        *row = readReservation(*q);
    return true;
}

// Settlement balance moves for one account row, folded into one statement each: the quota move, the
// used_quota count (and, for users, request_count). A debit (move < 0) is first tried conditionally;
// when the balance cannot cover it the row is debited anyway and *shortfall is set (overage).
// Keys skip the quota move when unlimited (CASE on the row itself, no separate read).
bool settleAccount(const Database &db, bool isKey, qint64 id, qint64 move, qint64 used, bool *shortfall,
                   QString *error)
{
    *shortfall = false;
    const QString set = isKey
        ? QStringLiteral("UPDATE api_keys SET remain_quota = remain_quota + CASE WHEN unlimited = 0 THEN ? ELSE 0 END, "
                         "used_quota = used_quota + ? WHERE id = ?")
        : QStringLiteral("UPDATE users SET quota = quota + ?, used_quota = used_quota + ?, "
                         "request_count = request_count + 1 WHERE id = ?");
    if (move < 0) {
        const QString covered = isKey ? set + QStringLiteral(" AND (unlimited <> 0 OR remain_quota >= ?)")
                                      : set + QStringLiteral(" AND quota >= ?");
        CachedQuery q = db.prepared(covered);
        bindAll(*q, move, used, id, -move);
        const int rows = execAffected(*q, error, "debit shortfall");
        if (rows < 0)
            return false;
        if (rows == 1)
            return true;
        *shortfall = true;
    }
    CachedQuery q = db.prepared(set);
    bindAll(*q, move, used, id);
    return execQuery(*q, error, isKey ? "settle key" : "settle user");
}

bool adjustChannel(const Database &db, qint64 id, qint64 used, QString *error)
{
    CachedQuery q = db.prepared(QStringLiteral("UPDATE channels SET used_quota = used_quota + ? WHERE id = ?"));
    bindAll(*q, used, id);
    return execQuery(*q, error, "count channel usage");
}

// PostgreSQL's fast paths (migration 15): the common case of a hold or a settlement in one round trip, asked as a
// question (Staged, Database::ask) so that the store lane can ask a batch's questions at once. Each answer reads as
// nullopt when the call was not the common case (the function changed nothing then): the general path takes it.
// Both functions answer one row: outcome (0 done, 1 not the common case, 9 failed), problem, then their result.
std::optional<LedgerOutcome> answered(const ServerAnswer &a, const char *what,
                                      const std::function<LedgerOutcome()> &done)
{
    if (!a.ok() || a.row.isEmpty())
        return fail(LedgerFailure::Database,
                    QLatin1StringView(what) + QStringLiteral(": ") + (a.ok() ? QStringLiteral("no outcome") : a.error));
    switch (a.value(0).toInt()) {
    case 0: return done();
    case 1: return std::nullopt;
    default: return fail(LedgerFailure::Database, QLatin1StringView(what) + QStringLiteral(": ") + a.value(1).toString());
    }
}

ServerCall holdQuestion(const Reservation &r)
{
    return {QStringLiteral("SELECT * FROM relaydesk_hold($1, $2, $3, $4, $5, $6, $7, $8, $9)"),
            {r.requestId, r.userId, r.keyId, r.reserved, nn(r.kind), r.startedAt, nn(r.model), nn(r.instanceId),
             nowSecs()}};
}

std::optional<LedgerOutcome> holdAnswered(const ServerAnswer &a, const Reservation &r)
{
    return answered(a, "hold", [&a, &r] {
        LedgerOutcome out;
        out.reservation = r;
        out.reservation.id = a.value(2).toLongLong();
        return out;
    });
}

ServerCall settleQuestion(qint64 reservationId, qint64 finalQuota, const LogRecord &log)
{
    QJsonObject other = log.other;
    other.insert(QStringLiteral("reservation_id"), reservationId); // "reserved" is the function's to add
    return {QStringLiteral("SELECT * FROM relaydesk_settle($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
                           "$15)"),
            {reservationId, finalQuota, nowMs(), log.createdAt > 0 ? log.createdAt : nowMs(), log.channelId,
             nn(log.model), nn(log.upstreamModel), log.promptTokens, log.completionTokens, log.useMs,
             log.isStream ? 1 : 0, nn(log.content), QString::fromUtf8(CompactJson::write(other, log.otherMembers)),
             log.priceSnapshotId, LogRepository::requestPathOf(log.other)}};
}

std::optional<LedgerOutcome> settleAnswered(const ServerAnswer &a)
{
    return answered(a, "settle", [&a] {
        LedgerOutcome out;
        out.reservation = readReservationAt(a, 2); // after outcome and problem: kColumns
        out.logId = out.reservation.logId;
        return out;
    });
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
    case LedgerFailure::BudgetExceeded: return QStringLiteral("budget_exceeded");
    case LedgerFailure::RateLimited: return QStringLiteral("rate_limited");
    case LedgerFailure::Database: return QStringLiteral("database");
    }
    return QStringLiteral("unknown");
}

qint64 ReservationRepository::budgetNow() const
{
    return m_clock ? m_clock() : nowMs();
}

std::optional<Reservation> ReservationRepository::byId(qint64 id) const
{
    CachedQuery q = m_db.prepared(
        QStringLiteral("SELECT " RELAYDESK_RESERVATION_COLUMNS " FROM reservations WHERE id = ?"));
    q->bindValue(0, id);
    if (!q->exec() || !q->next())
        return std::nullopt;
    return readReservation(*q);
}

std::optional<Reservation> ReservationRepository::byRequestId(const QString &requestId) const
{
    CachedQuery q = m_db.prepared(
        QStringLiteral("SELECT " RELAYDESK_RESERVATION_COLUMNS " FROM reservations WHERE request_id = ?"));
    q->bindValue(0, requestId);
    if (!q->exec() || !q->next())
        return std::nullopt;
    return readReservation(*q);
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
                                             const QString &kind, const QString &model, qint64 tokens) const
{
    return stageReserve(userId, keyId, amount, requestId, kind, model, tokens).finish(std::nullopt);
}

Staged<LedgerOutcome> ReservationRepository::stageReserve(qint64 userId, qint64 keyId, qint64 amount,
                                                          const QString &requestId, const QString &kind,
                                                          const QString &model, qint64 tokens) const
{
    Staged<LedgerOutcome> staged;
    if (amount < 0) {
        staged.finish = [](std::optional<ServerAnswer>) {
            return fail(LedgerFailure::InvalidAmount, QStringLiteral("cannot reserve a negative amount"));
        };
        return staged;
    }
    Reservation r;
    r.requestId = requestId.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : requestId;
    r.userId = userId;
    r.keyId = keyId > 0 ? keyId : 0;
    r.reserved = amount;
    r.kind = kind;
    r.model = model;
    r.instanceId = m_db.instanceId();
    r.startedAt = r.updatedAt = nowMs();
    if (m_db.isPostgres())
        staged.question = holdQuestion(r);
    staged.finish = [repo = *this, r, tokens, question = staged.question](std::optional<ServerAnswer> answer) {
        if (question) {
            if (!answer)
                answer = repo.m_db.ask(*question);
            if (std::optional<LedgerOutcome> held = holdAnswered(*answer, r))
                return *held;
        }
        return repo.reserveGeneral(r, tokens);
    };
    return staged;
}

LedgerOutcome ReservationRepository::reserveGeneral(const Reservation &held, qint64 tokens) const
{
    LedgerOutcome out;
    out.reservation = held;
    Reservation &r = out.reservation;
    const qint64 userId = r.userId, keyId = r.keyId, amount = r.reserved;
    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(LedgerFailure::Database, tx.error());
    bool unlimited = false;
    if (LedgerOutcome checked = checkAccount(m_db, userId, keyId, &unlimited); !checked)
        return checked;
    {
        // The reservation row first (order reservation → user → key); a request id that already has one
        // inserts nothing and returns no id. Any refusal below rolls the insert back with the debits.
        CachedQuery q = m_db.prepared(QStringLiteral(
            "INSERT INTO reservations(request_id, user_id, key_id, reserved, charged, state, kind, "
            "started_at, updated_at, model, instance_id) VALUES (?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?) "
            "ON CONFLICT (request_id) DO NOTHING RETURNING id"));
        q->bindValue(0, r.requestId);
        q->bindValue(1, r.userId);
        q->bindValue(2, r.keyId > 0 ? QVariant(r.keyId) : QVariant(QMetaType::fromType<qint64>()));
        q->bindValue(3, r.reserved);
        q->bindValue(4, nn(r.kind));
        q->bindValue(5, r.startedAt);
        q->bindValue(6, r.updatedAt);
        q->bindValue(7, nn(r.model));
        q->bindValue(8, nn(r.instanceId));
        QString error;
        if (!execQuery(*q, &error, "insert reservation"))
            return fail(LedgerFailure::Database, error);
        if (!q->next())
            return fail(LedgerFailure::DuplicateRequest,
                        QStringLiteral("request id '%1' already has a reservation").arg(r.requestId));
        r.id = q->value(0).toLongLong();
    }
    if (LedgerOutcome debited = debit(m_db, userId, keyId, unlimited, amount); !debited)
        return debited;
    if (LedgerOutcome admitted = RateLedger(m_db, budgetNow()).admit(r.id, userId, keyId, std::max<qint64>(0, tokens));
        !admitted)
        return admitted;
    if (LedgerOutcome taken = BudgetLedger(m_db, budgetNow()).take(r.id, userId, keyId, amount); !taken)
        return taken;
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
    std::optional<Reservation> r;
    QString error;
    if (!updateReturning(m_db,
                         QStringLiteral("UPDATE reservations SET reserved = reserved + ?, charged = charged + ?, "
                                        "updated_at = ? WHERE id = ? AND state = 0 "
                                        "RETURNING " RELAYDESK_RESERVATION_COLUMNS),
                         {amount, consumed ? amount : qint64(0), nowMs(), reservationId}, &r, &error,
                         "charge reservation"))
        return fail(LedgerFailure::Database, error);
    if (!r) {
        if (!byId(reservationId))
            return fail(LedgerFailure::ReservationNotFound, QStringLiteral("no reservation %1").arg(reservationId));
        return fail(LedgerFailure::ReservationClosed, QStringLiteral("reservation %1 is closed").arg(reservationId));
    }
    bool unlimited = false;
    if (LedgerOutcome checked = checkAccount(m_db, r->userId, r->keyId, &unlimited); !checked)
        return checked;
    if (LedgerOutcome debited = debit(m_db, r->userId, r->keyId, unlimited, amount); !debited)
        return debited;
    if (LedgerOutcome taken = BudgetLedger(m_db, budgetNow()).take(r->id, r->userId, r->keyId, amount); !taken)
        return taken;
    if (!tx.commit())
        return fail(LedgerFailure::Database, tx.error());
    LedgerOutcome out;
    out.reservation = *r;
    return out;
}

LedgerOutcome ReservationRepository::settle(qint64 reservationId, qint64 finalQuota, LogRecord log) const
{
    return stageSettle(reservationId, finalQuota, std::move(log)).finish(std::nullopt);
}

Staged<LedgerOutcome> ReservationRepository::stageSettle(qint64 reservationId, qint64 finalQuota, LogRecord log) const
{
    Staged<LedgerOutcome> staged;
    if (m_db.isPostgres() && finalQuota >= 0)
        staged.question = settleQuestion(reservationId, finalQuota, log);
    staged.finish = [repo = *this, reservationId, finalQuota, log = std::move(log),
                     question = staged.question](std::optional<ServerAnswer> answer) {
        if (question) {
            if (!answer)
                answer = repo.m_db.ask(*question);
            if (std::optional<LedgerOutcome> settled = settleAnswered(*answer))
                return *settled;
        }
        return repo.close(reservationId, finalQuota, log, Reservation::State::Settled);
    };
    return staged;
}

LedgerOutcome ReservationRepository::close(qint64 reservationId, qint64 finalQuota, LogRecord log,
                                           Reservation::State state) const
{
    if (finalQuota < 0)
        return fail(LedgerFailure::InvalidAmount, QStringLiteral("cannot settle at a negative amount"));
    Transaction tx(m_db);
    if (!tx.isActive())
        return fail(LedgerFailure::Database, tx.error());
    std::optional<Reservation> r;
    QString error;
    if (!updateReturning(m_db,
                         QStringLiteral("UPDATE reservations SET state = ?, final_quota = ?, updated_at = ? "
                                        "WHERE id = ? AND state = 0 RETURNING " RELAYDESK_RESERVATION_COLUMNS),
                         {int(state), finalQuota, nowMs(), reservationId}, &r, &error, "close reservation"))
        return fail(LedgerFailure::Database, error);
    if (!r) {
        r = byId(reservationId);
        if (!r)
            return fail(LedgerFailure::ReservationNotFound, QStringLiteral("no reservation %1").arg(reservationId));
        // Already closed: repeat the first settlement's answer, refuse to settle a refunded one.
        if (r->state == Reservation::State::Refunded)
            return fail(LedgerFailure::ReservationClosed, QStringLiteral("reservation %1 was refunded").arg(reservationId));
        // Recovered while its owner stalled past its lease: the recovery's settlement stands (one chain).
        if (r->state == Reservation::State::Recovered && state != Reservation::State::Recovered)
            return fail(LedgerFailure::ReservationClosed,
                        QStringLiteral("reservation %1 was recovered by another instance (this one's lease lapsed)")
                            .arg(reservationId));
        LedgerOutcome out;
        out.reservation = *r;
        out.logId = r->logId;
        out.alreadyApplied = true;
        return out;
    }

    // Refund (reserved − final) or debit the shortfall, and count the usage — one statement per row.
    const qint64 move = r->reserved - finalQuota;
    bool userShort = false, keyShort = false;
    if (!settleAccount(m_db, false, r->userId, move, finalQuota, &userShort, &error) ||
        (r->keyId > 0 && !settleAccount(m_db, true, r->keyId, move, finalQuota, &keyShort, &error)))
        return fail(LedgerFailure::Database, error);
    if (!BudgetLedger(m_db, budgetNow()).close(r->id, finalQuota, &error))
        return fail(LedgerFailure::Database, error);
    // A recovered reservation's tokens are unknown: its tpm estimate stands.
    if (state != Reservation::State::Recovered &&
        !RateLedger(m_db, budgetNow()).close(r->id, log.promptTokens + log.completionTokens, &error))
        return fail(LedgerFailure::Database, error);
    qint64 overage = 0;
    QJsonObject overageInfo;
    if (userShort || keyShort) {
        overage = -move;
        overageInfo.insert(QStringLiteral("amount"), overage);
        overageInfo.insert(QStringLiteral("user"), userShort);
        overageInfo.insert(QStringLiteral("key"), keyShort);
    }
    if (log.channelId > 0 && !adjustChannel(m_db, log.channelId, finalQuota, &error))
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
    {
        CachedQuery link = m_db.prepared(QStringLiteral("UPDATE reservations SET log_id = ? WHERE id = ?"));
        bindAll(*link, *logId, r->id);
        if (!execQuery(*link, &error, "link log"))
            return fail(LedgerFailure::Database, error);
    }
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
    std::optional<Reservation> r;
    QString error;
    if (!updateReturning(m_db,
                         QStringLiteral("UPDATE reservations SET state = 2, final_quota = 0, updated_at = ? "
                                        "WHERE id = ? AND state = 0 RETURNING " RELAYDESK_RESERVATION_COLUMNS),
                         {nowMs(), reservationId}, &r, &error, "refund reservation"))
        return fail(LedgerFailure::Database, error);
    if (!r) {
        r = byId(reservationId);
        if (!r)
            return fail(LedgerFailure::ReservationNotFound, QStringLiteral("no reservation %1").arg(reservationId));
        if (r->state != Reservation::State::Refunded)
            return fail(LedgerFailure::ReservationClosed, QStringLiteral("reservation %1 was already settled").arg(reservationId));
        LedgerOutcome out;
        out.reservation = *r;
        out.alreadyApplied = true;
        return out;
    }
    // Unconditional returns of the hold; an unlimited key's remain_quota was never debited.
    {
        CachedQuery u = m_db.prepared(QStringLiteral("UPDATE users SET quota = quota + ? WHERE id = ?"));
        bindAll(*u, r->reserved, r->userId);
        if (!execQuery(*u, &error, "adjust balance"))
            return fail(LedgerFailure::Database, error);
    }
    if (r->keyId > 0) {
        CachedQuery k = m_db.prepared(QStringLiteral(
            "UPDATE api_keys SET remain_quota = remain_quota + ? WHERE id = ? AND unlimited = 0"));
        bindAll(*k, r->reserved, r->keyId);
        if (!execQuery(*k, &error, "adjust balance"))
            return fail(LedgerFailure::Database, error);
    }
    if (!BudgetLedger(m_db, budgetNow()).close(r->id, 0, &error) || !RateLedger(m_db, budgetNow()).close(r->id, 0, &error))
        return fail(LedgerFailure::Database, error);
    if (!tx.commit())
        return fail(LedgerFailure::Database, tx.error());
    LedgerOutcome out;
    out.reservation = *r;
    return out;
}

Result<int> ReservationRepository::recoverOrphans(const QString &selfId, qint64 now, qint64 leaseMs) const
{
    const auto lapsed = InstanceRepository(m_db).lapsed(selfId, now, leaseMs);
    if (!lapsed)
        return Result<int>::failure(lapsed.error());
    QSet<QString> dead;
    for (const Instance &i : *lapsed)
        dead.insert(i.id);
    // Open reservations of other owners, with whether that owner has an instance row at all.
    QSqlQuery q = m_db.query();
    QString columns = kColumns;
    columns.replace(QStringLiteral(", "), QStringLiteral(", r.")).prepend(QStringLiteral("r."));
    q.prepare(QStringLiteral("SELECT ") + columns +
              QStringLiteral(", i.id IS NULL FROM reservations r LEFT JOIN instances i ON i.id = r.instance_id "
                             "WHERE r.state = 0 AND r.instance_id <> ? AND r.kind <> ? ORDER BY r.id"));
    q.addBindValue(nn(selfId));
    q.addBindValue(kBackgroundResponseKind); // adopted and polled to their end (BackgroundResponseRepository)
    QString error;
    if (!execQuery(q, &error, "find open reservations"))
        return Result<int>::failure(error);
    QList<Reservation> orphans;
    while (q.next()) {
        const Reservation r = readReservation(q);
        const bool ownerUnknown = q.value(14).toBool();
        // No instance row (made outside a relaying process, or before instances existed): only its age
        // tells that nobody is still working on it.
        if (dead.contains(r.instanceId) || (ownerUnknown && r.updatedAt < now - leaseMs))
            orphans << r;
    }
    q.finish();
    int recovered = 0;
    for (const Reservation &r : std::as_const(orphans)) {
        LogRecord log;
        log.content = QStringLiteral("recovered: its owner stopped or its lease lapsed; settled at the %1 quota "
                                     "charged before")
                          .arg(r.charged);
        log.other.insert(QStringLiteral("kind"), r.kind);
        log.other.insert(QStringLiteral("owner_instance"), r.instanceId);
        log.other.insert(QStringLiteral("recovered_by"), selfId);
        // Conditional on state = 0: of several survivors sweeping at once, exactly one closes each.
        const LedgerOutcome out = close(r.id, r.charged, log, Reservation::State::Recovered);
        if (out.failure == LedgerFailure::ReservationClosed)
            continue; // refunded meanwhile by its owner or another survivor
        if (!out)
            return Result<int>::failure(out.message);
        if (!out.alreadyApplied)
            ++recovered;
    }
    return recovered;
}

} // namespace RelayDesk::Store
