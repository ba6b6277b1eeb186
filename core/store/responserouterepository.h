#pragma once
// The response_routes table: which channel, user and key own an id the Responses API handed out (`resp_…`,
// `conv_…`, output item ids). A stored response lives in the upstream account that created it, so a later
// call naming the id (previous_response_id, retrieve, cancel, …) must reach that channel, and only its owner
// may name it. Rows expire (OpenAI keeps stored responses 30 days); lookups ignore expired rows.
#include "result.h"

#include <QList>
#include <QString>

#include <optional>

namespace RelayDesk::Store {

class Database;

struct ResponseRoute
{
    QString objectId;
    qint64 channelId = 0;
    qint64 userId = 0;
    qint64 keyId = 0;
    qint64 createdAt = 0; // unix ms (0 = now at insert)
    qint64 expiresAt = 0; // unix ms
};

class ResponseRouteRepository final
{
public:
    explicit ResponseRouteRepository(const Database &db) : m_db(db) {}

    // Records (or re-records: the newest owner wins) each route.
    Status record(const QList<ResponseRoute> &routes) const;
    // The unexpired route of `objectId` at `nowMs`.
    std::optional<ResponseRoute> find(const QString &objectId, qint64 nowMs) const;
    Status remove(const QString &objectId) const;
    // Deletes rows expired at `nowMs`; returns how many.
    Result<qint64> prune(qint64 nowMs) const;

private:
    const Database &m_db;
};

} // namespace RelayDesk::Store
