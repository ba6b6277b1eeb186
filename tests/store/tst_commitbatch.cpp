// Group commit: ledger writes joined to a CommitBatch become durable (visible to other connections) only
// when the batch commits, each still succeeds or fails on its own, and continuations run after the commit.
#include "../common/tempdatabase.h"

#include "store/commitbatch.h"
#include "store/database.h"
#include "store/reservationrepository.h"
#include "store/userrepository.h"

#include <QtCore/QThread>
#include <QtTest/QtTest>

using namespace RelayDesk;

namespace {

// What another connection (another thread) sees of a user's balance.
qint64 balanceSeenElsewhere(const Store::Database &db, qint64 userId)
{
    qint64 quota = -1;
    std::unique_ptr<QThread> reader(QThread::create([&] {
        if (const auto user = Store::UserRepository(db).byId(userId))
            quota = user->quota;
    }));
    reader->start();
    reader->wait();
    return quota;
}

qint64 newUser(const Store::Database &db, const QString &name, qint64 quota)
{
    const auto user = Store::UserRepository(db).create(name, QStringLiteral("default"), quota);
    return user ? user->id : 0;
}

} // namespace

class TestCommitBatch final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writesBecomeDurableTogether()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const qint64 userId = newUser(t.db(), QStringLiteral("ann"), 1000);
        Store::ReservationRepository ledger(t.db());
        Store::CommitBatch batch(t.shared());

        batch.join();
        QVERIFY(batch.isOpen());
        QVERIFY(t.db().inBatch());
        QVERIFY(ledger.reserve(userId, 0, 100, QStringLiteral("r1"), QStringLiteral("chat")).ok());
        batch.join(); // joining again keeps the same batch
        QVERIFY(ledger.reserve(userId, 0, 200, QStringLiteral("r2"), QStringLiteral("chat")).ok());
        QCOMPARE(Store::UserRepository(t.db()).byId(userId)->quota, 700); // this connection sees its writes
        QCOMPARE(balanceSeenElsewhere(t.db(), userId), 1000);             // nobody else does yet

        QList<bool> ran;
        batch.afterCommit([&](bool committed) { ran.append(committed); });
        QVERIFY(ran.isEmpty()); // waits for the commit

        QTRY_COMPARE(ran, QList<bool>{true}); // committed when control returned to the event loop
        QVERIFY(!batch.isOpen());
        QVERIFY(!t.db().inBatch());
        QCOMPARE(batch.batches(), quint64(1));
        QCOMPARE(balanceSeenElsewhere(t.db(), userId), 700);
        QCOMPARE(ledger.openReservations().size(), 2);
    }

    // A refused operation inside the batch rolls back alone (its savepoint); the others commit.
    void aFailedOperationDoesNotSpoilTheBatch()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const qint64 userId = newUser(t.db(), QStringLiteral("bob"), 500);
        Store::ReservationRepository ledger(t.db());
        Store::CommitBatch batch(t.shared());
        batch.join();
        const auto first = ledger.reserve(userId, 0, 300, QStringLiteral("a"), QStringLiteral("chat"));
        QVERIFY(first.ok());
        const auto refused = ledger.reserve(userId, 0, 300, QStringLiteral("b"), QStringLiteral("chat"));
        QCOMPARE(refused.failure, Store::LedgerFailure::UserQuota);
        const auto duplicate = ledger.reserve(userId, 0, 10, QStringLiteral("a"), QStringLiteral("chat"));
        QVERIFY(!duplicate.ok());
        Store::LogRecord log;
        log.userId = userId;
        log.model = QStringLiteral("gpt-4o-mini");
        QVERIFY(ledger.settle(first.reservation.id, 120, log).ok());
        QVERIFY(batch.commit());

        QCOMPARE(balanceSeenElsewhere(t.db(), userId), 380);
        QVERIFY(!ledger.byRequestId(QStringLiteral("b")));
        QCOMPARE(ledger.byId(first.reservation.id)->state, Store::Reservation::State::Settled);
        QVERIFY(ledger.openReservations().isEmpty());
    }

    void withoutABatchEverythingRunsAtOnce()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const qint64 userId = newUser(t.db(), QStringLiteral("cy"), 50);
        Store::CommitBatch batch(t.shared());
        bool ran = false;
        batch.afterCommit([&](bool committed) { ran = committed; });
        QVERIFY(ran);
        QVERIFY(Store::ReservationRepository(t.db()).reserve(userId, 0, 20, QStringLiteral("x"), QStringLiteral("chat")).ok());
        QCOMPARE(balanceSeenElsewhere(t.db(), userId), 30); // committed on its own
        QCOMPARE(batch.batches(), quint64(0));
    }

    // Continuations may start the next batch; it is committed on its own pass.
    void continuationsMayOpenTheNextBatch()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const qint64 userId = newUser(t.db(), QStringLiteral("di"), 100);
        Store::ReservationRepository ledger(t.db());
        Store::CommitBatch batch(t.shared());
        batch.join();
        QVERIFY(ledger.reserve(userId, 0, 10, QStringLiteral("1"), QStringLiteral("chat")).ok());
        bool secondDurable = false;
        batch.afterCommit([&](bool) {
            batch.join();
            QVERIFY(ledger.reserve(userId, 0, 10, QStringLiteral("2"), QStringLiteral("chat")).ok());
            batch.afterCommit([&](bool committed) { secondDurable = committed; });
        });
        QTRY_VERIFY(secondDurable);
        QCOMPARE(batch.batches(), quint64(2));
        QCOMPARE(balanceSeenElsewhere(t.db(), userId), 80);
    }

    // Destroying the batch (relay thread ending) commits what is open.
    void destructionCommits()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const qint64 userId = newUser(t.db(), QStringLiteral("ed"), 100);
        bool ran = false;
        {
            Store::CommitBatch batch(t.shared());
            batch.join();
            QVERIFY(Store::ReservationRepository(t.db()).reserve(userId, 0, 40, QStringLiteral("z"), QStringLiteral("chat")).ok());
            batch.afterCommit([&](bool committed) { ran = committed; });
        }
        QVERIFY(ran);
        QVERIFY(!t.db().inBatch());
        QCOMPARE(balanceSeenElsewhere(t.db(), userId), 60);
    }
};

QTEST_GUILESS_MAIN(TestCommitBatch)
#include "tst_commitbatch.moc"
