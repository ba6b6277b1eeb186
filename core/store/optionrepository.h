#pragma once

#include "result.h"

#include <QHash>
#include <QString>

namespace RelayDesk::Store {

class Database;

// Key/value options (pricing maps are stored as new-api compatible JSON strings) and the immutable
// price-book snapshots that every charge refers to.
class OptionRepository final
{
public:
    explicit OptionRepository(const Database &db) : m_db(db) {}

    std::optional<QString> value(const QString &key) const;
    QHash<QString, QString> all() const;
    Status set(const QString &key, const QString &value) const;
    // Writes several options atomically (all or nothing).
    Status setMany(const QHash<QString, QString> &values) const;

    // Writes the options and records a new price snapshot in one transaction; returns the snapshot id.
    Result<qint64> saveSnapshot(const QHash<QString, QString> &options, const QString &bookJson) const;
    // Inserts a snapshot row on its own; returns its id.
    Result<qint64> insertSnapshot(const QString &bookJson) const;
    std::optional<QString> snapshot(qint64 id) const;
    // The most recent snapshot (id, json), if any.
    std::optional<std::pair<qint64, QString>> latestSnapshot() const;

private:
    Status upsert(const QString &key, const QString &value) const;
    const Database &m_db;
};

} // namespace RelayDesk::Store
