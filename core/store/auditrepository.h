#pragma once
// The audit trail: who changed what, before → after (JSON, secrets already masked by the writer). One row per
// admin write, inserted in that write's own transaction, so an edit and its audit row land or vanish together.
#include "result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace RelayDesk::Store {

class Database;

struct AuditEntry
{
    qint64 id = 0;
    qint64 atMs = 0;     // unix milliseconds; 0 = now at insert
    QString actor;       // console | cli | api
    QString action;      // e.g. "channel.add", "key.disable", "pricing.import"
    QString entityKind;  // user | key | channel | pricing
    qint64 entityId = 0; // 0 = the whole kind (a price book import)
    QString entityName;
    QJsonObject before;  // empty for a creation
    QJsonObject after;   // empty for a removal
};

class AuditRepository final
{
public:
    explicit AuditRepository(const Database &db) : m_db(db) {}

    // Appends an entry; call it inside the transaction of the write it describes. Returns the new id.
    Result<qint64> insert(const AuditEntry &entry) const;
    // The newest `limit` entries, newest first.
    QList<AuditEntry> list(int limit = 100) const;

private:
    const Database &m_db;
};

} // namespace RelayDesk::Store
