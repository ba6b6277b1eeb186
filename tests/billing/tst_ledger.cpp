// Ledger: reserve / charge / settle / refund invariants, typed refusals that change nothing,
// crash recovery, and the concurrency test on SQLite and (when installed) PostgreSQL.
#include "deadinstance.h"
#include "pgcluster.h"
#include "tempdatabase.h"

#include "billing/ledger.h"
#include "billing/pricebook.h"
#include "store/apikeyrepository.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "store/userrepository.h"

#include <QSqlQuery>
#include <QThread>
#include <QtTest>

#include <atomic>

using namespace RelayDesk;
using namespace RelayDesk::Billing;
using Store::LogFilter;
using Store::LogRecord;
using Store::LogType;

namespace {

struct Account
{
    qint64 userId = 0;
    qint64 keyId = 0;
};

Account makeAccount(const Store::Database &db, const QString &name, qint64 userQuota, qint64 keyQuota,
                    bool unlimited = false)
{
    Account a;
    auto user = Store::UserRepository(db).create(name, QStringLiteral("default"), userQuota);
    if (!user)
        qFatal("create user: %s", qPrintable(user.error()));
    a.userId = user->id;
    Store::NewApiKey spec;
    spec.userId = a.userId;
    spec.name = name + QStringLiteral("-key");
    spec.quota = keyQuota;
    spec.unlimited = unlimited;
    auto key = Store::ApiKeyRepository(db).create(spec);
    if (!key)
        qFatal("create key: %s", qPrintable(key.error()));
    a.keyId = key->key.id;
    return a;
}

qint64 userQuota(const Store::Database &db, qint64 id) { return Store::UserRepository(db).byId(id)->quota; }
qint64 keyQuota(const Store::Database &db, qint64 id) { return Store::ApiKeyRepository(db).byId(id)->remainQuota; }

qint64 consumeLogSum(const Store::Database &db, qint64 userId)
{
    LogFilter f;
    f.userId = userId;
    f.type = LogType::Consume;
    return Store::LogRepository(db).sumQuota(f);
}

qint64 consumeLogCount(const Store::Database &db, qint64 userId)
{
    LogFilter f;
    f.userId = userId;
    f.type = LogType::Consume;
    return Store::LogRepository(db).count(f);
}

qint64 reservationCount(const Store::Database &db)
{
    QSqlQuery q = db.query();
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM reservations")) || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

LogRecord chatLog(const QString &model = QStringLiteral("gpt-4o"))
{
    LogRecord log;
    log.model = model;
    log.promptTokens = 10;
    log.completionTokens = 5;
    return log;
}

} // namespace

class TestLedger final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Testing::PgCluster> m_pg;

    // A fresh database for the backend named in the current data row.
    std::shared_ptr<Store::Database> openBackend(const QString &backend, Testing::TempDatabase *sqlite)
    {
        if (backend == u"sqlite")
            return sqlite->isValid() ? sqlite->shared() : nullptr;
        if (!m_pg)
            m_pg = std::make_unique<Testing::PgCluster>();
        if (!m_pg->isAvailable() || !m_pg->isRunning())
            return nullptr;
        const QString url = m_pg->createDatabase();
        auto db = Store::Database::openUrl(url);
        return db ? db.value() : nullptr;
    }

    // One row per backend: the ledger runs the same rules as statements on SQLite and as server-side
    // functions on PostgreSQL (migration 15).
    static void backendRows()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << "sqlite";
        QTest::newRow("postgres") << "postgres";
    }

    // A fresh database for the current row's backend (skipped where PostgreSQL is not installed).
    std::shared_ptr<Store::Database> rowDatabase(Testing::TempDatabase *sqlite)
    {
        QFETCH(QString, backend);
        skipIfNoPostgres(backend);
        return openBackend(backend, sqlite);
    }

    void skipIfNoPostgres(const QString &backend)
    {
        if (backend != u"postgres")
            return;
        if (!m_pg)
            m_pg = std::make_unique<Testing::PgCluster>();
        if (!m_pg->isAvailable())
            QSKIP(qPrintable(m_pg->skipReason()));
        QVERIFY2(m_pg->isRunning(), qPrintable(m_pg->error()));
    }

