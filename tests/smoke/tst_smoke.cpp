// Start-up and shutdown of both executables, as a user would run them.
#include "binaries.h"

#include <QDir>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using RelayDeskTest::binary;

class TestSmoke final : public QObject
{
    Q_OBJECT

private slots:
    void daemonPrintsUsageAndRejectsUnknownCommands()
    {
        QProcess help;
        help.start(binary("relaydeskd"), {QStringLiteral("--help")});
        QVERIFY(help.waitForFinished(10000));
        QCOMPARE(help.exitCode(), 0);
        QVERIFY(help.readAllStandardOutput().contains("usage: relaydeskd"));

        QProcess bad;
        bad.start(binary("relaydeskd"), {QStringLiteral("frobnicate")});
        QVERIFY(bad.waitForFinished(10000));
        QCOMPARE(bad.exitCode(), 2);
        QVERIFY(bad.readAllStandardError().contains("unknown command"));
    }

    // serve's connection caps are the operator's to set (behind a reverse proxy every connection comes from
    // one address); over the per-address cap a connection is answered 429 at once.
    void serveTakesItsConnectionCaps()
    {
        for (const QString &bad : {QStringLiteral("-1"), QStringLiteral("x")}) {
            QProcess refused;
            refused.start(binary("relaydeskd"), {QStringLiteral("serve"), QStringLiteral("--max-connections-per-address"), bad});
            QVERIFY(refused.waitForFinished(10000));
            QCOMPARE(refused.exitCode(), 2);
        }
        QTemporaryDir dataDir;
        QProcess serve;
        const quint16 port = RelayDeskTest::freePort();
        serve.start(binary("relaydeskd"),
                    {QStringLiteral("serve"), QStringLiteral("--data"), dataDir.path(), QStringLiteral("--demo"),
                     QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port),
                     QStringLiteral("--max-connections-per-address"), QStringLiteral("2")});
        QByteArray output;
        connect(&serve, &QProcess::readyReadStandardOutput, this, [&] { output += serve.readAllStandardOutput(); });
        QTRY_VERIFY_WITH_TIMEOUT(output.contains("Listening on"), 30000);
        QTcpSocket held[2];
        for (QTcpSocket &s : held) {
            s.connectToHost(QHostAddress::LocalHost, port);
            QVERIFY(s.waitForConnected(10000));
        }
        QTcpSocket third;
        third.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(third.waitForConnected(10000));
        QByteArray answer;
        QTRY_VERIFY_WITH_TIMEOUT((answer += third.readAll()).contains("\r\n\r\n"), 10000);
        QVERIFY2(answer.startsWith("HTTP/1.1 429"), answer.constData());
        QVERIFY(answer.contains("Retry-After:"));
        serve.terminate();
        QVERIFY(serve.waitForFinished(30000));
        QCOMPARE(serve.exitCode(), 0);
    }

    // Both executables allocate through mimalloc (CMakeLists.txt, relaydesk_use_mimalloc): every malloc, free,
    // calloc and realloc the dynamic loader binds, from any library (glibc's own included), resolves to it.
    void executablesAllocateWithMimalloc_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("relaydeskd") << QStringLiteral("relaydeskd");
        QTest::newRow("relaydesk") << QStringLiteral("relaydesk");
    }

    void executablesAllocateWithMimalloc()
    {
        QFETCH(QString, name);
        if (qEnvironmentVariable("RELAYDESK_ALLOCATOR") != u"mimalloc")
            QSKIP("sanitizer build: ASan's allocator, not mimalloc");
        const QString executable = binary(name.toLatin1().constData());
        if (!QFileInfo::exists(executable))
            QSKIP("GUI not built (RELAYDESK_BUILD_GUI=OFF)");
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LD_DEBUG"), QStringLiteral("bindings"));
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(executable, {QStringLiteral("--version")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        static const QRegularExpression allocation(
            QStringLiteral("to (\\S+) \\[\\d+\\]: normal symbol `(malloc|free|calloc|realloc)'"));
        int bindings = 0;
        for (const QRegularExpressionMatch &m : allocation.globalMatch(QString::fromLocal8Bit(p.readAllStandardError()))) {
            ++bindings;
            QVERIFY2(m.captured(1).contains(u"libmimalloc"), qPrintable(m.captured(0)));
        }
        QVERIFY2(bindings >= 4, "LD_DEBUG=bindings lists the allocation functions bound");
    }

    void consoleStartsAndQuitsCleanly()
    {
        if (!QFileInfo::exists(binary("relaydesk")))
            QSKIP("GUI not built (RELAYDESK_BUILD_GUI=OFF)");
        QTemporaryDir dataDir;
        QVERIFY(dataDir.isValid());
        // Its own settings (never the user's) and a free port: the relay must really serve while the console runs.
        QTemporaryDir settingsDir;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), settingsDir.path());
        const quint16 port = RelayDeskTest::freePort();
        QProcess console;
        console.setProcessEnvironment(env);
        console.start(binary("relaydesk"),
                      {QStringLiteral("--data"), dataDir.path(), QStringLiteral("--port"), QString::number(port),
                       QStringLiteral("--quit-after"), QStringLiteral("8000")});
        QVERIFY(console.waitForStarted(10000));
        QNetworkAccessManager nam;
        const QUrl health(QStringLiteral("http://127.0.0.1:%1/healthz").arg(port));
        int status = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                if (console.state() == QProcess::NotRunning)
                    return true; // gone early: fails below
                QNetworkReply *reply = nam.get(QNetworkRequest(health));
                QSignalSpy done(reply, &QNetworkReply::finished);
                done.wait(2000);
                status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                reply->deleteLater();
                return status == 200;
            }(),
            8000);
        QCOMPARE(status, 200);
        QVERIFY(console.waitForFinished(30000)); // --quit-after: it closes its window and exits by itself
        QCOMPARE(console.exitStatus(), QProcess::NormalExit);
        QCOMPARE(console.exitCode(), 0);
    }

    // The console takes the database URL from RELAYDESK_DB_URL or --db-file, as relaydeskd does, and warns
    // when --db carries a password (readable by every local user in /proc/PID/cmdline).
    void consoleTakesTheDatabaseUrlOutsideArgv_data()
    {
        QTest::addColumn<QString>("how"); // env | file | argv-password
        QTest::newRow("RELAYDESK_DB_URL") << QStringLiteral("env");
        QTest::newRow("--db-file") << QStringLiteral("file");
        QTest::newRow("--db with a password") << QStringLiteral("argv-password");
    }

    void consoleTakesTheDatabaseUrlOutsideArgv()
    {
        QFETCH(QString, how);
        if (!QFileInfo::exists(binary("relaydesk")))
            QSKIP("GUI not built (RELAYDESK_BUILD_GUI=OFF)");
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString sqlite = tmp.filePath(QStringLiteral("console.sqlite"));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), tmp.filePath(QStringLiteral("home")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), tmp.filePath(QStringLiteral("home/.local/share")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), tmp.filePath(QStringLiteral("home/.config")));
        env.remove(QStringLiteral("RELAYDESK_DB_URL"));
        QStringList args{QStringLiteral("--quit-after"), QStringLiteral("300"), QStringLiteral("--port"), QStringLiteral("0")};
        if (how == u"env") {
            env.insert(QStringLiteral("RELAYDESK_DB_URL"), sqlite);
        } else if (how == u"file") {
            QFile f(tmp.filePath(QStringLiteral("db-url")));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QFile::encodeName(sqlite) + "\n");
            f.close();
            args << QStringLiteral("--db-file") << f.fileName();
        } else {
            args << QStringLiteral("--db") << QStringLiteral("postgres://relay:s3cr3t-pw@127.0.0.1:1/relay");
        }
        QProcess console;
        console.setProcessEnvironment(env);
        console.start(binary("relaydesk"), args);
        QVERIFY(console.waitForFinished(60000));
        const QByteArray err = console.readAllStandardError();
        QCOMPARE(console.exitStatus(), QProcess::NormalExit);
        if (how == u"argv-password") {
            QVERIFY2(err.contains("a password on the command line is visible to other users (/proc/PID/cmdline)"),
                     err.constData());
        } else {
            QVERIFY2(console.exitCode() == 0, err.constData());
            QVERIFY2(QFileInfo::exists(sqlite), err.constData());
            QVERIFY(!err.contains("/proc/PID/cmdline"));
        }
        QVERIFY(!err.contains("s3cr3t-pw"));
    }
};

QTEST_GUILESS_MAIN(TestSmoke)
#include "tst_smoke.moc"
