#pragma once
// The rate limits' side of a reservation, run inside reserve()'s own transaction (one round trip with the
// balance and the budget windows; nothing is asked of the database by the relay beforehand):
//  - admit(): the reservation must fit every rate limit of its user and its key, read in id order with one
//    statement (on PostgreSQL locked, SELECT … FOR UPDATE, so concurrent admissions of one owner queue and each
//    sees the others' committed counts on every instance; SQLite's write transaction is exclusive already):
//      rpm          requests admitted in the current UTC minute (a fixed window: [hh:mm:00, hh:mm+1:00))
//      rpd          requests admitted in the current calendar day of the budget time zone
//      tpm          tokens in the current UTC minute: at admission what the hold was sized for (prompt
//                   estimate + max output × choices), replaced at settlement by the tokens actually used
//      concurrency  open reservations of the owner, this one included — a chat call, a background response,
//                   a Realtime session all hold one while they run (a Responses WebSocket one per response
//                   while it runs: each response.create is its own metered call)
//    A request admitted counts toward rpm/rpd even if it is refunded later (OpenAI counts requests made; a
//    refund does not give a request back). Refused (nothing written; the caller rolls back) at the first limit
//    that is full; Retry-After is when its window rolls over (concurrency: one second, a slot frees whenever any
//    call ends).
//  - close(): settled within the minute it was admitted in, the tpm count moves from the estimate to
//    `actualTokens` (a refund: 0); settled in a later minute, `actualTokens` count in the minute it finished in.
//    The other limits have nothing to return.
// charge()/extend() are not rate-limited: they continue a request or session already admitted.
#include "reservationrepository.h"

namespace RelayDesk::Store {

class Database;

class RateLedger final
{
public:
    RateLedger(const Database &db, qint64 nowMs) : m_db(db), m_nowMs(nowMs) {}

    LedgerOutcome admit(qint64 reservationId, qint64 userId, qint64 keyId, qint64 tokens) const;
    bool close(qint64 reservationId, qint64 actualTokens, QString *error) const;

private:
    LedgerOutcome refusal(const RateState &state, qint64 requested) const;
    const Database &m_db;
    qint64 m_nowMs;
};

} // namespace RelayDesk::Store
