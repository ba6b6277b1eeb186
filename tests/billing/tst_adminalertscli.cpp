// `relaydeskd admin user|key set-limits --alert-budget/--alert-balance`, `alert-webhook` and `alerts` end to end: the
// real binary against a temporary data dir. Alerts as given (percent, quota or dollars), each option replacing its
// kind and `none` clearing it, --clear dropping them with the rest; bad input refused with exit 2 and nothing
// written; the webhook's secret read from a file, stored sealed and never printed.
#include "relaydeskdrun.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

namespace {

using Run = RelayDeskTest::DaemonRun;

// "budget:day=80,balance:2500000" from a set/show-limits answer, in the order listed.
QString alertsOf(const QJsonObject &limits)
{
    QStringList parts;
    for (const QJsonValue &v : limits.value(QStringLiteral("alerts")).toArray()) {
        const bool budget = v[QStringLiteral("kind")].toString() == u"budget";
        parts << (budget ? QStringLiteral("budget:%1=%2").arg(v[QStringLiteral("window")].toString())
                                                          .arg(v[QStringLiteral("percent")].toInteger())
                         : QStringLiteral("balance:%1").arg(v[QStringLiteral("quota")].toInteger()));
    }
    return parts.join(u',');
}

} // namespace

class TestAdminAlertsCli final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    int m_dirs = 0;

    static Run admin(const QString &data, const QStringList &args) { return RelayDeskTest::runAdmin(data, args); }

    // A data dir with user "alice" (a day budget) and her unlimited key "alice-ci" (a 24h budget).
    QString account()
    {
        const QString d = m_tmp.filePath(QStringLiteral("d%1").arg(++m_dirs));
        if (!RelayDeskTest::addAliceAccount(d))
            return {};
        const bool ok = admin(d, {"user", "set-limits", "alice", "--budget", "day=$5", "--budget", "week=$20"}).exitCode == 0 &&
                        admin(d, {"key", "set-limits", "alice-ci", "--budget", "24h=1000"}).exitCode == 0;
        return ok ? d : QString();
    }

