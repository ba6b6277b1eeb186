#include "channelrepository.h"

#include "database.h"
#include "userrepository.h"

#include <QJsonDocument>
#include <QUrl>

namespace RelayDesk::Store {
namespace {

const QString kColumns = QStringLiteral(
    "id, name, type, base_url, secret, models, groups, model_mapping, priority, weight, status, used_quota, created_at");

Channel readChannel(const QSqlQuery &q)
{
    Channel c;
    c.id = q.value(0).toLongLong();
    c.name = q.value(1).toString();
    c.type = q.value(2).toString();
    c.baseUrl = q.value(3).toString();
    c.secret = q.value(4).toString();
    c.models = q.value(5).toString().split(u',', Qt::SkipEmptyParts);
    c.groups = q.value(6).toString().split(u',', Qt::SkipEmptyParts);
    c.modelMapping = QJsonDocument::fromJson(q.value(7).toString().toUtf8()).object();
    c.priority = q.value(8).toInt();
    c.weight = q.value(9).toInt();
    c.status = RowStatus(q.value(10).toInt());
    c.usedQuota = q.value(11).toLongLong();
    c.createdAt = q.value(12).toLongLong();
    return c;
}

void bindEditable(QSqlQuery &q, const Channel &c)
{
    q.addBindValue(c.name);
    q.addBindValue(nn(c.type));
    q.addBindValue(c.baseUrl);
    q.addBindValue(nn(c.secret));
    q.addBindValue(nn(c.models.join(u',')));
    q.addBindValue(nn(c.groups.join(u',')));
    q.addBindValue(QString::fromUtf8(QJsonDocument(c.modelMapping).toJson(QJsonDocument::Compact)));
    q.addBindValue(c.priority);
    q.addBindValue(c.weight);
    q.addBindValue(int(c.status));
}

} // namespace

Status ChannelRepository::validate(const Channel &c)
{
    if (!UserRepository::isValidName(c.name))
        return Status::failure(QStringLiteral("invalid channel name '%1' (1-64 of A-Z a-z 0-9 _ . @ -)").arg(c.name));
    const QUrl url(c.baseUrl, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https") || url.host().isEmpty())
        return Status::failure(QStringLiteral("invalid base URL '%1' (expected http(s)://host[:port][/path])").arg(c.baseUrl));
    if (c.models.isEmpty())
        return Status::failure(QStringLiteral("a channel needs at least one model"));
    for (const QString &m : c.models)
        if (m.trimmed().isEmpty() || m.contains(u','))
            return Status::failure(QStringLiteral("invalid model name '%1'").arg(m));
    for (const QString &g : c.groups)
        if (!UserRepository::isValidName(g))
            return Status::failure(QStringLiteral("invalid group name '%1'").arg(g));
    for (auto it = c.modelMapping.begin(); it != c.modelMapping.end(); ++it)
        if (!it.value().isString() || it.value().toString().isEmpty())
            return Status::failure(QStringLiteral("model mapping values must be non-empty strings"));
    if (c.weight < 0)
        return Status::failure(QStringLiteral("weight must not be negative"));
    return {};
}

Result<Channel> ChannelRepository::create(const Channel &channel) const
{
    if (Status valid = validate(channel); !valid)
        return Result<Channel>::failure(valid.error());
    if (byName(channel.name))
        return Result<Channel>::failure(QStringLiteral("a channel named '%1' already exists").arg(channel.name));
    Channel c = channel;
    c.createdAt = nowSecs();
    c.usedQuota = 0;
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("INSERT INTO channels(name, type, base_url, secret, models, groups, model_mapping, "
                             "priority, weight, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"));
    bindEditable(q, c);
    q.addBindValue(c.createdAt);
    QString error;
    if (!execQuery(q, &error, "create channel") || !q.next())
        return Result<Channel>::failure(error.isEmpty() ? QStringLiteral("create channel: no id returned") : error);
    c.id = q.value(0).toLongLong();
    return c;
}

Status ChannelRepository::update(const Channel &channel) const
{
    if (Status valid = validate(channel); !valid)
        return valid;
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("UPDATE channels SET name = ?, type = ?, base_url = ?, secret = ?, models = ?, groups = ?, "
                             "model_mapping = ?, priority = ?, weight = ?, status = ? WHERE id = ?"));
    bindEditable(q, channel);
    q.addBindValue(channel.id);
    QString error;
    if (!execQuery(q, &error, "update channel"))
        return Status::failure(error);
    return q.numRowsAffected() == 1 ? Status() : Status::failure(QStringLiteral("no channel with id %1").arg(channel.id));
}

Status ChannelRepository::setStatus(qint64 id, RowStatus status) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("UPDATE channels SET status = ? WHERE id = ?"));
    q.addBindValue(int(status));
    q.addBindValue(id);
    QString error;
    if (!execQuery(q, &error, "set channel status"))
        return Status::failure(error);
    return q.numRowsAffected() == 1 ? Status() : Status::failure(QStringLiteral("no channel with id %1").arg(id));
}

Status ChannelRepository::remove(qint64 id) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("DELETE FROM channels WHERE id = ?"));
    q.addBindValue(id);
    QString error;
    if (!execQuery(q, &error, "delete channel"))
        return Status::failure(error);
    return q.numRowsAffected() == 1 ? Status() : Status::failure(QStringLiteral("no channel with id %1").arg(id));
}

std::optional<Channel> ChannelRepository::byId(qint64 id) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM channels WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return readChannel(q);
}

std::optional<Channel> ChannelRepository::byName(const QString &name) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM channels WHERE name = ?"));
    q.addBindValue(name);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return readChannel(q);
}

QList<Channel> ChannelRepository::list() const
{
    QList<Channel> channels;
    QSqlQuery q = m_db.query();
    if (q.exec(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM channels ORDER BY priority DESC, id")))
        while (q.next())
            channels << readChannel(q);
    return channels;
}

} // namespace RelayDesk::Store
