#include "limitrepository.h"

#include "database.h"
#include "optionrepository.h"

#include "common/budgetwindow.h"

#include <QSet>

namespace RelayDesk::Store {
namespace {

template<typename Query> // QSqlQuery or Statement
BudgetLimit readBudget(const Query &q)
{
    BudgetLimit b;
    b.id = q.value(0).toLongLong();
    b.ownerKind = q.value(1).toString();
    b.ownerId = q.value(2).toLongLong();
    b.window = q.value(3).toString();
    b.cap = q.value(4).toLongLong();
    b.createdAt = q.value(5).toLongLong();
    return b;
}

template<typename Query> // QSqlQuery or Statement
RateLimit readRate(const Query &q)
{
    RateLimit r;
    r.id = q.value(0).toLongLong();
    r.ownerKind = q.value(1).toString();
    r.ownerId = q.value(2).toLongLong();
    r.kind = q.value(3).toString();
    r.cap = q.value(4).toLongLong();
    r.createdAt = q.value(5).toLongLong();
    return r;
}

} // namespace

QStringList LimitRepository::rateKinds()
{
    return {QString::fromLatin1(kRpm), QString::fromLatin1(kTpm), QString::fromLatin1(kRpd),
            QString::fromLatin1(kConcurrency)};
}

QList<RateLimit> LimitRepository::rates(const QString &ownerKind, qint64 ownerId) const
{
    QList<RateLimit> out;
    CachedQuery q = m_db.prepared(QStringLiteral(
        "SELECT id, owner_kind, owner_id, kind, cap, created_at FROM limits "
        "WHERE owner_kind = ? AND owner_id = ? AND kind IN (?, ?, ?, ?) ORDER BY id"));
    q->bindValue(0, ownerKind);
    q->bindValue(1, ownerId);
    const QStringList kinds = rateKinds();
    for (int i = 0; i < kinds.size(); ++i)
        q->bindValue(2 + i, kinds.at(i));
    if (q->exec())
        while (q->next())
            out << readRate(*q);
    return out;
}

Status LimitRepository::setRates(const QString &ownerKind, qint64 ownerId,
                                 const QList<std::pair<QString, qint64>> &caps) const
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return Status::failure(tx.error());
    QString error;
    for (const auto &[kind, cap] : caps) {
        if (!rateKinds().contains(kind) || cap < 0)
            return Status::failure(QStringLiteral("invalid rate limit %1=%2").arg(kind).arg(cap));
        // A rate has one row per owner and kind (span and value empty); 0 removes it with its counts.
        CachedQuery q = m_db.prepared(
            cap == 0 ? QStringLiteral("DELETE FROM limits WHERE owner_kind = ? AND owner_id = ? AND kind = ?")
                     : QStringLiteral("INSERT INTO limits(owner_kind, owner_id, kind, span, cap, value, created_at) "
                                      "VALUES (?, ?, ?, '', ?, '', ?) ON CONFLICT (owner_kind, owner_id, kind, span, "
                                      "value) DO UPDATE SET cap = excluded.cap"));
        q->bindValue(0, ownerKind);
        q->bindValue(1, ownerId);
        q->bindValue(2, kind);
        if (cap > 0) {
            q->bindValue(3, cap);
            q->bindValue(4, nowMs());
        }
        if (!execQuery(*q, &error, "set rate limit"))
            return Status::failure(error);
    }
    if (!tx.commit())
        return Status::failure(tx.error());
    return {};
}

Result<RateState> LimitRepository::rateState(const RateLimit &limit, qint64 nowSecs, const QTimeZone &zone) const
{
    RateState s;
    s.limit = limit;
    QString error;
    if (limit.kind == QLatin1String(kConcurrency)) {
        const bool key = limit.ownerKind == QLatin1String(kKey);
        CachedQuery q = m_db.prepared(key ? QStringLiteral("SELECT COUNT(*) FROM reservations WHERE state = 0 AND key_id = ?")
                                          : QStringLiteral("SELECT COUNT(*) FROM reservations WHERE state = 0 AND user_id = ?"));
        q->bindValue(0, limit.ownerId);
        if (!execQuery(*q, &error, "count open reservations"))
            return Result<RateState>::failure(error);
        s.used = q->next() ? q->value(0).toLongLong() : 0;
        return s;
    }
    if (limit.kind == QLatin1String(kRpd)) {
        const BudgetWindow::Period day = BudgetWindow::parse(QStringLiteral("day"))->period(nowSecs, zone);
        s.periodStart = day.start;
        s.resetAt = day.end;
    } else {
        s.periodStart = nowSecs - nowSecs % kMinuteSecs;
        s.resetAt = s.periodStart + kMinuteSecs;
    }
    CachedQuery q = m_db.prepared(QStringLiteral("SELECT used FROM limit_usage WHERE limit_id = ? AND period = ?"));
    q->bindValue(0, limit.id);
    q->bindValue(1, s.periodStart);
    if (!execQuery(*q, &error, "read rate usage"))
        return Result<RateState>::failure(error);
    s.used = q->next() ? q->value(0).toLongLong() : 0;
    return s;
}

