// The Debian package: cpack stages this build tree's executables and packaging/ into
// relaydesk_<version>_<arch>.deb (in <build>/package-test), which must hold the files the issue lists, pass
// desktop-file-validate, appstreamcli, systemd-analyze verify and lintian without errors, and whose installed
// relaydeskd runs and finds the image module (core/imagemodule) where it looks for it.
#include "common/version.h"
#include "imagemodule/imagemoduleapi.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <dlfcn.h>

namespace {

struct Run
{
    int exitCode = -1;
    QString out; // stdout and stderr, merged
};

// Runs a tool to completion (bounded); a tool that is not installed is a failure, named in the output.
Run run(const QString &program, const QStringList &args, int timeoutMs = 120'000,
        const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment())
{
    Run r;
    const QString path = program.contains(QLatin1Char('/')) ? program : QStandardPaths::findExecutable(program);
    if (path.isEmpty()) {
        r.out = program + QStringLiteral(" is not installed (build.sh's TEST_PACKAGES)");
        return r;
    }
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setProcessEnvironment(environment);
    p.start(path, args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.out = program + QStringLiteral(" timed out\n") + QString::fromLocal8Bit(p.readAll());
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromLocal8Bit(p.readAll());
    return r;
}

QString appId()
{
    return qEnvironmentVariable("RELAYDESK_APP_ID");
}

// Where the installed executables look for the image module: relative to /usr/bin, as the build computed it.
QString installedImageModule()
{
    return QDir::cleanPath(QStringLiteral("/usr/bin/") + qEnvironmentVariable("RELAYDESK_IMAGE_MODULE_FROM_BIN"));
}

} // namespace

class TestDebPackage final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(!appId().isEmpty());
        const Run arch = run(QStringLiteral("dpkg"), {QStringLiteral("--print-architecture")});
        QVERIFY2(arch.exitCode == 0, qPrintable(arch.out));
        m_arch = arch.out.trimmed();

        const QDir build(qEnvironmentVariable("RELAYDESK_BUILD_DIR"));
        const QString outDir = build.filePath(QStringLiteral("package-test"));
        QDir(outDir).removeRecursively();
        const Run cpack = run(qEnvironmentVariable("RELAYDESK_CPACK"),
                              {QStringLiteral("--config"), build.filePath(QStringLiteral("CPackConfig.cmake")),
                               QStringLiteral("-B"), outDir},
                              600'000);
        QVERIFY2(cpack.exitCode == 0, qPrintable(cpack.out));

        // The name Debian tools expect: relaydesk_<version>_<arch>.deb, the version from project(VERSION).
        m_deb = QDir(outDir).filePath(QStringLiteral("relaydesk_%1_%2.deb").arg(QLatin1String(RelayDesk::kVersion), m_arch));
        QVERIFY2(QFile::exists(m_deb), qPrintable(m_deb + QStringLiteral(" missing; cpack said:\n") + cpack.out));
        qInfo("%s: %lld bytes", qPrintable(QFileInfo(m_deb).fileName()), QFileInfo(m_deb).size());

        const Run contents = run(QStringLiteral("dpkg-deb"), {QStringLiteral("--contents"), m_deb});
        QVERIFY2(contents.exitCode == 0, qPrintable(contents.out));
        // "-rwxr-xr-x root/root  123 2026-12-07 00:00 ./usr/bin/relaydeskd" (links: "… -> target").
        for (const QString &line : contents.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            const qsizetype dot = line.indexOf(QStringLiteral(" ./"));
            QVERIFY2(dot > 0, qPrintable(line));
            QString path = line.mid(dot + 2).section(QStringLiteral(" -> "), 0, 0);
            if (path.size() > 1 && path.endsWith(QLatin1Char('/')))
                path.chop(1);
            m_contents.insert(path, line.left(10));
        }

        QVERIFY(m_root.isValid());
        const Run extract = run(QStringLiteral("dpkg-deb"), {QStringLiteral("-x"), m_deb, m_root.path()});
        QVERIFY2(extract.exitCode == 0, qPrintable(extract.out));
    }

