// StoreLane, on SQLite and PostgreSQL: the relay's writes run off the calling thread, grouped in one transaction
// per batch, each in its own savepoint (a refused one leaves the others alone); each outcome comes back on the
// caller's thread, from its event loop, after the commit, in the order submitted. On PostgreSQL a row locked by
// another session delays only the writes that need it: they go solo and the rest go on. drain() delivers
// everything, and what the deliveries submitted, without an event loop. An idle lane on SQLite runs a write on the
// caller's own thread when the write lock is free, and hands it to its thread when it is not.
#include "backenddatabases.h"
#include "heldlock.h"

#include "store/database.h"
#include "store/reservationrepository.h"
#include "store/storelane.h"
#include "store/userrepository.h"

#include <QtCore/QSemaphore>
#include <QtCore/QThread>
#include <QtTest/QtTest>

using namespace RelayDesk;
using Store::LedgerOutcome;
using Store::StoreLane;

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

bool isStoreFailure(const LedgerOutcome &o)
{
    return o.failure == Store::LedgerFailure::Database;
}

struct Answer
{
    LedgerOutcome outcome;
    bool committed = false;
};

// Submits a reserve; its answer lands in `answers` (in delivery order) under `name`.
void reserve(StoreLane &lane, std::shared_ptr<Store::Database> db, qint64 userId, qint64 amount, const QString &name,
             QList<QPair<QString, Answer>> *answers, StoreLane::Chain chain = 0)
{
    lane.submit<LedgerOutcome>(
        [db, userId, amount, name] {
            return Store::ReservationRepository(*db).reserve(userId, 0, amount, name, QStringLiteral("chat"));
        },
        [answers, name](const LedgerOutcome &o, bool committed) { answers->append({name, Answer{o, committed}}); },
        isStoreFailure, chain);
}

// The same reserve, staged (submitStaged): on PostgreSQL its common case is one question the lane asks ahead.
void reserveStaged(StoreLane &lane, std::shared_ptr<Store::Database> db, qint64 userId, qint64 amount,
                   const QString &name, QList<QPair<QString, Answer>> *answers, StoreLane::Chain chain = 0)
{
    lane.submitStaged<LedgerOutcome>(
        [db, userId, amount, name] {
            return Store::ReservationRepository(*db).stageReserve(userId, 0, amount, name, QStringLiteral("chat"));
        },
        [answers, name](const LedgerOutcome &o, bool committed) { answers->append({name, Answer{o, committed}}); },
        isStoreFailure, chain);
}

// Holds the lane's batch thread in a write of its own until release(): what is submitted meanwhile makes one batch.
class LaneGate final
{
public:
    explicit LaneGate(StoreLane &lane)
    {
        lane.submit<int>([this] {
            m_entered.release();
            m_open.acquire();
            return 0;
        }, {});
    }
    ~LaneGate() { release(); }
    bool waitEntered() { return m_entered.tryAcquire(1, 30000); }
    void release()
    {
        if (!m_released)
            m_open.release();
        m_released = true;
    }

private:
    QSemaphore m_entered, m_open;
    bool m_released = false;
};

QStringList names(const QList<QPair<QString, Answer>> &answers)
{
    QStringList out;
    for (const auto &a : answers)
        out << a.first;
    return out;
}

// A reserve that notes the thread it ran on.
void reserveNotingThread(StoreLane &lane, std::shared_ptr<Store::Database> db, qint64 userId, const QString &name,
                         QList<QPair<QString, Answer>> *answers, QList<QThread *> *ranOn)
{
    lane.submit<LedgerOutcome>(
        [db, userId, name, ranOn] {
            ranOn->append(QThread::currentThread()); // one write runs at a time: no race on the list
            return Store::ReservationRepository(*db).reserve(userId, 0, 10, name, QStringLiteral("chat"));
        },
        [answers, name](const LedgerOutcome &o, bool committed) { answers->append({name, Answer{o, committed}}); },
        isStoreFailure);
}

