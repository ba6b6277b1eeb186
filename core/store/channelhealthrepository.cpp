#include "channelhealthrepository.h"

#include "database.h"

namespace RelayDesk::Store {
namespace {

const QString kColumns = QStringLiteral("channel_id, state, failures, retry_at_ms, last_error, updated_at_ms");

template<typename Query> // QSqlQuery or Statement
ChannelHealth readHealth(const Query &q)
{
    ChannelHealth h;
    h.channelId = q.value(0).toLongLong();
    h.state = ChannelHealth::stateFromName(q.value(1).toString()).value_or(ChannelHealth::State::Unhealthy);
    h.failures = q.value(2).toInt();
    h.retryAtMs = q.value(3).toLongLong();
    h.lastError = q.value(4).toString();
    h.updatedAtMs = q.value(5).toLongLong();
    return h;
}

} // namespace

QString ChannelHealth::stateName(State state)
{
    switch (state) {
    case State::Healthy: return QStringLiteral("healthy");
    case State::Unhealthy: return QStringLiteral("unhealthy");
    case State::Probing: return QStringLiteral("probing");
    }
    return QStringLiteral("unhealthy");
}

std::optional<ChannelHealth::State> ChannelHealth::stateFromName(const QString &name)
{
    for (State s : {State::Healthy, State::Unhealthy, State::Probing})
        if (stateName(s) == name)
            return s;
    return std::nullopt;
}

Status ChannelHealthRepository::save(const ChannelHealth &health) const
{
    // INSERT … ON CONFLICT works on SQLite ≥ 3.24 and PostgreSQL ≥ 9.5.
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("INSERT INTO channel_health(") + kColumns +
              QStringLiteral(") VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(channel_id) DO UPDATE SET state = excluded.state, "
                             "failures = excluded.failures, retry_at_ms = excluded.retry_at_ms, "
                             "last_error = excluded.last_error, updated_at_ms = excluded.updated_at_ms"));
    q.addBindValue(health.channelId);
    q.addBindValue(ChannelHealth::stateName(health.state));
    q.addBindValue(health.failures);
    q.addBindValue(health.retryAtMs);
    q.addBindValue(nn(health.lastError));
    q.addBindValue(health.updatedAtMs > 0 ? health.updatedAtMs : nowMs());
    QString error;
    if (!execQuery(q, &error, "save channel health"))
        return Status::failure(error);
    return {};
}

std::optional<ChannelHealth> ChannelHealthRepository::byChannel(qint64 channelId) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM channel_health WHERE channel_id = ?"));
    q.addBindValue(channelId);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return readHealth(q);
}

QList<ChannelHealth> ChannelHealthRepository::list() const
{
    QList<ChannelHealth> out;
    QSqlQuery q = m_db.query();
    if (!q.exec(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM channel_health ORDER BY channel_id")))
        return out;
    while (q.next())
        out.append(readHealth(q));
    return out;
}

Status ChannelHealthRepository::remove(qint64 channelId) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("DELETE FROM channel_health WHERE channel_id = ?"));
    q.addBindValue(channelId);
    QString error;
    if (!execQuery(q, &error, "delete channel health"))
        return Status::failure(error);
    return {};
}

} // namespace RelayDesk::Store
