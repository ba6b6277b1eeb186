#pragma once
// Settlements and refunds that failed only because the store did not answer (a PostgreSQL restart, a full
// disk). The upstream has been paid, or the hold must come back, so such a closing is not dropped: it is
// kept and retried every interval until the store answers. Closings are idempotent (a settle repeated after
// a commit that did land returns the first result), so a retry is always safe.
//
// Lives on the relay thread. With a StoreLane each attempt runs on the lane (off the relay thread) and its outcome
// comes back later; without one, attempts run inline. A closing still pending when this object is destroyed
// stays an open reservation of this instance, which peers or the next start recover.
#include "store/reservationrepository.h"

#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <functional>

namespace RelayDesk::Store {
class StoreLane;
}

namespace RelayDesk::Billing {

class ClosingRetry final : public QObject
{
    Q_OBJECT

public:
    using Closing = std::function<Store::LedgerOutcome()>;
    // A closing staged around its question (Store::StoreLane::submitStaged): on the lane it is asked with the
    // batch's others.
    using StagedClosing = std::function<Store::Staged<Store::LedgerOutcome>()>;
    using Done = std::function<void(const Store::LedgerOutcome &)>;

    explicit ClosingRetry(int intervalMs = 1000, Store::StoreLane *lane = nullptr, QObject *parent = nullptr);
    ~ClosingRetry() override;

    // Runs `closing` and hands its first outcome to `done` (inline without a lane); when that failed with
    // LedgerFailure::Database — or its batch was lost — the closing is queued and retried. `what` names it in
    // the log (a request id).
    void run(const QString &what, StagedClosing closing, Done done = {});
    void run(const QString &what, Closing closing, Done done = {});
    int pending() const { return int(m_pending.size()) + m_inFlight; }
    // One retry pass now.
    void retryNow();

Q_SIGNALS:
    // A queued closing went through (or failed for a reason other than the store: then it is dropped).
    void closed(const QString &what, const RelayDesk::Store::LedgerOutcome &outcome);

private:
    struct Pending
    {
        QString what;
        StagedClosing closing;
    };
    // One attempt: on the lane, or inline; then(outcome) on this thread.
    void attempt(const Pending &p, Done then);
    void keep(const Pending &p);

    Store::StoreLane *m_lane;
    QList<Pending> m_pending;
    int m_inFlight = 0; // retries on the lane not answered yet
    QTimer *m_timer;
};

} // namespace RelayDesk::Billing
