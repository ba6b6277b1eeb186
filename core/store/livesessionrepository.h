#pragma once
// The `live_sessions` table: every relaying instance's live sessions, so a console (or the CLI) on the same
// database sees all of them. An instance writes only its own rows (LiveSessionPublisher, off the relay thread);
// readers see only rows of instances that are running — not stopped, heartbeat within the instance's own lease —
// and delete the rest (an instance that crashed never deletes its own).
#include "records.h"
#include "result.h"

#include <QHash>
#include <QList>

namespace RelayDesk::Store {

class Database;

class LiveSessionRepository final
{
public:
    explicit LiveSessionRepository(const Database &db) : m_db(db) {}

    // One write pass of an instance, in one transaction: upserts `rows` (all of `instanceId`) and deletes its
    // sessions `ended`.
    Status publish(const QString &instanceId, const QList<LiveSession> &rows, const QList<qint64> &ended) const;
    // Every row of one instance (its clean stop).
    Status removeInstance(const QString &instanceId) const;
    // Deletes the rows of instances that stopped, lapsed (see InstanceRepository::isLapsed) or have no row;
    // returns how many rows went.
    Result<int> purgeGone(qint64 nowMs) const;
    // The sessions of running instances, by instance start then session id; *gone (when given) counts the rows
    // skipped because their instance is not running (purgeGone() deletes them).
    Result<QList<LiveSession>> listRunning(qint64 nowMs, int *gone = nullptr) const;
    // Rows per instance id, whatever the instance's state.
    QHash<QString, int> countByInstance() const;
    // Rows of one instance whatever its state (tests, diagnostics).
    QList<LiveSession> ofInstance(const QString &instanceId) const;

private:
    const Database &m_db;
};

} // namespace RelayDesk::Store
