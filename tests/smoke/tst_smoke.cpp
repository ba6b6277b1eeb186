// Start-up and shutdown of both executables, as a user would run them.
#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

class TestSmoke final : public QObject
{
    Q_OBJECT

private:
    static QString binary(const char *name)
    {
        return QDir(qEnvironmentVariable("RELAYDESK_BIN_DIR")).filePath(QString::fromLatin1(name));
    }

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

    void consoleStartsAndQuitsCleanly()
    {
        if (!QFileInfo::exists(binary("relaydesk")))
            QSKIP("GUI not built (RELAYDESK_BUILD_GUI=OFF)");
        QTemporaryDir dataDir;
        QVERIFY(dataDir.isValid());
        QProcess console;
        console.start(binary("relaydesk"),
                      {QStringLiteral("--data"), dataDir.path(), QStringLiteral("--quit-after"),
                       QStringLiteral("300")});
        QVERIFY(console.waitForFinished(30000));
        QCOMPARE(console.exitStatus(), QProcess::NormalExit);
        QCOMPARE(console.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSmoke)
#include "tst_smoke.moc"
