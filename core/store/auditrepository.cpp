#include "auditrepository.h"

#include "database.h"

#include <QJsonDocument>

namespace RelayDesk::Store {
namespace {

QString compact(const QJsonObject &o)
{
    return o.isEmpty() ? QString(QStringLiteral("")) : QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QJsonObject parse(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

} // namespace

Result<qint64> AuditRepository::insert(const AuditEntry &e) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("INSERT INTO audit(at, actor, action, entity_kind, entity_id, entity_name, before_json, "
                             "after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
    q.addBindValue(e.atMs > 0 ? e.atMs : nowMs());
    q.addBindValue(nn(e.actor));
    q.addBindValue(nn(e.action));
    q.addBindValue(nn(e.entityKind));
    q.addBindValue(e.entityId);
    q.addBindValue(nn(e.entityName));
    q.addBindValue(compact(e.before));
    q.addBindValue(compact(e.after));
    QString error;
    if (!execQuery(q, &error, "insert audit row") || !q.next())
        return Result<qint64>::failure(error.isEmpty() ? QStringLiteral("insert audit row: no id") : error);
    return q.value(0).toLongLong();
}

QList<AuditEntry> AuditRepository::list(int limit) const
{
    QList<AuditEntry> out;
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT id, at, actor, action, entity_kind, entity_id, entity_name, before_json, after_json "
                             "FROM audit ORDER BY id DESC LIMIT ?"));
    q.addBindValue(std::max(0, limit));
    if (!q.exec())
        return out;
    while (q.next()) {
        AuditEntry e;
        e.id = q.value(0).toLongLong();
        e.atMs = q.value(1).toLongLong();
        e.actor = q.value(2).toString();
        e.action = q.value(3).toString();
        e.entityKind = q.value(4).toString();
        e.entityId = q.value(5).toLongLong();
        e.entityName = q.value(6).toString();
        e.before = parse(q.value(7).toString());
        e.after = parse(q.value(8).toString());
        out.append(e);
    }
    return out;
}

} // namespace RelayDesk::Store
