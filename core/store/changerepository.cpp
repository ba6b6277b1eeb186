#include "changerepository.h"

#include "database.h"

#include <QSqlError>

namespace RelayDesk::Store {

QString Change::kindName(ChangeKind kind)
{
    switch (kind) {
    case ChangeKind::Channel: return QStringLiteral("channel");
    case ChangeKind::Key: return QStringLiteral("key");
    case ChangeKind::User: return QStringLiteral("user");
    case ChangeKind::Pricing: return QStringLiteral("pricing");
    }
    return QStringLiteral("channel");
}

std::optional<ChangeKind> Change::kindFromName(const QString &name)
{
    for (ChangeKind k : {ChangeKind::Channel, ChangeKind::Key, ChangeKind::User, ChangeKind::Pricing})
        if (kindName(k) == name)
            return k;
    return std::nullopt;
}

Result<qint64> ChangeRepository::record(ChangeKind kind, qint64 entityId) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("INSERT INTO changes(kind, entity_id, changed_at) VALUES (?, ?, ?) RETURNING version"));
    q.addBindValue(Change::kindName(kind));
    q.addBindValue(entityId);
    q.addBindValue(nowMs());
    QString error;
    if (!execQuery(q, &error, "record change") || !q.next())
        return Result<qint64>::failure(error.isEmpty() ? QStringLiteral("record change: no version") : error);
    const qint64 version = q.value(0).toLongLong();
    if (m_db.isPostgres()) {
        // Delivered to listeners when the surrounding transaction commits (never for a rolled-back write).
        QSqlQuery notify = m_db.query();
        if (!notify.exec(QStringLiteral("NOTIFY %1, '%2'").arg(QLatin1String(kNotifyChannel)).arg(version)))
            return Result<qint64>::failure(QStringLiteral("notify change: ") + notify.lastError().text());
    }
    return version;
}

std::optional<qint64> ChangeRepository::latestVersion() const
{
    QSqlQuery q = m_db.query();
    if (!q.exec(QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM changes")) || !q.next())
        return std::nullopt;
    return q.value(0).toLongLong();
}

QList<Change> ChangeRepository::since(qint64 version, int limit) const
{
    QList<Change> out;
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT version, kind, entity_id, changed_at FROM changes WHERE version > ? "
                             "ORDER BY version LIMIT ?"));
    q.addBindValue(version);
    q.addBindValue(limit);
    if (!q.exec())
        return out;
    while (q.next()) {
        const auto kind = Change::kindFromName(q.value(1).toString());
        if (!kind)
            continue; // a kind a newer version wrote: nothing this one reloads
        out.append({q.value(0).toLongLong(), *kind, q.value(2).toLongLong(), q.value(3).toLongLong()});
    }
    return out;
}

Status ChangeRepository::prune(int keep) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("DELETE FROM changes WHERE version <= (SELECT COALESCE(MAX(version), 0) FROM changes) - ?"));
    q.addBindValue(std::max(1, keep));
    QString error;
    if (!execQuery(q, &error, "prune changes"))
        return Status::failure(error);
    return {};
}

} // namespace RelayDesk::Store
