// Database: SQLite pragmas and configuration, versioned migrations, per-thread connections, PostgreSQL when
// installed.
#include "pgcluster.h"
#include "tempdatabase.h"

#include "store/migrations.h"
#include "store/userrepository.h"

#include <QSqlQuery>
#include <QThread>
#include <QtTest>

#include <sqlite3.h>
#include <sys/stat.h>

using namespace RelayDesk;

class TestDatabase final : public QObject
{
    Q_OBJECT

private:
    static unsigned modeOf(const QString &path)
    {
        struct stat st{};
        if (::stat(QFile::encodeName(path).constData(), &st) != 0)
            return 0xffff;
        return unsigned(st.st_mode & 07777);
    }

    static QVariant scalar(const Store::Database &db, const QString &sql)
    {
        QSqlQuery q = db.query();
        if (!q.exec(sql) || !q.next())
            return {};
        return q.value(0);
    }

private slots:
    void sqliteUsesWalAndForeignKeys()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        QVERIFY(QFileInfo::exists(QDir(t.dataDir()).filePath(QStringLiteral("relaydesk.sqlite"))));
        QCOMPARE(scalar(t.db(), QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
        QCOMPARE(scalar(t.db(), QStringLiteral("PRAGMA synchronous")).toInt(), 1); // NORMAL
        QCOMPARE(scalar(t.db(), QStringLiteral("PRAGMA foreign_keys")).toInt(), 1);
        QCOMPARE(scalar(t.db(), QStringLiteral("PRAGMA busy_timeout")).toInt(), Store::Database::kSqliteBusyTimeoutMs);
    }

    // SQLite keeps no memory statistics in this process: counting them takes a global mutex around every one of
    // its allocations (~270 a relayed request) for numbers nothing here reads.
    void sqliteKeepsNoMemoryStatistics()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        QCOMPARE(scalar(t.db(), QStringLiteral("SELECT count(*) FROM users")).toInt(), 0);
        QCOMPARE(sqlite3_memory_used(), 0);
    }

