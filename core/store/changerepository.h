#pragma once
// The change feed: one row per admin write (channels, keys, users, pricing), appended in the write's own
// transaction. The version is the row id, so it only grows; a process that relays remembers the latest version
// it applied and reloads the kinds that changed since (see Service::ChangeFeed). On PostgreSQL each record also
// sends NOTIFY relaydesk_changes, delivered at commit.
#include "result.h"

#include <QList>
#include <QString>

#include <optional>

namespace RelayDesk::Store {

class Database;

enum class ChangeKind { Channel, Key, User, Pricing };

struct Change
{
    qint64 version = 0;
    ChangeKind kind = ChangeKind::Channel;
    qint64 entityId = 0; // 0 = the whole kind (e.g. a price book import)
    qint64 changedAtMs = 0;

    static QString kindName(ChangeKind kind);
    static std::optional<ChangeKind> kindFromName(const QString &name);
};

class ChangeRepository final
{
public:
    static constexpr const char *kNotifyChannel = "relaydesk_changes";

    explicit ChangeRepository(const Database &db) : m_db(db) {}

    // Appends a change; call it inside the transaction of the write it announces. Returns the new version.
    Result<qint64> record(ChangeKind kind, qint64 entityId = 0) const;
    // The latest version (0 for none yet); nullopt when the store does not answer.
    std::optional<qint64> latestVersion() const;
    // Changes after `version`, oldest first, at most `limit`.
    QList<Change> since(qint64 version, int limit = 1000) const;
    // Drops rows older than the newest `keep` (the latest version always stays).
    Status prune(int keep = 10000) const;

private:
    const Database &m_db;
};

} // namespace RelayDesk::Store
