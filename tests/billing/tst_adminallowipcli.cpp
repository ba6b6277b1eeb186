// `relaydeskd admin user|key set-limits --allow-ip` / show-limits and `admin trusted-proxies` end to end: the real
// binary against a temporary data dir. Lists as given (addresses, networks, IPv6, mapped, comma-separated or
// repeated) stored canonical; an edit replaces the list, `none` and --clear empty it, budgets are left alone; bad
// input is refused with exit 2 and nothing written; each write leaves its audit and change rows.
#include "relaydeskdrun.h"
#include "store/changerepository.h"
#include "store/database.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace RelayDesk;

namespace {

using Run = RelayDeskTest::DaemonRun;

QStringList listOf(const QJsonObject &object, const QString &field)
{
    QStringList out;
    for (const QJsonValue &v : object.value(field).toArray())
        out << v.toString();
    return out;
}

} // namespace

class TestAdminAllowIpCli final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    int m_dirs = 0;

    static Run run(const QStringList &args) { return RelayDeskTest::runRelaydeskd(args); }
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

    void setAllowIp_data()
    {
        QTest::addColumn<QString>("owner"); // user | key
        QTest::addColumn<QStringList>("first");
        QTest::addColumn<QStringList>("second"); // empty: no second edit
        QTest::addColumn<QStringList>("list");   // after both
        QTest::addColumn<QString>("budgets");    // the windows after both ("day=5"), untouched by --allow-ip
        const QString a = QStringLiteral("--allow-ip");
        QTest::newRow("key: one address") << "key" << QStringList{a, "203.0.113.7"} << QStringList()
                                          << QStringList{"203.0.113.7/32"} << "";
        QTest::newRow("user: IPv6 network") << "user" << QStringList{a, "2001:DB8::/32"} << QStringList()
                                            << QStringList{"2001:db8::/32"} << "";
        QTest::newRow("key: repeated and comma-separated") << "key" << QStringList{a, "10.0.0.0/8, 192.168.1.5", a, "::1"}
                                                           << QStringList()
                                                           << QStringList{"10.0.0.0/8", "192.168.1.5/32", "::1/128"} << "";
        QTest::newRow("key: mapped and host bits") << "key" << QStringList{a, "::ffff:10.1.0.0/112", a, "172.16.9.9/12"}
                                                   << QStringList() << QStringList{"10.1.0.0/16", "172.16.0.0/12"} << "";
        QTest::newRow("duplicates once") << "user" << QStringList{a, "10.0.0.1/8", a, "10.0.0.0/8"} << QStringList()
                                         << QStringList{"10.0.0.0/8"} << "";
        QTest::newRow("second edit replaces") << "key" << QStringList{a, "10.0.0.0/8"} << QStringList{a, "127.0.0.1"}
                                              << QStringList{"127.0.0.1/32"} << "";
        QTest::newRow("none clears") << "user" << QStringList{a, "10.0.0.0/8"} << QStringList{a, "none"} << QStringList()
                                     << "";
        QTest::newRow("--clear clears") << "key" << QStringList{a, "10.0.0.0/8"} << QStringList{"--clear"}
                                        << QStringList() << "";
        QTest::newRow("budgets are kept") << "key" << QStringList{"--budget", "day=5"} << QStringList{a, "10.0.0.0/8"}
                                          << QStringList{"10.0.0.0/8"} << "day=5";
        QTest::newRow("both in one edit") << "user" << QStringList{"--budget", "day=5", a, "::/0"} << QStringList()
                                          << QStringList{"::/0"} << "day=5";
    }

    void setAllowIp()
    {
        QFETCH(QString, owner);
        QFETCH(QStringList, first);
        QFETCH(QStringList, second);
        QFETCH(QStringList, list);
        QFETCH(QString, budgets);
        const QString d = account();
        QVERIFY(!d.isEmpty());
        const QString name = owner == u"key" ? QStringLiteral("alice-ci") : QStringLiteral("alice");
        Run r = admin(d, QStringList{owner, QStringLiteral("set-limits"), name} + first);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        if (!second.isEmpty()) {
            r = admin(d, QStringList{owner, QStringLiteral("set-limits"), name} + second);
            QVERIFY2(r.exitCode == 0, r.err.constData());
        }
        QCOMPARE(listOf(r.json(), QStringLiteral("allow_ip")), list);
        // show-limits says the same; the other owner has no list.
        r = admin(d, {owner, QStringLiteral("show-limits"), name});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(listOf(r.json(), QStringLiteral("allow_ip")), list);
        QStringList windows;
        for (const QJsonValue &v : r.json().value(QStringLiteral("budgets")).toArray())
            windows << QStringLiteral("%1=%2").arg(v[QStringLiteral("window")].toString()).arg(v[QStringLiteral("cap")].toInteger());
        QCOMPARE(windows.join(u','), budgets);
        r = admin(d, {owner == u"key" ? QStringLiteral("user") : QStringLiteral("key"), QStringLiteral("show-limits"),
                      owner == u"key" ? QStringLiteral("alice") : QStringLiteral("alice-ci")});
        QCOMPARE(listOf(r.json(), QStringLiteral("allow_ip")), QStringList());

        // The last write's audit row (before → after) and change row (the owner, so its cached rows are dropped).
        r = admin(d, {QStringLiteral("audit"), QStringLiteral("--limit"), QStringLiteral("1")});
        const QJsonObject audit = QJsonDocument::fromJson(r.out.trimmed()).object();
        QCOMPARE(audit.value(QStringLiteral("action")).toString(), owner + QStringLiteral(".set-limits"));
        QCOMPARE(audit.value(QStringLiteral("entity_name")).toString(), name);
        auto db = Store::Database::openDataDir(d);
        QVERIFY(db);
        const QList<Store::Change> changes = Store::ChangeRepository(*db.value()).since(0);
        QVERIFY(!changes.isEmpty());
        QCOMPARE(changes.last().kind, owner == u"key" ? Store::ChangeKind::Key : Store::ChangeKind::User);
    }

    void auditRecordsTheListBeforeAndAfter()
    {
        const QString d = account();
        QVERIFY(!d.isEmpty());
        QCOMPARE(admin(d, {"key", "set-limits", "alice-ci", "--allow-ip", "10.0.0.0/8"}).exitCode, 0);
        QCOMPARE(admin(d, {"key", "set-limits", "alice-ci", "--allow-ip", "::1"}).exitCode, 0);
        const Run r = admin(d, {QStringLiteral("audit"), QStringLiteral("--limit"), QStringLiteral("1")});
        const QJsonObject audit = QJsonDocument::fromJson(r.out.trimmed()).object();
        QCOMPARE(listOf(audit.value(QStringLiteral("before")).toObject(), QStringLiteral("allow_ip")),
                 QStringList{"10.0.0.0/8"});
        QCOMPARE(listOf(audit.value(QStringLiteral("after")).toObject(), QStringLiteral("allow_ip")),
                 QStringList{"::1/128"});
    }

    void badInputExits2AndWritesNothing_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QString a = QStringLiteral("--allow-ip");
        QTest::newRow("octet out of range") << QStringList{"key", "set-limits", "alice-ci", a, "10.0.0.300"}
                                            << "'10.0.0.300' is not an IP address or CIDR";
        QTest::newRow("prefix too long") << QStringList{"key", "set-limits", "alice-ci", a, "10.0.0.0/33"} << "CIDR";
        QTest::newRow("a host name") << QStringList{"user", "set-limits", "alice", a, "localhost"} << "CIDR";
        QTest::newRow("partial address") << QStringList{"user", "set-limits", "alice", a, "10.1"} << "CIDR";
        QTest::newRow("one bad among good") << QStringList{"key", "set-limits", "alice-ci", a, "10.0.0.0/8", a, "::1/200"}
                                            << "'::1/200'";
        QTest::newRow("empty value") << QStringList{"key", "set-limits", "alice-ci", a, ""} << "wants a CIDR";
        QTest::newRow("none with others") << QStringList{"key", "set-limits", "alice-ci", a, "none,10.0.0.0/8"}
                                          << "give it alone";
        QTest::newRow("unknown key") << QStringList{"key", "set-limits", "nobody", a, "10.0.0.0/8"} << "no key named";
        QTest::newRow("trusted proxy garbage") << QStringList{"trusted-proxies", "--set", "proxy.local"} << "CIDR";
        QTest::newRow("trusted proxy none with others") << QStringList{"trusted-proxies", "--set", "none", "--set",
                                                                       "10.0.0.1"}
                                                        << "give it alone";
    }

    void badInputExits2AndWritesNothing()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const QString d = account();
        QVERIFY(!d.isEmpty());
        QCOMPARE(admin(d, {"key", "set-limits", "alice-ci", "--allow-ip", "192.0.2.0/24"}).exitCode, 0);
        QCOMPARE(admin(d, {"trusted-proxies", "--set", "10.0.0.1"}).exitCode, 0);
        const Run before = admin(d, {QStringLiteral("audit")});
        const Run r = admin(d, args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
        QVERIFY(r.out.isEmpty());
        QCOMPARE(admin(d, {QStringLiteral("audit")}).out, before.out);
        QCOMPARE(listOf(admin(d, {"key", "show-limits", "alice-ci"}).json(), QStringLiteral("allow_ip")),
                 QStringList{"192.0.2.0/24"});
        QCOMPARE(listOf(admin(d, {"trusted-proxies"}).json(), QStringLiteral("trusted_proxies")),
                 QStringList{"10.0.0.1/32"});
    }

    void trustedProxies_data()
    {
        QTest::addColumn<QStringList>("set"); // the --set values
        QTest::addColumn<QStringList>("list");
        QTest::newRow("one") << QStringList{"10.0.0.1"} << QStringList{"10.0.0.1/32"};
        QTest::newRow("several") << QStringList{"10.0.0.0/8,192.168.0.0/16", "::1"}
                                 << QStringList{"10.0.0.0/8", "192.168.0.0/16", "::1/128"};
        QTest::newRow("none") << QStringList{"none"} << QStringList();
    }

    void trustedProxies()
    {
        QFETCH(QStringList, set);
        QFETCH(QStringList, list);
        const QString d = account();
        QVERIFY(!d.isEmpty());
        Run r = admin(d, {QStringLiteral("trusted-proxies")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(listOf(r.json(), QStringLiteral("trusted_proxies")), QStringList()); // none by default
        QCOMPARE(admin(d, {"trusted-proxies", "--set", "172.16.0.0/12"}).exitCode, 0);
        QStringList args{QStringLiteral("trusted-proxies")};
        for (const QString &s : set)
            args << QStringLiteral("--set") << s;
        r = admin(d, args);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(listOf(r.json(), QStringLiteral("trusted_proxies")), list);
        QCOMPARE(listOf(admin(d, {QStringLiteral("trusted-proxies")}).json(), QStringLiteral("trusted_proxies")), list);
        // Audited as an option; announced as a change of every user (the relays reload who they trust).
        r = admin(d, {QStringLiteral("audit"), QStringLiteral("--limit"), QStringLiteral("1")});
        const QJsonObject audit = QJsonDocument::fromJson(r.out.trimmed()).object();
        QCOMPARE(audit.value(QStringLiteral("action")).toString(), QStringLiteral("option.set"));
        QCOMPARE(audit.value(QStringLiteral("entity_name")).toString(), QStringLiteral("RelayDeskTrustedProxies"));
        QCOMPARE(audit.value(QStringLiteral("before")).toObject().value(QStringLiteral("value")).toString(),
                 QStringLiteral("172.16.0.0/12"));
        auto db = Store::Database::openDataDir(d);
        QVERIFY(db);
        const QList<Store::Change> changes = Store::ChangeRepository(*db.value()).since(0);
        QVERIFY(!changes.isEmpty());
        QCOMPARE(changes.last().kind, Store::ChangeKind::User);
        QCOMPARE(changes.last().entityId, qint64(0));
    }

    void serveRefusesABadTrustedProxy()
    {
        const Run r = run({QStringLiteral("serve"), QStringLiteral("--data"), m_tmp.filePath(QStringLiteral("serve")),
                           QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--trusted-proxy"),
                           QStringLiteral("10.0.0.0/40")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--trusted-proxy"), r.err.constData());
        QVERIFY(!QFileInfo::exists(m_tmp.filePath(QStringLiteral("serve")))); // refused before anything was opened
    }
};

QTEST_GUILESS_MAIN(TestAdminAllowIpCli)
#include "tst_adminallowipcli.moc"