    // A new SQLite database gets 2 KiB pages: each ledger write rewrites whole pages in the WAL (see
    // Database::kSqlitePageSize), and a log row with its other_json still fits one page.
    void newSqliteDatabaseUsesSmallPages()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        QCOMPARE(scalar(t.db(), QStringLiteral("PRAGMA page_size")).toInt(), Store::Database::kSqlitePageSize);
        QCOMPARE(scalar(t.db(), QStringLiteral("PRAGMA page_size")).toInt(), 2048);
    }

    // A database an older version made with SQLite's default 4 KiB pages keeps them (a WAL database cannot
    // change its page size without a rebuild): it opens, migrates, keeps its rows and takes new ones.
    void existingDatabaseKeepsItsPageSize()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString file = QDir(dir.path()).filePath(QString::fromLatin1(Store::Database::kSqliteFileName));
        {
            QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("old-version"));
            raw.setDatabaseName(file);
            QVERIFY(raw.open());
            QSqlQuery q(raw);
            QVERIFY(q.exec(QStringLiteral("PRAGMA page_size=4096")));
            QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode=WAL")));
            QVERIFY(q.exec(QStringLiteral("CREATE TABLE kept(v TEXT)")));
            QVERIFY(q.exec(QStringLiteral("INSERT INTO kept VALUES('from before')")));
            q.finish();
            raw.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("old-version"));
        auto db = Store::Database::openDataDir(dir.path());
        QVERIFY2(db, qPrintable(db.error()));
        QCOMPARE(scalar(**db, QStringLiteral("PRAGMA page_size")).toInt(), 4096);
        QCOMPARE(scalar(**db, QStringLiteral("SELECT v FROM kept")).toString(), QStringLiteral("from before"));
        const auto created = Store::UserRepository(**db).create(QStringLiteral("after"));
        QVERIFY2(created, qPrintable(created.error()));
        QCOMPARE(Store::UserRepository(**db).count(), qint64(1));
    }

    void migrationsAreVersionedAndIdempotent()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        QCOMPARE(t.db().schemaVersion(), Store::latestSchemaVersion());
        const QString dir = t.dataDir();
        t.close();
        auto reopened = Store::Database::openDataDir(dir);
        QVERIFY2(reopened, qPrintable(reopened.error()));
        QVERIFY(reopened.value()->migrate());
        QCOMPARE(reopened.value()->schemaVersion(), Store::latestSchemaVersion());
        QCOMPARE(scalar(*reopened.value(), QStringLiteral("SELECT COUNT(*) FROM schema_version")).toInt(),
                 Store::latestSchemaVersion());
    }

    void logIndexesExist()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        QSqlQuery q = t.db().query();
        QVERIFY(q.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'logs'")));
        QStringList names;
        while (q.next())
            names << q.value(0).toString();
        for (const char *expected : {"idx_logs_created", "idx_logs_user_created", "idx_logs_key_created",
                                     "idx_logs_model_created", "idx_logs_channel_created", "idx_logs_type_created"})
            QVERIFY2(names.contains(QLatin1String(expected)), expected);
        // A filtered page uses an index, not a table scan.
        QVERIFY(q.exec(QStringLiteral("EXPLAIN QUERY PLAN SELECT id FROM logs WHERE user_id = 3 "
                                      "ORDER BY created_at DESC, id DESC LIMIT 50")));
        QString plan;
        while (q.next())
            plan += q.value(3).toString() + u'\n';
        QVERIFY2(plan.contains(QStringLiteral("idx_logs_user_created")), qPrintable(plan));
    }

    void eachThreadGetsItsOwnConnection()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const QString mainName = t.db().connection().connectionName();
        QCOMPARE(t.db().openConnectionCount(), 1);

        constexpr int kThreads = 6;
        QList<QThread *> threads;
        QStringList names(kThreads);
        QList<bool> created(kThreads, false);
        for (int i = 0; i < kThreads; ++i) {
            threads << QThread::create([&, i] {
                names[i] = t.db().connection().connectionName();
                Store::UserRepository users(t.db());
                created[i] = users.create(QStringLiteral("thread%1").arg(i)).ok();
            });
            threads.last()->start();
        }
        for (QThread *th : threads) {
            QVERIFY(th->wait(60000));
            delete th;
        }
        for (int i = 0; i < kThreads; ++i) {
            QVERIFY(created[i]);
            QVERIFY(!names[i].isEmpty());
            QVERIFY(names[i] != mainName);
        }
        QCOMPARE(QSet<QString>(names.begin(), names.end()).size(), kThreads);
        QCOMPARE(Store::UserRepository(t.db()).count(), qint64(kThreads));
        // Finished threads released their connections; only the main thread's remains.
        QCOMPARE(t.db().openConnectionCount(), 1);
        QVERIFY(QSqlDatabase::contains(mainName));
        for (const QString &n : names)
            QVERIFY(!QSqlDatabase::contains(n));
    }

    void closingTheDatabaseRemovesConnections()
    {
        QString name;
        {
            Testing::TempDatabase t;
            QVERIFY2(t.isValid(), qPrintable(t.error()));
            name = t.db().connection().connectionName();
            QVERIFY(QSqlDatabase::contains(name));
        }
        QVERIFY(!QSqlDatabase::contains(name));
    }

    void badLocationsGiveClearErrors()
    {
        auto badUrl = Store::Database::openUrl(QStringLiteral("postgres://"));
        QVERIFY(!badUrl);
        QVERIFY2(badUrl.error().contains(QStringLiteral("URL")), qPrintable(badUrl.error()));

        QTemporaryDir dir;
        QFile blocker(dir.filePath(QStringLiteral("file")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        // A data dir below a regular file cannot be created.
        auto badDir = Store::Database::openDataDir(dir.filePath(QStringLiteral("file/sub")));
        QVERIFY(!badDir);
        QVERIFY(!badDir.error().isEmpty());
    }

    // The data dir holds the database, the secret key and the TLS key: 0700 whatever the umask, and an
    // existing group/world-accessible one is tightened. The database files are 0600, -wal/-shm included.
    void dataDirAndDatabaseFilesArePrivate_data()
    {
        QTest::addColumn<bool>("preexisting");
        QTest::addColumn<int>("umask");
        QTest::newRow("created, umask 022") << false << 022;
        QTest::newRow("created, umask 000") << false << 0;
        QTest::newRow("existing 0755 dir, umask 022") << true << 022;
        QTest::newRow("existing 0777 dir, umask 000") << true << 0;
    }

    void dataDirAndDatabaseFilesArePrivate()
    {
        QFETCH(bool, preexisting);
        QFETCH(int, umask);
        const mode_t previous = ::umask(mode_t(umask));
        const auto restore = qScopeGuard([previous] { ::umask(previous); });
        QTemporaryDir parent;
        const QString dir = parent.filePath(QStringLiteral("nested/data"));
        if (preexisting) {
            QVERIFY(QDir().mkpath(dir));
            QVERIFY(::chmod(QFile::encodeName(dir).constData(), umask == 0 ? 0777 : 0755) == 0);
        }
        auto db = Store::Database::openDataDir(dir);
        QVERIFY2(db, qPrintable(db.error()));
        // A write makes sure the WAL and the shared-memory index exist.
        QVERIFY(Store::UserRepository(*db.value()).create(QStringLiteral("mode-check")));
        QCOMPARE(modeOf(dir), 0700u);
        for (const char *suffix : {"", "-wal", "-shm"}) {
            const QString file = QDir(dir).filePath(QStringLiteral("relaydesk.sqlite") + QLatin1String(suffix));
            QVERIFY2(QFileInfo::exists(file), qPrintable(file));
            QCOMPARE(modeOf(file), 0600u);
        }
    }

    // A database left world-readable by an older version is tightened when it is opened again.
    void existingWorldReadableDatabaseIsTightened()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const QString file = QDir(t.dataDir()).filePath(QStringLiteral("relaydesk.sqlite"));
        t.close();
        QVERIFY(::chmod(QFile::encodeName(file).constData(), 0644) == 0);
        auto reopened = Store::Database::openDataDir(t.dataDir());
        QVERIFY2(reopened, qPrintable(reopened.error()));
        QCOMPARE(modeOf(file), 0600u);
    }

    void postgresOpensAndMigrates()
    {
        Testing::PgCluster pg;
        if (!pg.isAvailable())
            QSKIP(qPrintable(pg.skipReason()));
        QVERIFY2(pg.isRunning(), qPrintable(pg.error()));
        const QString url = pg.createDatabase();
        QVERIFY2(!url.isEmpty(), qPrintable(pg.error()));
        auto db = Store::Database::openUrl(url);
        QVERIFY2(db, qPrintable(db.error()));
        QVERIFY(db.value()->isPostgres());
        QCOMPARE(db.value()->schemaVersion(), Store::latestSchemaVersion());
        QVERIFY(db.value()->migrate()); // again: no-op
        QCOMPARE(scalar(*db.value(), QStringLiteral("SELECT COUNT(*) FROM schema_version")).toInt(),
                 Store::latestSchemaVersion());
        auto user = Store::UserRepository(*db.value()).create(QStringLiteral("pg-user"), QStringLiteral("default"), 42);
        QVERIFY2(user, qPrintable(user.error()));
        QVERIFY(user->id > 0);
        QCOMPARE(Store::UserRepository(*db.value()).byName(QStringLiteral("pg-user"))->quota, qint64(42));
        QVERIFY(!db.value()->description().contains(QStringLiteral("password")));
    }

    // A connection whose backend went away (a server restart, a killed backend) fails its statements, and a use
    // after that on the same thread opens a new one: libpq's status is read through Qt's driver handle (which Qt
    // names pg_conn*: a check for "PGconn*" never found it, and the connection stayed broken).
    void aBrokenPostgresConnectionIsReopened()
    {
        Testing::PgCluster pg;
        if (!pg.isAvailable())
            QSKIP(qPrintable(pg.skipReason()));
        QVERIFY2(pg.isRunning(), qPrintable(pg.error()));
        const QString url = pg.createDatabase();
        QVERIFY2(!url.isEmpty(), qPrintable(pg.error()));
        auto opened = Store::Database::openUrl(url);
        QVERIFY2(opened, qPrintable(opened.error()));
        const auto db = opened.value();
        const qint64 pid = scalar(*db, QStringLiteral("SELECT pg_backend_pid()")).toLongLong();
        QVERIFY(pid > 0);
        bool terminated = false;
        std::unique_ptr<QThread> killer(QThread::create([&] {
            terminated = scalar(*db, QStringLiteral("SELECT pg_terminate_backend(%1)").arg(pid)).toBool();
        }));
        killer->start();
        killer->wait();
        QVERIFY(terminated);
        // Statements fail until libpq has seen the socket close (the first may only read the server's farewell);
        // the use after that reopens.
        QVariant after;
        for (int attempt = 0; attempt < 3 && !after.isValid(); ++attempt)
            after = scalar(*db, QStringLiteral("SELECT pg_backend_pid()"));
        QVERIFY(after.isValid());
        QVERIFY(after.toLongLong() != pid);
    }
};

QTEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"
