#pragma once
// A throwaway PostgreSQL cluster for tests: initdb into a temp dir, start on a free loopback port,
// stop and delete at scope exit. As root, initdb/pg_ctl run as the `postgres` user (PostgreSQL refuses
// to run as root) in a directory that user owns. isAvailable() is false when postgresql is not installed;
// callers QSKIP with skipReason().

#include <QCoreApplication>
#include <QDir>
#include <QHostAddress>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QUuid>

#include <memory>

#include <pwd.h>
#include <unistd.h>

namespace RelayDesk::Testing {

class PgCluster
{
public:
    PgCluster()
    {
        m_bin = findBinDir();
        if (m_bin.isEmpty()) {
            m_skip = QStringLiteral("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb); "
                                    "install the 'postgresql' package to run the PostgreSQL ledger tests");
            return;
        }
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL"))) {
            m_skip = QStringLiteral("Qt QPSQL driver missing (install libqt6sql6-psql)");
            return;
        }
        if (!m_dir.isValid()) {
            m_skip = QStringLiteral("cannot create a temporary directory for PostgreSQL");
            return;
        }
        if (::geteuid() == 0) {
            const passwd *pw = ::getpwnam("postgres");
            if (!pw) {
                m_skip = QStringLiteral("running as root but there is no 'postgres' user to run PostgreSQL as");
                return;
            }
            if (::chown(QFile::encodeName(m_dir.path()).constData(), pw->pw_uid, pw->pw_gid) != 0) {
                m_error = QStringLiteral("cannot give %1 to the postgres user").arg(m_dir.path());
                return;
            }
            m_runAs = QStringLiteral("postgres");
        }
        const QString data = m_dir.filePath(QStringLiteral("data"));
        if (!run(QStringLiteral("initdb"), {QStringLiteral("-D"), data, QStringLiteral("-A"), QStringLiteral("trust"),
                                            QStringLiteral("-U"), QStringLiteral("postgres"), QStringLiteral("-E"),
                                            QStringLiteral("UTF8"), QStringLiteral("--no-sync")}))
            return;
        // Tests run in parallel: another cluster may grab the probed port first, so retry on a new one.
        for (int attempt = 0; attempt < 5 && !m_running; ++attempt) {
            m_port = freePort();
            startServer();
        }
    }

    ~PgCluster()
    {
        if (m_running)
            run(QStringLiteral("pg_ctl"), {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")),
                                           QStringLiteral("-m"), QStringLiteral("immediate"), QStringLiteral("-w"),
                                           QStringLiteral("stop")});
    }

    // Stops the server (fast shutdown: open sessions are terminated, as in a restart or a failover) and
    // starts it again on the same port and data, for outage tests.
    bool stopServer()
    {
        m_running = !run(QStringLiteral("pg_ctl"), {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")),
                                                    QStringLiteral("-m"), QStringLiteral("fast"), QStringLiteral("-w"),
                                                    QStringLiteral("stop")});
        return !m_running;
    }
    bool startServer()
    {
        const QString opts = QStringLiteral("-p %1 -c listen_addresses=127.0.0.1 -c unix_socket_directories=%2 "
                                            "-c fsync=off -c max_connections=100")
                                 .arg(m_port).arg(m_dir.path());
        m_running = run(QStringLiteral("pg_ctl"), {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")),
                                                   QStringLiteral("-o"), opts, QStringLiteral("-l"),
                                                   m_dir.filePath(QStringLiteral("server.log")), QStringLiteral("-w"),
                                                   QStringLiteral("-t"), QStringLiteral("60"), QStringLiteral("start")});
        return m_running;
    }

    bool isAvailable() const { return m_skip.isEmpty(); }
    bool isRunning() const { return m_running; }
    const QString &skipReason() const { return m_skip; }
    const QString &error() const { return m_error; }
    int port() const { return m_port; }

    // Creates a fresh empty database and returns its postgres:// URL (empty on failure, see error()).
    QString createDatabase()
    {
        const QString name = QStringLiteral("t_") + QUuid::createUuid().toString(QUuid::Id128).left(16);
        const QString conn = QStringLiteral("pgcluster-admin-") + name;
        bool ok = false;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), conn);
            db.setHostName(QStringLiteral("127.0.0.1"));
            db.setPort(m_port);
            db.setUserName(QStringLiteral("postgres"));
            db.setDatabaseName(QStringLiteral("postgres"));
            if (db.open()) {
                QSqlQuery q(db);
                ok = q.exec(QStringLiteral("CREATE DATABASE ") + name);
                if (!ok)
                    m_error = q.lastError().text();
            } else {
                m_error = db.lastError().text();
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(conn);
        return ok ? QStringLiteral("postgres://postgres@127.0.0.1:%1/%2").arg(m_port).arg(name) : QString();
    }

private:
    static QString findBinDir()
    {
        QDir root(QStringLiteral("/usr/lib/postgresql"));
        QStringList versions = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        std::sort(versions.begin(), versions.end(), [](const QString &a, const QString &b) {
            return a.toDouble() > b.toDouble();
        });
        for (const QString &v : versions) {
            const QString bin = root.filePath(v + QStringLiteral("/bin"));
            if (QFileInfo::exists(bin + QStringLiteral("/initdb")) && QFileInfo::exists(bin + QStringLiteral("/pg_ctl")))
                return bin;
        }
        return {};
    }

    static int freePort()
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        return probe.serverPort();
    }

    bool run(const QString &tool, const QStringList &args)
    {
        QProcess p;
        p.setWorkingDirectory(m_dir.path());
        const QString exe = m_bin + u'/' + tool;
        if (m_runAs.isEmpty())
            p.start(exe, args);
        else
            p.start(QStringLiteral("runuser"), QStringList{QStringLiteral("-u"), m_runAs, QStringLiteral("--"), exe} + args);
        if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
            m_error = QStringLiteral("%1 failed: %2 %3").arg(tool, QString::fromLocal8Bit(p.readAllStandardError()),
                                                              QString::fromLocal8Bit(p.readAllStandardOutput()));
            return false;
        }
        return true;
    }

    QTemporaryDir m_dir;
    QString m_bin;
    QString m_runAs;
    QString m_skip;
    QString m_error;
    int m_port = 0;
    bool m_running = false;
};

// A fresh database in the cluster `cluster` holds, started on first use and shared by a test object's rows:
//   const auto pg = Testing::createPgDatabase(m_pg);
//   if (!pg.skip.isEmpty()) QSKIP(qPrintable(pg.skip));
//   QVERIFY2(!pg.url.isEmpty(), qPrintable(pg.error));
struct PgDatabase
{
    QString url;   // postgres://…; empty with `skip` or `error` set
    QString skip;  // PostgreSQL is not installed here
    QString error;
};

inline PgDatabase createPgDatabase(std::unique_ptr<PgCluster> &cluster)
{
    if (!cluster)
        cluster = std::make_unique<PgCluster>();
    if (!cluster->isAvailable())
        return {QString(), cluster->skipReason(), QString()};
    if (!cluster->isRunning())
        return {QString(), QString(), cluster->error()};
    const QString url = cluster->createDatabase();
    return {url, QString(), url.isEmpty() ? cluster->error() : QString()};
}

} // namespace RelayDesk::Testing
