// Spend alerts: a budget alert fires when its window's spend reaches the percent of the cap (exactly at it: yes; one
// under: no), once per calendar period and again in the next; a rolling window's alert re-arms once its spend has
// left; a balance alert fires below its threshold and again only after a top-up; eight watchers (instances) racing
// on one database fire a crossing once; an event never holds the key; a spend through the Ledger reaches a started
// watcher through Billing::SpendNotifier, and spends within the settle delay wake the watcher once; AdminService
// checks the rules it stores and audits them.
#include "ledgeraccount.h"
#include "backenddatabases.h"
#include "tempdatabase.h"

#include "billing/ledger.h"
#include "billing/spendnotifier.h"
#include "service/adminservice.h"
#include "service/alertservice.h"
#include "service/alertwatcher.h"
#include "store/apikeyrepository.h"
#include "store/auditrepository.h"
#include "store/limitrepository.h"
#include "store/userrepository.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QThread>
#include <QtTest>

#include <atomic>

using namespace RelayDesk;
using RelayDeskTest::msAt;
using Store::AlertRepository;
using Store::LimitRepository;

namespace {

const QString kUser = QString::fromLatin1(LimitRepository::kUser);
const QString kKey = QString::fromLatin1(LimitRepository::kKey);
const QString kBudget = QString::fromLatin1(AlertRepository::kBudget);
const QString kBalance = QString::fromLatin1(AlertRepository::kBalance);

void setBudget(const Store::Database &db, const QString &owner, qint64 id, const QString &window, qint64 cap)
{
    if (const auto s = LimitRepository(db).setBudgets(owner, id, {{window, cap}}); !s)
        qFatal("budget: %s", qPrintable(s.error()));
}

void setAlerts(const Store::Database &db, const QString &owner, qint64 id, const QList<AlertRepository::Spec> &specs)
{
    if (const auto s = AlertRepository(db).setRules(owner, id, specs); !s)
        qFatal("alerts: %s", qPrintable(s.error()));
}

// Spends `amount` for the account at `atMs` (reserve and settle through the Ledger, as a call does).
bool spend(const Store::Database &db, const RelayDeskTest::LedgerAccount &a, qint64 amount, qint64 atMs)
{
    const Billing::Ledger ledger(db, [atMs] { return atMs; });
    static std::atomic<int> n{0};
    const auto held = ledger.reserve(a.userId, a.keyId, amount, QStringLiteral("req-%1").arg(++n));
    if (!held)
        return false;
    Store::LogRecord log;
    log.model = QStringLiteral("gpt-4o");
    return bool(ledger.settle(held.reservation.id, amount, log));
}

} // namespace

class TestAlertWatcher final : public QObject
{
    Q_OBJECT

