#pragma once
// The background_responses table: Responses API calls made with `background: true`, whose reservation (kind
// kBackgroundResponseKind) stays open until the upstream reports the response finished. Crash recovery leaves
// such reservations alone; instead the instance that owns one polls it to its end, and a surviving or restarted
// instance adopts the rows of an owner that is gone (a conditional update of the reservation's instance, so
// exactly one adopts each) and resumes polling.
#include "records.h"
#include "result.h"

#include <QList>
#include <QString>

namespace RelayDesk::Store {

class Database;

inline const QString kBackgroundResponseKind = QStringLiteral("responses_background");

struct BackgroundResponse
{
    qint64 reservationId = 0;
    QString responseId;
    qint64 channelId = 0;
    QString model;
    qint64 promptTokens = 0;  // the create request's local estimate (for a local count when usage never comes)
    QString requestPath = QStringLiteral("/v1/responses");
    qint64 createdAt = 0;     // unix ms (0 = now at insert)
    Reservation reservation;  // filled by adopt()
};

class BackgroundResponseRepository final
{
public:
    explicit BackgroundResponseRepository(const Database &db) : m_db(db) {}

    Status add(const BackgroundResponse &row) const;
    Status remove(qint64 reservationId) const;
    // The rows whose reservation is open and owned by `selfId`, or by an instance that is gone (see
    // InstanceRepository::lapsed): those are claimed for `selfId` first. Rows of closed reservations are dropped.
    Result<QList<BackgroundResponse>> adopt(const QString &selfId, qint64 nowMs, qint64 leaseMs) const;

private:
    const Database &m_db;
};

} // namespace RelayDesk::Store
