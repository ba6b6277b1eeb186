// Budget windows in the ledger: a reservation fits every window of its user and key as well as the balance, in the
// same transaction. Exactly at the cap admitted, one over refused with nothing changed; settlement below the hold
// and refunds return to the period the hold came from even after it rolled over; a settlement above the hold adds
// the shortfall there (never refused, may pass the cap); charge/extend are checked like a reserve; recovery settles
// at what was charged; the configured time zone picks the day; and 200 concurrent reservations against a window on
// SQLite and PostgreSQL admit exactly what fits, never count past the cap, and logs == debits == window spend.
#include "ledgeraccount.h"
#include "backenddatabases.h"
#include "tempdatabase.h"

#include "billing/ledger.h"
#include "common/budgetwindow.h"
#include "store/apikeyrepository.h"
#include "store/database.h"
#include "store/limitrepository.h"
#include "store/logrepository.h"
#include "store/optionrepository.h"
#include "store/userrepository.h"

#include <QDateTime>
#include <QSqlQuery>
#include <QThread>
#include <QtTest>

#include <atomic>

using namespace RelayDesk;
using namespace RelayDesk::Billing;
using Store::LimitRepository;

namespace {

using Account = RelayDeskTest::LedgerAccount;
using RelayDeskTest::msAt;

using RelayDeskTest::makeLedgerAccount;

qint64 secsAt(const QString &iso)
{
    return msAt(iso) / 1000;
}

// One budget window for the owner; returns its id.
qint64 setBudget(const Store::Database &db, const QString &owner, qint64 ownerId, const QString &window, qint64 cap)
{
    const LimitRepository limits(db);
    auto windows = QList<std::pair<QString, qint64>>();
    for (const Store::BudgetLimit &b : limits.budgets(owner, ownerId))
        if (b.window != window)
            windows.append({b.window, b.cap});
    windows.append({window, cap});
    if (const auto set = limits.setBudgets(owner, ownerId, windows); !set)
        qFatal("set budgets: %s", qPrintable(set.error()));
    for (const Store::BudgetLimit &b : limits.budgets(owner, ownerId))
        if (b.window == window)
            return b.id;
    return 0;
}

qint64 scalar(const Store::Database &db, const QString &sql)
{
    QSqlQuery q = db.query();
    if (!q.exec(sql) || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

// What a window counted in one period (0 when it has no row).
qint64 used(const Store::Database &db, qint64 limitId, qint64 period)
{
    return scalar(db, QStringLiteral("SELECT COALESCE(SUM(used), 0) FROM limit_usage WHERE limit_id = %1 AND period = %2")
                          .arg(limitId)
                          .arg(period));
}

qint64 usedTotal(const Store::Database &db, qint64 limitId)
{
    return scalar(db, QStringLiteral("SELECT COALESCE(SUM(used), 0) FROM limit_usage WHERE limit_id = %1").arg(limitId));
}

// Never a double count: every period's usage is exactly what the reservations' takes say they took from it.
void checkTakesMatchUsage(const Store::Database &db)
{
    QSqlQuery q = db.query();
    QVERIFY(q.exec(QStringLiteral(
        "SELECT u.limit_id, u.period, u.used, COALESCE((SELECT SUM(t.amount) FROM reservation_takes t "
        "WHERE t.limit_id = u.limit_id AND t.period = u.period), 0) FROM limit_usage u")));
    while (q.next())
        QCOMPARE(q.value(2).toLongLong(), q.value(3).toLongLong());
}

Store::LogRecord chatLog()
{
    Store::LogRecord log;
    log.model = QStringLiteral("gpt-4o");
    return log;
}

qint64 consumeLogSum(const Store::Database &db, qint64 userId)
{
    Store::LogFilter f;
    f.userId = userId;
    f.type = Store::LogType::Consume;
    return Store::LogRepository(db).sumQuota(f);
}

} // namespace

class TestBudgetLedger final : public QObject
{
    Q_OBJECT

private:
    Testing::BackendDatabases m_databases;
    std::atomic<qint64> m_now{0};

    Ledger ledgerAt(const Store::Database &db)
    {
        return Ledger(db, [this] { return m_now.load(); });
    }

private slots:
    void capBoundaries_data()
    {
        QTest::addColumn<QString>("owner");
        QTest::addColumn<QString>("window");
        QTest::addColumn<qint64>("first");
        QTest::addColumn<qint64>("second");
        QTest::addColumn<bool>("secondAdmitted");
        QTest::newRow("key day, exactly at the cap") << "key" << "day" << qint64(600) << qint64(400) << true;
        QTest::newRow("key day, one over") << "key" << "day" << qint64(600) << qint64(401) << false;
        QTest::newRow("user day, exactly at the cap") << "user" << "day" << qint64(0) << qint64(1000) << true;
        QTest::newRow("user day, one over") << "user" << "day" << qint64(0) << qint64(1001) << false;
        QTest::newRow("key week, one over") << "key" << "week" << qint64(999) << qint64(2) << false;
        QTest::newRow("user month, at the cap") << "user" << "month" << qint64(1) << qint64(999) << true;
        QTest::newRow("key 24h, at the cap") << "key" << "24h" << qint64(500) << qint64(500) << true;
        QTest::newRow("user 3h, one over") << "user" << "3h" << qint64(500) << qint64(501) << false;
    }

    // cap 1000. first (if any) admitted; second admitted iff it fits; a refusal changes nothing.
    void capBoundaries()
    {
        QFETCH(QString, owner);
        QFETCH(QString, window);
        QFETCH(qint64, first);
        QFETCH(qint64, second);
        QFETCH(bool, secondAdmitted);
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const Account a = makeLedgerAccount(t.db(), QStringLiteral("u"));
        const qint64 limitId = setBudget(t.db(), owner, owner == u"key" ? a.keyId : a.userId, window, 1000);
        QVERIFY(limitId > 0);
        m_now = msAt(QStringLiteral("2026-12-06T12:34:56Z"));
        Ledger ledger = ledgerAt(t.db());
        if (first > 0)
            QVERIFY(ledger.reserve(a.userId, a.keyId, first, {}));
        const qint64 balance = Store::UserRepository(t.db()).byId(a.userId)->quota;
        const qint64 reservations = scalar(t.db(), QStringLiteral("SELECT COUNT(*) FROM reservations"));
        const LedgerOutcome r = ledger.reserve(a.userId, a.keyId, second, {});
        QCOMPARE(r.ok(), secondAdmitted);
        QCOMPARE(usedTotal(t.db(), limitId), first + (secondAdmitted ? second : 0));
        if (!secondAdmitted) {
            QCOMPARE(r.failure, LedgerFailure::BudgetExceeded);
            QVERIFY(r.budget);
            QCOMPARE(r.budget->ownerKind, owner);
            QCOMPARE(r.budget->ownerName, owner == u"key" ? a.keyHint : QStringLiteral("u"));
            QCOMPARE(r.budget->window, window);
            QCOMPARE(r.budget->cap, qint64(1000));
            QCOMPARE(r.budget->spent, first);
            QCOMPARE(r.budget->amount, second);
            QVERIFY(r.budget->retryAfterSecs >= 1);
            QCOMPARE(r.budget->resetAt, m_now / 1000 + r.budget->retryAfterSecs);
            // Nothing changed: no reservation, no debit, nothing counted.
            QCOMPARE(Store::UserRepository(t.db()).byId(a.userId)->quota, balance);
            QCOMPARE(scalar(t.db(), QStringLiteral("SELECT COUNT(*) FROM reservations")), reservations);
        }
        checkTakesMatchUsage(t.db());
    }

    void refusalSaysWhenItFits_data()
    {
        QTest::addColumn<QString>("window");
        QTest::addColumn<QString>("resetAt");
        // Calendar: the end of the period (the zone's midnight). Rolling 3h: 600 spent at 10:xx and 300 at 11:xx;
        // asking 500 at 12:20 needs 400 to leave, so the 10:00 bucket must go: at 13:00.
        QTest::newRow("day") << "day" << "2026-12-07T00:00:00Z";
        QTest::newRow("week (Monday)") << "week" << "2026-12-07T00:00:00Z";
        QTest::newRow("month") << "month" << "2027-01-01T00:00:00Z";
        QTest::newRow("3h rolling") << "3h" << "2026-12-06T13:00:00Z";
    }

    void refusalSaysWhenItFits()
    {
        QFETCH(QString, window);
        QFETCH(QString, resetAt);
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const Account a = makeLedgerAccount(t.db(), QStringLiteral("u"));
        setBudget(t.db(), QStringLiteral("key"), a.keyId, window, 1000);
        Ledger ledger = ledgerAt(t.db());
        m_now = msAt(QStringLiteral("2026-12-06T10:15:00Z"));
        QVERIFY(ledger.reserve(a.userId, a.keyId, 600, {}));
        m_now = msAt(QStringLiteral("2026-12-06T11:45:00Z"));
        QVERIFY(ledger.reserve(a.userId, a.keyId, 300, {}));
        m_now = msAt(QStringLiteral("2026-12-06T12:20:00Z"));
        const LedgerOutcome r = ledger.reserve(a.userId, a.keyId, 500, {});
        QCOMPARE(r.failure, LedgerFailure::BudgetExceeded);
        QCOMPARE(r.budget->spent, qint64(900));
        QCOMPARE(r.budget->resetAt, secsAt(resetAt));
        QCOMPARE(r.budget->retryAfterSecs, secsAt(resetAt) - m_now / 1000);
        // …and then it does fit.
        m_now = secsAt(resetAt) * 1000;
        QVERIFY(ledger.reserve(a.userId, a.keyId, 500, {}));
    }

    void aHoldBiggerThanTheCapIsRefusedForAnHour()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const Account a = makeLedgerAccount(t.db(), QStringLiteral("u"));
        setBudget(t.db(), QStringLiteral("user"), a.userId, QStringLiteral("24h"), 1000);
        m_now = msAt(QStringLiteral("2026-12-06T12:20:00Z"));
        const LedgerOutcome r = ledgerAt(t.db()).reserve(a.userId, a.keyId, 1001, {});
        QCOMPARE(r.failure, LedgerFailure::BudgetExceeded);
        QCOMPARE(r.budget->retryAfterSecs, qint64(3600)); // it never fits: the conservative answer
    }

    void everyWindowMustFit()
    {
        // The tightest of the user's and the key's windows decides.
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const Account a = makeLedgerAccount(t.db(), QStringLiteral("u"));
        const qint64 userDay = setBudget(t.db(), QStringLiteral("user"), a.userId, QStringLiteral("day"), 5000);
        const qint64 keyHour = setBudget(t.db(), QStringLiteral("key"), a.keyId, QStringLiteral("1h"), 700);
        m_now = msAt(QStringLiteral("2026-12-06T09:10:00Z"));
        Ledger ledger = ledgerAt(t.db());
        QVERIFY(ledger.reserve(a.userId, a.keyId, 700, {}));
        const LedgerOutcome r = ledger.reserve(a.userId, a.keyId, 1, {});
        QCOMPARE(r.failure, LedgerFailure::BudgetExceeded);
        QCOMPARE(r.budget->ownerKind, QStringLiteral("key"));
        QCOMPARE(usedTotal(t.db(), userDay), qint64(700)); // the refusal rolled back the user window's count too
        m_now = msAt(QStringLiteral("2026-12-06T10:00:00Z")); // the key's hour rolled over
        QVERIFY(ledger.reserve(a.userId, a.keyId, 700, {}));
        QCOMPARE(usedTotal(t.db(), userDay), qint64(1400));
        QCOMPARE(usedTotal(t.db(), keyHour), qint64(1400));
        // The balance is checked too: a user who cannot pay is refused for the balance, not the window.
        QVERIFY(Store::UserRepository(t.db()).setQuota(a.userId, 10));
        QCOMPARE(ledger.reserve(a.userId, a.keyId, 11, {}).failure, LedgerFailure::UserQuota);
        checkTakesMatchUsage(t.db());
    }

    void settlementReturnsToItsPeriod_data()
    {
        QTest::addColumn<QString>("close"); // settle | refund
        QTest::addColumn<qint64>("finalQuota");
        QTest::addColumn<qint64>("firstDay"); // what day 1 counts in the end
        QTest::newRow("settle below the hold") << "settle" << qint64(200) << qint64(200);
        QTest::newRow("settle at the hold") << "settle" << qint64(800) << qint64(800);
        QTest::newRow("settle above the hold: overage past the cap") << "settle" << qint64(1300) << qint64(1300);
        QTest::newRow("refund") << "refund" << qint64(0) << qint64(0);
    }

    // Held on day 1, closed on day 2: the difference goes back to (or is added to) day 1, never day 2.
    void settlementReturnsToItsPeriod()
    {
        QFETCH(QString, close);
        QFETCH(qint64, finalQuota);
        QFETCH(qint64, firstDay);
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const Account a = makeLedgerAccount(t.db(), QStringLiteral("u"));
        const qint64 day = setBudget(t.db(), QStringLiteral("key"), a.keyId, QStringLiteral("day"), 1000);
        Ledger ledger = ledgerAt(t.db());
        m_now = msAt(QStringLiteral("2026-12-06T23:59:00Z"));
        const LedgerOutcome held = ledger.reserve(a.userId, a.keyId, 800, {});
        QVERIFY(held);
        m_now = msAt(QStringLiteral("2026-12-07T00:01:00Z"));
        QVERIFY(ledger.reserve(a.userId, a.keyId, 1000, {})); // day 2 has its whole cap
        const LedgerOutcome closed = close == u"refund" ? ledger.refund(held.reservation.id)
                                                        : ledger.settle(held.reservation.id, finalQuota, chatLog());
        QVERIFY2(closed, qPrintable(closed.message));
        QCOMPARE(used(t.db(), day, secsAt(QStringLiteral("2026-12-06T00:00:00Z"))), firstDay);
        QCOMPARE(used(t.db(), day, secsAt(QStringLiteral("2026-12-07T00:00:00Z"))), qint64(1000));
        // Settling or refunding again changes nothing.
        if (close == u"refund")
            QVERIFY(ledger.refund(held.reservation.id).alreadyApplied);
        else
            QVERIFY(ledger.settle(held.reservation.id, finalQuota, chatLog()).alreadyApplied);
        QCOMPARE(used(t.db(), day, secsAt(QStringLiteral("2026-12-06T00:00:00Z"))), firstDay);
        checkTakesMatchUsage(t.db());
    }

    void extensionsAreCheckedAndReturnedLatestFirst()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const Account a = makeLedgerAccount(t.db(), QStringLiteral("u"));
        const qint64 day = setBudget(t.db(), QStringLiteral("user"), a.userId, QStringLiteral("day"), 1000);
        const qint64 d1 = secsAt(QStringLiteral("2026-12-06T00:00:00Z")), d2 = secsAt(QStringLiteral("2026-12-07T00:00:00Z"));
        Ledger ledger = ledgerAt(t.db());
        m_now = msAt(QStringLiteral("2026-12-06T22:00:00Z"));
        const LedgerOutcome r = ledger.reserve(a.userId, a.keyId, 600, {}, QStringLiteral("realtime"));
        QVERIFY(r);
        QVERIFY(ledger.extend(r.reservation.id, 400));                                        // day 1 full
        QCOMPARE(ledger.extend(r.reservation.id, 1).failure, LedgerFailure::BudgetExceeded);  // refusable
        QCOMPARE(ledger.charge(r.reservation.id, 1).failure, LedgerFailure::BudgetExceeded);
        m_now = msAt(QStringLiteral("2026-12-07T01:00:00Z"));
        QVERIFY(ledger.charge(r.reservation.id, 300));                                        // counted on day 2
        QCOMPARE(used(t.db(), day, d1), qint64(1000));
        QCOMPARE(used(t.db(), day, d2), qint64(300));
        // Settle at 1100 of the 1300 held: the 200 not used comes back from the latest take (day 2) first.
        QVERIFY(ledger.settle(r.reservation.id, 1100, chatLog()));
        QCOMPARE(used(t.db(), day, d1), qint64(1000));
        QCOMPARE(used(t.db(), day, d2), qint64(100));
        checkTakesMatchUsage(t.db());
    }