private slots:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    void setAlerts_data()
    {
        QTest::addColumn<QString>("owner");
        QTest::addColumn<QStringList>("first");
        QTest::addColumn<QStringList>("second"); // empty: no second edit
        QTest::addColumn<QString>("alerts");     // after both
        QTest::newRow("user: 80% of day") << "user" << QStringList{"--alert-budget", "day=80"} << QStringList() << "budget:day=80";
        QTest::newRow("percent sign") << "user" << QStringList{"--alert-budget", "week=90%"} << QStringList() << "budget:week=90";
        QTest::newRow("key: rolling window, two thresholds")
            << "key" << QStringList{"--alert-budget", "24h=50", "--alert-budget", "24H=100"} << QStringList()
            << "budget:24h=50,budget:24h=100";
        QTest::newRow("balance in dollars") << "user" << QStringList{"--alert-balance", "$5"} << QStringList()
                                            << "balance:2500000";
        QTest::newRow("budget alerts replace budget alerts, keep balance")
            << "user" << QStringList{"--alert-budget", "day=80", "--alert-balance", "1000"}
            << QStringList{"--alert-budget", "week=50"} << "balance:1000,budget:week=50";
        QTest::newRow("none clears one kind") << "user" << QStringList{"--alert-budget", "day=80", "--alert-balance", "1000"}
                                              << QStringList{"--alert-balance", "none"} << "budget:day=80";
        QTest::newRow("other limits leave alerts alone") << "user" << QStringList{"--alert-budget", "day=80"}
                                                         << QStringList{"--rpm", "5"} << "budget:day=80";
        QTest::newRow("--clear drops them") << "user" << QStringList{"--alert-budget", "day=80"}
                                            << QStringList{"--clear"} << "";
        QTest::newRow("--clear with a new budget and its alert")
            << "user" << QStringList{"--alert-balance", "5"} << QStringList{"--clear", "--budget", "month=9", "--alert-budget", "month=100"}
            << "budget:month=100";
    }
    void setAlerts()
    {
        QFETCH(QString, owner);
        QFETCH(QStringList, first);
        QFETCH(QStringList, second);
        QFETCH(QString, alerts);
        const QString d = account();
        QVERIFY(!d.isEmpty());
        const QString name = owner == u"key" ? QStringLiteral("alice-ci") : QStringLiteral("alice");
        Run r = admin(d, QStringList{owner, "set-limits", name} + first);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        if (!second.isEmpty()) {
            r = admin(d, QStringList{owner, "set-limits", name} + second);
            QVERIFY2(r.exitCode == 0, r.err.constData());
        }
        QCOMPARE(alertsOf(r.json()), alerts);
        r = admin(d, {owner, "show-limits", name});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(alertsOf(r.json()), alerts);
        for (const QJsonValue &v : r.json().value(QStringLiteral("alerts")).toArray())
            QVERIFY(v[QStringLiteral("armed")].toBool());
    }

    void badInputExits2AndWritesNothing_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("no =") << QStringList{"user", "set-limits", "alice", "--alert-budget", "day"} << "WINDOW=PERCENT";
        QTest::newRow("not a percent") << QStringList{"user", "set-limits", "alice", "--alert-budget", "day=most"} << "WINDOW=PERCENT";
        QTest::newRow("0%") << QStringList{"user", "set-limits", "alice", "--alert-budget", "day=0"} << "1..1000";
        QTest::newRow("a window not set") << QStringList{"user", "set-limits", "alice", "--alert-budget", "month=80"}
                                          << "set the budget first";
        QTest::newRow("unknown window") << QStringList{"user", "set-limits", "alice", "--alert-budget", "era=80"}
                                        << "unknown budget window";
        QTest::newRow("balance of an unlimited key") << QStringList{"key", "set-limits", "alice-ci", "--alert-balance", "5"}
                                                     << "unlimited key";
        QTest::newRow("balance not a number") << QStringList{"user", "set-limits", "alice", "--alert-balance", "low"}
                                              << "whole number";
        QTest::newRow("none with others") << QStringList{"user", "set-limits", "alice", "--alert-balance", "none",
                                                         "--alert-balance", "5"} << "give it alone";
        QTest::newRow("webhook ftp") << QStringList{"alert-webhook", "--url", "ftp://x/y"} << "http(s) URL";
        QTest::newRow("secret file missing") << QStringList{"alert-webhook", "--secret-file", "/nonexistent/s"} << "cannot read";
        QTest::newRow("secret and no secret") << QStringList{"alert-webhook", "--secret-file", "/etc/hostname", "--no-secret"}
                                              << "not both";
    }
    void badInputExits2AndWritesNothing()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const QString d = account();
        QVERIFY(!d.isEmpty());
        const Run before = admin(d, {"audit"});
        const Run r = admin(d, args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
        QVERIFY(r.out.isEmpty());
        QCOMPARE(admin(d, {"audit"}).out, before.out);
    }

    void webhookSecretComesFromAFileAndIsNeverPrinted()
    {
        const QString d = account();
        QVERIFY(!d.isEmpty());
        const QString secretPath = m_tmp.filePath(QStringLiteral("hook.secret"));
        QFile f(secretPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("whsec-the-receivers-secret\n");
        f.close();
        Run r = admin(d, {"alert-webhook", "--url", "https://hooks.example.com/relaydesk", "--secret-file", secretPath});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.json().value(QStringLiteral("url")).toString(), QStringLiteral("https://hooks.example.com/relaydesk"));
        QVERIFY(r.json().value(QStringLiteral("signed")).toBool());
        for (const QStringList &args : {QStringList{"alert-webhook"}, QStringList{"audit"}}) {
            r = admin(d, args);
            QCOMPARE(r.exitCode, 0);
            QVERIFY(!r.out.contains("whsec-the-receivers-secret"));
        }
        QVERIFY(!admin(d, {"alert-webhook", "--no-secret"}).json().value(QStringLiteral("signed")).toBool());
        r = admin(d, {"alert-webhook", "--url", "none"});
        QCOMPARE(r.json().value(QStringLiteral("url")).toString(), QString());
        QCOMPARE(admin(d, {"alerts"}).out, QByteArray()); // nothing fired yet
    }
};

QTEST_GUILESS_MAIN(TestAdminAlertsCli)
#include "tst_adminalertscli.moc"
