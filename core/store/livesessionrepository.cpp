#include "livesessionrepository.h"

#include "database.h"

#include <QSqlQuery>

namespace RelayDesk::Store {
namespace {

const QString kColumns = QStringLiteral(
    "instance_id, session_id, kind, model, channel, user_name, key_hint, state, media_path, started_at, updated_at, "
    "input_text, input_audio, input_image, cached_text, cached_audio, cached_image, output_text, output_audio, "
    "output_reasoning, reserved_quota, charged_quota");
constexpr int kColumnCount = 22;

// Running: not stopped and heartbeat within its own lease (InstanceRepository::isLapsed, as SQL).
const QString kRunning = QStringLiteral("i.stopped_at = 0 AND i.heartbeat_at >= ? - i.lease_ms");

QList<QVariant> values(const LiveSession &s)
{
    return {s.instanceId, s.sessionId, nn(s.kind), nn(s.model), nn(s.channel), nn(s.user), nn(s.keyHint),
            nn(s.state), nn(s.mediaPath), s.startedAt, s.updatedAt, s.inputText, s.inputAudio, s.inputImage,
            s.cachedText, s.cachedAudio, s.cachedImage, s.outputText, s.outputAudio, s.outputReasoning,
            s.reservedQuota, s.chargedQuota};
}

template<typename Query> // QSqlQuery or Statement
LiveSession readRow(const Query &q)
{
    LiveSession s;
    int c = 0;
    s.instanceId = q.value(c++).toString();
    s.sessionId = q.value(c++).toLongLong();
    s.kind = q.value(c++).toString();
    s.model = q.value(c++).toString();
    s.channel = q.value(c++).toString();
    s.user = q.value(c++).toString();
    s.keyHint = q.value(c++).toString();
    s.state = q.value(c++).toString();
    s.mediaPath = q.value(c++).toString();
    for (qint64 *field : {&s.startedAt, &s.updatedAt, &s.inputText, &s.inputAudio, &s.inputImage, &s.cachedText,
                          &s.cachedAudio, &s.cachedImage, &s.outputText, &s.outputAudio, &s.outputReasoning,
                          &s.reservedQuota, &s.chargedQuota})
        *field = q.value(c++).toLongLong();
    return s;
}

QString upsertSql()
{
    QStringList marks, updates;
    const QStringList names = kColumns.split(QStringLiteral(", "));
    for (const QString &name : names) {
        marks << QStringLiteral("?");
        if (name != u"instance_id" && name != u"session_id")
            updates << QStringLiteral("%1 = excluded.%1").arg(name);
    }
    // ON CONFLICT … DO UPDATE: SQLite ≥ 3.24 and PostgreSQL ≥ 9.5 spell it the same.
    return QStringLiteral("INSERT INTO live_sessions(%1) VALUES (%2) ON CONFLICT (instance_id, session_id) DO UPDATE SET %3")
        .arg(kColumns, marks.join(u','), updates.join(u','));
}

} // namespace

Status LiveSessionRepository::publish(const QString &instanceId, const QList<LiveSession> &rows,
                                      const QList<qint64> &ended) const
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return Status::failure(tx.error());
    QString error;
    for (const LiveSession &row : rows) {
        CachedQuery q = m_db.prepared(upsertSql());
        const QList<QVariant> v = values(row);
        Q_ASSERT(v.size() == kColumnCount);
        for (int i = 0; i < v.size(); ++i)
            q->bindValue(i, i == 0 ? QVariant(instanceId) : v[i]);
        if (!execQuery(*q, &error, "publish live session"))
            return Status::failure(error);
    }
    for (qint64 id : ended) {
        CachedQuery q = m_db.prepared(
            QStringLiteral("DELETE FROM live_sessions WHERE instance_id = ? AND session_id = ?"));
        q->bindValue(0, instanceId);
        q->bindValue(1, id);
        if (!execQuery(*q, &error, "end live session"))
            return Status::failure(error);
    }
    if (!tx.commit())
        return Status::failure(tx.error());
    return {};
}

Status LiveSessionRepository::removeInstance(const QString &instanceId) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("DELETE FROM live_sessions WHERE instance_id = ?"));
    q.addBindValue(instanceId);
    QString error;
    if (!execQuery(q, &error, "remove live sessions"))
        return Status::failure(error);
    return {};
}

Result<int> LiveSessionRepository::purgeGone(qint64 now) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("DELETE FROM live_sessions WHERE NOT EXISTS "
                             "(SELECT 1 FROM instances i WHERE i.id = live_sessions.instance_id AND ") +
              kRunning + QStringLiteral(")"));
    q.addBindValue(now);
    QString error;
    if (!execQuery(q, &error, "purge live sessions of gone instances"))
        return Result<int>::failure(error);
    return q.numRowsAffected();
}

Result<QList<LiveSession>> LiveSessionRepository::listRunning(qint64 now, int *gone) const
{
    // Every row with its instance's liveness, so one read both lists and tells whether a purge is due.
    QStringList qualified;
    for (const QString &name : kColumns.split(QStringLiteral(", ")))
        qualified << QStringLiteral("s.") + name;
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT ") + qualified.join(QStringLiteral(", ")) +
              QStringLiteral(", CASE WHEN i.id IS NOT NULL AND ") + kRunning +
              QStringLiteral(" THEN 1 ELSE 0 END FROM live_sessions s LEFT JOIN instances i ON i.id = s.instance_id"
                             " ORDER BY i.started_at, s.instance_id, s.session_id"));
    q.addBindValue(now);
    QString error;
    if (!execQuery(q, &error, "list live sessions"))
        return Result<QList<LiveSession>>::failure(error);
    QList<LiveSession> out;
    int stale = 0;
    while (q.next()) {
        if (q.value(kColumnCount).toInt() == 1)
            out << readRow(q);
        else
            ++stale;
    }
    if (gone)
        *gone = stale;
    return out;
}

QHash<QString, int> LiveSessionRepository::countByInstance() const
{
    QHash<QString, int> counts;
    QSqlQuery q = m_db.query();
    if (q.exec(QStringLiteral("SELECT instance_id, COUNT(*) FROM live_sessions GROUP BY instance_id")))
        while (q.next())
            counts.insert(q.value(0).toString(), q.value(1).toInt());
    return counts;
}

QList<LiveSession> LiveSessionRepository::ofInstance(const QString &instanceId) const
{
    QList<LiveSession> out;
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT ") + kColumns +
              QStringLiteral(" FROM live_sessions WHERE instance_id = ? ORDER BY session_id"));
    q.addBindValue(instanceId);
    if (q.exec())
        while (q.next())
            out << readRow(q);
    return out;
}

} // namespace RelayDesk::Store