// Another connection's write transaction on SQLite, as a console edit holds it, until release().
RelayDeskTest::HeldLock writeLock(const Store::Database &db)
{
    return RelayDeskTest::HeldLock(db, {QStringLiteral("BEGIN IMMEDIATE")});
}

// Another session holding a user's row: FOR UPDATE on PostgreSQL, until release().
RelayDeskTest::HeldLock rowLock(const Store::Database &db, qint64 userId)
{
    return RelayDeskTest::HeldLock(
        db, {QStringLiteral("BEGIN"), QStringLiteral("SELECT id FROM users WHERE id = %1 FOR UPDATE").arg(userId)});
}

} // namespace

class TestStoreLane final : public QObject
{
    Q_OBJECT

    Testing::BackendDatabases m_databases;

    static void backends()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

private Q_SLOTS:
    void cleanupTestCase() { m_databases.reset(); }

    void writesAreReportedAfterTheirCommitInOrder_data() { backends(); }
    void writesAreReportedAfterTheirCommitInOrder()
    {
        QFETCH(QString, backend);
        const auto opened = m_databases.open(backend);
        if (!opened.skip.isEmpty())
            QSKIP(qPrintable(opened.skip));
        QVERIFY2(opened.db, qPrintable(opened.error));
        const auto db = opened.db;
        const qint64 userId = newUser(*db, QStringLiteral("ann"), 1000);
        StoreLane lane(db);
        QList<QPair<QString, Answer>> answers;
        reserve(lane, db, userId, 100, QStringLiteral("r1"), &answers);
        reserve(lane, db, userId, 200, QStringLiteral("r2"), &answers);
        reserve(lane, db, userId, 300, QStringLiteral("r3"), &answers);
        bool barrier = false;
        lane.afterCommit([&](bool committed) {
            barrier = committed;
            // Everything before the barrier is durable for everybody by now.
            QCOMPARE(balanceSeenElsewhere(*db, userId), 400);
        });
        QVERIFY(answers.isEmpty()); // never inside submit()
        QTRY_VERIFY(barrier);
        QCOMPARE(names(answers), (QStringList{"r1", "r2", "r3"}));
        for (const auto &a : answers) {
            QVERIFY2(a.second.outcome.ok(), qPrintable(a.second.outcome.message));
            QVERIFY(a.second.committed);
        }
        QVERIFY(lane.batches() >= 1);
        QCOMPARE(lane.soloRuns(), quint64(0));
    }

    // An idle lane on SQLite runs a write on the submitting thread — committed before its outcome is delivered, and
    // delivered from the event loop as ever, never inside submit(). On PostgreSQL, and for a write submitted from
    // another thread, the lane thread runs it.
    void anIdleLaneWritesOnTheCallersThread_data() { backends(); }
    void anIdleLaneWritesOnTheCallersThread()
    {
        QFETCH(QString, backend);
        const auto opened = m_databases.open(backend);
        if (!opened.skip.isEmpty())
            QSKIP(qPrintable(opened.skip));
        QVERIFY2(opened.db, qPrintable(opened.error));
        const auto db = opened.db;
        const qint64 userId = newUser(*db, QStringLiteral("lee"), 1000);
        StoreLane lane(db);
        lane.setInlineWhenIdle(true);
        QList<QPair<QString, Answer>> answers;
        QList<QThread *> ranOn;
        reserveNotingThread(lane, db, userId, QStringLiteral("here"), &answers, &ranOn);
        QVERIFY(answers.isEmpty());
        if (backend == u"sqlite")
            QCOMPARE(ranOn.size(), 1); // done by the time submit() returns
        bool barrier = false;
        lane.afterCommit([&](bool committed) {
            barrier = committed;
            QCOMPARE(balanceSeenElsewhere(*db, userId), 990);
        });
        QTRY_VERIFY(barrier);
        QCOMPARE(names(answers), QStringList{"here"});
        QVERIFY(answers[0].second.outcome.ok() && answers[0].second.committed);
        QCOMPARE(ranOn.size(), 1);
        QCOMPARE(ranOn[0] == QThread::currentThread(), backend == u"sqlite");
        QCOMPARE(lane.inlineRuns(), quint64(backend == u"sqlite" ? 2 : 0)); // the write and the barrier

        std::unique_ptr<QThread> other(QThread::create([&] {
            reserveNotingThread(lane, db, userId, QStringLiteral("elsewhere"), &answers, &ranOn);
        }));
        other->start();
        other->wait();
        lane.drain();
        QCOMPARE(names(answers), (QStringList{"here", "elsewhere"}));
        QCOMPARE(ranOn.size(), 2);
        QVERIFY(ranOn[1] != QThread::currentThread() && ranOn[1] != other.get());
        QCOMPARE(balanceSeenElsewhere(*db, userId), 980);

        // Not allowed: the lane thread runs it.
        lane.setInlineWhenIdle(false);
        reserveNotingThread(lane, db, userId, QStringLiteral("not allowed"), &answers, &ranOn);
        lane.drain();
        QCOMPARE(ranOn.size(), 3);
        QVERIFY(ranOn[2] != QThread::currentThread());
        QCOMPARE(lane.inlineRuns(), quint64(backend == u"sqlite" ? 2 : 0));
    }

