#include "alertrepository.h"

#include "database.h"
#include "limitrepository.h"

#include <QJsonDocument>
#include <QSet>
#include <QSqlQuery>

namespace RelayDesk::Store {
namespace {

const QString kRuleColumns = QStringLiteral(
    "SELECT l.id, l.owner_kind, l.owner_id, l.kind, l.span, l.cap, COALESCE(s.fired_period, 0), "
    "COALESCE(s.fired_at, 0) FROM limits l LEFT JOIN alert_state s ON s.limit_id = l.id ");
const QString kEventColumns = QStringLiteral(
    "SELECT id, limit_id, owner_kind, owner_id, kind, payload, created_at, attempts, next_attempt_at, delivered_at, "
    "failed_at, last_error FROM alert_events ");

template<typename Query> // QSqlQuery or Statement
AlertRule readRule(const Query &q)
{
    AlertRule r;
    r.id = q.value(0).toLongLong();
    r.ownerKind = q.value(1).toString();
    r.ownerId = q.value(2).toLongLong();
    r.kind = q.value(3).toString();
    r.window = q.value(4).toString();
    r.threshold = q.value(5).toLongLong();
    r.firedPeriod = q.value(6).toLongLong();
    r.firedAt = q.value(7).toLongLong();
    return r;
}

template<typename Query> // QSqlQuery or Statement
AlertEvent readEvent(const Query &q)
{
    AlertEvent e;
    e.id = q.value(0).toLongLong();
    e.ruleId = q.value(1).toLongLong();
    e.ownerKind = q.value(2).toString();
    e.ownerId = q.value(3).toLongLong();
    e.kind = q.value(4).toString();
    e.payload = QJsonDocument::fromJson(q.value(5).toString().toUtf8()).object();
    e.createdAt = q.value(6).toLongLong();
    e.attempts = q.value(7).toInt();
    e.nextAttemptAt = q.value(8).toLongLong();
    e.deliveredAt = q.value(9).toLongLong();
    e.failedAt = q.value(10).toLongLong();
    e.lastError = q.value(11).toString();
    return e;
}

QString ruleKey(const QString &kind, const QString &window, qint64 threshold)
{
    return kind + u'|' + window + u'|' + QString::number(threshold);
}

Result<QList<AlertRule>> readRules(CachedQuery &q, const char *what)
{
    QString error;
    if (!execQuery(*q, &error, what))
        return Result<QList<AlertRule>>::failure(error);
    QList<AlertRule> out;
    while (q->next())
        out << readRule(*q);
    return out;
}

} // namespace

QList<AlertRule> AlertRepository::rules(const QString &ownerKind, qint64 ownerId) const
{
    CachedQuery q = m_db.prepared(kRuleColumns + QStringLiteral(
        "WHERE l.owner_kind = ? AND l.owner_id = ? AND l.kind IN (?, ?) ORDER BY l.id"));
    q->bindValue(0, ownerKind);
    q->bindValue(1, ownerId);
    q->bindValue(2, QString::fromLatin1(kBudget));
    q->bindValue(3, QString::fromLatin1(kBalance));
    auto read = readRules(q, "read alert rules");
    return read ? read.value() : QList<AlertRule>();
}

Result<QList<AlertRule>> AlertRepository::rulesFor(qint64 userId, qint64 keyId) const
{
    CachedQuery q = m_db.prepared(kRuleColumns + QStringLiteral(
        "WHERE l.kind IN (?, ?) AND ((l.owner_kind = ? AND l.owner_id = ?) OR (l.owner_kind = ? AND l.owner_id = ?)) "
        "ORDER BY l.id"));
    q->bindValue(0, QString::fromLatin1(kBudget));
    q->bindValue(1, QString::fromLatin1(kBalance));
    q->bindValue(2, QString::fromLatin1(LimitRepository::kUser));
    q->bindValue(3, userId);
    q->bindValue(4, QString::fromLatin1(LimitRepository::kKey));
    q->bindValue(5, keyId);
    return readRules(q, "read alert rules");
}

Result<QList<AlertRule>> AlertRepository::allRules() const
{
    CachedQuery q = m_db.prepared(kRuleColumns + QStringLiteral("WHERE l.kind IN (?, ?) ORDER BY l.id"));
    q->bindValue(0, QString::fromLatin1(kBudget));
    q->bindValue(1, QString::fromLatin1(kBalance));
    return readRules(q, "read alert rules");
}

Status AlertRepository::setRules(const QString &ownerKind, qint64 ownerId, const QList<Spec> &specs) const
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return Status::failure(tx.error());
    QString error;
    QSet<QString> wanted;
    for (const Spec &s : specs)
        wanted.insert(ruleKey(s.kind, s.window, s.threshold));
    QSet<QString> kept;
    for (const AlertRule &old : rules(ownerKind, ownerId)) {
        const QString key = ruleKey(old.kind, old.window, old.threshold);
        if (wanted.contains(key)) {
            kept.insert(key);
            continue;
        }
        CachedQuery d = m_db.prepared(QStringLiteral("DELETE FROM limits WHERE id = ?")); // its state cascades
        d->bindValue(0, old.id);
        if (!execQuery(*d, &error, "remove alert rule"))
            return Status::failure(error);
    }
    for (const Spec &s : specs) {
        const QString key = ruleKey(s.kind, s.window, s.threshold);
        if (kept.contains(key))
            continue;
        kept.insert(key);
        CachedQuery q = m_db.prepared(QStringLiteral(
            "INSERT INTO limits(owner_kind, owner_id, kind, span, cap, value, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "RETURNING id"));
        q->bindValue(0, ownerKind);
        q->bindValue(1, ownerId);
        q->bindValue(2, s.kind);
        q->bindValue(3, s.window.isEmpty() ? QStringLiteral("") : s.window); // a null QString binds as NULL
        q->bindValue(4, s.threshold);
        q->bindValue(5, QString::number(s.threshold)); // part of the row's identity: several thresholds per window
        q->bindValue(6, nowMs());
        if (!execQuery(*q, &error, "add alert rule") || !q->next())
            return Status::failure(error.isEmpty() ? QStringLiteral("add alert rule: no id") : error);
        const qint64 id = q->value(0).toLongLong();
        q->finish();
        CachedQuery st = m_db.prepared(QStringLiteral("INSERT INTO alert_state(limit_id) VALUES (?)"));
        st->bindValue(0, id);
        if (!execQuery(*st, &error, "add alert state"))
            return Status::failure(error);
    }
    if (!tx.commit())
        return Status::failure(tx.error());
    return {};
}

Result<std::optional<AlertEvent>> AlertRepository::fire(const AlertRule &rule, qint64 period, qint64 nowMs,
                                                         const QJsonObject &payload) const
{
    using R = Result<std::optional<AlertEvent>>;
    Transaction tx(m_db);
    if (!tx.isActive())
        return R::failure(tx.error());
    QString error;
    CachedQuery u = m_db.prepared(QStringLiteral(
        "UPDATE alert_state SET fired_period = ?, fired_at = ? WHERE limit_id = ? AND fired_period <> ?"));
    u->bindValue(0, period);
    u->bindValue(1, nowMs);
    u->bindValue(2, rule.id);
    u->bindValue(3, period);
    if (!execQuery(*u, &error, "mark alert fired"))
        return R::failure(error);
    if (u->numRowsAffected() != 1)
        return std::optional<AlertEvent>(); // fired in this period already (here or by another instance)
    AlertEvent e;
    e.ruleId = rule.id;
    e.ownerKind = rule.ownerKind;
    e.ownerId = rule.ownerId;
    e.kind = rule.kind;
    e.payload = payload;
    e.createdAt = nowMs;
    e.nextAttemptAt = nowMs;
    CachedQuery q = m_db.prepared(QStringLiteral(
        "INSERT INTO alert_events(limit_id, owner_kind, owner_id, kind, payload, created_at, next_attempt_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"));
    q->bindValue(0, e.ruleId);
    q->bindValue(1, e.ownerKind);
    q->bindValue(2, e.ownerId);
    q->bindValue(3, e.kind);
    q->bindValue(4, QString::fromUtf8(QJsonDocument(payload).toJson(QJsonDocument::Compact)));
    q->bindValue(5, e.createdAt);
    q->bindValue(6, e.nextAttemptAt);
    if (!execQuery(*q, &error, "write alert event") || !q->next())
        return R::failure(error.isEmpty() ? QStringLiteral("write alert event: no id") : error);
    e.id = q->value(0).toLongLong();
    q->finish();
    if (!tx.commit())
        return R::failure(tx.error());
    return std::optional<AlertEvent>(e);
}

Status AlertRepository::rearm(qint64 ruleId) const
{
    CachedQuery q = m_db.prepared(
        QStringLiteral("UPDATE alert_state SET fired_period = 0 WHERE limit_id = ? AND fired_period <> 0"));
    q->bindValue(0, ruleId);
    QString error;
    if (!execQuery(*q, &error, "re-arm alert"))
        return Status::failure(error);
    return {};
}

Result<QList<AlertEvent>> AlertRepository::claimDue(qint64 nowMs, qint64 leaseMs, int max) const
{
    using R = Result<QList<AlertEvent>>;
    QString error;
    QList<AlertEvent> due;
    {
        CachedQuery q = m_db.prepared(kEventColumns + QStringLiteral(
            "WHERE delivered_at = 0 AND failed_at = 0 AND next_attempt_at <= ? ORDER BY id LIMIT ?"));
        q->bindValue(0, nowMs);
        q->bindValue(1, max);
        if (!execQuery(*q, &error, "read due alert events"))
            return R::failure(error);
        while (q->next())
            due << readEvent(*q);
    }
    QList<AlertEvent> claimed;
    for (AlertEvent &e : due) {
        // The same condition again: whoever moves next_attempt_at first owns this attempt.
        CachedQuery c = m_db.prepared(QStringLiteral(
            "UPDATE alert_events SET attempts = attempts + 1, next_attempt_at = ? "
            "WHERE id = ? AND delivered_at = 0 AND failed_at = 0 AND next_attempt_at = ?"));
        c->bindValue(0, nowMs + leaseMs);
        c->bindValue(1, e.id);
        c->bindValue(2, e.nextAttemptAt);
        if (!execQuery(*c, &error, "claim alert event"))
            return R::failure(error);
        if (c->numRowsAffected() != 1)
            continue;
        ++e.attempts;
        e.nextAttemptAt = nowMs + leaseMs;
        claimed << e;
    }
    return claimed;
}

Status AlertRepository::markDelivered(qint64 eventId, qint64 nowMs) const
{
    CachedQuery q = m_db.prepared(QStringLiteral("UPDATE alert_events SET delivered_at = ?, last_error = '' WHERE id = ?"));
    q->bindValue(0, nowMs);
    q->bindValue(1, eventId);
    QString error;
    return execQuery(*q, &error, "mark alert delivered") ? Status() : Status::failure(error);
}

Status AlertRepository::retryAt(qint64 eventId, qint64 nextMs, const QString &lastError) const
{
    CachedQuery q = m_db.prepared(QStringLiteral("UPDATE alert_events SET next_attempt_at = ?, last_error = ? WHERE id = ?"));
    q->bindValue(0, nextMs);
    q->bindValue(1, lastError.left(500));
    q->bindValue(2, eventId);
    QString error;
    return execQuery(*q, &error, "reschedule alert") ? Status() : Status::failure(error);
}

Status AlertRepository::markFailed(qint64 eventId, qint64 nowMs, const QString &lastError) const
{
    CachedQuery q = m_db.prepared(QStringLiteral("UPDATE alert_events SET failed_at = ?, last_error = ? WHERE id = ?"));
    q->bindValue(0, nowMs);
    q->bindValue(1, lastError.left(500));
    q->bindValue(2, eventId);
    QString error;
    return execQuery(*q, &error, "give up alert") ? Status() : Status::failure(error);
}

QList<AlertEvent> AlertRepository::events(int limit, qint64 afterId) const
{
    CachedQuery q = m_db.prepared(kEventColumns + QStringLiteral("WHERE id > ? ORDER BY id DESC LIMIT ?"));
    q->bindValue(0, afterId);
    q->bindValue(1, limit);
    QList<AlertEvent> out;
    if (q->exec())
        while (q->next())
            out << readEvent(*q);
    return out;
}

} // namespace RelayDesk::Store
