#pragma once
// The `instances` table: one row per process that relays. A process registers at start, refreshes its
// heartbeat while it runs and marks itself stopped on a clean stop. The heartbeat is a lease on the
// reservations the process owns: recovery (ReservationRepository::recoverOrphans) settles another
// instance's reservations only once that lease lapsed, or once the owner is provably dead on this very
// machine (same machine and boot, its pid gone), so a live process's calls in flight are never touched.
#include "records.h"
#include "result.h"

#include <QList>

namespace RelayDesk::Store {

class Database;

class InstanceRepository final
{
public:
    explicit InstanceRepository(const Database &db) : m_db(db) {}

    // A description of this process (new random id, host, machine and boot ids, pid, version).
    static Instance describeSelf(const QString &address);
    // True when `instance` ran on this machine in this boot and its process no longer exists.
    static bool isDeadHere(const Instance &instance);

    Status add(const Instance &instance) const;
    // Refreshes the lease. False (no error) when the row is gone or was marked stopped.
    Result<bool> heartbeat(const QString &id, qint64 nowMs) const;
    // Where it listens, once it does (an ephemeral port is known only then).
    Status setAddress(const QString &id, const QString &address) const;
    // The request counter and rate it publishes beside its live sessions (LiveSessionPublisher).
    Status setTraffic(const QString &id, qint64 requestsTotal, qint64 requestRateMilli) const;
    // Not stopped, yet no heartbeat within its own lease: crashed, hung or cut off from the database.
    static bool isLapsed(const Instance &instance, qint64 nowMs);
    Status markStopped(const QString &id, qint64 nowMs) const;
    QList<Instance> list() const;
    std::optional<Instance> byId(const QString &id) const;
    // Instances other than `selfId` whose reservations may be recovered now: stopped, lease lapsed
    // (heartbeat older than nowMs − leaseMs), or dead here.
    Result<QList<Instance>> lapsed(const QString &selfId, qint64 nowMs, qint64 leaseMs) const;

private:
    const Database &m_db;
};

} // namespace RelayDesk::Store