    // While another connection holds SQLite's write lock, a write goes to the lane thread (which waits on the busy
    // timeout) instead of blocking the caller; a write submitted behind it keeps its turn.
    void aWriteLockElsewhereSendsWritesToTheLane()
    {
        const auto opened = m_databases.open(QStringLiteral("sqlite"));
        QVERIFY2(opened.db, qPrintable(opened.error));
        const auto db = opened.db;
        const qint64 userId = newUser(*db, QStringLiteral("max"), 1000);
        StoreLane lane(db);
        lane.setInlineWhenIdle(true);
        QList<QPair<QString, Answer>> answers;
        QList<QThread *> ranOn;
        RelayDeskTest::HeldLock lock = writeLock(*db);
        QVERIFY(lock.isLocked());
        reserveNotingThread(lane, db, userId, QStringLiteral("first"), &answers, &ranOn);
        reserveNotingThread(lane, db, userId, QStringLiteral("second"), &answers, &ranOn);
        // Both submit() calls returned with the lock still held elsewhere: neither waited here.
        QVERIFY(answers.isEmpty());
        lock.release();
        lane.drain();
        QCOMPARE(names(answers), (QStringList{"first", "second"}));
        for (const auto &a : answers)
            QVERIFY2(a.second.outcome.ok() && a.second.committed, qPrintable(a.second.outcome.message));
        QCOMPARE(ranOn.size(), 2);
        for (QThread *t : ranOn)
            QVERIFY(t != QThread::currentThread());
        QCOMPARE(balanceSeenElsewhere(*db, userId), 980);

        // The lock gone and the lane idle again, the next write runs here.
        reserveNotingThread(lane, db, userId, QStringLiteral("third"), &answers, &ranOn);
        QCOMPARE(ranOn.size(), 3);
        QCOMPARE(ranOn[2], QThread::currentThread());
        lane.drain();
        QCOMPARE(names(answers), (QStringList{"first", "second", "third"}));
    }

    // A refused write inside the batch rolls back alone (its savepoint); the others commit — on PostgreSQL too,
    // where a failed statement would otherwise abort the whole transaction.
    void aFailedWriteDoesNotSpoilTheBatch_data() { backends(); }
    void aFailedWriteDoesNotSpoilTheBatch()
    {
        QFETCH(QString, backend);
        const auto opened = m_databases.open(backend);
        if (!opened.skip.isEmpty())
            QSKIP(qPrintable(opened.skip));
        QVERIFY2(opened.db, qPrintable(opened.error));
        const auto db = opened.db;
        const qint64 userId = newUser(*db, QStringLiteral("bob"), 500);
        QList<QPair<QString, Answer>> answers;
        {
            StoreLane lane(db);
            reserve(lane, db, userId, 300, QStringLiteral("a"), &answers);
            reserve(lane, db, userId, 300, QStringLiteral("b"), &answers);  // over the balance
            reserve(lane, db, userId, 10, QStringLiteral("a"), &answers);   // the same request id again
            reserve(lane, db, userId, 100, QStringLiteral("c"), &answers);
            lane.drain();
        }
        QCOMPARE(names(answers), (QStringList{"a", "b", "a", "c"}));
        QVERIFY(answers[0].second.outcome.ok());
        QCOMPARE(answers[1].second.outcome.failure, Store::LedgerFailure::UserQuota);
        QVERIFY(!answers[2].second.outcome.ok());
        QVERIFY(answers[3].second.outcome.ok());
        QCOMPARE(balanceSeenElsewhere(*db, userId), 100);
        QCOMPARE(Store::ReservationRepository(*db).openReservations().size(), 2);
    }

