// Rate limits in the ledger (Store::RateLedger): rpm, tpm, rpd and concurrency of a user or a key, checked by
// reserve() in the same transaction as the balance. Exactly at the cap admitted, one over refused with nothing
// changed and a Retry-After to the window's end; minutes roll over on the minute, days at midnight in the budget
// time zone; tpm holds the hold's token estimate until the settlement records the tokens used (a refund: none);
// a refunded request still counts as a request; a closed reservation frees its concurrency slot; and 200
// concurrent reservations against an rpm limit on SQLite and PostgreSQL admit exactly the cap, logs == debits.
#include "ledgeraccount.h"
#include "backenddatabases.h"
#include "tempdatabase.h"

#include "billing/ledger.h"
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

void setRate(const Store::Database &db, const QString &owner, qint64 ownerId, const QString &kind, qint64 cap)
{
    if (const auto set = LimitRepository(db).setRates(owner, ownerId, {{kind, cap}}); !set)
        qFatal("set rates: %s", qPrintable(set.error()));
}

qint64 scalar(const Store::Database &db, const QString &sql)
{
    QSqlQuery q = db.query();
    if (!q.exec(sql) || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

// What the owner's limit of `kind` counts now (at the ledger's clock `nowMs`).
qint64 usedNow(const Store::Database &db, const QString &owner, qint64 ownerId, const QString &kind, qint64 nowMs)
{
    const LimitRepository limits(db);
    for (const Store::RateLimit &l : limits.rates(owner, ownerId))
        if (l.kind == kind)
            return limits.rateState(l, nowMs / 1000, limits.timeZone())->used;
    return -1;
}

Store::LogRecord chatLog(qint64 prompt = 0, qint64 completion = 0)
{
    Store::LogRecord log;
    log.model = QStringLiteral("gpt-4o");
    log.promptTokens = prompt;
    log.completionTokens = completion;
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

class TestRateLedger final : public QObject
{
    Q_OBJECT

private:
    Testing::BackendDatabases m_databases;
    std::atomic<qint64> m_now{0};

    Ledger ledgerAt(const Store::Database &db)
    {
        return Ledger(db, [this] { return m_now.load(); });
    }
    LedgerOutcome reserve(const Ledger &ledger, const Account &a, qint64 tokens = 0)
    {
        return ledger.reserve(a.userId, a.keyId, 10, {}, QStringLiteral("chat"), {}, tokens);
    }

private slots:
    void capBoundaries_data()
    {
        QTest::addColumn<QString>("owner");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<qint64>("cap");
        QTest::addColumn<int>("before");      // reservations admitted (and left open) first
        QTest::addColumn<qint64>("tokensEach"); // the tokens each of those holds
        QTest::addColumn<qint64>("tokens");   // the tokens the last one asks for
        QTest::addColumn<bool>("admitted");
        QTest::addColumn<qint64>("usedSeen"); // a refusal's "used"
        QTest::newRow("key rpm, exactly at the cap") << "key" << "rpm" << qint64(3) << 2 << qint64(0) << qint64(0) << true << qint64(0);
        QTest::newRow("key rpm, one over") << "key" << "rpm" << qint64(3) << 3 << qint64(0) << qint64(0) << false << qint64(3);
        QTest::newRow("user rpm, one over") << "user" << "rpm" << qint64(1) << 1 << qint64(0) << qint64(0) << false << qint64(1);
        QTest::newRow("user rpd, exactly at the cap") << "user" << "rpd" << qint64(2) << 1 << qint64(0) << qint64(0) << true << qint64(0);
        QTest::newRow("key rpd, one over") << "key" << "rpd" << qint64(2) << 2 << qint64(0) << qint64(0) << false << qint64(2);
        QTest::newRow("key tpm, exactly at the cap") << "key" << "tpm" << qint64(1000) << 1 << qint64(600) << qint64(400) << true << qint64(0);
        QTest::newRow("key tpm, one over") << "key" << "tpm" << qint64(1000) << 1 << qint64(600) << qint64(401) << false << qint64(600);
        QTest::newRow("user tpm, too large alone") << "user" << "tpm" << qint64(1000) << 0 << qint64(0) << qint64(1001) << false << qint64(0);
        QTest::newRow("key concurrency, exactly at the cap") << "key" << "concurrency" << qint64(2) << 1 << qint64(0) << qint64(0) << true << qint64(0);
        QTest::newRow("user concurrency, one over") << "user" << "concurrency" << qint64(2) << 2 << qint64(0) << qint64(0) << false << qint64(2);
    }

    void capBoundaries()
    {
        QFETCH(QString, owner);
        QFETCH(QString, kind);
        QFETCH(qint64, cap);
        QFETCH(int, before);
        QFETCH(qint64, tokensEach);
        QFETCH(qint64, tokens);
        QFETCH(bool, admitted);
        QFETCH(qint64, usedSeen);
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const Account a = makeLedgerAccount(t.db(), QStringLiteral("u"));
        const qint64 ownerId = owner == u"key" ? a.keyId : a.userId;
        setRate(t.db(), owner, ownerId, kind, cap);
        m_now = msAt(QStringLiteral("2026-12-06T12:34:20Z"));
        const Ledger ledger = ledgerAt(t.db());
        for (int i = 0; i < before; ++i)
            QVERIFY(reserve(ledger, a, tokensEach));
        const qint64 balance = Store::UserRepository(t.db()).byId(a.userId)->quota;
        const qint64 reservations = scalar(t.db(), QStringLiteral("SELECT COUNT(*) FROM reservations"));
        const qint64 usedBefore = usedNow(t.db(), owner, ownerId, kind, m_now);
        const LedgerOutcome r = reserve(ledger, a, tokens);
        QCOMPARE(r.ok(), admitted);
        if (admitted) {
            QCOMPARE(usedNow(t.db(), owner, ownerId, kind, m_now), cap); // exactly at the cap now
            return;
        }
        QCOMPARE(r.failure, LedgerFailure::RateLimited);
        QVERIFY(r.rate);
        QCOMPARE(r.rate->ownerKind, owner);
        QCOMPARE(r.rate->ownerName, owner == u"key" ? a.keyHint : QStringLiteral("u"));
        QCOMPARE(r.rate->kind, kind);
        QCOMPARE(r.rate->cap, cap);
        QCOMPARE(r.rate->used, usedSeen);
        QCOMPARE(r.rate->requested, kind == u"tpm" ? tokens : qint64(1));
        const qint64 retry = kind == u"concurrency" ? 1 : kind == u"rpd" ? 41140 : 40; // to 12:35:00 / midnight UTC
        QCOMPARE(r.rate->retryAfterSecs, retry);
        // Nothing changed: no reservation, no debit, nothing counted.
        QCOMPARE(Store::UserRepository(t.db()).byId(a.userId)->quota, balance);
        QCOMPARE(scalar(t.db(), QStringLiteral("SELECT COUNT(*) FROM reservations")), reservations);
        QCOMPARE(usedNow(t.db(), owner, ownerId, kind, m_now), usedBefore);
    }

    void windowsRollOver_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QString>("full");  // the moment the window is filled and one more is refused
        QTest::addColumn<QString>("next");  // the next window's first moment: admitted again
        QTest::addColumn<qint64>("retry");
        QTest::newRow("rpm, last second of the minute") << "rpm" << "UTC" << "2026-12-06T12:34:59Z" << "2026-12-06T12:35:00Z" << qint64(1);
        QTest::newRow("tpm, second second of the minute") << "tpm" << "UTC" << "2026-12-06T12:34:01Z" << "2026-12-06T12:35:00Z" << qint64(59);
        QTest::newRow("rpd, UTC midnight") << "rpd" << "UTC" << "2026-12-06T23:59:30Z" << "2026-12-07T00:00:00Z" << qint64(30);
        QTest::newRow("rpd, Berlin midnight") << "rpd" << "Europe/Berlin" << "2026-12-06T22:59:00Z" << "2026-12-06T23:00:00Z" << qint64(60);
        QTest::newRow("rpd, Tokyo midnight not UTC's") << "rpd" << "Asia/Tokyo" << "2026-12-06T14:00:00Z" << "2026-12-06T15:00:00Z" << qint64(3600);
    }

    void windowsRollOver()
    {
        QFETCH(QString, kind);
        QFETCH(QString, zone);
        QFETCH(QString, full);
        QFETCH(QString, next);
        QFETCH(qint64, retry);
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        QVERIFY(Store::OptionRepository(t.db()).set(QString::fromLatin1(LimitRepository::kTimeZoneOption), zone));
        const Account a = makeLedgerAccount(t.db(), QStringLiteral("u"));
        setRate(t.db(), QStringLiteral("key"), a.keyId, kind, kind == u"tpm" ? 100 : 2);
        const qint64 tokens = kind == u"tpm" ? 50 : 0;
        const Ledger ledger = ledgerAt(t.db());
        m_now = msAt(full) - 1000; // the window's first request a second earlier, in the same window
        QVERIFY(reserve(ledger, a, tokens));
        m_now = msAt(full);
        QVERIFY(reserve(ledger, a, tokens));
        const LedgerOutcome refused = reserve(ledger, a, tokens);
        QCOMPARE(refused.failure, LedgerFailure::RateLimited);
        QCOMPARE(refused.rate->retryAfterSecs, retry);
        m_now = msAt(next) - 1;
        QCOMPARE(reserve(ledger, a, tokens).failure, LedgerFailure::RateLimited);
        m_now = msAt(next);
        QVERIFY(reserve(ledger, a, tokens));
        QCOMPARE(usedNow(t.db(), QStringLiteral("key"), a.keyId, kind, m_now), tokens > 0 ? tokens : 1);
        // Only the current window's row is kept.
        QCOMPARE(scalar(t.db(), QStringLiteral("SELECT COUNT(*) FROM limit_usage")), qint64(1));
    }

    void tokensSettleAtWhatWasUsed_data()
    {
        QTest::addColumn<bool>("refund");
        QTest::addColumn<int>("laterSecs"); // settled this many seconds after admission
        QTest::addColumn<qint64>("thisMinute");
        QTest::addColumn<qint64>("settleMinute");
        QTest::newRow("settled in the same minute") << false << 10 << qint64(150) << qint64(150);
        QTest::newRow("refunded in the same minute") << true << 10 << qint64(0) << qint64(0);
        QTest::newRow("settled the next minute") << false << 60 << qint64(800) << qint64(150);
        QTest::newRow("refunded the next minute") << true << 60 << qint64(800) << qint64(0);
    }

    // tpm cap 1000: a hold of 800 tokens; settled at 100 + 50 tokens (or refunded).
    void tokensSettleAtWhatWasUsed()
    {
        QFETCH(bool, refund);
        QFETCH(int, laterSecs);
        QFETCH(qint64, thisMinute);
        QFETCH(qint64, settleMinute);
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const Account a = makeLedgerAccount(t.db(), QStringLiteral("u"));
        setRate(t.db(), QStringLiteral("user"), a.userId, QStringLiteral("tpm"), 1000);
        const Ledger ledger = ledgerAt(t.db());
        m_now = msAt(QStringLiteral("2026-12-06T12:34:30Z"));
        const qint64 admittedAt = m_now;
        const LedgerOutcome r = reserve(ledger, a, 800);
        QVERIFY(r);
        QCOMPARE(reserve(ledger, a, 201).failure, LedgerFailure::RateLimited); // the hold counts meanwhile
        m_now = admittedAt + laterSecs * 1000;
        QVERIFY(refund ? ledger.refund(r.reservation.id) : ledger.settle(r.reservation.id, 10, chatLog(100, 50)));
        QCOMPARE(usedNow(t.db(), QStringLiteral("user"), a.userId, QStringLiteral("tpm"), m_now), settleMinute);
        if (laterSecs < 30) {
            QCOMPARE(usedNow(t.db(), QStringLiteral("user"), a.userId, QStringLiteral("tpm"), admittedAt), thisMinute);
            QVERIFY(reserve(ledger, a, 1000 - thisMinute)); // what the settlement gave back fits again
            QCOMPARE(reserve(ledger, a, 1).failure, LedgerFailure::RateLimited);
        }
    }

    // A request admitted counts, whatever became of it: OpenAI counts requests made.
    void aRefundedRequestStillCounts()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const Account a = makeLedgerAccount(t.db(), QStringLiteral("u"));
        setRate(t.db(), QStringLiteral("key"), a.keyId, QStringLiteral("rpm"), 1);
        setRate(t.db(), QStringLiteral("key"), a.keyId, QStringLiteral("rpd"), 5);
        m_now = msAt(QStringLiteral("2026-12-06T12:34:30Z"));
        const Ledger ledger = ledgerAt(t.db());
        const LedgerOutcome r = reserve(ledger, a);
        QVERIFY(r);
        QVERIFY(ledger.refund(r.reservation.id));
        const LedgerOutcome again = reserve(ledger, a);
        QCOMPARE(again.failure, LedgerFailure::RateLimited);
        QCOMPARE(again.rate->kind, QStringLiteral("rpm"));
        QCOMPARE(usedNow(t.db(), QStringLiteral("key"), a.keyId, QStringLiteral("rpd"), m_now), qint64(1));
    }

    // Concurrency: a settled or refunded reservation frees its slot; a refused one never took one.
    void closingFreesAConcurrencySlot()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const Account a = makeLedgerAccount(t.db(), QStringLiteral("u"));
        setRate(t.db(), QStringLiteral("user"), a.userId, QStringLiteral("concurrency"), 1);
        m_now = msAt(QStringLiteral("2026-12-06T12:34:30Z"));
        const Ledger ledger = ledgerAt(t.db());
        const LedgerOutcome first = reserve(ledger, a);
        QVERIFY(first);
        QCOMPARE(reserve(ledger, a).failure, LedgerFailure::RateLimited);
        QVERIFY(ledger.settle(first.reservation.id, 10, chatLog()));
        const LedgerOutcome second = reserve(ledger, a);
        QVERIFY(second);
        QCOMPARE(reserve(ledger, a).failure, LedgerFailure::RateLimited);
        QVERIFY(ledger.refund(second.reservation.id));
        QVERIFY(reserve(ledger, a));
    }

    // Zero removes a limit (and what it counted); the other kinds stay.
    void zeroRemovesALimit()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const Account a = makeLedgerAccount(t.db(), QStringLiteral("u"));
        setRate(t.db(), QStringLiteral("key"), a.keyId, QStringLiteral("rpm"), 1);
        setRate(t.db(), QStringLiteral("key"), a.keyId, QStringLiteral("tpm"), 500);
        m_now = msAt(QStringLiteral("2026-12-06T12:34:30Z"));
        const Ledger ledger = ledgerAt(t.db());
        QVERIFY(reserve(ledger, a, 10));
        QCOMPARE(reserve(ledger, a, 10).failure, LedgerFailure::RateLimited);
        setRate(t.db(), QStringLiteral("key"), a.keyId, QStringLiteral("rpm"), 0);
        const auto rates = LimitRepository(t.db()).rates(QStringLiteral("key"), a.keyId);
        QCOMPARE(rates.size(), 1);
        QCOMPARE(rates.first().kind, QStringLiteral("tpm"));
        QVERIFY(reserve(ledger, a, 10));
        QCOMPARE(scalar(t.db(), QStringLiteral("SELECT COUNT(*) FROM limit_usage")), qint64(1));
        QVERIFY(!LimitRepository(t.db()).setRates(QStringLiteral("key"), a.keyId, {{QStringLiteral("rph"), 5}}));
    }

    void concurrentReservations_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::addColumn<QString>("owner");
        QTest::newRow("sqlite key rpm") << "sqlite" << "key";
        QTest::newRow("sqlite user rpm") << "sqlite" << "user";
        QTest::newRow("postgres key rpm") << "postgres" << "key";
        QTest::newRow("postgres user rpm") << "postgres" << "user";
    }

    // 200 reservations from 8 threads (each its own connection) against an rpm limit of 50: exactly 50 admitted,
    // the minute never counts past the cap, and logs == balance debits.
    void concurrentReservations()
    {
        QFETCH(QString, backend);
        QFETCH(QString, owner);
        const auto opened = m_databases.open(backend);
        if (!opened.skip.isEmpty())
            QSKIP(qPrintable(opened.skip));
        QVERIFY2(opened.db, qPrintable(opened.error));
        const std::shared_ptr<Store::Database> db = opened.db;
        constexpr int kThreads = 8, kPerThread = 25, kAllowed = 50;
        constexpr qint64 kCost = 100, kInitial = 1'000'000;
        const Account a = makeLedgerAccount(*db, QStringLiteral("hot"), kInitial);
        setRate(*db, owner, owner == u"key" ? a.keyId : a.userId, QStringLiteral("rpm"), kAllowed);
        m_now = msAt(QStringLiteral("2026-12-06T12:34:10Z")); // one minute for the whole run

        std::atomic<int> admitted{0}, refused{0}, other{0};
        QList<QThread *> workers;
        for (int w = 0; w < kThreads; ++w) {
            workers << QThread::create([&, w] {
                const Ledger ledger = ledgerAt(*db);
                for (int i = 0; i < kPerThread; ++i) {
                    const LedgerOutcome r = ledger.reserve(a.userId, a.keyId, kCost, QStringLiteral("t%1-%2").arg(w).arg(i),
                                                           QStringLiteral("chat"), {}, 100);
                    if (r.ok()) {
                        ++admitted;
                        if (!ledger.settle(r.reservation.id, kCost, chatLog(60, 40)).ok())
                            ++other;
                    } else if (r.failure == LedgerFailure::RateLimited) {
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
        QCOMPARE(other.load(), 0);
        QCOMPARE(admitted.load(), kAllowed);
        QCOMPARE(refused.load(), kThreads * kPerThread - kAllowed);
        QCOMPARE(usedNow(*db, owner, owner == u"key" ? a.keyId : a.userId, QStringLiteral("rpm"), m_now), qint64(kAllowed));
        QCOMPARE(scalar(*db, QStringLiteral("SELECT COUNT(*) FROM reservations")), qint64(kAllowed));
        const qint64 debited = kInitial - Store::UserRepository(*db).byId(a.userId)->quota;
        QCOMPARE(debited, kAllowed * kCost);
        QCOMPARE(consumeLogSum(*db, a.userId), debited);
    }

    void cleanupTestCase()
    {
        m_databases.reset();
    }
};

QTEST_GUILESS_MAIN(TestRateLedger)
#include "tst_rateledger.moc"
