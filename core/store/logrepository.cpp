#include "logrepository.h"

#include "common/compactjson.h"
#include "database.h"

#include <QJsonDocument>

#include <algorithm>
#include <iterator>

namespace RelayDesk::Store {
namespace {

const QString kColumns = QStringLiteral(
    "id, created_at, type, user_id, key_id, channel_id, model, upstream_model, prompt_tokens, completion_tokens, "
    "quota, use_ms, is_stream, request_id, content, other_json, price_snapshot_id");

template<typename Query> // QSqlQuery or Statement
LogRecord readLog(const Query &q)
{
    LogRecord r;
    r.id = q.value(0).toLongLong();
    r.createdAt = q.value(1).toLongLong();
    r.type = LogType(q.value(2).toInt());
    r.userId = q.value(3).toLongLong();
    r.keyId = q.value(4).toLongLong();
    r.channelId = q.value(5).toLongLong();
    r.model = q.value(6).toString();
    r.upstreamModel = q.value(7).toString();
    r.promptTokens = q.value(8).toLongLong();
    r.completionTokens = q.value(9).toLongLong();
    r.quota = q.value(10).toLongLong();
    r.useMs = q.value(11).toLongLong();
    r.isStream = q.value(12).toInt() != 0;
    r.requestId = q.value(13).toString();
    r.content = q.value(14).toString();
    r.other = QJsonDocument::fromJson(q.value(15).toString().toUtf8()).object();
    r.priceSnapshotId = q.value(16).toLongLong();
    return r;
}

// Builds " WHERE …" with positional binds in order.
struct Where
{
    QStringList clauses;
    QVariantList binds;