    // drain() runs and delivers everything without an event loop, including what a delivery submitted.
    void drainDeliversWhatDeliveriesSubmitted_data() { backends(); }
    void drainDeliversWhatDeliveriesSubmitted()
    {
        QFETCH(QString, backend);
        const auto opened = m_databases.open(backend);
        if (!opened.skip.isEmpty())
            QSKIP(qPrintable(opened.skip));
        QVERIFY2(opened.db, qPrintable(opened.error));
        const auto db = opened.db;
        const qint64 userId = newUser(*db, QStringLiteral("cy"), 100);
        StoreLane lane(db);
        QList<QPair<QString, Answer>> answers;
        lane.submit<LedgerOutcome>(
            [db, userId] { return Store::ReservationRepository(*db).reserve(userId, 0, 10, QStringLiteral("1"), QStringLiteral("chat")); },
            [&](const LedgerOutcome &o, bool committed) {
                answers.append({QStringLiteral("1"), Answer{o, committed}});
                reserve(lane, db, userId, 20, QStringLiteral("2"), &answers);
            });
        lane.drain();
        QCOMPARE(names(answers), (QStringList{"1", "2"}));
        QCOMPARE(balanceSeenElsewhere(*db, userId), 70);
    }

    // Another session holds one user's row: that user's write waits, alone; everybody else's is answered
    // meanwhile. A barrier of the waiting write's chain waits for it too; one of another chain does not.
    void aLockedRowDelaysOnlyItsWrites()
    {
        const auto opened = m_databases.open(QStringLiteral("postgres"));
        if (!opened.skip.isEmpty())
            QSKIP(qPrintable(opened.skip));
        QVERIFY2(opened.db, qPrintable(opened.error));
        const auto db = opened.db;
        const qint64 locked = newUser(*db, QStringLiteral("dee"), 1000);
        const qint64 free = newUser(*db, QStringLiteral("eve"), 1000);
        StoreLane lane(db);
        QList<QPair<QString, Answer>> answers;
        RelayDeskTest::HeldLock lock = rowLock(*db, locked);
        QVERIFY(lock.isLocked());
        const StoreLane::Chain lockedChain = StoreLane::newChain(), freeChain = StoreLane::newChain();
        reserve(lane, db, locked, 100, QStringLiteral("locked"), &answers, lockedChain);
        bool barrier = false, otherBarrier = false;
        lane.afterCommit([&](bool) { barrier = true; }, lockedChain);
        lane.afterCommit([&](bool) { otherBarrier = true; }, freeChain);
        reserve(lane, db, free, 100, QStringLiteral("free-1"), &answers, freeChain);
        reserve(lane, db, free, 100, QStringLiteral("free-2"), &answers);
        QTRY_COMPARE_WITH_TIMEOUT(names(answers), (QStringList{"free-1", "free-2"}), 30000);
        QVERIFY(answers[0].second.outcome.ok() && answers[1].second.outcome.ok());
        QVERIFY(otherBarrier);
        QVERIFY(!barrier); // the locked write is still waiting, and its chain's barrier with it
        QCOMPARE(lane.soloRuns(), quint64(1));
        QCOMPARE(balanceSeenElsewhere(*db, free), 800);

        lock.release();
        QTRY_VERIFY_WITH_TIMEOUT(barrier, 30000);
        QCOMPARE(names(answers), (QStringList{"free-1", "free-2", "locked"}));
        QVERIFY2(answers[2].second.outcome.ok(), qPrintable(answers[2].second.outcome.message));
        QVERIFY(answers[2].second.committed);
        QCOMPARE(balanceSeenElsewhere(*db, locked), 900);
    }