    void recoverySettlesAtWhatWasCharged()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const Account a = makeLedgerAccount(t.db(), QStringLiteral("u"));
        const qint64 day = setBudget(t.db(), QStringLiteral("key"), a.keyId, QStringLiteral("day"), 1000);
        m_now = msAt(QStringLiteral("2026-12-06T12:00:00Z"));
        Ledger ledger = ledgerAt(t.db());
        const LedgerOutcome r = ledger.reserve(a.userId, a.keyId, 500, {}, QStringLiteral("realtime"));
        QVERIFY(r);
        QVERIFY(ledger.charge(r.reservation.id, 120));
        // No instance owns it and it was not touched for longer than the lease: a survivor recovers it.
        const auto recovered = Store::ReservationRepository(t.db(), [this] { return m_now.load(); })
                                   .recoverOrphans(QStringLiteral("survivor"), Store::nowMs() + 60'000, 1000);
        QVERIFY2(recovered, qPrintable(recovered.error()));
        QCOMPARE(*recovered, 1);
        QCOMPARE(usedTotal(t.db(), day), qint64(120));
        QCOMPARE(consumeLogSum(t.db(), a.userId), qint64(120));
        checkTakesMatchUsage(t.db());
    }

    void calendarDaysFollowTheConfiguredZone_data()
    {
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QString>("dayStart"); // of the day containing 2026-12-06T23:30:00Z there
        QTest::newRow("default UTC") << "" << "2026-12-06T00:00:00Z";
        QTest::newRow("Tokyo (already the 7th)") << "Asia/Tokyo" << "2026-12-07T00:00:00+09:00";
        QTest::newRow("New York") << "America/New_York" << "2026-12-06T00:00:00-05:00";
    }

