#include "budgetledger.h"

#include "database.h"
#include "limitrepository.h"

#include "common/budgetwindow.h"

#include <QMap>

namespace RelayDesk::Store {
namespace {

// Adds `delta` (< 0: returns) to one period of a window and to what the reservation took from it. A window
// removed since (its usage rows went with it) updates nothing: there is nothing left to count against.
bool move(const Database &db, qint64 reservationId, qint64 limitId, qint64 period, qint64 delta, QString *error)
{
    CachedQuery u = db.prepared(QStringLiteral("UPDATE limit_usage SET used = used + ? WHERE limit_id = ? AND period = ?"));
    u->bindValue(0, delta);
    u->bindValue(1, limitId);
    u->bindValue(2, period);
    if (!execQuery(*u, error, "move budget usage"))
        return false;
    CachedQuery t = db.prepared(QStringLiteral(
        "UPDATE reservation_takes SET amount = amount + ? WHERE reservation_id = ? AND limit_id = ? AND period = ?"));
    t->bindValue(0, delta);
    t->bindValue(1, reservationId);
    t->bindValue(2, limitId);
    t->bindValue(3, period);
    return execQuery(*t, error, "move budget take");
}

LedgerOutcome databaseFailure(const QString &error)
{
    LedgerOutcome o;
    o.failure = LedgerFailure::Database;
    o.message = error;
    return o;
}

} // namespace

LedgerOutcome BudgetLedger::take(qint64 reservationId, qint64 userId, qint64 keyId, qint64 amount) const
{
    // The user's and the key's windows in one statement, in id order, with the zone they count in.
    QList<BudgetLimit> windows;
    QString zoneId;
    QString error;
    {
        CachedQuery q = m_db.prepared(
            QStringLiteral("SELECT l.id, l.owner_kind, l.owner_id, l.span, l.cap, l.created_at, "
                           "(SELECT value FROM options WHERE key = ?) FROM limits l WHERE l.kind = ? AND "
                           "((l.owner_kind = ? AND l.owner_id = ?) OR (l.owner_kind = ? AND l.owner_id = ?)) "
                           "ORDER BY l.id")
            + (m_db.isPostgres() ? QStringLiteral(" FOR UPDATE OF l") : QString()));
        q->bindValue(0, QString::fromLatin1(LimitRepository::kTimeZoneOption));
        q->bindValue(1, QString::fromLatin1(LimitRepository::kBudget));
        q->bindValue(2, QString::fromLatin1(LimitRepository::kUser));
        q->bindValue(3, userId);
        q->bindValue(4, QString::fromLatin1(LimitRepository::kKey));
        q->bindValue(5, keyId);
        if (!execQuery(*q, &error, "read budget windows"))
            return databaseFailure(error);
        while (q->next()) {
            BudgetLimit b;
            b.id = q->value(0).toLongLong();
            b.ownerKind = q->value(1).toString();
            b.ownerId = q->value(2).toLongLong();
            b.window = q->value(3).toString();
            b.cap = q->value(4).toLongLong();
            b.createdAt = q->value(5).toLongLong();
            zoneId = q->value(6).toString();
            windows << b;
        }
    }
    if (windows.isEmpty())
        return {};
    const QTimeZone zone = BudgetWindow::zone(zoneId);
    const qint64 nowSecs = m_nowMs / 1000;
    const LimitRepository limits(m_db);
    for (const BudgetLimit &w : std::as_const(windows)) {
        const auto state = limits.state(w, nowSecs, zone, amount);
        if (!state)
            return databaseFailure(state.error());
        if (state->spent + amount > w.cap)
            return refusal(*state, amount);
    }
    if (amount == 0)
        return {};
    for (const BudgetLimit &w : std::as_const(windows)) {
        const qint64 period = BudgetWindow::parse(w.window)->period(nowSecs, zone).start;
        CachedQuery u = m_db.prepared(QStringLiteral(
            "INSERT INTO limit_usage(limit_id, period, used) VALUES (?, ?, ?) "
            "ON CONFLICT (limit_id, period) DO UPDATE SET used = limit_usage.used + excluded.used"));
        u->bindValue(0, w.id);
        u->bindValue(1, period);
        u->bindValue(2, amount);
        if (!execQuery(*u, &error, "count budget usage"))
            return databaseFailure(error);
        CachedQuery t = m_db.prepared(QStringLiteral(
            "INSERT INTO reservation_takes(reservation_id, limit_id, period, amount) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (reservation_id, limit_id, period) DO UPDATE SET amount = reservation_takes.amount + "
            "excluded.amount"));
        t->bindValue(0, reservationId);
        t->bindValue(1, w.id);
        t->bindValue(2, period);
        t->bindValue(3, amount);
        if (!execQuery(*t, &error, "record budget take"))
            return databaseFailure(error);
    }
    return {};
}

LedgerOutcome BudgetLedger::refusal(const BudgetState &state, qint64 amount) const
{
    BudgetRefusal r;
    r.ownerKind = state.limit.ownerKind;
    r.ownerId = state.limit.ownerId;
    r.window = state.limit.window;
    r.cap = state.limit.cap;
    r.spent = state.spent;
    r.amount = amount;
    const qint64 nowSecs = m_nowMs / 1000;
    // Never fits (asks for more than the cap) or no answer: an hour, the conservative wait.
    r.resetAt = state.resetAt > nowSecs ? state.resetAt : nowSecs + BudgetWindow::kBucketSecs;
    r.retryAfterSecs = std::max<qint64>(1, r.resetAt - nowSecs);
    r.ownerName = LimitRepository(m_db).ownerName(r.ownerKind, r.ownerId);
    LedgerOutcome o;
    o.failure = LedgerFailure::BudgetExceeded;
    o.message = QStringLiteral("%1 %2: the %3 budget of %4 cannot cover %5 (%6 spent)")
                    .arg(r.ownerKind, r.ownerName, r.window)
                    .arg(r.cap)
                    .arg(amount)
                    .arg(r.spent);
    o.budget = r;
    return o;
}

bool BudgetLedger::close(qint64 reservationId, qint64 finalQuota, QString *error) const
{
    // What the reservation took, per window (id order) and period (oldest first).
    QMap<qint64, QList<std::pair<qint64, qint64>>> taken;
    {
        // Budget takes only: a tpm limit's take is RateLedger's (a window removed since is skipped either way).
        CachedQuery q = m_db.prepared(QStringLiteral(
            "SELECT t.limit_id, t.period, t.amount FROM reservation_takes t JOIN limits l ON l.id = t.limit_id "
            "WHERE t.reservation_id = ? AND l.kind = ? ORDER BY t.limit_id, t.period"));
        q->bindValue(0, reservationId);
        q->bindValue(1, QString::fromLatin1(LimitRepository::kBudget));
        if (!execQuery(*q, error, "read budget takes"))
            return false;
        while (q->next())
            taken[q->value(0).toLongLong()].append({q->value(1).toLongLong(), q->value(2).toLongLong()});
    }
    for (auto it = taken.cbegin(); it != taken.cend(); ++it) {
        qint64 total = 0;
        for (const auto &[period, amount] : it.value())
            total += amount;
        if (finalQuota > total) { // the shortfall counts where the reservation last took from
            if (!move(m_db, reservationId, it.key(), it.value().last().first, finalQuota - total, error))
                return false;
            continue;
        }
        qint64 back = total - finalQuota;
        for (auto p = it.value().crbegin(); p != it.value().crend() && back > 0; ++p) {
            const qint64 part = std::min(back, p->second);
            if (part > 0 && !move(m_db, reservationId, it.key(), p->first, -part, error))
                return false;
            back -= part;
        }
    }
    return true;
}

} // namespace RelayDesk::Store