private slots:
    void reserveDebitsUserAndKeyOnce_data() { backendRows(); }
    void reserveDebitsUserAndKeyOnce()
    {
        Testing::TempDatabase sqlite;
        const auto db = rowDatabase(&sqlite);
        QVERIFY2(db, "cannot open the test database");
        const Account a = makeAccount(*db, QStringLiteral("u"), 1000, 500);
        Ledger ledger(*db);
        const LedgerOutcome r = ledger.reserve(a.userId, a.keyId, 300, QStringLiteral("req-1"));
        QVERIFY2(r, qPrintable(r.message));
        QCOMPARE(userQuota(*db, a.userId), qint64(700));
        QCOMPARE(keyQuota(*db, a.keyId), qint64(200));
        const auto stored = ledger.reservation(r.reservation.id);
        QVERIFY(stored);
        QCOMPARE(stored->state, Store::Reservation::State::Open);
        QCOMPARE(stored->reserved, qint64(300));
        QCOMPARE(stored->requestId, QStringLiteral("req-1"));
        QCOMPARE(stored->kind, QStringLiteral("chat"));
    }

    void refusalsChangeNothing_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<int>("failure");
        const std::pair<const char *, LedgerFailure> scenarios[] = {
            {"user-quota", LedgerFailure::UserQuota},         {"key-quota", LedgerFailure::KeyQuota},
            {"key-disabled", LedgerFailure::KeyDisabled},     {"key-expired", LedgerFailure::KeyExpired},
            {"user-disabled", LedgerFailure::UserDisabled},   {"foreign-key", LedgerFailure::KeyNotOwned},
            {"no-user", LedgerFailure::UserNotFound},         {"no-key", LedgerFailure::KeyNotFound},
            {"negative", LedgerFailure::InvalidAmount},       {"duplicate", LedgerFailure::DuplicateRequest},
            // A disabled key while the user's quota is short too: the account's rules come before its quota.
            {"key-disabled-user-short", LedgerFailure::KeyDisabled},
        };
        for (const char *backend : {"sqlite", "postgres"})
            for (const auto &[scenario, failure] : scenarios)
                QTest::addRow("%s %s", backend, scenario) << backend << scenario << int(failure);
    }

    void refusalsChangeNothing()
    {
        QFETCH(QString, scenario);
        QFETCH(int, failure);
        Testing::TempDatabase sqlite;
        const auto db = rowDatabase(&sqlite);
        QVERIFY2(db, "cannot open the test database");
        const Account a = makeAccount(*db, QStringLiteral("u"), 1000, 500);
        const Account other = makeAccount(*db, QStringLiteral("other"), 1000, 500);
        Ledger ledger(*db);
        qint64 user = a.userId, key = a.keyId, amount = 300;
        if (scenario == u"duplicate")
            QVERIFY(ledger.reserve(a.userId, a.keyId, 10, QStringLiteral("dup")));
        const qint64 userBefore = userQuota(*db, a.userId), keyBefore = keyQuota(*db, a.keyId);
        const qint64 reservationsBefore = reservationCount(*db);
        if (scenario == u"user-quota") amount = 1001;
        if (scenario == u"key-quota") amount = 501;
        if (scenario == u"key-disabled-user-short") amount = 1001;
        if (scenario.startsWith(u"key-disabled"))
            QVERIFY(Store::ApiKeyRepository(*db).setStatus(a.keyId, Store::RowStatus::Disabled));
        if (scenario == u"key-expired") {
            QSqlQuery q = db->query();
            QVERIFY(q.exec(QStringLiteral("UPDATE api_keys SET expires_at = %1 WHERE id = %2")
                               .arg(Store::nowSecs() - 10).arg(a.keyId)));
        }
        if (scenario == u"user-disabled")
            QVERIFY(Store::UserRepository(*db).setStatus(a.userId, Store::RowStatus::Disabled));
        if (scenario == u"foreign-key") key = other.keyId;
        if (scenario == u"no-user") user = 424242;
        if (scenario == u"no-key") key = 424242;
        if (scenario == u"negative") amount = -5;
        const LedgerOutcome r = ledger.reserve(user, key, amount, QStringLiteral("dup"));
        QVERIFY(!r);
        QCOMPARE(int(r.failure), failure);
        QVERIFY(!r.message.isEmpty());
        QVERIFY(!Store::ledgerFailureName(r.failure).isEmpty());
        QCOMPARE(userQuota(*db, a.userId), userBefore);
        QCOMPARE(keyQuota(*db, a.keyId), keyBefore);
        QCOMPARE(reservationCount(*db), reservationsBefore);
    }

    void keyQuotaRefusalRollsBackTheUserDebit_data() { backendRows(); }
    void keyQuotaRefusalRollsBackTheUserDebit()
    {
        // The user debit runs first; the key's refusal must undo it (one transaction).
        Testing::TempDatabase sqlite;
        const auto db = rowDatabase(&sqlite);
        QVERIFY2(db, "cannot open the test database");
        const Account a = makeAccount(*db, QStringLiteral("u"), 1000, 50);
        Ledger ledger(*db);
        QCOMPARE(ledger.reserve(a.userId, a.keyId, 60, {}).failure, LedgerFailure::KeyQuota);
        QCOMPARE(userQuota(*db, a.userId), qint64(1000));
    }

    void settleRefundsTheDifferenceAndLogsOnce_data() { backendRows(); }
    void settleRefundsTheDifferenceAndLogsOnce()
    {
        Testing::TempDatabase sqlite;
        const auto db = rowDatabase(&sqlite);
        QVERIFY2(db, "cannot open the test database");
        const Account a = makeAccount(*db, QStringLiteral("u"), 1000, 500);
        Ledger ledger(*db);
        const LedgerOutcome r = ledger.reserve(a.userId, a.keyId, 300, QStringLiteral("req-s"));
        QVERIFY(r);
        LogRecord log = chatLog();
        log.channelId = 0;
        const LedgerOutcome s = ledger.settle(r.reservation.id, 120, log);
        QVERIFY2(s, qPrintable(s.message));
        QVERIFY(!s.alreadyApplied);
        QVERIFY(s.logId > 0);
        QCOMPARE(s.overage, qint64(0));
        QCOMPARE(userQuota(*db, a.userId), qint64(880));
        QCOMPARE(keyQuota(*db, a.keyId), qint64(380));
        const auto user = Store::UserRepository(*db).byId(a.userId);
        QCOMPARE(user->usedQuota, qint64(120));
        QCOMPARE(user->requestCount, qint64(1));
        QCOMPARE(Store::ApiKeyRepository(*db).byId(a.keyId)->usedQuota, qint64(120));
        const auto row = Store::LogRepository(*db).byId(s.logId);
        QVERIFY(row);
        QCOMPARE(row->type, LogType::Consume);
        QCOMPARE(row->quota, qint64(120));
        QCOMPARE(row->requestId, QStringLiteral("req-s"));
        QCOMPARE(row->keyId, a.keyId);
        QCOMPARE(ledger.reservation(r.reservation.id)->state, Store::Reservation::State::Settled);
        QCOMPARE(ledger.reservation(r.reservation.id)->logId, s.logId);

        // Idempotent: a second settle (even at another amount) repeats the first answer.
        const LedgerOutcome again = ledger.settle(r.reservation.id, 999, log);
        QVERIFY(again);
        QVERIFY(again.alreadyApplied);
        QCOMPARE(again.logId, s.logId);
        QCOMPARE(userQuota(*db, a.userId), qint64(880));
        QCOMPARE(consumeLogCount(*db, a.userId), qint64(1));
        QCOMPARE(consumeLogSum(*db, a.userId), 1000 - userQuota(*db, a.userId));
        // Exactly one of settle/refund applies.
        QCOMPARE(ledger.refund(r.reservation.id).failure, LedgerFailure::ReservationClosed);
        QCOMPARE(userQuota(*db, a.userId), qint64(880));
    }

    void settleAboveTheReservationDebitsTheRest_data() { backendRows(); }
    void settleAboveTheReservationDebitsTheRest()
    {
        Testing::TempDatabase sqlite;
        const auto db = rowDatabase(&sqlite);
        QVERIFY2(db, "cannot open the test database");
        const Account a = makeAccount(*db, QStringLiteral("u"), 1000, 500);
        Ledger ledger(*db);
        const LedgerOutcome r = ledger.reserve(a.userId, a.keyId, 100, {});
        QVERIFY(r);
        const LedgerOutcome s = ledger.settle(r.reservation.id, 150, chatLog());
        QVERIFY(s);
        QCOMPARE(s.overage, qint64(0));
        QCOMPARE(userQuota(*db, a.userId), qint64(850));
        QCOMPARE(keyQuota(*db, a.keyId), qint64(350));
        QVERIFY(!Store::LogRepository(*db).byId(s.logId)->other.contains(QStringLiteral("overage")));
    }

    void settlementOverageIsNeverRefused_data() { backendRows(); }
    void settlementOverageIsNeverRefused()
    {
        Testing::TempDatabase sqlite;
        const auto db = rowDatabase(&sqlite);
        QVERIFY2(db, "cannot open the test database");
        const Account a = makeAccount(*db, QStringLiteral("u"), 100, 1000);
        Ledger ledger(*db);
        const LedgerOutcome r = ledger.reserve(a.userId, a.keyId, 100, {});
        QVERIFY(r);
        QCOMPARE(userQuota(*db, a.userId), qint64(0));
        const LedgerOutcome s = ledger.settle(r.reservation.id, 160, chatLog());
        QVERIFY2(s, qPrintable(s.message));
        QCOMPARE(s.overage, qint64(60));
        QCOMPARE(userQuota(*db, a.userId), qint64(-60)); // negative by the overage only
        const QJsonObject overage = Store::LogRepository(*db).byId(s.logId)->other.value(QStringLiteral("overage")).toObject();
        QCOMPARE(overage.value(QStringLiteral("amount")).toInteger(), qint64(60));
        QVERIFY(overage.value(QStringLiteral("user")).toBool());
        QCOMPARE(consumeLogSum(*db, a.userId), 100 - userQuota(*db, a.userId));
        // Refused until topped up — even a zero-cost reservation.
        QCOMPARE(ledger.reserve(a.userId, a.keyId, 0, {}).failure, LedgerFailure::UserQuota);
        QVERIFY(Store::UserRepository(*db).addQuota(a.userId, 100));
        QVERIFY(ledger.reserve(a.userId, a.keyId, 40, {}));
    }

    void unlimitedKeysSkipTheKeyCheckButCountUsage_data() { backendRows(); }
    void unlimitedKeysSkipTheKeyCheckButCountUsage()
    {
        Testing::TempDatabase sqlite;
        const auto db = rowDatabase(&sqlite);
        QVERIFY2(db, "cannot open the test database");
        const Account a = makeAccount(*db, QStringLiteral("u"), 1000, 0, true);
        Ledger ledger(*db);
        const LedgerOutcome r = ledger.reserve(a.userId, a.keyId, 300, {});
        QVERIFY2(r, qPrintable(r.message));
        QVERIFY(ledger.settle(r.reservation.id, 250, chatLog()));
        const auto key = Store::ApiKeyRepository(*db).byId(a.keyId);
        QCOMPARE(key->remainQuota, qint64(0));
        QCOMPARE(key->usedQuota, qint64(250));
        QCOMPARE(userQuota(*db, a.userId), qint64(750));
    }

    void chargeTopsUpWithTheSameRule_data() { backendRows(); }
    void chargeTopsUpWithTheSameRule()
    {
        Testing::TempDatabase sqlite;
        const auto db = rowDatabase(&sqlite);
        QVERIFY2(db, "cannot open the test database");
        const Account a = makeAccount(*db, QStringLiteral("u"), 1000, 1000);
        Ledger ledger(*db);
        const LedgerOutcome r = ledger.reserve(a.userId, a.keyId, 100, {}, QStringLiteral("realtime"));
        QVERIFY(r);
        QVERIFY(ledger.charge(r.reservation.id, 200));
        QVERIFY(ledger.extend(r.reservation.id, 50));
        QCOMPARE(userQuota(*db, a.userId), qint64(650));
        const LedgerOutcome tooMuch = ledger.charge(r.reservation.id, 651);
        QCOMPARE(tooMuch.failure, LedgerFailure::UserQuota);
        QCOMPARE(userQuota(*db, a.userId), qint64(650));
        auto res = ledger.reservation(r.reservation.id);
        QCOMPARE(res->reserved, qint64(350));
        QCOMPARE(res->charged, qint64(200));
        // Realtime-style close: settle at what the responses cost; the rest of the hold comes back.
        QVERIFY(ledger.settle(r.reservation.id, res->charged, chatLog(QStringLiteral("gpt-realtime"))));
        QCOMPARE(userQuota(*db, a.userId), qint64(800));
        QCOMPARE(ledger.charge(r.reservation.id, 1).failure, LedgerFailure::ReservationClosed);
        QCOMPARE(ledger.charge(987654, 1).failure, LedgerFailure::ReservationNotFound);
    }

    void refundReturnsEverything_data() { backendRows(); }
    void refundReturnsEverything()
    {
        Testing::TempDatabase sqlite;
        const auto db = rowDatabase(&sqlite);
        QVERIFY2(db, "cannot open the test database");
        const Account a = makeAccount(*db, QStringLiteral("u"), 1000, 500);
        Ledger ledger(*db);
        const LedgerOutcome r = ledger.reserve(a.userId, a.keyId, 300, {});
        QVERIFY(r);
        QVERIFY(ledger.charge(r.reservation.id, 50));
        const LedgerOutcome f = ledger.refund(r.reservation.id);
        QVERIFY2(f, qPrintable(f.message));
        QCOMPARE(userQuota(*db, a.userId), qint64(1000));
        QCOMPARE(keyQuota(*db, a.keyId), qint64(500));
        QCOMPARE(consumeLogCount(*db, a.userId), qint64(0));
        QVERIFY(ledger.refund(r.reservation.id).alreadyApplied);
        QCOMPARE(userQuota(*db, a.userId), qint64(1000));
        QCOMPARE(ledger.settle(r.reservation.id, 10, chatLog()).failure, LedgerFailure::ReservationClosed);
        QCOMPARE(userQuota(*db, a.userId), qint64(1000));
        QCOMPARE(Store::UserRepository(*db).byId(a.userId)->requestCount, qint64(0));
    }

    void settleWithPricingRecordsTheSnapshot_data() { backendRows(); }
    void settleWithPricingRecordsTheSnapshot()
    {
        Testing::TempDatabase sqlite;
        const auto db = rowDatabase(&sqlite);
        QVERIFY2(db, "cannot open the test database");
        const Account a = makeAccount(*db, QStringLiteral("u"), 100000, 100000);
        auto book = PriceBook::fromJson(QJsonObject{
            {QStringLiteral("ModelRatio"), QJsonObject{{QStringLiteral("gpt-4o"), 1.25}}},
            {QStringLiteral("CompletionRatio"), QJsonObject{{QStringLiteral("gpt-4o"), 4}}},
            {QStringLiteral("CacheRatio"), QJsonObject{{QStringLiteral("gpt-4o"), 0.5}}}}, 77);
        QVERIFY(book);
        const auto pricing = book.value()->pricing(QStringLiteral("gpt-4o-2024-08-06"), QStringLiteral("default"), QString());
        QVERIFY(pricing);
        Ledger ledger(*db);
        const LedgerOutcome r = ledger.reserve(a.userId, a.keyId, 5000, {});
        QVERIFY(r);
        Usage u;
        u.inputText = 1000;
        u.cachedText = 200;
        u.outputText = 500;
        const LedgerOutcome s = ledger.settle(r.reservation.id, *pricing, u, LogRecord());
        QVERIFY2(s, qPrintable(s.message));
        const auto row = Store::LogRepository(*db).byId(s.logId);
        QCOMPARE(row->quota, qint64(3625)); // §2.9#2
        QCOMPARE(row->priceSnapshotId, qint64(77));
        QCOMPARE(row->model, QStringLiteral("gpt-4o-2024-08-06"));
        QCOMPARE(row->promptTokens, qint64(1000));
        QCOMPARE(row->completionTokens, qint64(500));
        QCOMPARE(row->other.value(QStringLiteral("model_ratio")).toDouble(), 1.25);
        QCOMPARE(row->other.value(QStringLiteral("cache_ratio")).toDouble(), 0.5);
        QCOMPARE(row->other.value(QStringLiteral("exact_quota")).toString(), QStringLiteral("3625"));
        QCOMPARE(row->other.value(QStringLiteral("usage")).toObject().value(QStringLiteral("cached_text")).toInteger(), qint64(200));
        QCOMPARE(userQuota(*db, a.userId), qint64(100000 - 3625));
    }

    // On PostgreSQL the common case of a hold and a settlement runs as one server-side function each (migration
    // 15): the same balances and log row as the general path, in one round trip. The function appends "reserved"
    // to the row's other_json, where Qt's compact JSON (the general path) sorts it among the keys: which path wrote
    // a row shows there. A shortfall is not the common case: the general path settles it (overage).
    void postgresCommonCaseRunsServerSide()
    {
        skipIfNoPostgres(QStringLiteral("postgres"));
        Testing::TempDatabase unused;
        const auto db = openBackend(QStringLiteral("postgres"), &unused);
        QVERIFY2(db, "cannot open the test database");
        const Account a = makeAccount(*db, QStringLiteral("u"), 1000, 500);
        Ledger ledger(*db);
        const auto rawOther = [&db](qint64 logId) {
            QSqlQuery q = db->query();
            q.prepare(QStringLiteral("SELECT other_json FROM logs WHERE id = ?"));
            q.addBindValue(logId);
            return q.exec() && q.next() ? q.value(0).toString() : QString();
        };
        const LedgerOutcome r = ledger.reserve(a.userId, a.keyId, 300, QStringLiteral("fast"));
        QVERIFY2(r, qPrintable(r.message));
        QVERIFY(r.reservation.id > 0);
        QCOMPARE(ledger.reservation(r.reservation.id)->reserved, qint64(300));
        QCOMPARE(ledger.reservation(r.reservation.id)->instanceId, db->instanceId());
        LogRecord log = chatLog(); // a key sorted after "reserved"
        log.other.insert(QStringLiteral("usage"), QJsonObject{{QStringLiteral("x"), 1}});
        const LedgerOutcome s = ledger.settle(r.reservation.id, 120, log);
        QVERIFY2(s, qPrintable(s.message));
        QCOMPARE(s.reservation.reserved, qint64(300));
        QCOMPARE(s.reservation.userId, a.userId);
        QCOMPARE(ledger.reservation(r.reservation.id)->logId, s.logId);
        QCOMPARE(ledger.reservation(r.reservation.id)->state, Store::Reservation::State::Settled);
        QVERIFY2(rawOther(s.logId).endsWith(QStringLiteral(",\"reserved\":300}")), qPrintable(rawOther(s.logId)));
        const auto row = Store::LogRepository(*db).byId(s.logId);
        QCOMPARE(row->other.value(QStringLiteral("reservation_id")).toInteger(), r.reservation.id);
        QCOMPARE(row->other.value(QStringLiteral("usage")).toObject().value(QStringLiteral("x")).toInt(), 1);
        QCOMPARE(row->model, QStringLiteral("gpt-4o"));
        QCOMPARE(row->promptTokens, qint64(10));
        QCOMPARE(userQuota(*db, a.userId), qint64(880));
        QCOMPARE(keyQuota(*db, a.keyId), qint64(380));

        // The key's balance cannot cover the rest: the general path debits it anyway and says so.
        const LedgerOutcome big = ledger.reserve(a.userId, a.keyId, 300, QStringLiteral("short"));
        QVERIFY(big);
        const LedgerOutcome over = ledger.settle(big.reservation.id, 400, log);
        QVERIFY2(over, qPrintable(over.message));
        QCOMPARE(over.overage, qint64(100));
        QVERIFY(!rawOther(over.logId).endsWith(QStringLiteral(",\"reserved\":300}")));
        const QJsonObject overage =
            Store::LogRepository(*db).byId(over.logId)->other.value(QStringLiteral("overage")).toObject();
        QVERIFY(overage.value(QStringLiteral("key")).toBool());
        QVERIFY(!overage.value(QStringLiteral("user")).toBool());
        QCOMPARE(keyQuota(*db, a.keyId), qint64(380 - 400));
        QCOMPARE(consumeLogSum(*db, a.userId), 1000 - userQuota(*db, a.userId));
    }

    void crashLeftoversAreRecovered()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const QString dir = t.dataDir();
        Account a;
        qint64 plainId = 0, realtimeId = 0;
        {
            auto db = Store::Database::openDataDir(dir);
            QVERIFY(db);
            a = makeAccount(*db.value(), QStringLiteral("u"), 1000, 1000);
            QVERIFY(!RelayDeskTest::registerDeadInstance(*db.value()).isEmpty()); // this "process" crashes
            Ledger ledger(*db.value());
            plainId = ledger.reserve(a.userId, a.keyId, 300, {}).reservation.id;
            const LedgerOutcome rt = ledger.reserve(a.userId, a.keyId, 200, {}, QStringLiteral("realtime"),
                                                    QStringLiteral("gpt-realtime"));
            realtimeId = rt.reservation.id;
            QVERIFY(ledger.charge(realtimeId, 70));
            QCOMPARE(userQuota(*db.value(), a.userId), qint64(430));
        }
        t.close(); // "crash": nothing settled; a new process opens the database
        auto db = Store::Database::openDataDir(dir);
        QVERIFY(db);
        Ledger ledger(*db.value());
        const auto recovered = ledger.recoverOrphans(QStringLiteral("survivor"), 30'000);
        QVERIFY2(recovered, qPrintable(recovered.error()));
        QCOMPARE(*recovered, 2);
        QCOMPARE(userQuota(*db.value(), a.userId), qint64(1000 - 70)); // settled at what was charged
        QCOMPARE(keyQuota(*db.value(), a.keyId), qint64(1000 - 70));
        QCOMPARE(ledger.reservation(plainId)->state, Store::Reservation::State::Recovered);
        QCOMPARE(ledger.reservation(realtimeId)->finalQuota, qint64(70));
        const auto row = Store::LogRepository(*db.value()).byId(ledger.reservation(realtimeId)->logId);
        QVERIFY(row);
        QVERIFY(row->other.value(QStringLiteral("recovered")).toBool());
        QCOMPARE(row->model, QStringLiteral("gpt-realtime")); // remembered by the reservation
        QCOMPARE(row->quota, qint64(70));
        QCOMPARE(consumeLogSum(*db.value(), a.userId), 1000 - userQuota(*db.value(), a.userId));
        QCOMPARE(*ledger.recoverOrphans(QStringLiteral("survivor"), 30'000), 0); // nothing left
    }

    void concurrentReservations_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << "sqlite";
        QTest::newRow("postgres") << "postgres";
    }

    // Many threads reserve against one user with quota for exactly N requests: exactly N succeed,
    // the balance never goes below zero, and the consume logs sum to what was debited.
    void concurrentReservations()
    {
        Testing::TempDatabase sqlite;
        const auto db = rowDatabase(&sqlite);
        QVERIFY2(db, "cannot open the test database");
        constexpr int kThreads = 8, kAttemptsPerThread = 12, kAllowed = 25;
        constexpr qint64 kCost = 100, kInitial = kAllowed * kCost;
        const Account a = makeAccount(*db, QStringLiteral("hot"), kInitial, 0, true);

        std::atomic<int> succeeded{0}, refusedForQuota{0}, otherFailures{0};
        std::atomic<bool> done{false};
        std::atomic<qint64> lowest{kInitial};
        QThread *watcher = QThread::create([&] {
            Store::UserRepository users(*db);
            while (!done) {
                const qint64 q = users.byId(a.userId)->quota;
                qint64 low = lowest;
                while (q < low && !lowest.compare_exchange_weak(low, q)) {}
                QThread::yieldCurrentThread();
            }
        });
        watcher->start();
        QList<QThread *> workers;
        for (int w = 0; w < kThreads; ++w) {
            workers << QThread::create([&, w] {
                Ledger ledger(*db);
                for (int i = 0; i < kAttemptsPerThread; ++i) {
                    const LedgerOutcome r = ledger.reserve(a.userId, a.keyId, kCost,
                                                           QStringLiteral("t%1-%2").arg(w).arg(i));
                    if (r.ok()) {
                        ++succeeded;
                        if (!ledger.settle(r.reservation.id, kCost, chatLog()).ok())
                            ++otherFailures;
                    } else if (r.failure == LedgerFailure::UserQuota) {
                        ++refusedForQuota;
                    } else {
                        qWarning("unexpected failure: %s", qPrintable(r.message));
                        ++otherFailures;
                    }
                }
            });
            workers.last()->start();
        }
        for (QThread *th : workers) {
            QVERIFY(th->wait(300000));
            delete th;
        }
        done = true;
        QVERIFY(watcher->wait(30000));
        delete watcher;

        QCOMPARE(otherFailures.load(), 0);
        QCOMPARE(succeeded.load(), kAllowed);
        QCOMPARE(refusedForQuota.load(), kThreads * kAttemptsPerThread - kAllowed);
        const qint64 final = userQuota(*db, a.userId);
        QCOMPARE(final, qint64(0));
        QVERIFY(lowest.load() >= 0);
        QCOMPARE(consumeLogSum(*db, a.userId), kInitial - final);
        QCOMPARE(consumeLogCount(*db, a.userId), qint64(kAllowed));
        QCOMPARE(Store::UserRepository(*db).byId(a.userId)->requestCount, qint64(kAllowed));
    }

    void concurrentMixedSettlements_data()
    {
        concurrentReservations_data();
    }

    // Settling below, at and above the hold, plus refunds, from many threads: balances stay ≥ 0 except
    // for logged overage, and sum(consume logs) == initial − final for both the user and the key.
    void concurrentMixedSettlements()
    {
        Testing::TempDatabase sqlite;
        const auto db = rowDatabase(&sqlite);
        QVERIFY2(db, "cannot open the test database");
        constexpr qint64 kInitial = 20000;
        const Account a = makeAccount(*db, QStringLiteral("mixed"), kInitial, kInitial);
        QList<QThread *> workers;
        std::atomic<int> failures{0};
        for (int w = 0; w < 6; ++w) {
            workers << QThread::create([&, w] {
                Ledger ledger(*db);
                for (int i = 0; i < 15; ++i) {
                    const LedgerOutcome r = ledger.reserve(a.userId, a.keyId, 300, {});
                    if (!r.ok()) {
                        if (r.failure != LedgerFailure::UserQuota && r.failure != LedgerFailure::KeyQuota)
                            ++failures;
                        continue;
                    }
                    const int mode = (w + i) % 4;
                    LedgerOutcome out;
                    if (mode == 0) out = ledger.refund(r.reservation.id);
                    else if (mode == 1) out = ledger.settle(r.reservation.id, 120, chatLog());
                    else if (mode == 2) out = ledger.settle(r.reservation.id, 300, chatLog());
                    else {
                        ledger.charge(r.reservation.id, 40); // may be refused near the end; settle never is
                        out = ledger.settle(r.reservation.id, 380, chatLog());
                    }
                    if (!out.ok())
                        ++failures;
                }
            });
            workers.last()->start();
        }
        for (QThread *th : workers) {
            QVERIFY(th->wait(300000));
            delete th;
        }
        QCOMPARE(failures.load(), 0);
        const qint64 finalUser = userQuota(*db, a.userId);
        QVERIFY(finalUser >= 0);
        QCOMPARE(consumeLogSum(*db, a.userId), kInitial - finalUser);
        LogFilter byKey;
        byKey.keyId = a.keyId;
        byKey.type = LogType::Consume;
        QCOMPARE(Store::LogRepository(*db).sumQuota(byKey), kInitial - keyQuota(*db, a.keyId));
        QVERIFY(Store::ReservationRepository(*db).openReservations().isEmpty());
    }

    void cleanupTestCase()
    {
        m_pg.reset();
    }
};

QTEST_GUILESS_MAIN(TestLedger)
#include "tst_ledger.moc"
