// `relaydeskd admin user|key set-limits / show-limits` and `budget-timezone` end to end: the real binary against a
// temporary data dir. Windows and caps as given (quota or dollars), edits that add, change, drop and clear windows,
// bad input refused with exit 2 and nothing written, the audit and change rows of each write, and show-limits
// reporting what the ledger counted in the current period with its start and reset time. Rate limits (--rpm, --tpm,
// --rpd, --concurrency; 0 or none removes) through the same command, shown with what their window counts now.
#include "relaydeskdrun.h"
#include "billing/ledger.h"
#include "store/apikeyrepository.h"
#include "store/changerepository.h"
#include "store/database.h"
#include "store/userrepository.h"

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace RelayDesk;

namespace {

using Run = RelayDeskTest::DaemonRun;

// "day=2500000,week=7" from a show-limits answer, in the order listed.
QString windowsOf(const QJsonObject &limits)
{
    QStringList parts;
    for (const QJsonValue &v : limits.value(QStringLiteral("budgets")).toArray())
        parts << QStringLiteral("%1=%2").arg(v[QStringLiteral("window")].toString()).arg(v[QStringLiteral("cap")].toInteger());
    return parts.join(u',');
}

// "rpm=5,tpm=1000" from a show-limits answer, in the order listed.
QString ratesOf(const QJsonObject &limits)
{
    QStringList parts;
    for (const QJsonValue &v : limits.value(QStringLiteral("rates")).toArray())
        parts << QStringLiteral("%1=%2").arg(v[QStringLiteral("kind")].toString()).arg(v[QStringLiteral("cap")].toInteger());
    return parts.join(u',');
}

} // namespace

