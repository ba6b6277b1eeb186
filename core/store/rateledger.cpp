#include "rateledger.h"

#include "database.h"
#include "limitrepository.h"

#include "common/budgetwindow.h"

#include <algorithm>
#include <tuple>

namespace RelayDesk::Store {
namespace {

LedgerOutcome databaseFailure(const QString &error)
{
    LedgerOutcome o;
    o.failure = LedgerFailure::Database;
    o.message = error;
    return o;
}

bool isKind(const RateLimit &l, const char *kind)
{
    return l.kind == QLatin1String(kind);
}

// The limits of a user and a key, with the budget time zone. A macro so each backend's statement is one literal:
// the statement cache finds literal SQL by its address (Database::prepared), without hashing the text.
#define RELAYDESK_OWNERS_LIMITS                                                                \
    "SELECT l.id, l.owner_kind, l.owner_id, l.kind, l.cap, l.created_at, "                    \
    "(SELECT value FROM options WHERE key = ?) FROM limits l WHERE "                          \
    "((l.owner_kind = ? AND l.owner_id = ?) OR (l.owner_kind = ? AND l.owner_id = ?)) "

// Adds `delta` to the limit's count in `period`, and forgets the periods before it (only the current one is ever
// read), so the table holds one row per rate limit however long it runs.
bool count(const Database &db, qint64 limitId, qint64 period, qint64 delta, QString *error)
{
    CachedQuery u = db.prepared(QStringLiteral(
        "INSERT INTO limit_usage(limit_id, period, used) VALUES (?, ?, ?) "
        "ON CONFLICT (limit_id, period) DO UPDATE SET used = limit_usage.used + excluded.used"));
    u->bindValue(0, limitId);
    u->bindValue(1, period);
    u->bindValue(2, delta);
    if (!execQuery(*u, error, "count rate usage"))
        return false;
    CachedQuery d = db.prepared(QStringLiteral("DELETE FROM limit_usage WHERE limit_id = ? AND period < ?"));
    d->bindValue(0, limitId);
    d->bindValue(1, period);
    return execQuery(*d, error, "forget past rate usage");
}

} // namespace

LedgerOutcome RateLedger::admit(qint64 reservationId, qint64 userId, qint64 keyId, qint64 tokens) const
{
    QList<RateLimit> rates;
    QString zoneId;
    QString error;
    {
        // Every limit of the user and the key, the rate kinds picked out below: on SQLite an IN list over bound
        // kinds costs an ephemeral table per execution (and per OR branch) — most of this read's cost, paid on
        // every hold even when the owners have no limits. PostgreSQL locks what it reads, so it reads only the
        // rate limits.
        const bool postgres = m_db.isPostgres();
        CachedQuery q = m_db.prepared(
            postgres
                ? QStringLiteral(RELAYDESK_OWNERS_LIMITS "AND l.kind IN (?, ?, ?, ?) ORDER BY l.id FOR UPDATE OF l")
                : QStringLiteral(RELAYDESK_OWNERS_LIMITS "ORDER BY l.id"));
        int i = 0;
        q->bindValue(i++, QString::fromLatin1(LimitRepository::kTimeZoneOption));
        q->bindValue(i++, QString::fromLatin1(LimitRepository::kUser));
        q->bindValue(i++, userId);
        q->bindValue(i++, QString::fromLatin1(LimitRepository::kKey));
        q->bindValue(i++, keyId);
        const QStringList kinds = LimitRepository::rateKinds();
        if (postgres)
            for (const QString &kind : kinds)
                q->bindValue(i++, kind);
        if (!execQuery(*q, &error, "read rate limits"))
            return databaseFailure(error);
        while (q->next()) {
            RateLimit r;
            r.kind = q->value(3).toString();
            if (!kinds.contains(r.kind))
                continue;
            r.id = q->value(0).toLongLong();
            r.ownerKind = q->value(1).toString();
            r.ownerId = q->value(2).toLongLong();
            r.cap = q->value(4).toLongLong();
            r.createdAt = q->value(5).toLongLong();
            zoneId = q->value(6).toString();
            rates << r;
        }
    }
    if (rates.isEmpty())
        return {};
    const QTimeZone zone = BudgetWindow::zone(zoneId);
    const qint64 nowSecs = m_nowMs / 1000;
    const LimitRepository limits(m_db);
    QList<RateState> states;
    for (const RateLimit &l : std::as_const(rates)) {
        const auto state = limits.rateState(l, nowSecs, zone);
        if (!state)
            return databaseFailure(state.error());
        // Concurrency counts this reservation (inserted already in this transaction) among the open ones.
        const qint64 requested = isKind(l, LimitRepository::kTpm) ? tokens : 1;
        // Compared without adding: a saturated token estimate (INT64_MAX) must not wrap into "fits".
        const bool full = isKind(l, LimitRepository::kConcurrency) ? state->used > l.cap
                                                                   : requested > l.cap - state->used;
        if (full)
            return refusal(*state, requested);
        states << *state;
    }
    for (const RateState &s : std::as_const(states)) {
        if (isKind(s.limit, LimitRepository::kConcurrency))
            continue;
        const bool tpm = isKind(s.limit, LimitRepository::kTpm);
        if (!count(m_db, s.limit.id, s.periodStart, tpm ? tokens : 1, &error))
            return databaseFailure(error);
        if (!tpm)
            continue;
        // The tokens held, so the settlement replaces them with the real count in this same minute.
        CachedQuery t = m_db.prepared(QStringLiteral(
            "INSERT INTO reservation_takes(reservation_id, limit_id, period, amount) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (reservation_id, limit_id, period) DO UPDATE SET amount = excluded.amount"));
        t->bindValue(0, reservationId);
        t->bindValue(1, s.limit.id);
        t->bindValue(2, s.periodStart);
        t->bindValue(3, tokens);
        if (!execQuery(*t, &error, "record token take"))
            return databaseFailure(error);
    }
    return {};
}

LedgerOutcome RateLedger::refusal(const RateState &state, qint64 requested) const
{
    RateRefusal r;
    r.ownerKind = state.limit.ownerKind;
    r.ownerId = state.limit.ownerId;
    r.ownerName = LimitRepository(m_db).ownerName(r.ownerKind, r.ownerId);
    r.kind = state.limit.kind;
    r.cap = state.limit.cap;
    const bool concurrency = isKind(state.limit, LimitRepository::kConcurrency);
    r.used = concurrency ? state.used - 1 : state.used; // concurrency: the others, not this refused one
    r.requested = requested;
    r.retryAfterSecs = std::max<qint64>(1, concurrency ? 1 : state.resetAt - m_nowMs / 1000);
    LedgerOutcome o;
    o.failure = LedgerFailure::RateLimited;
    o.message = QStringLiteral("%1 %2: the %3 limit of %4 is reached (%5 used, %6 requested)")
                    .arg(r.ownerKind, r.ownerName, r.kind)
                    .arg(r.cap)
                    .arg(r.used)
                    .arg(requested);
    o.rate = r;
    return o;
}

bool RateLedger::close(qint64 reservationId, qint64 actualTokens, QString *error) const
{
    QList<std::tuple<qint64, qint64, qint64>> takes; // limit, period, tokens held
    {
        CachedQuery q = m_db.prepared(QStringLiteral(
            "SELECT t.limit_id, t.period, t.amount FROM reservation_takes t JOIN limits l ON l.id = t.limit_id "
            "WHERE t.reservation_id = ? AND l.kind = ? ORDER BY t.limit_id"));
        q->bindValue(0, reservationId);
        q->bindValue(1, QString::fromLatin1(LimitRepository::kTpm));
        if (!execQuery(*q, error, "read token takes"))
            return false;
        while (q->next())
            takes.append({q->value(0).toLongLong(), q->value(1).toLongLong(), q->value(2).toLongLong()});
    }
    const qint64 actual = std::max<qint64>(0, actualTokens);
    const qint64 nowSecs = m_nowMs / 1000;
    const qint64 minute = nowSecs - nowSecs % LimitRepository::kMinuteSecs;
    for (const auto &[limitId, period, held] : std::as_const(takes)) {
        // Settled in the minute it was admitted: the estimate becomes the real count. Settled in a later minute
        // (a long call): the tokens count in the minute they finished in; the admission minute is past anyway.
        const bool sameMinute = period == minute;
        const qint64 delta = sameMinute ? actual - held : actual;
        if (delta != 0 && !count(m_db, limitId, minute, delta, error))
            return false;
        CachedQuery t = m_db.prepared(QStringLiteral(
            "UPDATE reservation_takes SET amount = ? WHERE reservation_id = ? AND limit_id = ? AND period = ?"));
        t->bindValue(0, actual);
        t->bindValue(1, reservationId);
        t->bindValue(2, limitId);
        t->bindValue(3, period);
        if (!execQuery(*t, error, "settle token take"))
            return false;
    }
    return true;
}

} // namespace RelayDesk::Store
