#include "instancerepository.h"

#include "database.h"

#include "common/version.h"

#include <QCoreApplication>
#include <QSysInfo>
#include <QUuid>

#include <cerrno>
#include <csignal>

namespace RelayDesk::Store {
namespace {

const QString kColumns = QStringLiteral(
    "id, hostname, machine_id, boot_id, pid, version, address, started_at, heartbeat_at, stopped_at, lease_ms, "
    "requests_total, request_rate_milli");

template<typename Query> // QSqlQuery or Statement
Instance readInstance(const Query &q)
{
    Instance i;
    i.id = q.value(0).toString();
    i.hostname = q.value(1).toString();
    i.machineId = q.value(2).toString();
    i.bootId = q.value(3).toString();
    i.pid = q.value(4).toLongLong();
    i.version = q.value(5).toString();
    i.address = q.value(6).toString();
    i.startedAt = q.value(7).toLongLong();
    i.heartbeatAt = q.value(8).toLongLong();
    i.stoppedAt = q.value(9).toLongLong();
    i.leaseMs = q.value(10).toLongLong();
    i.requestsTotal = q.value(11).toLongLong();
    i.requestRateMilli = q.value(12).toLongLong();
    return i;
}

bool processExists(qint64 pid)
{
    if (pid <= 0 || pid > std::numeric_limits<pid_t>::max())
        return false;
    // Signal 0 checks existence only; EPERM means it exists but belongs to another user.
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

} // namespace

Instance InstanceRepository::describeSelf(const QString &address)
{
    Instance i;
    i.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    i.hostname = QSysInfo::machineHostName();
    i.machineId = QString::fromLatin1(QSysInfo::machineUniqueId());
    i.bootId = QString::fromLatin1(QSysInfo::bootUniqueId());
    i.pid = QCoreApplication::applicationPid();
    i.version = QString::fromLatin1(kVersion);
    i.address = address;
    i.startedAt = i.heartbeatAt = nowMs();
    return i;
}

bool InstanceRepository::isDeadHere(const Instance &instance)
{
    const QString machine = QString::fromLatin1(QSysInfo::machineUniqueId());
    if (machine.isEmpty() || instance.machineId != machine)
        return false; // another machine (or unknown): only its lease can tell
    const QString boot = QString::fromLatin1(QSysInfo::bootUniqueId());
    if (!boot.isEmpty() && !instance.bootId.isEmpty() && instance.bootId != boot)
        return true; // the machine rebooted since: every process of that boot is gone
    // A reused pid only makes a dead instance look alive (its lease still ends it), never the reverse.
    return !processExists(instance.pid);
}

Status InstanceRepository::add(const Instance &i) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("INSERT INTO instances(") + kColumns +
              QStringLiteral(") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const QVariant &v : {QVariant(i.id), QVariant(nn(i.hostname)), QVariant(nn(i.machineId)),
                              QVariant(nn(i.bootId)), QVariant(i.pid), QVariant(nn(i.version)),
                              QVariant(nn(i.address)), QVariant(i.startedAt), QVariant(i.heartbeatAt),
                              QVariant(i.stoppedAt), QVariant(i.leaseMs), QVariant(i.requestsTotal),
                              QVariant(i.requestRateMilli)})
        q.addBindValue(v);
    QString error;
    if (!execQuery(q, &error, "register instance"))
        return Status::failure(error);
    return {};
}

Result<bool> InstanceRepository::heartbeat(const QString &id, qint64 now) const
{
    CachedQuery q = m_db.prepared(
        QStringLiteral("UPDATE instances SET heartbeat_at = ? WHERE id = ? AND stopped_at = 0"));
    q->bindValue(0, now);
    q->bindValue(1, id);
    QString error;
    if (!execQuery(*q, &error, "instance heartbeat"))
        return Result<bool>::failure(error);
    return q->numRowsAffected() == 1;
}

Status InstanceRepository::setAddress(const QString &id, const QString &address) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("UPDATE instances SET address = ? WHERE id = ?"));
    q.addBindValue(nn(address));
    q.addBindValue(id);
    QString error;
    if (!execQuery(q, &error, "instance address"))
        return Status::failure(error);
    return {};
}

Status InstanceRepository::setTraffic(const QString &id, qint64 requestsTotal, qint64 requestRateMilli) const
{
    CachedQuery q = m_db.prepared(
        QStringLiteral("UPDATE instances SET requests_total = ?, request_rate_milli = ? WHERE id = ?"));
    q->bindValue(0, requestsTotal);
    q->bindValue(1, requestRateMilli);
    q->bindValue(2, id);
    QString error;
    if (!execQuery(*q, &error, "instance traffic"))
        return Status::failure(error);
    return {};
}

bool InstanceRepository::isLapsed(const Instance &instance, qint64 now)
{
    return instance.stoppedAt == 0 && instance.heartbeatAt < now - instance.leaseMs;
}

Status InstanceRepository::markStopped(const QString &id, qint64 now) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("UPDATE instances SET stopped_at = ?, heartbeat_at = ? WHERE id = ?"));
    q.addBindValue(now);
    q.addBindValue(now);
    q.addBindValue(id);
    QString error;
    if (!execQuery(q, &error, "stop instance"))
        return Status::failure(error);
    return {};
}

QList<Instance> InstanceRepository::list() const
{
    QList<Instance> all;
    QSqlQuery q = m_db.query();
    if (q.exec(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM instances ORDER BY started_at, id")))
        while (q.next())
            all << readInstance(q);
    return all;
}

std::optional<Instance> InstanceRepository::byId(const QString &id) const
{
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM instances WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return readInstance(q);
}

Result<QList<Instance>> InstanceRepository::lapsed(const QString &selfId, qint64 now, qint64 leaseMs) const
{
    // Only instances that still own an open reservation matter; stopped ones are kept for the console.
    QSqlQuery q = m_db.query();
    q.prepare(QStringLiteral("SELECT ") + kColumns +
              QStringLiteral(" FROM instances i WHERE id <> ? AND EXISTS "
                             "(SELECT 1 FROM reservations r WHERE r.state = 0 AND r.instance_id = i.id)"));
    q.addBindValue(nn(selfId));
    QString error;
    if (!execQuery(q, &error, "find lapsed instances"))
        return Result<QList<Instance>>::failure(error);
    QList<Instance> out;
    while (q.next()) {
        const Instance i = readInstance(q);
        if (i.stoppedAt > 0 || i.heartbeatAt < now - leaseMs || isDeadHere(i))
            out << i;
    }
    return out;
}

} // namespace RelayDesk::Store
