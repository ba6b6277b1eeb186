#include "closingretry.h"

namespace RelayDesk::Billing {

ClosingRetry::ClosingRetry(int intervalMs, QObject *parent)
    : QObject(parent)
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(intervalMs);
    connect(m_timer, &QTimer::timeout, this, &ClosingRetry::retryNow);
}

ClosingRetry::~ClosingRetry()
{
    for (const Pending &p : std::as_const(m_pending))
        qWarning("ledger: closing of %s still waits for the store; its hold stays open for recovery",
                 qPrintable(p.what));
}

Store::LedgerOutcome ClosingRetry::run(const QString &what, Closing closing)
{
    Store::LedgerOutcome out = closing();
    if (out.failure == Store::LedgerFailure::Database) {
        qWarning("ledger: closing of %s failed (%s); retrying until the store answers", qPrintable(what),
                 qPrintable(out.message));
        m_pending.append({what, std::move(closing)});
        m_timer->start();
    }
    return out;
}

void ClosingRetry::retryNow()
{
    const QList<Pending> due = std::exchange(m_pending, {});
    for (const Pending &p : due) {
        const Store::LedgerOutcome out = p.closing();
        if (out.failure == Store::LedgerFailure::Database) {
            m_pending.append(p);
            continue;
        }
        if (!out)
            qWarning("ledger: retried closing of %s refused: %s", qPrintable(p.what), qPrintable(out.message));
        Q_EMIT closed(p.what, out);
    }
    if (m_pending.isEmpty())
        m_timer->stop();
}

} // namespace RelayDesk::Billing
