#pragma once
// The budget windows' side of every ledger operation, run inside the operation's own transaction (so a window
// and the balance move together or not at all — never a double count):
//  - take(): a reservation (or a charge/extension of one) must fit every budget window of its user and its key.
//    The windows are read in id order — on PostgreSQL locked (SELECT … FOR UPDATE) so concurrent takes of one
//    window queue and each sees the others' committed spend (today every window belongs to one user, whose row
//    the balance debit has locked already; the lock keeps that true for windows shared by several users later);
//    SQLite's write transaction is exclusive already —
//    then each period's usage row is added to and what was taken from which period is recorded in
//    reservation_takes. Refused (nothing written; the caller rolls back) when one cannot cover the amount.
//  - close(): settlement at `finalQuota` (0 for a refund). Per window, what the reservation took beyond the final
//    quota goes back to the periods it came from — latest take first, even when the period has since ended; a
//    final quota above what was taken adds the shortfall to the latest period it took from. Never refused (the
//    upstream was paid), so a window may end above its cap by that overage, like the balance.
// Rows are touched after the reservation, user and key rows and in window id order, like every ledger operation.
#include "reservationrepository.h"

namespace RelayDesk::Store {

class Database;

class BudgetLedger final
{
public:
    BudgetLedger(const Database &db, qint64 nowMs) : m_db(db), m_nowMs(nowMs) {}

    LedgerOutcome take(qint64 reservationId, qint64 userId, qint64 keyId, qint64 amount) const;
    bool close(qint64 reservationId, qint64 finalQuota, QString *error) const;

private:
    LedgerOutcome refusal(const BudgetState &state, qint64 amount) const;
    const Database &m_db;
    qint64 m_nowMs;
};

} // namespace RelayDesk::Store
