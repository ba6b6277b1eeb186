#include "userrepository.h"

#include "database.h"
#include "logrepository.h"

#include <QRegularExpression>

namespace RelayDesk::Store {
namespace {

const QString kColumns = QStringLiteral("id, name, grp, quota, used_quota, request_count, status, created_at");

template<typename Query> // QSqlQuery or Statement
User readUser(const Query &q)
{
    User u;
    u.id = q.value(0).toLongLong();
    u.name = q.value(1).toString();
    u.group = q.value(2).toString();
    u.quota = q.value(3).toLongLong();
    u.usedQuota = q.value(4).toLongLong();
    u.requestCount = q.value(5).toLongLong();
    u.status = RowStatus(q.value(6).toInt());
    u.createdAt = q.value(7).toLongLong();
    return u;
}

} // namespace

bool UserRepository::isValidName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_.@-]{1,64}$"));
    return re.match(name).hasMatch();
}

Result<User> UserRepository::create(const QString &name, const QString &group, qint64 quota) const
{
    if (!isValidName(name))
        return Result<User>::failure(QStringLiteral("invalid user name '%1' (1-64 of A-Z a-z 0-9 _ . @ -)").arg(name));
    if (!isValidName(group))
        return Result<User>::failure(QStringLiteral("invalid group name '%1'").arg(group));
    if (quota < 0)
        return Result<User>::failure(QStringLiteral("quota must not be negative"));
    if (byName(name))
        return Result<User>::failure(QStringLiteral("user '%1' already exists").arg(name));
    User u;
    u.name = name;
    u.group = group;
    u.quota = quota;
    u.createdAt = nowSecs();
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("INSERT INTO users(name, grp, quota, created_at) VALUES (?, ?, ?, ?) RETURNING id"));
    q.addBindValue(u.name);
    q.addBindValue(u.group);
    q.addBindValue(u.quota);
    q.addBindValue(u.createdAt);
    QString error;
    if (!execQuery(q, &error, "create user") || !q.next())
        return Result<User>::failure(error.isEmpty() ? QStringLiteral("create user: no id returned") : error);
    u.id = q.value(0).toLongLong();
    return u;
}

std::optional<User> UserRepository::byId(qint64 id) const
{
    CachedQuery q = m_db.prepared(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM users WHERE id = ?"));
    q->bindValue(0, id);
    if (!q->exec() || !q->next())
        return std::nullopt;
    return readUser(*q);
}

std::optional<User> UserRepository::byName(const QString &name) const
{
    CachedQuery q = m_db.prepared(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM users WHERE name = ?"));
    q->bindValue(0, name);
    if (!q->exec() || !q->next())
        return std::nullopt;
    return readUser(*q);
}

QList<User> UserRepository::list(int limit, int offset) const
{
    QList<User> users;
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM users ORDER BY id LIMIT ? OFFSET ?"));
    q.addBindValue(limit);
    q.addBindValue(offset);
    if (q.exec())
        while (q.next())
            users << readUser(q);
    return users;
}

qint64 UserRepository::count() const
{
    QSqlQuery q = m_db.query();
    if (q.exec(QStringLiteral("SELECT COUNT(*) FROM users")) && q.next())
        return q.value(0).toLongLong();
    return 0;
}

Status UserRepository::setQuota(qint64 id, qint64 quota) const
{
    if (quota < 0)
        return Status::failure(QStringLiteral("quota must not be negative"));
    Transaction tx(m_db);
    if (!tx.isActive())
        return Status::failure(tx.error());
    const auto before = byId(id);
    if (!before)
        return Status::failure(QStringLiteral("no user with id %1").arg(id));
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("UPDATE users SET quota = ? WHERE id = ?"));
    q.addBindValue(quota);
    q.addBindValue(id);
    QString error;
    if (!execQuery(q, &error, "set quota"))
        return Status::failure(error);
    LogRecord log;
    log.type = LogType::Manage;
    log.userId = id;
    log.content = QStringLiteral("quota set from %1 to %2").arg(before->quota).arg(quota);
    log.other = {{QStringLiteral("quota_before"), before->quota}, {QStringLiteral("quota_after"), quota}};
    if (auto inserted = LogRepository(m_db).insert(log); !inserted)
        return Status::failure(inserted.error());
    if (!tx.commit())
        return Status::failure(tx.error());
    return {};
}

Status UserRepository::addQuota(qint64 id, qint64 delta) const
{
    Transaction tx(m_db);
    if (!tx.isActive())
        return Status::failure(tx.error());
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("UPDATE users SET quota = quota + ? WHERE id = ?"));
    q.addBindValue(delta);
    q.addBindValue(id);
    QString error;
    if (!execQuery(q, &error, "add quota"))
        return Status::failure(error);
    if (q.numRowsAffected() != 1)
        return Status::failure(QStringLiteral("no user with id %1").arg(id));
    LogRecord log;
    log.type = delta >= 0 ? LogType::Topup : LogType::Manage;
    log.userId = id;
    log.content = QStringLiteral("quota %1%2").arg(delta >= 0 ? QStringLiteral("+") : QString()).arg(delta);
    log.other = {{QStringLiteral("quota_delta"), delta}};
    if (auto inserted = LogRepository(m_db).insert(log); !inserted)
        return Status::failure(inserted.error());
    if (!tx.commit())
        return Status::failure(tx.error());
    return {};
}

Status UserRepository::setGroup(qint64 id, const QString &group) const
{
    if (!isValidName(group))
        return Status::failure(QStringLiteral("invalid group name '%1'").arg(group));
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("UPDATE users SET grp = ? WHERE id = ?"));
    q.addBindValue(group);
    q.addBindValue(id);
    QString error;
    if (!execQuery(q, &error, "set group"))
        return Status::failure(error);
    return q.numRowsAffected() == 1 ? Status() : Status::failure(QStringLiteral("no user with id %1").arg(id));
}

Status UserRepository::setStatus(qint64 id, RowStatus status) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("UPDATE users SET status = ? WHERE id = ?"));
    q.addBindValue(int(status));
    q.addBindValue(id);
    QString error;
    if (!execQuery(q, &error, "set status"))
        return Status::failure(error);
    return q.numRowsAffected() == 1 ? Status() : Status::failure(QStringLiteral("no user with id %1").arg(id));
}

} // namespace RelayDesk::Store
