#pragma once
// The realtime_calls table: WebRTC calls the relay created (POST /v1/realtime/calls) or accepted, with the channel
// that owns each and the reservation that meters it over the sideband. Two uses: control requests
// (accept/reject/refer/hangup) go to the owning channel, and a call whose reservation was closed without the call
// being ended — its relay was killed, crash recovery settled the hold — is hung up upstream by the next relay
// (pendingHangups), so no call keeps talking unbilled.
#include "result.h"

#include <QList>
#include <QString>

#include <optional>

namespace RelayDesk::Store {

class Database;

struct RealtimeCall
{
    QString callId;          // the upstream's id (rtc_…), from the Location header
    qint64 channelId = 0;
    qint64 reservationId = 0;
    qint64 userId = 0;
    qint64 keyId = 0;
    QString model;           // requested (priced)
    bool ended = false;      // the relay hung it up or saw it end: nothing left to do upstream
    qint64 createdAt = 0;    // unix ms (0 = now at insert)
};

class RealtimeCallRepository final
{
public:
    explicit RealtimeCallRepository(const Database &db) : m_db(db) {}

    Status add(const RealtimeCall &call) const;
    std::optional<RealtimeCall> byCallId(const QString &callId) const;
    Status markEnded(const QString &callId) const;
    // Calls not ended whose reservation is no longer open (recovered after a crash, or closed by a relay that died
    // before its hangup was answered): they must be hung up upstream.
    Result<QList<RealtimeCall>> pendingHangups() const;
    // Deletes ended calls created before `beforeMs`; returns how many.
    Result<qint64> pruneEnded(qint64 beforeMs) const;

private:
    const Database &m_db;
};

} // namespace RelayDesk::Store