    void holdsFile_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("mode");
        const QString id = appId();
        QTest::newRow("console") << QStringLiteral("/usr/bin/relaydesk") << QStringLiteral("-rwxr-xr-x");
        QTest::newRow("relay") << QStringLiteral("/usr/bin/relaydeskd") << QStringLiteral("-rwxr-xr-x");
        QTest::newRow("desktop entry") << QStringLiteral("/usr/share/applications/%1.desktop").arg(id) << QStringLiteral("-rw-r--r--");
        for (const int size : {16, 22, 32, 48, 64, 128, 256})
            QTest::addRow("icon %d", size) << QStringLiteral("/usr/share/icons/hicolor/%1x%1/apps/%2.png").arg(size).arg(id)
                                           << QStringLiteral("-rw-r--r--");
        QTest::newRow("metainfo") << QStringLiteral("/usr/share/metainfo/%1.metainfo.xml").arg(id) << QStringLiteral("-rw-r--r--");
        QTest::newRow("zh_CN") << QStringLiteral("/usr/share/relaydesk/translations/relaydesk_zh_CN.qm") << QStringLiteral("-rw-r--r--");
        QTest::newRow("unit") << QStringLiteral("/lib/systemd/system/relaydeskd.service") << QStringLiteral("-rw-r--r--");
        QTest::newRow("defaults") << QStringLiteral("/etc/default/relaydeskd") << QStringLiteral("-rw-r--r--");
        QTest::newRow("man relaydesk") << QStringLiteral("/usr/share/man/man1/relaydesk.1.gz") << QStringLiteral("-rw-r--r--");
        QTest::newRow("man relaydeskd") << QStringLiteral("/usr/share/man/man1/relaydeskd.1.gz") << QStringLiteral("-rw-r--r--");
        QTest::newRow("copyright") << QStringLiteral("/usr/share/doc/relaydesk/copyright") << QStringLiteral("-rw-r--r--");
        QTest::newRow("changelog") << QStringLiteral("/usr/share/doc/relaydesk/changelog.gz") << QStringLiteral("-rw-r--r--");
        QTest::newRow("image module") << installedImageModule() << QStringLiteral("-rw-r--r--");
    }

    void holdsFile()
    {
        QFETCH(QString, path);
        QFETCH(QString, mode);
        QVERIFY2(m_contents.contains(path), qPrintable(path + QStringLiteral(" not in the package:\n") +
                                                       QStringList(m_contents.keys()).join(QLatin1Char('\n'))));
        QCOMPARE(m_contents.value(path), mode);
    }

    // Only what is installed for users: no tests, benchmarks, build tools or static libraries.
    void holdsNothingElse()
    {
        // No library but the image module in its private directory (and /lib/systemd's unit).
        const QRegularExpression unwanted(
            QStringLiteral("/tst_|/bench_|\\.a$|/include/|appicon_png|fakeupstream|/lib/(?!systemd|relaydesk)"));
        for (auto it = m_contents.cbegin(); it != m_contents.cend(); ++it) {
            QVERIFY2(!unwanted.match(it.key()).hasMatch(), qPrintable(it.key()));
            if (it.value().startsWith(QLatin1Char('-')) && it.key().startsWith(QLatin1String("/usr/bin/")))
                QVERIFY2(it.key() == QLatin1String("/usr/bin/relaydesk") || it.key() == QLatin1String("/usr/bin/relaydeskd"),
                         qPrintable(it.key()));
        }
    }

    void controlFields()
    {
        const auto field = [this](const char *name) {
            return run(QStringLiteral("dpkg-deb"), {QStringLiteral("-f"), m_deb, QString::fromLatin1(name)}).out.trimmed();
        };
        QCOMPARE(field("Package"), QStringLiteral("relaydesk"));
        QCOMPARE(field("Version"), QString::fromLatin1(RelayDesk::kVersion));
        QCOMPARE(field("Architecture"), m_arch);
        const QString depends = field("Depends");
        // Computed by dpkg-shlibdeps from the executables' libraries…
        // (libqt6gui6: the console and the image module, relaydeskd no longer links it.)
        for (const char *library : {"libqt6core6", "libqt6gui6", "libqt6widgets6", "libqt6sql6 ", "libc6"})
            QVERIFY2(depends.contains(QLatin1String(library).trimmed()), qPrintable(depends));
        // …and the plugins, adduser, libav, libcurl and libpq (loaded on first use, core/libav and core/ondemand),
        // which are no ELF dependency.
        for (const char *package : {"libqt6sql6-sqlite", "libqt6sql6-psql", "qt6-qpa-plugins", "adduser", "libavformat",
                                    "libavcodec", "libavutil", "libcurl4", "libpq5"})
            QVERIFY2(depends.contains(QLatin1String(package)), qPrintable(depends));

        const Run conffiles = run(QStringLiteral("dpkg-deb"), {QStringLiteral("--info"), m_deb, QStringLiteral("conffiles")});
        QCOMPARE(conffiles.out.trimmed(), QStringLiteral("/etc/default/relaydeskd"));
        for (const char *script : {"postinst", "prerm", "postrm"}) {
            const Run info = run(QStringLiteral("dpkg-deb"), {QStringLiteral("--info"), m_deb, QString::fromLatin1(script)});
            QVERIFY2(info.exitCode == 0 && info.out.startsWith(QLatin1String("#!/bin/sh")), script);
        }
        const Run postinst = run(QStringLiteral("dpkg-deb"), {QStringLiteral("--info"), m_deb, QStringLiteral("postinst")});
        QVERIFY(postinst.out.contains(QLatin1String("adduser --system --group")));
        const QRegularExpression enablesOrStarts(QStringLiteral("(helper|systemctl)[^\\n]* enable|(invoke|systemctl)[^\\n]* start"));
        QVERIFY2(!enablesOrStarts.match(postinst.out).hasMatch(), "the service is neither enabled nor started on install");
    }

    // gzip -9n: no file name, no time stamp (the same bytes every build).
    void compressedWithoutNameOrTime_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("relaydesk.1") << QStringLiteral("/usr/share/man/man1/relaydesk.1.gz");
        QTest::newRow("relaydeskd.1") << QStringLiteral("/usr/share/man/man1/relaydeskd.1.gz");
        QTest::newRow("changelog") << QStringLiteral("/usr/share/doc/relaydesk/changelog.gz");
    }

    void compressedWithoutNameOrTime()
    {
        QFETCH(QString, path);
        QFile file(m_root.path() + path);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        const QByteArray head = file.read(10);
        QCOMPARE(head.left(2), QByteArray("\x1f\x8b"));
        QCOMPARE(int(head.at(3)) & 0x08, 0);       // FNAME
        QCOMPARE(head.mid(4, 4), QByteArray(4, '\0')); // MTIME
        const Run man = run(QStringLiteral("gzip"), {QStringLiteral("-t"), file.fileName()});
        QVERIFY2(man.exitCode == 0, qPrintable(man.out));
    }

    void desktopEntryValidates()
    {
        const Run r = run(QStringLiteral("desktop-file-validate"),
                          {m_root.path() + QStringLiteral("/usr/share/applications/%1.desktop").arg(appId())});
        QVERIFY2(r.exitCode == 0 && r.out.trimmed().isEmpty(), qPrintable(r.out));
    }

    void metainfoValidates()
    {
        const Run file = run(QStringLiteral("appstreamcli"),
                             {QStringLiteral("validate"), QStringLiteral("--no-net"), QStringLiteral("--pedantic"),
                              m_root.path() + QStringLiteral("/usr/share/metainfo/%1.metainfo.xml").arg(appId())});
        QVERIFY2(file.exitCode == 0, qPrintable(file.out));
        // The installed tree as a whole: the launchable's desktop entry and the icon it names are there.
        const Run tree = run(QStringLiteral("appstreamcli"), {QStringLiteral("validate-tree"), QStringLiteral("--no-net"), m_root.path()});
        QVERIFY2(tree.exitCode == 0, qPrintable(tree.out));
    }

    // systemd-analyze verify needs the ExecStart binary to exist and the Documentation= man page to open: the unit
    // is checked with ExecStart pointing into the extracted package and man looking there (MANPATH). Warnings
    // about the unit itself (unknown keys, bad values) fail the test too.
    void unitVerifies()
    {
        QFile unit(m_root.path() + QStringLiteral("/lib/systemd/system/relaydeskd.service"));
        QVERIFY(unit.open(QIODevice::ReadOnly));
        QString text = QString::fromUtf8(unit.readAll());
        QVERIFY(text.contains(QLatin1String("ExecStart=/usr/bin/relaydeskd ")));
        text.replace(QLatin1String("ExecStart=/usr/bin/"), QStringLiteral("ExecStart=%1/usr/bin/").arg(m_root.path()));
        QTemporaryDir dir;
        QFile copy(dir.filePath(QStringLiteral("relaydeskd.service")));
        QVERIFY(copy.open(QIODevice::WriteOnly));
        copy.write(text.toUtf8());
        copy.close();
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("MANPATH"), m_root.path() + QStringLiteral("/usr/share/man"));
        const Run r = run(QStringLiteral("systemd-analyze"), {QStringLiteral("verify"), copy.fileName()}, 120'000, environment);
        QVERIFY2(r.exitCode == 0, qPrintable(r.out));
        QVERIFY2(!r.out.contains(QLatin1String("relaydeskd.service:")), qPrintable(r.out));
    }

    void unitSettings_data()
    {
        QTest::addColumn<QString>("line");
        for (const char *line : {"User=relaydesk", "StateDirectory=relaydesk", "EnvironmentFile=-/etc/default/relaydeskd",
                                 "ExecStart=/usr/bin/relaydeskd serve --data /var/lib/relaydesk $RELAYDESKD_ARGS",
                                 "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                                 "PrivateDevices=yes", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
                                 "SystemCallFilter=@system-service", "CapabilityBoundingSet=",
                                 "WantedBy=multi-user.target"})
            QTest::newRow(line) << QString::fromLatin1(line);
    }

    void unitSettings()
    {
        QFETCH(QString, line);
        QFile unit(m_root.path() + QStringLiteral("/lib/systemd/system/relaydeskd.service"));
        QVERIFY(unit.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(unit.readAll()).split(QLatin1Char('\n'));
        QVERIFY2(lines.contains(line), qPrintable(line));
    }

    void lintianFindsNoErrors()
    {
        const Run r = run(QStringLiteral("lintian"), {QStringLiteral("--fail-on"), QStringLiteral("error"),
                                                      QStringLiteral("--tag-display-limit"), QStringLiteral("0"), m_deb},
                          600'000);
        qInfo("lintian:\n%s", qPrintable(r.out));
        QVERIFY2(r.exitCode == 0, qPrintable(r.out));
        const QRegularExpression error(QStringLiteral("^E: "), QRegularExpression::MultilineOption);
        QVERIFY2(!error.match(r.out).hasMatch(), qPrintable(r.out));
    }

    // The packaged (stripped) executable runs from the extracted tree and is this version.
    void installedRelayRuns()
    {
        const Run r = run(m_root.path() + QStringLiteral("/usr/bin/relaydeskd"), {QStringLiteral("--version")});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.trimmed(), QString::fromLatin1(RelayDesk::kVersion));
    }

    // The installed image module is where the installed executables look (/usr/bin/<relative path>), loads, is the
    // version they expect and reads an image's size from its header.
    void installedImageModuleLoads()
    {
        const QString path = m_root.path() + installedImageModule();
        void *handle = dlopen(QFile::encodeName(path).constData(), RTLD_NOW | RTLD_LOCAL);
        QVERIFY2(handle, dlerror());
        const auto entry = reinterpret_cast<RelayDeskImageModuleEntry>(dlsym(handle, kRelayDeskImageModuleEntry));
        QVERIFY2(entry, dlerror());
        const RelayDeskImageModuleApi *api = entry();
        QVERIFY(api);
        QCOMPARE(api->version, kRelayDeskImageModuleVersion);

        QImage image(37, 11, QImage::Format_RGB32);
        image.fill(Qt::red);
        QByteArray png;
        QBuffer buffer(&png);
        QVERIFY(buffer.open(QIODevice::WriteOnly) && image.save(&buffer, "PNG"));
        int width = 0;
        int height = 0;
        QVERIFY(api->headerSize(&png, &width, &height));
        QCOMPARE(QSize(width, height), QSize(37, 11));
        QVERIFY(api->canWrite("png"));
    }

private:
    QString m_arch;
    QString m_deb;
    QMap<QString, QString> m_contents; // path → mode column ("-rw-r--r--")
    QTemporaryDir m_root;              // the package extracted (dpkg-deb -x)
};

QTEST_GUILESS_MAIN(TestDebPackage)
#include "tst_debpackage.moc"
