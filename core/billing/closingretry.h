#pragma once
// Settlements and refunds that failed only because the store did not answer (a PostgreSQL restart, a full
// disk). The upstream has been paid, or the hold must come back, so such a closing is not dropped: it is
// kept and retried every interval until the store answers. Closings are idempotent (a settle repeated after
// a commit that did land returns the first result), so a retry is always safe.
//
// Lives on the relay thread; run() and the retries run there. A closing still pending when this object is
// destroyed stays an open reservation of this instance, which peers or the next start recover.
#include "store/reservationrepository.h"

#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <functional>

namespace RelayDesk::Billing {

class ClosingRetry final : public QObject
{
    Q_OBJECT

public:
    using Closing = std::function<Store::LedgerOutcome()>;

    explicit ClosingRetry(int intervalMs = 1000, QObject *parent = nullptr);
    ~ClosingRetry() override;

    // Runs `closing` now and returns its outcome; when that failed with LedgerFailure::Database the closing
    // is queued and retried. `what` names it in the log (a request id).
    Store::LedgerOutcome run(const QString &what, Closing closing);
    int pending() const { return int(m_pending.size()); }
    // One retry pass now.
    void retryNow();

Q_SIGNALS:
    // A queued closing went through (or failed for a reason other than the store: then it is dropped).
    void closed(const QString &what, const RelayDesk::Store::LedgerOutcome &outcome);

private:
    struct Pending
    {
        QString what;
        Closing closing;
    };
    QList<Pending> m_pending;
    QTimer *m_timer;
};

} // namespace RelayDesk::Billing