QString LimitRepository::ownerName(const QString &ownerKind, qint64 ownerId) const
{
    CachedQuery q = m_db.prepared(ownerKind == QLatin1String(kKey) ? QStringLiteral("SELECT key_hint FROM api_keys WHERE id = ?")
                                                                   : QStringLiteral("SELECT name FROM users WHERE id = ?"));
    q->bindValue(0, ownerId);
    return q->exec() && q->next() ? q->value(0).toString() : QString();
}

QList<BudgetLimit> LimitRepository::budgets(const QString &ownerKind, qint64 ownerId) const
{
    QList<BudgetLimit> out;
    CachedQuery q = m_db.prepared(QStringLiteral(
        "SELECT id, owner_kind, owner_id, span, cap, created_at FROM limits "
        "WHERE owner_kind = ? AND owner_id = ? AND kind = ? ORDER BY id"));
    q->bindValue(0, ownerKind);
    q->bindValue(1, ownerId);
    q->bindValue(2, QString::fromLatin1(kBudget));
    if (q->exec())
        while (q->next())
            out << readBudget(*q);
    return out;
}

Status LimitRepository::setBudgets(const QString &ownerKind, qint64 ownerId,
                                   const QList<std::pair<QString, qint64>> &windows) const
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return Status::failure(tx.error());
    QString error;
    QSet<QString> wanted;
    for (const auto &[window, cap] : windows) {
        if (!BudgetWindow::parse(window) || BudgetWindow::parse(window)->name() != window || cap < 0)
            return Status::failure(QStringLiteral("invalid budget window %1=%2").arg(window).arg(cap));
        wanted.insert(window);
    }
    for (const BudgetLimit &old : budgets(ownerKind, ownerId)) {
        if (wanted.contains(old.window))
            continue;
        // Its usage rows go with it (ON DELETE CASCADE); reservation_takes keep the history of open holds, whose
        // settlement then finds no usage row to move.
        CachedQuery d = m_db.prepared(QStringLiteral("DELETE FROM limits WHERE id = ?"));
        d->bindValue(0, old.id);
        if (!execQuery(*d, &error, "remove budget window"))
            return Status::failure(error);
    }
    for (const auto &[window, cap] : windows) {
        CachedQuery q = m_db.prepared(QStringLiteral(
            "INSERT INTO limits(owner_kind, owner_id, kind, span, cap, value, created_at) VALUES (?, ?, ?, ?, ?, '', ?) "
            "ON CONFLICT (owner_kind, owner_id, kind, span, value) DO UPDATE SET cap = excluded.cap"));
        q->bindValue(0, ownerKind);
        q->bindValue(1, ownerId);
        q->bindValue(2, QString::fromLatin1(kBudget));
        q->bindValue(3, window);
        q->bindValue(4, cap);
        q->bindValue(5, nowMs());
        if (!execQuery(*q, &error, "set budget window"))
            return Status::failure(error);
    }
    if (!tx.commit())
        return Status::failure(tx.error());
    return {};
}

QStringList LimitRepository::allowedIps(const QString &ownerKind, qint64 ownerId) const
{
    QStringList out;
    CachedQuery q = m_db.prepared(QStringLiteral(
        "SELECT value FROM limits WHERE owner_kind = ? AND owner_id = ? AND kind = ? ORDER BY id"));
    q->bindValue(0, ownerKind);
    q->bindValue(1, ownerId);
    q->bindValue(2, QString::fromLatin1(kAllowIp));
    if (q->exec())
        while (q->next())
            out << q->value(0).toString();
    return out;
}