    Testing::BackendDatabases m_databases;

private slots:
    void budgetAlertFiresAtItsPercent_data()
    {
        QTest::addColumn<qint64>("spent");
        QTest::addColumn<qint64>("percent");
        QTest::addColumn<bool>("fires");
        QTest::newRow("one under 80%") << qint64(799) << qint64(80) << false;
        QTest::newRow("exactly at 80%") << qint64(800) << qint64(80) << true;
        QTest::newRow("over 80%") << qint64(950) << qint64(80) << true;
        QTest::newRow("exactly at 100%") << qint64(1000) << qint64(100) << true;
        QTest::newRow("one under 100%") << qint64(999) << qint64(100) << false;
        QTest::newRow("1% of the cap") << qint64(10) << qint64(1) << true;
    }
    void budgetAlertFiresAtItsPercent()
    {
        QFETCH(qint64, spent);
        QFETCH(qint64, percent);
        QFETCH(bool, fires);
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto a = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("dora"));
        setBudget(tmp.db(), kUser, a.userId, QStringLiteral("day"), 1000);
        setAlerts(tmp.db(), kUser, a.userId, {{kBudget, QStringLiteral("day"), percent}});
        const qint64 now = msAt(QStringLiteral("2026-03-10T12:00:00Z"));
        QVERIFY(spend(tmp.db(), a, spent, now));
        Service::AlertWatcher watcher(tmp.shared());
        QSignalSpy firedSpy(&watcher, &Service::AlertWatcher::fired);
        const auto events = watcher.evaluateOwners(a.userId, a.keyId, now);
        QCOMPARE(events.size(), fires ? 1 : 0);
        QCOMPARE(firedSpy.size(), events.size());
        if (!fires)
            return;
        const QJsonObject p = events.first().payload;
        QCOMPARE(p.value(QLatin1String("type")).toString(), QStringLiteral("budget.threshold"));
        QCOMPARE(p.value(QLatin1String("window")).toString(), QStringLiteral("day"));
        QCOMPARE(p.value(QLatin1String("spent_quota")).toInteger(), spent);
        QCOMPARE(p.value(QLatin1String("cap_quota")).toInteger(), 1000);
        QCOMPARE(p.value(QLatin1String("threshold_percent")).toInteger(), percent);
        QCOMPARE(p.value(QLatin1String("resets_at")).toInteger(), msAt(QStringLiteral("2026-03-11T00:00:00Z")) / 1000);
        QCOMPARE(p.value(QLatin1String("owner")).toObject().value(QLatin1String("name")).toString(), QStringLiteral("dora"));
        // Stored in the outbox, due now.
        const auto stored = AlertRepository(tmp.db()).events(10);
        QCOMPARE(stored.size(), 1);
        QCOMPARE(stored.first().payload, p);
    }

    // Once per calendar period: more spend in the day fires nothing more; the next day's crossing fires again.
    void calendarAlertFiresOncePerPeriod()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto a = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("dora"));
        setBudget(tmp.db(), kUser, a.userId, QStringLiteral("day"), 1000);
        setAlerts(tmp.db(), kUser, a.userId, {{kBudget, QStringLiteral("day"), 50}});
        Service::AlertWatcher watcher(tmp.shared());
        const qint64 day1 = msAt(QStringLiteral("2026-03-10T09:00:00Z"));
        QVERIFY(spend(tmp.db(), a, 600, day1));
        QCOMPARE(watcher.evaluateOwners(a.userId, 0, day1).size(), 1);
        QVERIFY(spend(tmp.db(), a, 300, day1 + 1000));
        QCOMPARE(watcher.evaluateOwners(a.userId, 0, day1 + 1000).size(), 0);
        QCOMPARE(watcher.evaluateAll(day1 + 2000).size(), 0);
        const qint64 day2 = msAt(QStringLiteral("2026-03-11T09:00:00Z"));
        QCOMPARE(watcher.evaluateAll(day2).size(), 0); // a new day, nothing spent yet: re-armed, not fired
        QVERIFY(spend(tmp.db(), a, 499, day2));
        QCOMPARE(watcher.evaluateAll(day2).size(), 0);
        QVERIFY(spend(tmp.db(), a, 1, day2));
        QCOMPARE(watcher.evaluateAll(day2).size(), 1);
        QCOMPARE(AlertRepository(tmp.db()).events(10).size(), 2);
    }

    // A rolling window: fired once while its spend stays over; the spend leaves after 24 h and the alert re-arms.
    void rollingAlertRearmsWhenTheSpendLeaves()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto a = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("dora"));
        setBudget(tmp.db(), kKey, a.keyId, QStringLiteral("24h"), 1000);
        setAlerts(tmp.db(), kKey, a.keyId, {{kBudget, QStringLiteral("24h"), 90}});
        Service::AlertWatcher watcher(tmp.shared());
        const qint64 t0 = msAt(QStringLiteral("2026-03-10T09:30:00Z"));
        QVERIFY(spend(tmp.db(), a, 950, t0));
        QCOMPARE(watcher.evaluateOwners(0, a.keyId, t0).size(), 1);
        QCOMPARE(watcher.evaluateOwners(0, a.keyId, t0 + 3'600'000).size(), 0); // still over, an hour later
        const qint64 later = t0 + 25 * 3'600'000LL;
        QCOMPARE(watcher.evaluateAll(later).size(), 0); // the spend left: re-armed
        QCOMPARE(AlertRepository(tmp.db()).rules(kKey, a.keyId).first().firedPeriod, 0);
        QVERIFY(spend(tmp.db(), a, 900, later));
        const auto again = watcher.evaluateOwners(0, a.keyId, later);
        QCOMPARE(again.size(), 1);
        QCOMPARE(again.first().payload.value(QLatin1String("owner")).toObject().value(QLatin1String("key_hint")).toString(),
                 a.keyHint);
    }

    // Below the threshold: fires once; a top-up above it re-arms; the next fall fires again. A limited key's
    // remaining quota is its balance.
    void balanceAlertFiresOncePerFall_data()
    {
        QTest::addColumn<QString>("owner");
        QTest::newRow("user") << kUser;
        QTest::newRow("limited key") << kKey;
    }
    void balanceAlertFiresOncePerFall()
    {
        QFETCH(QString, owner);
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        auto a = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("dora"), 1000);
        const Store::ApiKeyRepository keys(tmp.db());
        auto key = *keys.byId(a.keyId);
        key.unlimited = false;
        key.remainQuota = 1000;
        QVERIFY(keys.update(key));
        const bool isKey = owner == kKey;
        const qint64 ownerId = isKey ? a.keyId : a.userId;
        setAlerts(tmp.db(), owner, ownerId, {{kBalance, QString(), 500}});
        Service::AlertWatcher watcher(tmp.shared());
        const qint64 now = msAt(QStringLiteral("2026-03-10T09:00:00Z"));
        QVERIFY(spend(tmp.db(), a, 500, now)); // 500 left: not below
        QCOMPARE(watcher.evaluateAll(now).size(), 0);
        QVERIFY(spend(tmp.db(), a, 1, now)); // 499
        const auto fired = watcher.evaluateAll(now);
        QCOMPARE(fired.size(), 1);
        QCOMPARE(fired.first().payload.value(QLatin1String("type")).toString(), QStringLiteral("balance.low"));
        QCOMPARE(fired.first().payload.value(QLatin1String("balance_quota")).toInteger(), 499);
        QVERIFY(spend(tmp.db(), a, 100, now));
        QCOMPARE(watcher.evaluateAll(now).size(), 0);
        // A top-up of both (the user pays for the key's calls too).
        QVERIFY(Store::UserRepository(tmp.db()).addQuota(a.userId, 1000));
        key = *keys.byId(a.keyId);
        key.remainQuota += 1000;
        QVERIFY(keys.update(key));
        QCOMPARE(watcher.evaluateAll(now).size(), 0);
        QVERIFY(spend(tmp.db(), a, 1000, now));
        QCOMPARE(watcher.evaluateAll(now).size(), 1);
    }

    // Several instances evaluating one crossing at once: exactly one event, on SQLite and on PostgreSQL.
    void racingWatchersFireOnce_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << "sqlite";
        QTest::newRow("postgres") << "postgres";
    }
    void racingWatchersFireOnce()
    {
        QFETCH(QString, backend);
        const auto opened = m_databases.open(backend);
        if (!opened.skip.isEmpty())
            QSKIP(qPrintable(opened.skip));
        QVERIFY2(opened.db, qPrintable(opened.error));
        const std::shared_ptr<Store::Database> db = opened.db;
        const auto a = RelayDeskTest::makeLedgerAccount(*db, QStringLiteral("dora"));
        setBudget(*db, kUser, a.userId, QStringLiteral("month"), 1000);
        setAlerts(*db, kUser, a.userId, {{kBudget, QStringLiteral("month"), 80}, {kBudget, QStringLiteral("month"), 100}});
        const qint64 now = msAt(QStringLiteral("2026-03-10T09:00:00Z"));
        QVERIFY(spend(*db, a, 1000, now));
        std::atomic<int> fired{0};
        QList<QThread *> threads;
        for (int i = 0; i < 8; ++i)
            threads << QThread::create([&] {
                Service::AlertWatcher watcher(db);
                fired += int(watcher.evaluateAll(now).size());
            });
        for (QThread *t : threads)
            t->start();
        for (QThread *t : threads) {
            QVERIFY(t->wait(30'000));
            delete t;
        }
        QCOMPARE(fired.load(), 2); // the 80% and the 100% alert, once each
        QCOMPARE(AlertRepository(*db).events(10).size(), 2);
    }

    // The relay's spend reaches a running AlertService without anyone calling evaluate: the Ledger announces it.
    void ledgerSpendReachesTheRunningService()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto a = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("dora"));
        setBudget(tmp.db(), kUser, a.userId, QStringLiteral("day"), 1000);
        setAlerts(tmp.db(), kUser, a.userId, {{kBudget, QStringLiteral("day"), 50}});
        Service::AlertService::Options options;
        options.watcher.sweepMs = 3'600'000; // only the spend signal can make it fire within the test's wait
        Service::AlertService alerts(tmp.shared(), options);
        QSignalSpy firedSpy(&alerts, &Service::AlertService::fired);
        alerts.start();
        QVERIFY(spend(tmp.db(), a, 600, QDateTime::currentMSecsSinceEpoch()));
        QTRY_COMPARE_WITH_TIMEOUT(firedSpy.size(), 1, 10'000);
        const auto event = firedSpy.first().first().value<Store::AlertEvent>();
        QCOMPARE(event.ownerId, a.userId);
        QCOMPARE(event.kind, kBudget);
    }

    // Spends within the settle delay wake the watcher's thread once: the first announces them, the rest join the
    // notifier's set, and the watcher takes the set when the delay ends — both owners are evaluated then.
    void spendsWithinTheSettleDelayWakeTheWatcherOnce()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto erin = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("erin"));
        const auto finn = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("finn"));
        for (const qint64 userId : {erin.userId, finn.userId}) {
            setBudget(tmp.db(), kUser, userId, QStringLiteral("day"), 1000);
            setAlerts(tmp.db(), kUser, userId, {{kBudget, QStringLiteral("day"), 50}});
        }
        Service::AlertWatcher::Options options;
        options.sweepMs = 3'600'000; // only the spends can make it fire within the test
        Service::AlertWatcher watcher(tmp.shared(), options);
        Billing::SpendNotifier &notifier = Billing::SpendNotifier::global();
        notifier.take(); // whatever an earlier test left
        QSignalSpy heard(&notifier, &Billing::SpendNotifier::spending);
        QSignalSpy fired(&watcher, &Service::AlertWatcher::fired);
        watcher.follow(notifier);
        QCoreApplication::processEvents();

        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(spend(tmp.db(), erin, 600, now));
        QCoreApplication::processEvents(); // the watcher hears the first spend
        QVERIFY(spend(tmp.db(), finn, 600, now));
        QCoreApplication::processEvents();
        QCOMPARE(heard.size(), 1);

        QTRY_COMPARE(fired.size(), 2);
        QSet<qint64> owners;
        for (const QList<QVariant> &args : fired)
            owners.insert(args.first().value<Store::AlertEvent>().ownerId);
        QCOMPARE(owners, (QSet<qint64>{erin.userId, finn.userId}));

        // The next spend after the take is heard again.
        QVERIFY(spend(tmp.db(), erin, 10, now));
        QTRY_COMPARE(heard.size(), 2);
    }

    void cleanupTestCase()
    {
        m_databases.reset();
    }

    void adminServiceChecksAndAuditsRules_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("window");
        QTest::addColumn<qint64>("threshold");
        QTest::addColumn<bool>("onKey");
        QTest::addColumn<QString>("error"); // empty: accepted
        QTest::newRow("budget 80% of day") << kBudget << "day" << qint64(80) << false << "";
        QTest::newRow("window spelled 24H") << kBudget << "24H" << qint64(80) << false << "no '24h' budget window";
        QTest::newRow("no such window set") << kBudget << "week" << qint64(80) << false << "no 'week' budget window";
        QTest::newRow("unknown window") << kBudget << "fortnight" << qint64(80) << false << "unknown budget window";
        QTest::newRow("0%") << kBudget << "day" << qint64(0) << false << "percent must be 1..1000";
        QTest::newRow("1001%") << kBudget << "day" << qint64(1001) << false << "percent must be 1..1000";
        QTest::newRow("balance 1") << kBalance << "" << qint64(1) << false << "";
        QTest::newRow("balance 0") << kBalance << "" << qint64(0) << false << "at least 1";
        QTest::newRow("balance of an unlimited key") << kBalance << "" << qint64(5) << true << "unlimited key";
        QTest::newRow("unknown kind") << "alert_moon" << "" << qint64(5) << false << "unknown alert kind";
    }
    void adminServiceChecksAndAuditsRules()
    {
        QFETCH(QString, kind);
        QFETCH(QString, window);
        QFETCH(qint64, threshold);
        QFETCH(bool, onKey);
        QFETCH(QString, error);
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto a = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("dora"));
        setBudget(tmp.db(), onKey ? kKey : kUser, onKey ? a.keyId : a.userId, QStringLiteral("day"), 1000);
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Cli);
        const int auditBefore = admin.audit().size();
        const Service::AlertRules rules{{kind, window, threshold}};
        const auto set = onKey ? admin.setKeyAlerts(a.keyId, rules) : admin.setUserAlerts(a.userId, rules);
        if (!error.isEmpty()) {
            QVERIFY(!set);
            QVERIFY2(set.error().contains(error), qPrintable(set.error()));
            QCOMPARE(admin.audit().size(), auditBefore); // nothing written
            QVERIFY(admin.userAlerts(a.userId).isEmpty() && admin.keyAlerts(a.keyId).isEmpty());
            return;
        }
        QVERIFY2(set, qPrintable(set.error()));
        QCOMPARE(set->size(), 1);
        QCOMPARE(set->first().threshold, threshold);
        QCOMPARE(admin.userAlerts(a.userId).size(), 1);
        const auto audit = admin.audit(1);
        QCOMPARE(audit.first().action, QStringLiteral("user.set-alerts"));
        QCOMPARE(audit.first().after.value(QLatin1String("alerts")).toArray().size(), 1);
        // Replacing the set with the same rule keeps its state; clearing removes it.
        QVERIFY(admin.setUserAlerts(a.userId, {}));
        QVERIFY(admin.userAlerts(a.userId).isEmpty());
    }

    // A kept rule keeps its state: setting the same rules again does not fire the crossing a second time.
    void keptRuleKeepsItsState()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto a = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("dora"));
        setBudget(tmp.db(), kUser, a.userId, QStringLiteral("day"), 1000);
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Cli);
        QVERIFY(admin.setUserAlerts(a.userId, {{kBudget, QStringLiteral("day"), 50}}));
        const qint64 now = msAt(QStringLiteral("2026-03-10T09:00:00Z"));
        QVERIFY(spend(tmp.db(), a, 600, now));
        Service::AlertWatcher watcher(tmp.shared());
        QCOMPARE(watcher.evaluateAll(now).size(), 1);
        QVERIFY(admin.setUserAlerts(a.userId, {{kBudget, QStringLiteral("day"), 50}, {kBalance, QString(), 10}}));
        QCOMPARE(watcher.evaluateAll(now).size(), 0);
    }

    void webhookConfigIsValidatedAndTheSecretNeverShown_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("ok");
        QTest::newRow("https") << "https://hooks.example.com/relaydesk" << true;
        QTest::newRow("http loopback with port") << "http://127.0.0.1:9000/hook" << true;
        QTest::newRow("empty: none") << "" << true;
        QTest::newRow("ftp") << "ftp://example.com/x" << false;
        QTest::newRow("no host") << "http:///x" << false;
        QTest::newRow("not a URL") << "hooks example" << false;
    }
    void webhookConfigIsValidatedAndTheSecretNeverShown()
    {
        QFETCH(QString, url);
        QFETCH(bool, ok);
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Cli);
        const QString secret = QStringLiteral("whsec-very-secret-value");
        const auto set = admin.setAlertWebhook(url, secret);
        QCOMPARE(bool(set), ok);
        if (!ok)
            return;
        QCOMPARE(admin.alertWebhook().url, url);
        QVERIFY(admin.alertWebhook().hasSecret);
        const QByteArray audit = QJsonDocument(admin.audit(1).first().after).toJson();
        QVERIFY(!audit.contains(secret.toUtf8()));
        // Stored sealed, not as typed.
        QSqlQuery q = tmp.db().query();
        QVERIFY(q.exec(QStringLiteral("SELECT value FROM options WHERE key = 'RelayDeskAlertWebhookSecret'")) && q.next());
        QVERIFY(!q.value(0).toString().contains(secret));
        // Keeping the secret while changing the URL; removing it.
        QVERIFY(admin.setAlertWebhook(url, std::nullopt));
        QVERIFY(admin.alertWebhook().hasSecret);
        QVERIFY(admin.setAlertWebhook(url, QString()));
        QVERIFY(!admin.alertWebhook().hasSecret);
    }
};

QTEST_GUILESS_MAIN(TestAlertWatcher)
#include "tst_alertwatcher.moc"
