#include "closingretry.h"

#include "store/storelane.h"

#include <QtCore/QPointer>

namespace RelayDesk::Billing {

ClosingRetry::ClosingRetry(int intervalMs, Store::StoreLane *lane, QObject *parent)
    : QObject(parent)
    , m_lane(lane)
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

void ClosingRetry::attempt(const Pending &p, Done then)
{
    if (!m_lane)
        return then(p.closing().finish(std::nullopt));
    m_lane->submitStaged<Store::LedgerOutcome>(
        p.closing,
        [then = std::move(then)](const Store::LedgerOutcome &out, bool committed) {
            if (committed)
                return then(out);
            Store::LedgerOutcome lost; // durable only with its batch, which was rolled back
            lost.failure = Store::LedgerFailure::Database;
            lost.message = QStringLiteral("the commit of its batch failed");
            then(lost);
        },
        [](const Store::LedgerOutcome &out) { return out.failure == Store::LedgerFailure::Database; });
}

void ClosingRetry::keep(const Pending &p)
{
    m_pending.append(p);
    m_timer->start();
}

void ClosingRetry::run(const QString &what, Closing closing, Done done)
{
    run(what, StagedClosing([closing = std::move(closing)] {
            return Store::Staged<Store::LedgerOutcome>{std::nullopt,
                                                       [closing](std::optional<Store::ServerAnswer>) { return closing(); }};
        }),
        std::move(done));
}

void ClosingRetry::run(const QString &what, StagedClosing closing, Done done)
{
    const Pending p{what, std::move(closing)};
    attempt(p, [self = QPointer<ClosingRetry>(this), p, done = std::move(done)](const Store::LedgerOutcome &out) {
        if (out.failure == Store::LedgerFailure::Database && self) {
            qWarning("ledger: closing of %s failed (%s); retrying until the store answers", qPrintable(p.what),
                     qPrintable(out.message));
            self->keep(p);
        }
        if (done)
            done(out);
    });
}

void ClosingRetry::retryNow()
{
    const QList<Pending> due = std::exchange(m_pending, {});
    for (const Pending &p : due) {
        ++m_inFlight;
        attempt(p, [self = QPointer<ClosingRetry>(this), p](const Store::LedgerOutcome &out) {
            if (!self)
                return;
            --self->m_inFlight;
            if (out.failure == Store::LedgerFailure::Database)
                return self->keep(p);
            if (!out)
                qWarning("ledger: retried closing of %s refused: %s", qPrintable(p.what), qPrintable(out.message));
            Q_EMIT self->closed(p.what, out);
        });
    }
    if (m_pending.isEmpty() && m_inFlight == 0)
        m_timer->stop();
}

} // namespace RelayDesk::Billing
