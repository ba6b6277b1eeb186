#pragma once

#include "records.h"
#include "result.h"
#include "servercall.h"

#include <QList>

#include <functional>

namespace RelayDesk::Store {

class Database;

// Why a ledger operation did not apply. Nothing is changed when an operation fails.
enum class LedgerFailure {
    None,
    InvalidAmount,       // negative amount
    UserNotFound,
    UserDisabled,
    UserQuota,           // the user's balance cannot cover the amount
    KeyNotFound,
    KeyNotOwned,         // the key belongs to another user
    KeyDisabled,
    KeyExpired,
    KeyQuota,            // the key's remaining quota cannot cover the amount
    DuplicateRequest,    // a reservation with this request id already exists
    ReservationNotFound,
    ReservationClosed,   // already settled (for refund) or refunded (for settle/charge)
    BudgetExceeded,      // a budget window of the user or the key cannot cover the amount; see budget
    RateLimited,         // a rate limit (rpm, tpm, rpd, concurrency) of the user or the key is reached; see rate
    Database,            // the database failed; see message
};
QString ledgerFailureName(LedgerFailure failure); // "user_quota", "key_expired", …

// The budget window a reservation (or a charge) did not fit in, for the client's error.
struct BudgetRefusal
{
    QString ownerKind;   // "user" | "key"
    qint64 ownerId = 0;
    QString ownerName;   // the user's name, or the key's hint (never the key)
    QString window;      // "day", "week", "month", "<N>h"
    qint64 cap = 0;
    qint64 spent = 0;    // counted in the window now
    qint64 amount = 0;   // what was asked for
    qint64 resetAt = 0;  // unix seconds: when it would fit (calendar: the period's end)
    qint64 retryAfterSecs = 0; // ≥ 1
};

// The rate limit a reservation did not fit in, for the client's error.
struct RateRefusal
{
    QString ownerKind;   // "user" | "key"
    qint64 ownerId = 0;
    QString ownerName;   // the user's name, or the key's hint (never the key)
    QString kind;        // "rpm", "tpm", "rpd", "concurrency"
    qint64 cap = 0;
    qint64 used = 0;     // counted in the window now (concurrency: other open reservations)
    qint64 requested = 0; // requests (1) or tokens asked for
    qint64 retryAfterSecs = 0; // ≥ 1: when the window rolls over (concurrency: a conservative second)
};

struct LedgerOutcome
{
    LedgerFailure failure = LedgerFailure::None;
    QString message;
    Reservation reservation;    // the reservation after the operation
    qint64 logId = 0;           // settle: the consume log row
    bool alreadyApplied = false; // settle/refund repeated: nothing changed, same result returned
    qint64 overage = 0;          // settle: extra debit that took a balance below zero
    std::optional<BudgetRefusal> budget; // BudgetExceeded: which window
    std::optional<RateRefusal> rate;     // RateLimited: which limit

    bool ok() const { return failure == LedgerFailure::None; }
    explicit operator bool() const { return ok(); }
};

// The quota ledger's SQL. Every method is one transaction. Debits are single conditional statements
// (`UPDATE … SET quota = quota - :q WHERE id = :id AND quota >= :q`), so concurrent requests can never
// overdraw a balance on admission; rows are always touched in the order reservation → user → key → rate limits
// by id → budget windows by id. Rate limits (RateLedger, on reserve only) and budget windows (BudgetLedger) are
// checked and moved in the same transaction as the balances.
class ReservationRepository final
{
public:
    // Unix milliseconds: which budget period an operation counts in. Tests pass their own; empty = now.
    using Clock = std::function<qint64()>;

    explicit ReservationRepository(const Database &db, Clock clock = {}) : m_db(db), m_clock(std::move(clock)) {}

    // keyId 0 = no key (admin or internal use). requestId empty = a generated one. `tokens`: what the hold was
    // sized for (prompt estimate + max output), counted against tokens-per-minute limits until settlement.
    LedgerOutcome reserve(qint64 userId, qint64 keyId, qint64 amount, const QString &requestId,
                          const QString &kind, const QString &model = {}, qint64 tokens = 0) const;
    // reserve() and settle() staged (StoreLane::submitStaged): on PostgreSQL their common case is one question.
    Staged<LedgerOutcome> stageReserve(qint64 userId, qint64 keyId, qint64 amount, const QString &requestId,
                                       const QString &kind, const QString &model = {}, qint64 tokens = 0) const;
    Staged<LedgerOutcome> stageSettle(qint64 reservationId, qint64 finalQuota, LogRecord log) const;
    // Debits `amount` more against the reservation. `consumed` amounts count toward what was charged
    // (Realtime: the cost of a finished response); otherwise the amount only enlarges the hold.
    LedgerOutcome charge(qint64 reservationId, qint64 amount, bool consumed) const;
    // Closes the reservation at finalQuota: refunds (reserved − final) or debits the shortfall (never
    // refused: an uncovered shortfall takes the balance negative and is recorded as overage), adds
    // used_quota/request_count to user, key and channel, and writes the consume log row — one transaction.
    // Idempotent: settling again returns the first result with alreadyApplied set.
    LedgerOutcome settle(qint64 reservationId, qint64 finalQuota, LogRecord log) const;
    // Returns the whole hold; writes no log row (the net debit is 0). Idempotent.
    LedgerOutcome refund(qint64 reservationId) const;
    // Settles at what they had charged (consume log marked "recovered") the open reservations whose owner
    // is gone: an instance other than selfId that stopped, whose heartbeat is older than leaseMs, or that
    // is dead on this machine (InstanceRepository::lapsed); and reservations with no instance row that
    // were not touched for leaseMs. Each is claimed with a conditional update, so concurrent survivors
    // recover each exactly once. Returns how many this call recovered.
    Result<int> recoverOrphans(const QString &selfId, qint64 nowMs, qint64 leaseMs) const;

    std::optional<Reservation> byId(qint64 id) const;
    std::optional<Reservation> byRequestId(const QString &requestId) const;
    QList<Reservation> openReservations() const;

private:
    LedgerOutcome reserveGeneral(const Reservation &held, qint64 tokens) const; // any case, on any backend
    LedgerOutcome close(qint64 reservationId, qint64 finalQuota, LogRecord log, Reservation::State state) const;
    qint64 budgetNow() const;
    const Database &m_db;
    Clock m_clock;
};

} // namespace RelayDesk::Store