    void calendarDaysFollowTheConfiguredZone()
    {
        QFETCH(QString, zone);
        QFETCH(QString, dayStart);
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        if (!zone.isEmpty())
            QVERIFY(Store::OptionRepository(t.db()).set(QString::fromLatin1(LimitRepository::kTimeZoneOption), zone));
        const Account a = makeLedgerAccount(t.db(), QStringLiteral("u"));
        const qint64 day = setBudget(t.db(), QStringLiteral("key"), a.keyId, QStringLiteral("day"), 1000);
        m_now = msAt(QStringLiteral("2026-12-06T23:30:00Z"));
        QVERIFY(ledgerAt(t.db()).reserve(a.userId, a.keyId, 250, {}));
        QCOMPARE(used(t.db(), day, secsAt(dayStart)), qint64(250));
        const auto state = LimitRepository(t.db()).state(LimitRepository(t.db()).budgets(QStringLiteral("key"), a.keyId)
                                                              .first(),
                                                          m_now / 1000, LimitRepository(t.db()).timeZone());
        QVERIFY(state);
        QCOMPARE(state->spent, qint64(250));
        QCOMPARE(state->periodStart, secsAt(dayStart));
        QCOMPARE(state->resetAt, secsAt(dayStart) + 86400);
    }

    void changingACapKeepsTheSpend()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const Account a = makeLedgerAccount(t.db(), QStringLiteral("u"));
        const qint64 id = setBudget(t.db(), QStringLiteral("key"), a.keyId, QStringLiteral("day"), 1000);
        m_now = msAt(QStringLiteral("2026-12-06T12:00:00Z"));
        Ledger ledger = ledgerAt(t.db());
        QVERIFY(ledger.reserve(a.userId, a.keyId, 900, {}));
        QCOMPARE(setBudget(t.db(), QStringLiteral("key"), a.keyId, QStringLiteral("day"), 950), id);
        QCOMPARE(ledger.reserve(a.userId, a.keyId, 51, {}).failure, LedgerFailure::BudgetExceeded);
        QVERIFY(ledger.reserve(a.userId, a.keyId, 50, {}));
        // Clearing the windows lifts the budget; a hold taken before settles without a window to return to.
        QVERIFY(LimitRepository(t.db()).setBudgets(QStringLiteral("key"), a.keyId, {}));
        QVERIFY(ledger.reserve(a.userId, a.keyId, 5000, {}));
        QCOMPARE(scalar(t.db(), QStringLiteral("SELECT COUNT(*) FROM limit_usage")), qint64(0));
    }

    void concurrentReservations_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::addColumn<QString>("window");
        QTest::newRow("sqlite day") << "sqlite" << "day";
        QTest::newRow("sqlite 24h") << "sqlite" << "24h";
        QTest::newRow("postgres day") << "postgres" << "day";
        QTest::newRow("postgres 24h") << "postgres" << "24h";
    }

    // 200 reservations from 8 threads (each its own connection) against a key window with room for 50: exactly 50
    // admitted, the window never counts past its cap, and logs == balance debits == the window's spend.
    void concurrentReservations()
    {
        QFETCH(QString, backend);
        QFETCH(QString, window);
        const auto opened = m_databases.open(backend);
        if (!opened.skip.isEmpty())
            QSKIP(qPrintable(opened.skip));
        QVERIFY2(opened.db, qPrintable(opened.error));
        const std::shared_ptr<Store::Database> db = opened.db;
        constexpr int kThreads = 8, kPerThread = 25, kAllowed = 50;
        constexpr qint64 kCost = 100, kCap = kAllowed * kCost, kInitial = 1'000'000;
        const Account a = makeLedgerAccount(*db, QStringLiteral("hot"), kInitial);
        const qint64 limitId = setBudget(*db, QStringLiteral("key"), a.keyId, window, kCap);
        m_now = Store::nowMs();

        std::atomic<int> admitted{0}, refused{0}, other{0};
        std::atomic<bool> done{false};
        std::atomic<qint64> highest{0};
        QThread *watcher = QThread::create([&] {
            while (!done) {
                const qint64 u = usedTotal(*db, limitId);
                qint64 high = highest;
                while (u > high && !highest.compare_exchange_weak(high, u)) {}
                QThread::yieldCurrentThread();
            }
        });
        watcher->start();
        QList<QThread *> workers;
        for (int w = 0; w < kThreads; ++w) {
            workers << QThread::create([&, w] {
                Ledger ledger = ledgerAt(*db);
                for (int i = 0; i < kPerThread; ++i) {
                    const LedgerOutcome r = ledger.reserve(a.userId, a.keyId, kCost, QStringLiteral("t%1-%2").arg(w).arg(i));
                    if (r.ok()) {
                        ++admitted;
                        if (!ledger.settle(r.reservation.id, kCost, chatLog()).ok())
                            ++other;
                    } else if (r.failure == LedgerFailure::BudgetExceeded) {
                        ++refused;
                    } else {
                        qWarning("unexpected failure: %s", qPrintable(r.message));
                        ++other;
                    }
                }
            });
            workers.last()->start();
        }
        for (QThread *th : std::as_const(workers)) {
            QVERIFY(th->wait(300000));
            delete th;
        }
        done = true;
        QVERIFY(watcher->wait(30000));
        delete watcher;

        QCOMPARE(other.load(), 0);
        QCOMPARE(admitted.load(), kAllowed);
        QCOMPARE(refused.load(), kThreads * kPerThread - kAllowed);
        QVERIFY(highest.load() <= kCap);
        QCOMPARE(usedTotal(*db, limitId), kCap);
        const qint64 debited = kInitial - Store::UserRepository(*db).byId(a.userId)->quota;
        QCOMPARE(debited, kCap);
        QCOMPARE(consumeLogSum(*db, a.userId), debited);
        checkTakesMatchUsage(*db);
    }

    void cleanupTestCase()
    {
        m_databases.reset();
    }
};

QTEST_GUILESS_MAIN(TestBudgetLedger)
#include "tst_budgetledger.moc"