class TestAdminLimitsCli final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    int m_dirs = 0;

    static Run admin(const QString &data, const QStringList &args) { return RelayDeskTest::runAdmin(data, args); }

    // A data dir with user "alice" and her unlimited key "alice-ci".
    QString account()
    {
        const QString d = m_tmp.filePath(QStringLiteral("d%1").arg(++m_dirs));
        return RelayDeskTest::addAliceAccount(d) ? d : QString();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        QVERIFY2(QFileInfo::exists(QDir(qEnvironmentVariable("RELAYDESK_BIN_DIR")).filePath(QStringLiteral("relaydeskd"))),
                 "relaydeskd not built (RELAYDESK_BIN_DIR)");
    }

    void setLimits_data()
    {
        QTest::addColumn<QString>("owner"); // user | key
        QTest::addColumn<QStringList>("first");
        QTest::addColumn<QStringList>("second"); // empty: no second edit
        QTest::addColumn<QString>("windows");    // after both
        const QString b = QStringLiteral("--budget");
        QTest::newRow("key: quota") << "key" << QStringList{b, "day=2500000"} << QStringList() << "day=2500000";
        QTest::newRow("key: dollars") << "key" << QStringList{b, "day=$5.00"} << QStringList() << "day=2500000";
        QTest::newRow("user: whole dollars") << "user" << QStringList{b, "month=$20"} << QStringList() << "month=10000000";
        QTest::newRow("key: the smallest dollar amount") << "key" << QStringList{b, "week=$0.000002"} << QStringList()
                                                         << "week=1";
        QTest::newRow("user: several, canonical names") << "user" << QStringList{b, "day=7", b, "24H=1000", b, "Week=9"}
                                                        << QStringList() << "day=7,24h=1000,week=9";
        QTest::newRow("a cap of 0 (frozen)") << "key" << QStringList{b, "day=0"} << QStringList() << "day=0";
        QTest::newRow("second edit adds a window") << "key" << QStringList{b, "day=5"} << QStringList{b, "720h=6"}
                                                   << "day=5,720h=6";
        QTest::newRow("second edit changes a cap") << "user" << QStringList{b, "day=5", b, "week=8"}
                                                   << QStringList{b, "day=$1"} << "day=500000,week=8";
        QTest::newRow("none drops one window") << "key" << QStringList{b, "day=5", b, "week=8"}
                                               << QStringList{b, "day=none"} << "week=8";
        QTest::newRow("--clear drops all") << "user" << QStringList{b, "day=5", b, "1h=3"}
                                           << QStringList{"--clear"} << "";
        QTest::newRow("--clear with --budget replaces") << "key" << QStringList{b, "day=5", b, "1h=3"}
                                                        << QStringList{"--clear", b, "month=4"} << "month=4";
    }

    void setLimits()
    {
        QFETCH(QString, owner);
        QFETCH(QStringList, first);
        QFETCH(QStringList, second);
        QFETCH(QString, windows);
        const QString d = account();
        QVERIFY(!d.isEmpty());
        const QString name = owner == u"key" ? QStringLiteral("alice-ci") : QStringLiteral("alice");
        Run r = admin(d, QStringList{owner, QStringLiteral("set-limits"), name} + first);
        QCOMPARE(r.exitCode, 0);
        if (!second.isEmpty()) {
            r = admin(d, QStringList{owner, QStringLiteral("set-limits"), name} + second);
            QVERIFY2(r.exitCode == 0, r.err.constData());
        }
        QCOMPARE(windowsOf(r.json()), windows);
        QCOMPARE(r.json().value(QStringLiteral("owner")).toString(), owner);
        QCOMPARE(r.json().value(QStringLiteral("name")).toString(), name);
        // show-limits says the same; the other owner kind has none.
        r = admin(d, {owner, QStringLiteral("show-limits"), name});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(windowsOf(r.json()), windows);
        r = admin(d, {owner == u"key" ? QStringLiteral("user") : QStringLiteral("key"), QStringLiteral("show-limits"),
                      owner == u"key" ? QStringLiteral("alice") : QStringLiteral("alice-ci")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(windowsOf(r.json()), QString());

        // Each write left its audit row (before → after) and announced the owner on the change feed.
        r = admin(d, {QStringLiteral("audit"), QStringLiteral("--limit"), QStringLiteral("1")});
        const QJsonObject audit = QJsonDocument::fromJson(r.out.trimmed()).object();
        QCOMPARE(audit.value(QStringLiteral("action")).toString(), owner + QStringLiteral(".set-limits"));
        QCOMPARE(audit.value(QStringLiteral("entity_name")).toString(), name);
        QCOMPARE(audit.value(QStringLiteral("after")).toObject().value(QStringLiteral("budgets")).toArray().size(),
                 windows.isEmpty() ? 0 : windows.count(u',') + 1);
        auto db = Store::Database::openDataDir(d);
        QVERIFY(db);
        const QList<Store::Change> changes = Store::ChangeRepository(*db.value()).since(0);
        QVERIFY(!changes.isEmpty());
        QCOMPARE(changes.last().kind, owner == u"key" ? Store::ChangeKind::Key : Store::ChangeKind::User);
    }

    void setRateLimits_data()
    {
        QTest::addColumn<QString>("owner");
        QTest::addColumn<QStringList>("first");
        QTest::addColumn<QStringList>("second"); // empty: no second edit
        QTest::addColumn<QString>("rates");      // after both
        QTest::addColumn<QString>("windows");    // the budget windows after both
        QTest::newRow("key: rpm") << "key" << QStringList{"--rpm", "5"} << QStringList() << "rpm=5" << "";
        QTest::newRow("user: all four") << "user" << QStringList{"--rpm", "5", "--tpm", "1000", "--rpd", "100",
                                                                 "--concurrency", "2"}
                                        << QStringList() << "rpm=5,tpm=1000,rpd=100,concurrency=2" << "";
        QTest::newRow("second edit changes one, keeps the rest")
            << "key" << QStringList{"--rpm", "5", "--tpm", "1000"} << QStringList{"--tpm", "2000"} << "rpm=5,tpm=2000" << "";
        QTest::newRow("0 removes") << "user" << QStringList{"--rpm", "5", "--rpd", "9"} << QStringList{"--rpm", "0"}
                                   << "rpd=9" << "";
        QTest::newRow("none removes") << "key" << QStringList{"--concurrency", "3"} << QStringList{"--concurrency", "none"}
                                      << "" << "";
        QTest::newRow("rates leave budgets alone") << "key" << QStringList{"--budget", "day=5"}
                                                   << QStringList{"--rpm", "7"} << "rpm=7" << "day=5";
        QTest::newRow("budgets leave rates alone") << "user" << QStringList{"--rpm", "7"}
                                                   << QStringList{"--budget", "week=5"} << "rpm=7" << "week=5";
        QTest::newRow("--clear drops rates too") << "key" << QStringList{"--rpm", "7", "--budget", "day=5"}
                                                 << QStringList{"--clear"} << "" << "";
        QTest::newRow("--clear with --tpm replaces") << "user" << QStringList{"--rpm", "7", "--rpd", "8"}
                                                     << QStringList{"--clear", "--tpm", "99"} << "tpm=99" << "";
    }

    void setRateLimits()
    {
        QFETCH(QString, owner);
        QFETCH(QStringList, first);
        QFETCH(QStringList, second);
        QFETCH(QString, rates);
        QFETCH(QString, windows);
        const QString d = account();
        QVERIFY(!d.isEmpty());
        const QString name = owner == u"key" ? QStringLiteral("alice-ci") : QStringLiteral("alice");
        Run r = admin(d, QStringList{owner, QStringLiteral("set-limits"), name} + first);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        if (!second.isEmpty()) {
            r = admin(d, QStringList{owner, QStringLiteral("set-limits"), name} + second);
            QVERIFY2(r.exitCode == 0, r.err.constData());
        }
        QCOMPARE(ratesOf(r.json()), rates);
        QCOMPARE(windowsOf(r.json()), windows);
        r = admin(d, {owner, QStringLiteral("show-limits"), name});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(ratesOf(r.json()), rates);
        QCOMPARE(windowsOf(r.json()), windows);
        // The last write's audit row names the owner and says what the rates became.
        r = admin(d, {QStringLiteral("audit"), QStringLiteral("--limit"), QStringLiteral("1")});
        const QJsonObject audit = QJsonDocument::fromJson(r.out.trimmed()).object();
        QCOMPARE(audit.value(QStringLiteral("action")).toString(), owner + QStringLiteral(".set-limits"));
        QCOMPARE(audit.value(QStringLiteral("entity_name")).toString(), name);
        const QJsonObject after = audit.value(QStringLiteral("after")).toObject();
        if (after.contains(QStringLiteral("rates")))
            QCOMPARE(after.value(QStringLiteral("rates")).toArray().size(), rates.isEmpty() ? 0 : rates.count(u',') + 1);
        else
            QVERIFY(second.contains(QStringLiteral("--budget"))); // the last write was the budgets'
    }

    // show-limits: a rate's use in its current window (rpm: this minute; concurrency: open now).
    void showLimitsReportsRateUse()
    {
        const QString d = account();
        QVERIFY(!d.isEmpty());
        QCOMPARE(admin(d, {QStringLiteral("key"), QStringLiteral("set-limits"), QStringLiteral("alice-ci"),
                           QStringLiteral("--rpm"), QStringLiteral("100"), QStringLiteral("--concurrency"),
                           QStringLiteral("5")}).exitCode, 0);
        qint64 before = 0;
        {
            auto db = Store::Database::openDataDir(d);
            QVERIFY(db);
            const auto key = Store::ApiKeyRepository(*db.value()).byName(QStringLiteral("alice-ci"));
            QVERIFY(key);
            before = QDateTime::currentSecsSinceEpoch();
            QVERIFY(Billing::Ledger(*db.value()).reserve(key->userId, key->id, 300, {}));
            QVERIFY(Billing::Ledger(*db.value()).reserve(key->userId, key->id, 300, {}));
        }
        const Run r = admin(d, {QStringLiteral("key"), QStringLiteral("show-limits"), QStringLiteral("alice-ci")});
        const qint64 after = QDateTime::currentSecsSinceEpoch();
        QCOMPARE(r.exitCode, 0);
        const QJsonArray rates = r.json().value(QStringLiteral("rates")).toArray();
        QCOMPARE(rates.size(), 2);
        const QJsonObject concurrency = rates[1].toObject();
        QCOMPARE(concurrency.value(QStringLiteral("kind")).toString(), QStringLiteral("concurrency"));
        QCOMPARE(concurrency.value(QStringLiteral("used")).toInteger(), qint64(2));
        QVERIFY(concurrency.value(QStringLiteral("resets_at")).isNull());
        const QJsonObject rpm = rates[0].toObject();
        if (before / 60 != after / 60)
            QSKIP("the minute rolled over between the reservations and show-limits");
        QCOMPARE(rpm.value(QStringLiteral("used")).toInteger(), qint64(2));
        const auto at = [](const QJsonValue &v) { return QDateTime::fromString(v.toString(), Qt::ISODate).toSecsSinceEpoch(); };
        QCOMPARE(at(rpm.value(QStringLiteral("period_start"))), after - after % 60);
        QCOMPARE(at(rpm.value(QStringLiteral("resets_at"))), after - after % 60 + 60);
    }

    void badInputExits2AndWritesNothing_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QString b = QStringLiteral("--budget");
        QTest::newRow("no option") << QStringList{"key", "set-limits", "alice-ci"} << "needs --budget";
        QTest::newRow("unknown window") << QStringList{"key", "set-limits", "alice-ci", b, "fortnight=5"} << "WINDOW";
        QTest::newRow("0h") << QStringList{"key", "set-limits", "alice-ci", b, "0h=5"} << "WINDOW";
        QTest::newRow("721h") << QStringList{"key", "set-limits", "alice-ci", b, "721h=5"} << "WINDOW";
        QTest::newRow("no =") << QStringList{"user", "set-limits", "alice", b, "day"} << "WINDOW=QUOTA";
        QTest::newRow("negative") << QStringList{"user", "set-limits", "alice", b, "day=-1"} << "whole number";
        QTest::newRow("not a number") << QStringList{"user", "set-limits", "alice", b, "day=lots"} << "whole number";
        QTest::newRow("half a quota in dollars") << QStringList{"key", "set-limits", "alice-ci", b, "day=$0.000001"}
                                                 << "not a whole number of quota";
        QTest::newRow("too many decimals") << QStringList{"key", "set-limits", "alice-ci", b, "day=$1.0000001"}
                                           << "dollars";
        QTest::newRow("a window twice") << QStringList{"key", "set-limits", "alice-ci", b, "day=1", b, "DAY=2"}
                                        << "given twice";
        QTest::newRow("unknown key") << QStringList{"key", "set-limits", "nobody", b, "day=1"} << "no key named";
        QTest::newRow("unknown user") << QStringList{"user", "show-limits", "nobody"} << "no user named";
        QTest::newRow("negative rpm") << QStringList{"key", "set-limits", "alice-ci", "--rpm", "-1"} << "--rpm wants";
        QTest::newRow("tpm not a number") << QStringList{"user", "set-limits", "alice", "--tpm", "many"} << "--tpm wants";
        QTest::newRow("concurrency not whole") << QStringList{"user", "set-limits", "alice", "--concurrency", "1.5"}
                                               << "--concurrency wants";
        QTest::newRow("a bad rate with a good budget") << QStringList{"key", "set-limits", "alice-ci", b, "week=1",
                                                                      "--rpd", "x"} << "--rpd wants";
        QTest::newRow("unknown zone") << QStringList{"budget-timezone", "--set", "Mars/Olympus"} << "unknown time zone";
    }

    void badInputExits2AndWritesNothing()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const QString d = account();
        QVERIFY(!d.isEmpty());
        QCOMPARE(admin(d, {QStringLiteral("key"), QStringLiteral("set-limits"), QStringLiteral("alice-ci"),
                           QStringLiteral("--budget"), QStringLiteral("day=9")}).exitCode, 0);
        const Run before = admin(d, {QStringLiteral("audit")});
        const Run r = admin(d, args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
        QVERIFY(r.out.isEmpty());
        QCOMPARE(admin(d, {QStringLiteral("audit")}).out, before.out);
        QCOMPARE(windowsOf(admin(d, {QStringLiteral("key"), QStringLiteral("show-limits"), QStringLiteral("alice-ci")})
                               .json()),
                 QStringLiteral("day=9"));
    }

    void showLimitsReportsTheCurrentPeriod_data()
    {
        QTest::addColumn<QString>("zone"); // empty: the default (UTC)
        QTest::newRow("UTC") << "";
        QTest::newRow("Tokyo") << "Asia/Tokyo";
        QTest::newRow("Los Angeles") << "America/Los_Angeles";
    }

    void showLimitsReportsTheCurrentPeriod()
    {
        QFETCH(QString, zone);
        const QString d = account();
        QVERIFY(!d.isEmpty());
        if (!zone.isEmpty()) {
            const Run z = admin(d, {QStringLiteral("budget-timezone"), QStringLiteral("--set"), zone});
            QCOMPARE(z.exitCode, 0);
            QCOMPARE(z.json().value(QStringLiteral("time_zone")).toString(), zone);
        }
        QCOMPARE(admin(d, {QStringLiteral("key"), QStringLiteral("set-limits"), QStringLiteral("alice-ci"),
                           QStringLiteral("--budget"), QStringLiteral("day=$1"), QStringLiteral("--budget"),
                           QStringLiteral("24h=1000")}).exitCode, 0);
        {
            auto db = Store::Database::openDataDir(d);
            QVERIFY(db);
            const auto key = Store::ApiKeyRepository(*db.value()).byName(QStringLiteral("alice-ci"));
            QVERIFY(key);
            QVERIFY(Billing::Ledger(*db.value()).reserve(key->userId, key->id, 300, {}));
        }
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const Run r = admin(d, {QStringLiteral("key"), QStringLiteral("show-limits"), QStringLiteral("alice-ci")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().value(QStringLiteral("time_zone")).toString(), zone.isEmpty() ? QStringLiteral("UTC") : zone);
        const QJsonArray budgets = r.json().value(QStringLiteral("budgets")).toArray();
        QCOMPARE(budgets.size(), 2);
        const auto at = [](const QJsonValue &v) { return QDateTime::fromString(v.toString(), Qt::ISODate); };
        // The day: spent 300 of $1, from the zone's last midnight to its next one.
        const QJsonObject day = budgets[0].toObject();
        QCOMPARE(day.value(QStringLiteral("window")).toString(), QStringLiteral("day"));
        QCOMPARE(day.value(QStringLiteral("cap_usd")).toString(), QStringLiteral("1.00"));
        QCOMPARE(day.value(QStringLiteral("spent")).toInteger(), qint64(300));
        const QTimeZone tz = zone.isEmpty() ? QTimeZone::utc() : QTimeZone(zone.toUtf8());
        const QDate today = QDateTime::fromSecsSinceEpoch(now, tz).date();
        QCOMPARE(at(day.value(QStringLiteral("period_start"))), today.startOfDay(tz));
        QCOMPARE(at(day.value(QStringLiteral("resets_at"))), today.addDays(1).startOfDay(tz));
        // The rolling window: the 300 leaves 24 hours after the start of the hour it was spent in.
        const QJsonObject rolling = budgets[1].toObject();
        QCOMPARE(rolling.value(QStringLiteral("spent")).toInteger(), qint64(300));
        const qint64 hour = now - now % 3600;
        QCOMPARE(at(rolling.value(QStringLiteral("period_start"))).toSecsSinceEpoch(), hour - 23 * 3600);
        QCOMPARE(at(rolling.value(QStringLiteral("resets_at"))).toSecsSinceEpoch(), hour + 24 * 3600);
    }
};

QTEST_GUILESS_MAIN(TestAdminLimitsCli)
#include "tst_adminlimitscli.moc"