    explicit Where(const LogFilter &f)
    {
        if (f.userId) add(QStringLiteral("user_id = ?"), *f.userId);
        if (f.keyId) add(QStringLiteral("key_id = ?"), *f.keyId);
        if (f.channelId) add(QStringLiteral("channel_id = ?"), *f.channelId);
        if (f.type) add(QStringLiteral("type = ?"), int(*f.type));
        if (!f.model.isEmpty()) add(QStringLiteral("model = ?"), f.model);
        if (!f.requestId.isEmpty()) add(QStringLiteral("request_id = ?"), f.requestId);
        if (f.fromMs) add(QStringLiteral("created_at >= ?"), *f.fromMs);
        if (f.toMs) add(QStringLiteral("created_at < ?"), *f.toMs);
        addPaths(f.requestPaths, QStringLiteral("IN"));
        addPaths(f.excludedRequestPaths, QStringLiteral("NOT IN"));
    }
    void addPaths(const QStringList &paths, const QString &op)
    {
        if (paths.isEmpty())
            return;
        if (paths.size() > LogFilter::kMaxFilterPaths) {
            clauses << QStringLiteral("1 = 0"); // refused: see LogFilter
            return;
        }
        QStringList marks(paths.size(), QStringLiteral("?"));
        clauses << QStringLiteral("request_path %1 (%2)").arg(op, marks.join(QLatin1Char(',')));
        for (const QString &p : paths)
            binds << nn(p); // a null QString would bind NULL, and NOT IN (…, NULL) matches no row
    }
    void add(const QString &clause, const QVariant &v)
    {
        clauses << clause;
        binds << v;
    }
    QString sql() const
    {
        return clauses.isEmpty() ? QString() : QStringLiteral(" WHERE ") + clauses.join(QStringLiteral(" AND "));
    }
    void bind(QSqlQuery &q) const
    {
        for (const QVariant &v : binds)
            q.addBindValue(v);
    }
};

} // namespace

Result<qint64> LogRepository::insert(const LogRecord &r) const
{
    // Cached: the settle path writes one row per request.
    CachedQuery q = m_db.prepared(QStringLiteral(
        "INSERT INTO logs(created_at, type, user_id, key_id, channel_id, model, upstream_model, prompt_tokens, "
        "completion_tokens, quota, use_ms, is_stream, request_id, content, other_json, price_snapshot_id, request_path) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
    const QVariant values[] = {
        r.createdAt > 0 ? r.createdAt : nowMs(), int(r.type), r.userId, r.keyId, r.channelId, nn(r.model),
        nn(r.upstreamModel), r.promptTokens, r.completionTokens, r.quota, r.useMs, r.isStream ? 1 : 0,
        nn(r.requestId), nn(r.content), QString::fromUtf8(CompactJson::write(r.other, r.otherMembers)),
        r.priceSnapshotId, requestPathOf(r.other)};
    for (int i = 0; i < int(std::size(values)); ++i)
        q->bindValue(i, values[i]);
    QString error;
    if (!execQuery(*q, &error, "insert log") || !q->next())
        return Result<qint64>::failure(error.isEmpty() ? QStringLiteral("insert log: no id") : error);
    return q->value(0).toLongLong();
}

std::optional<LogRecord> LogRepository::byId(qint64 id) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM logs WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return readLog(q);
}

LogPage LogRepository::page(const LogFilter &filter, int limit, const std::optional<LogCursor> &after) const
{
    LogPage page;
    limit = qBound(1, limit, 10000);
    Where where(filter);
    if (after) {
        where.clauses << QStringLiteral("(created_at < ? OR (created_at = ? AND id < ?))");
        where.binds << after->createdAt << after->createdAt << after->id;
    }
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM logs") + where.sql() +
              QStringLiteral(" ORDER BY created_at DESC, id DESC LIMIT ?"));
    where.bind(q);
    q.addBindValue(limit + 1); // one extra row tells whether another page exists
    if (!q.exec())
        return page;
    while (q.next())
        page.rows << readLog(q);
    if (page.rows.size() > limit) {
        page.rows.removeLast();
        page.next = LogCursor{page.rows.last().createdAt, page.rows.last().id};
    }
    return page;
}

qint64 LogRepository::count(const LogFilter &filter) const
{
    Where where(filter);
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM logs") + where.sql());
    where.bind(q);
    if (!q.exec() || !q.next())
        return 0;
    return q.value(0).toLongLong();
}

qint64 LogRepository::sumQuota(const LogFilter &filter) const
{
    Where where(filter);
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT COALESCE(SUM(quota), 0) FROM logs") + where.sql());
    where.bind(q);
    if (!q.exec() || !q.next())
        return 0;
    return q.value(0).toLongLong();
}

QList<LogBucket> LogRepository::timeSeries(const LogFilter &filter, qint64 bucketMs) const
{
    QList<LogBucket> buckets;
    if (bucketMs <= 0)
        return buckets;
    Where where(filter);
    // Integer division on BIGINT truncates on both SQLite and PostgreSQL (created_at is never negative).
    const QString bucket = QStringLiteral("(created_at / %1) * %1").arg(bucketMs);
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT ") + bucket +
              QStringLiteral(" AS b, COUNT(*), COALESCE(SUM(quota),0), COALESCE(SUM(prompt_tokens),0), "
                             "COALESCE(SUM(completion_tokens),0) FROM logs") +
              where.sql() + QStringLiteral(" GROUP BY b ORDER BY b"));
    where.bind(q);
    if (!q.exec())
        return buckets;
    while (q.next())
        buckets << LogBucket{q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toLongLong(),
                             q.value(3).toLongLong(), q.value(4).toLongLong()};
    return buckets;
}

QList<LogGroupTotal> LogRepository::totals(const LogFilter &filter, GroupBy by, int limit) const
{
    QList<LogGroupTotal> totals;
    const char *column = by == GroupBy::Model ? "model" : by == GroupBy::User ? "user_id"
                       : by == GroupBy::Channel ? "channel_id" : by == GroupBy::Key ? "key_id" : "request_path";
    Where where(filter);
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT %1, COUNT(*), COALESCE(SUM(quota),0) AS q, COALESCE(SUM(prompt_tokens),0), "
                             "COALESCE(SUM(completion_tokens),0) FROM logs")
                  .arg(QLatin1String(column)) +
              where.sql() + QStringLiteral(" GROUP BY %1 ORDER BY q DESC, %1 LIMIT ?").arg(QLatin1String(column)));
    where.bind(q);
    q.addBindValue(qBound(1, limit, 10000));
    if (!q.exec())
        return totals;
    while (q.next())
        totals << LogGroupTotal{q.value(0).toString(), q.value(1).toLongLong(), q.value(2).toLongLong(),
                                q.value(3).toLongLong(), q.value(4).toLongLong()};
    return totals;
}

QString LogRepository::requestPathOf(const QJsonObject &other)
{
    const QString path = other.value(QLatin1StringView("request_path")).toString();
    qsizetype end = path.size();
    for (QChar stop : {QLatin1Char('?'), QLatin1Char('#')})
        if (const qsizetype at = path.indexOf(stop); at >= 0 && at < end)
            end = at;
    return nn(path.first(std::min<qsizetype>(end, 256)));
}

} // namespace RelayDesk::Store
