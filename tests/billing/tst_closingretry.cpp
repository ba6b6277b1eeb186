// ClosingRetry: a settlement or refund that failed only because the store did not answer is kept and retried
// until it goes through; any other outcome is final at once. (End to end, through a PostgreSQL restart:
// tst_storeoutage::settlementWaitsForTheStore.)
#include "billing/closingretry.h"

#include <QtTest/QtTest>

using namespace RelayDesk;
using Store::LedgerFailure;
using Store::LedgerOutcome;

namespace {

LedgerOutcome outcome(LedgerFailure failure)
{
    LedgerOutcome out;
    out.failure = failure;
    out.message = failure == LedgerFailure::None ? QString() : QStringLiteral("failed");
    return out;
}

// A closing whose attempts answer the given failures in turn (the last one repeats).
Billing::ClosingRetry::Closing scripted(QList<LedgerFailure> answers, int *attempts)
{
    return [answers, attempts] {
        const int i = std::min<int>((*attempts)++, int(answers.size()) - 1);
        return outcome(answers.at(i));
    };
}

// run() without a lane answers inline: its outcome.
LedgerOutcome runNow(Billing::ClosingRetry &retry, const QString &what, Billing::ClosingRetry::Closing closing)
{
    LedgerOutcome out;
    out.message = QStringLiteral("not answered");
    retry.run(what, std::move(closing), [&out](const LedgerOutcome &o) { out = o; });
    return out;
}

} // namespace

class TestClosingRetry final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void finalOutcomesAreNotQueued_data()
    {
        QTest::addColumn<int>("failure");
        QTest::newRow("settled") << int(LedgerFailure::None);
        QTest::newRow("already closed by recovery") << int(LedgerFailure::ReservationClosed);
        QTest::newRow("invalid amount") << int(LedgerFailure::InvalidAmount);
    }

    void finalOutcomesAreNotQueued()
    {
        QFETCH(int, failure);
        Billing::ClosingRetry retry(1000);
        QSignalSpy closed(&retry, &Billing::ClosingRetry::closed);
        int attempts = 0;
        const LedgerOutcome out = runNow(retry, QStringLiteral("req-1"), scripted({LedgerFailure(failure)}, &attempts));
        QCOMPARE(int(out.failure), failure);
        QCOMPARE(attempts, 1);
        QCOMPARE(retry.pending(), 0);
        retry.retryNow();
        QCOMPARE(attempts, 1);
        QCOMPARE(closed.size(), 0); // closed() is for queued closings only
    }

    void storeFailuresAreRetriedUntilTheStoreAnswers()
    {
        Billing::ClosingRetry retry(1000);
        QSignalSpy closed(&retry, &Billing::ClosingRetry::closed);
        int attempts = 0;
        const LedgerOutcome first = runNow(
            retry,             QStringLiteral("req-2"),
            scripted({LedgerFailure::Database, LedgerFailure::Database, LedgerFailure::None}, &attempts));
        QCOMPARE(first.failure, LedgerFailure::Database);
        QCOMPARE(retry.pending(), 1);
        retry.retryNow(); // the store is still down
        QCOMPARE(attempts, 2);
        QCOMPARE(retry.pending(), 1);
        QCOMPARE(closed.size(), 0);
        retry.retryNow(); // back
        QCOMPARE(attempts, 3);
        QCOMPARE(retry.pending(), 0);
        QCOMPARE(closed.size(), 1);
        QCOMPARE(closed.first().at(0).toString(), QStringLiteral("req-2"));
        QVERIFY(closed.first().at(1).value<LedgerOutcome>().ok());
        retry.retryNow();
        QCOMPARE(attempts, 3); // done: never run again
    }

    // The timer drives the retries on its own (no retryNow from outside).
    void theTimerRetries()
    {
        Billing::ClosingRetry retry(10);
        QSignalSpy closed(&retry, &Billing::ClosingRetry::closed);
        int attempts = 0;
        retry.run(QStringLiteral("req-3"), scripted({LedgerFailure::Database, LedgerFailure::None}, &attempts));
        QVERIFY(closed.wait(5000));
        QCOMPARE(attempts, 2);
        QCOMPARE(retry.pending(), 0);
    }

    // One closing that keeps failing does not hold back the others.
    void closingsAreIndependent()
    {
        Billing::ClosingRetry retry(1000);
        int stuckAttempts = 0, okAttempts = 0;
        retry.run(QStringLiteral("stuck"), scripted({LedgerFailure::Database}, &stuckAttempts));
        retry.run(QStringLiteral("ok"), scripted({LedgerFailure::Database, LedgerFailure::None}, &okAttempts));
        QCOMPARE(retry.pending(), 2);
        retry.retryNow();
        QCOMPARE(retry.pending(), 1);
        QCOMPARE(okAttempts, 2);
        QCOMPARE(stuckAttempts, 2);
    }
};

QTEST_GUILESS_MAIN(TestClosingRetry)
#include "tst_closingretry.moc"
