#pragma once

#include "quotamath.h"

#include "store/reservationrepository.h"

namespace RelayDesk::Store {
class Database;
}

namespace RelayDesk::Billing {

using LedgerFailure = Store::LedgerFailure;
using LedgerOutcome = Store::LedgerOutcome;

// The quota ledger: one chain per request or session — reserve → charge* → settle (or refund).
//  - reserve() debits user and key with one conditional statement each, in one transaction; refused
//    (typed reason, nothing changed) when either cannot cover the amount. Unlimited keys skip the key
//    check but still count used_quota at settlement.
//  - charge() draws more against an open reservation with the same conditional rule (Realtime: the cost
//    of each finished response; the hold stays in place for the next one).
//  - settle() closes at the final quota and writes the consume log row in the same transaction, so the
//    consume logs always sum to what was debited. It never refuses (the upstream was already paid): a
//    shortfall the balance cannot cover takes it negative and is logged as `overage`. Idempotent.
//  - refund() returns the whole hold and writes no consume row. Exactly one of settle/refund applies.
//  - Budget windows of the user and the key (day/week/month/rolling, Store::BudgetLedger) move with the balance in
//    the same transaction: reserve/charge/extend must fit each (else BudgetExceeded), settle and refund return to
//    or add to the periods the hold came from.
//  - Rate limits of the user and the key (rpm, tpm, rpd, concurrency; Store::RateLedger) are checked by reserve()
//    in the same transaction (else RateLimited); settle/refund move the tpm count to the tokens used.
// The SQL lives in Store::ReservationRepository. Safe to use from any thread.
class Ledger final
{
public:
    // `clock` (unix milliseconds) says which budget period an operation counts in; empty = now (tests pass theirs).
    explicit Ledger(const Store::Database &db, Store::ReservationRepository::Clock clock = {});

    // `tokens`: what the hold was sized for (prompt estimate + max output), counted against tpm limits until the
    // settlement records the tokens used (Store::RateLedger).
    LedgerOutcome reserve(qint64 userId, qint64 keyId, qint64 amount, const QString &requestId,
                          const QString &kind = QStringLiteral("chat"), const QString &model = {},
                          qint64 tokens = 0) const;
    // reserve() and settle(id, quota, log) staged for the store lane (StoreLane::submitStaged). `usage` is what the
    // row's other.usage says (settle() reads it back from log.other; a caller that wrote it as text passes it).
    Store::Staged<LedgerOutcome> stageReserve(qint64 userId, qint64 keyId, qint64 amount, const QString &requestId,
                                              const QString &kind = QStringLiteral("chat"), const QString &model = {},
                                              qint64 tokens = 0) const;
    Store::Staged<LedgerOutcome> stageSettle(qint64 reservationId, qint64 finalQuota, Store::LogRecord log,
                                             const Usage &usage) const;
    // Debits `amount` more and counts it as consumed.
    LedgerOutcome charge(qint64 reservationId, qint64 amount) const;
    // Debits `amount` more as hold only (e.g. a Realtime conversation that grew).
    LedgerOutcome extend(qint64 reservationId, qint64 amount) const;
    LedgerOutcome settle(qint64 reservationId, qint64 finalQuota, Store::LogRecord log) const;
    // Prices `usage` with `pricing` (QuotaMath::settle) and settles at that quota; the log row gets the
    // token counts, the ratios, the usage breakdown, the exact cost and the price snapshot id.
    LedgerOutcome settle(qint64 reservationId, const ModelPricing &pricing, const Usage &usage,
                         Store::LogRecord log) const;
    LedgerOutcome refund(qint64 reservationId) const;
    // Settles, at what they had charged (log marked recovered), the reservations of owners that are gone:
    // see Store::ReservationRepository::recoverOrphans. Exactly one of several survivors recovers each.
    Store::Result<int> recoverOrphans(const QString &selfInstanceId, qint64 leaseMs) const;

    std::optional<Store::Reservation> reservation(qint64 id) const;

private:
    Store::ReservationRepository m_repo;
};

} // namespace RelayDesk::Billing