    // Staged writes of one batch are asked together: one round trip for all of them on PostgreSQL, each the first
    // of its chain — a chain's second write asks when its turn comes. SQLite asks nothing. Each outcome is the
    // same as unstaged, in submission order.
    void stagedWritesAreAskedTogether_data() { backends(); }
    void stagedWritesAreAskedTogether()
    {
        QFETCH(QString, backend);
        const auto opened = m_databases.open(backend);
        if (!opened.skip.isEmpty())
            QSKIP(qPrintable(opened.skip));
        QVERIFY2(opened.db, qPrintable(opened.error));
        const auto db = opened.db;
        const qint64 userId = newUser(*db, QStringLiteral("hal"), 1000);
        StoreLane lane(db);
        QList<QPair<QString, Answer>> answers;
        {
            LaneGate gate(lane);
            QVERIFY(gate.waitEntered());
            const StoreLane::Chain chain = StoreLane::newChain();
            reserveStaged(lane, db, userId, 100, QStringLiteral("s1"), &answers, StoreLane::newChain());
            reserveStaged(lane, db, userId, 50, QStringLiteral("c1"), &answers, chain);
            reserveStaged(lane, db, userId, 100, QStringLiteral("s2"), &answers, StoreLane::newChain());
            reserveStaged(lane, db, userId, 50, QStringLiteral("c2"), &answers, chain); // the chain's second
            reserveStaged(lane, db, userId, 100, QStringLiteral("s3"), &answers);
        }
        lane.drain();
        QCOMPARE(names(answers), (QStringList{"s1", "c1", "s2", "c2", "s3"}));
        for (const auto &a : answers) {
            QVERIFY2(a.second.outcome.ok(), qPrintable(a.second.outcome.message));
            QVERIFY(a.second.committed);
            QCOMPARE(a.second.outcome.reservation.requestId, a.first);
            QVERIFY(a.second.outcome.reservation.id > 0);
        }
        QCOMPARE(balanceSeenElsewhere(*db, userId), 600);
        QCOMPARE(Store::ReservationRepository(*db).openReservations().size(), 5);
        const bool postgres = backend == u"postgres";
        QCOMPARE(lane.askedAhead(), quint64(postgres ? 4 : 0));
        QCOMPARE(lane.askRoundTrips(), quint64(postgres ? 1 : 0));
        QCOMPARE(lane.soloRuns(), quint64(0));
    }

    // A staged write outside the common case (here: over the balance, or a request id seen before) finishes on the
    // general path inside the batch, and refuses alone: the batch's other writes commit.
    void aStagedWriteOutsideTheCommonCaseRefusesAlone_data() { backends(); }
    void aStagedWriteOutsideTheCommonCaseRefusesAlone()
    {
        QFETCH(QString, backend);
        const auto opened = m_databases.open(backend);
        if (!opened.skip.isEmpty())
            QSKIP(qPrintable(opened.skip));
        QVERIFY2(opened.db, qPrintable(opened.error));
        const auto db = opened.db;
        const qint64 userId = newUser(*db, QStringLiteral("ida"), 500);
        StoreLane lane(db);
        QList<QPair<QString, Answer>> answers;
        {
            LaneGate gate(lane);
            QVERIFY(gate.waitEntered());
            reserveStaged(lane, db, userId, 300, QStringLiteral("a"), &answers, StoreLane::newChain());
            reserveStaged(lane, db, userId, 300, QStringLiteral("b"), &answers, StoreLane::newChain()); // too much
            reserveStaged(lane, db, userId, 10, QStringLiteral("a"), &answers, StoreLane::newChain());  // again
            reserveStaged(lane, db, userId, 100, QStringLiteral("c"), &answers, StoreLane::newChain());
        }
        lane.drain();
        QCOMPARE(names(answers), (QStringList{"a", "b", "a", "c"}));
        QVERIFY(answers[0].second.outcome.ok());
        QCOMPARE(answers[1].second.outcome.failure, Store::LedgerFailure::UserQuota);
        QCOMPARE(answers[2].second.outcome.failure, Store::LedgerFailure::DuplicateRequest);
        QVERIFY(answers[3].second.outcome.ok());
        for (const auto &a : answers)
            QVERIFY(a.second.committed);
        QCOMPARE(balanceSeenElsewhere(*db, userId), 100);
        QCOMPARE(Store::ReservationRepository(*db).openReservations().size(), 2);
    }

