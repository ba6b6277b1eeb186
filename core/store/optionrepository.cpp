#include "optionrepository.h"

#include "database.h"

namespace RelayDesk::Store {

std::optional<QString> OptionRepository::value(const QString &key) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT value FROM options WHERE key = ?"));
    q.addBindValue(key);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return q.value(0).toString();
}

QHash<QString, QString> OptionRepository::all() const
{
    QHash<QString, QString> values;
    QSqlQuery q = m_db.query();
    if (q.exec(QStringLiteral("SELECT key, value FROM options")))
        while (q.next())
            values.insert(q.value(0).toString(), q.value(1).toString());
    return values;
}

Status OptionRepository::upsert(const QString &key, const QString &value) const
{
    // INSERT … ON CONFLICT works on SQLite ≥ 3.24 and PostgreSQL ≥ 9.5.
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("INSERT INTO options(key, value, updated_at) VALUES (?, ?, ?) "
                             "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"));
    q.addBindValue(key);
    q.addBindValue(nn(value));
    q.addBindValue(nowSecs());
    QString error;
    return execQuery(q, &error, "set option") ? Status() : Status::failure(error);
}

Status OptionRepository::set(const QString &key, const QString &value) const
{
    return upsert(key, value);
}

Status OptionRepository::setMany(const QHash<QString, QString> &values) const
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return Status::failure(tx.error());
    for (auto it = values.begin(); it != values.end(); ++it)
        if (Status s = upsert(it.key(), it.value()); !s)
            return s;
    return tx.commit() ? Status() : Status::failure(tx.error());
}

Result<qint64> OptionRepository::insertSnapshot(const QString &bookJson) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("INSERT INTO price_snapshots(created_at, book_json) VALUES (?, ?) RETURNING id"));
    q.addBindValue(nowMs());
    q.addBindValue(nn(bookJson));
    QString error;
    if (!execQuery(q, &error, "insert price snapshot") || !q.next())
        return Result<qint64>::failure(error.isEmpty() ? QStringLiteral("insert price snapshot: no id") : error);
    return q.value(0).toLongLong();
}

Result<qint64> OptionRepository::saveSnapshot(const QHash<QString, QString> &options, const QString &bookJson) const
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return Result<qint64>::failure(tx.error());
    for (auto it = options.begin(); it != options.end(); ++it)
        if (Status s = upsert(it.key(), it.value()); !s)
            return Result<qint64>::failure(s.error());
    auto id = insertSnapshot(bookJson);
    if (!id)
        return id;
    if (!tx.commit())
        return Result<qint64>::failure(tx.error());
    return id;
}

std::optional<QString> OptionRepository::snapshot(qint64 id) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT book_json FROM price_snapshots WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return q.value(0).toString();
}

std::optional<std::pair<qint64, QString>> OptionRepository::latestSnapshot() const
{
    QSqlQuery q = m_db.query();
    if (!q.exec(QStringLiteral("SELECT id, book_json FROM price_snapshots ORDER BY id DESC LIMIT 1")) || !q.next())
        return std::nullopt;
    return std::make_pair(q.value(0).toLongLong(), q.value(1).toString());
}

} // namespace RelayDesk::Store