Status LimitRepository::setAllowedIps(const QString &ownerKind, qint64 ownerId, const QStringList &cidrs) const
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return Status::failure(tx.error());
    QString error;
    CachedQuery d = m_db.prepared(QStringLiteral("DELETE FROM limits WHERE owner_kind = ? AND owner_id = ? AND kind = ?"));
    d->bindValue(0, ownerKind);
    d->bindValue(1, ownerId);
    d->bindValue(2, QString::fromLatin1(kAllowIp));
    if (!execQuery(*d, &error, "clear allow-list"))
        return Status::failure(error);
    for (const QString &cidr : cidrs) {
        CachedQuery q = m_db.prepared(QStringLiteral(
            "INSERT INTO limits(owner_kind, owner_id, kind, span, cap, value, created_at) VALUES (?, ?, ?, '', 0, ?, ?)"));
        q->bindValue(0, ownerKind);
        q->bindValue(1, ownerId);
        q->bindValue(2, QString::fromLatin1(kAllowIp));
        q->bindValue(3, cidr);
        q->bindValue(4, nowMs());
        if (!execQuery(*q, &error, "add allow-list entry"))
            return Status::failure(error);
    }
    if (!tx.commit())
        return Status::failure(tx.error());
    return {};
}

Result<LimitRepository::AllowLists> LimitRepository::allowLists(qint64 keyId, qint64 userId) const
{
    CachedQuery q = m_db.prepared(QStringLiteral(
        "SELECT owner_kind, value FROM limits WHERE kind = ? AND ((owner_kind = ? AND owner_id = ?) "
        "OR (owner_kind = ? AND owner_id = ?)) ORDER BY id"));
    q->bindValue(0, QString::fromLatin1(kAllowIp));
    q->bindValue(1, QString::fromLatin1(kKey));
    q->bindValue(2, keyId);
    q->bindValue(3, QString::fromLatin1(kUser));
    q->bindValue(4, userId);
    QString error;
    if (!execQuery(*q, &error, "read allow-lists"))
        return Result<AllowLists>::failure(error);
    AllowLists lists;
    while (q->next())
        (q->value(0).toString() == QLatin1String(kKey) ? lists.key : lists.user) << q->value(1).toString();
    return lists;
}

QStringList LimitRepository::trustedProxies() const
{
    const QString value = OptionRepository(m_db).value(QString::fromLatin1(kTrustedProxiesOption)).value_or(QString());
    return value.split(u',', Qt::SkipEmptyParts);
}

QTimeZone LimitRepository::timeZone() const
{
    return BudgetWindow::zone(OptionRepository(m_db).value(QString::fromLatin1(kTimeZoneOption)).value_or(QString()));
}

Result<BudgetState> LimitRepository::state(const BudgetLimit &limit, qint64 nowSecs, const QTimeZone &zone,
                                           qint64 wanted) const
{
    const auto window = BudgetWindow::parse(limit.window);
    if (!window)
        return Result<BudgetState>::failure(QStringLiteral("budget window %1 is not valid").arg(limit.window));
    const BudgetWindow::Period period = window->period(nowSecs, zone);
    BudgetState s;
    s.limit = limit;
    s.periodStart = window->firstCounted(nowSecs, zone);
    CachedQuery q = m_db.prepared(QStringLiteral(
        "SELECT period, used FROM limit_usage WHERE limit_id = ? AND period >= ? AND period <= ? ORDER BY period"));
    q->bindValue(0, limit.id);
    q->bindValue(1, s.periodStart);
    q->bindValue(2, period.start);
    QString error;
    if (!execQuery(*q, &error, "read budget usage"))
        return Result<BudgetState>::failure(error);
    QList<std::pair<qint64, qint64>> buckets;
    while (q->next()) {
        buckets.append({q->value(0).toLongLong(), q->value(1).toLongLong()});
        s.spent += buckets.last().second;
    }
    if (!window->isRolling()) {
        s.resetAt = period.end;
        return s;
    }
    // Rolling: the spend leaves hour by hour. Asked for `wanted`: the moment enough has left for it to fit (an
    // hour from now when it never can: a conservative answer). Asked for nothing: when the oldest spend leaves.
    if (wanted > limit.cap)
        s.resetAt = nowSecs + BudgetWindow::kBucketSecs;
    const qint64 excess = wanted > 0 ? s.spent + wanted - limit.cap : (s.spent > 0 ? 1 : 0);
    qint64 left = 0;
    for (const auto &[bucket, used] : std::as_const(buckets)) {
        if (s.resetAt != 0 || excess <= 0)
            break;
        left += used;
        if (left >= excess)
            s.resetAt = window->bucketLeaves(bucket);
    }
    return s;
}

} // namespace RelayDesk::Store