    // A staged write whose row another session holds: its question gives up after the batch's lock timeout (the
    // function catches it), the write goes solo and asks again, and lands once the lock goes.
    void aStagedWriteBehindALockGoesSolo()
    {
        const auto opened = m_databases.open(QStringLiteral("postgres"));
        if (!opened.skip.isEmpty())
            QSKIP(qPrintable(opened.skip));
        QVERIFY2(opened.db, qPrintable(opened.error));
        const auto db = opened.db;
        const qint64 locked = newUser(*db, QStringLiteral("jo"), 1000);
        const qint64 free = newUser(*db, QStringLiteral("kit"), 1000);
        StoreLane lane(db);
        QList<QPair<QString, Answer>> answers;
        RelayDeskTest::HeldLock lock = rowLock(*db, locked);
        QVERIFY(lock.isLocked());
        reserveStaged(lane, db, locked, 100, QStringLiteral("locked"), &answers, StoreLane::newChain());
        reserveStaged(lane, db, free, 100, QStringLiteral("free"), &answers, StoreLane::newChain());
        QTRY_COMPARE_WITH_TIMEOUT(names(answers), QStringList{"free"}, 30000);
        QCOMPARE(lane.soloRuns(), quint64(1));
        lock.release();
        QTRY_COMPARE_WITH_TIMEOUT(names(answers), (QStringList{"free", "locked"}), 30000);
        QVERIFY2(answers[1].second.outcome.ok(), qPrintable(answers[1].second.outcome.message));
        QVERIFY(answers[1].second.committed);
        QCOMPARE(balanceSeenElsewhere(*db, locked), 900);
        QCOMPARE(balanceSeenElsewhere(*db, free), 900);
        QCOMPARE(Store::ReservationRepository(*db).openReservations().size(), 2);
    }

    // Two writes waiting on two locked rows: the one whose lock goes first is answered first — solo writes do
    // not queue behind each other.
    void soloWritesDoNotWaitForEachOther()
    {
        const auto opened = m_databases.open(QStringLiteral("postgres"));
        if (!opened.skip.isEmpty())
            QSKIP(qPrintable(opened.skip));
        QVERIFY2(opened.db, qPrintable(opened.error));
        const auto db = opened.db;
        const qint64 first = newUser(*db, QStringLiteral("fay"), 1000);
        const qint64 second = newUser(*db, QStringLiteral("gil"), 1000);
        StoreLane lane(db);
        QList<QPair<QString, Answer>> answers;
        RelayDeskTest::HeldLock firstLock = rowLock(*db, first), secondLock = rowLock(*db, second);
        QVERIFY(firstLock.isLocked() && secondLock.isLocked());
        reserve(lane, db, first, 100, QStringLiteral("first"), &answers);
        reserve(lane, db, second, 100, QStringLiteral("second"), &answers);
        QTRY_COMPARE_WITH_TIMEOUT(lane.soloRuns(), quint64(2), 30000);
        secondLock.release();
        QTRY_COMPARE_WITH_TIMEOUT(names(answers), QStringList{"second"}, 30000);
        firstLock.release();
        QTRY_COMPARE_WITH_TIMEOUT(names(answers), (QStringList{"second", "first"}), 30000);
        QVERIFY(answers[0].second.outcome.ok() && answers[1].second.outcome.ok());
    }
};

QTEST_GUILESS_MAIN(TestStoreLane)
#include "tst_storelane.moc"
