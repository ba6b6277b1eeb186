// The change feed as a relay sees it: a second Database handle (another process, as far as the feed's connection
// can tell) records changes and the feed reports them, in order and coalesced; a rolled-back record is never
// reported; on PostgreSQL LISTEN/NOTIFY delivers at once (the poll is made too slow to matter), a version that
// commits after a higher one is still reported, and the feed re-subscribes after the server restarts.
#include "pgcluster.h"
#include "secretkeyfile.h"
#include "tempdatabase.h"

#include "service/changefeed.h"
#include "store/changerepository.h"
#include "store/database.h"

#include <QtCore/QElapsedTimer>
#include <QtTest/QSignalSpy>
#include <QtTest/QtTest>

using namespace RelayDesk;
using Store::ChangeKind;
using Entity = QPair<ChangeKind, qint64>;

class TestChangeFeed final : public QObject
{
    Q_OBJECT

    std::unique_ptr<Testing::PgCluster> m_pg;
    QTemporaryDir m_keyDir;

    struct Handles
    {
        Testing::TempDatabase sqlite;
        std::shared_ptr<Store::Database> feedDb;   // the relay's handle
        std::shared_ptr<Store::Database> writerDb; // the other process's handle
    };

    // Two handles on one database (each opens its own connection). False with a skip reason when there is no PG.
    bool open(const QString &backend, Handles *h, QString *skip)
    {
        QString url;
        if (backend == u"sqlite") {
            if (!h->sqlite.isValid())
                return false;
            h->feedDb = h->sqlite.shared();
            url = QDir(h->sqlite.dataDir()).filePath(QString::fromLatin1(Store::Database::kSqliteFileName));
        } else {
            if (!m_pg)
                m_pg = std::make_unique<Testing::PgCluster>();
            if (!m_pg->isAvailable()) {
                *skip = m_pg->skipReason();
                return false;
            }
            if (!m_pg->isRunning())
                return false;
            url = m_pg->createDatabase();
            auto feed = Store::Database::openUrl(url);
            if (!feed)
                return false;
            h->feedDb = feed.value();
        }
        auto writer = Store::Database::openUrl(url);
        if (!writer)
            return false;
        h->writerDb = writer.value();
        return true;
    }

    static QList<Entity> entities(const QSignalSpy &spy)
    {
        QList<Entity> out;
        for (const QList<QVariant> &args : spy)
            out.append({args.at(0).value<ChangeKind>(), args.at(1).toLongLong()});
        return out;
    }

    static void addBackends()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(RelayDeskTest::useTemporarySecretKey(m_keyDir.path())); }

    void reportsInOrderCoalesced_data() { addBackends(); }
    void reportsInOrderCoalesced()
    {
        QFETCH(QString, backend);
        Handles h;
        QString skip;
        if (!open(backend, &h, &skip)) {
            if (!skip.isEmpty())
                QSKIP(qPrintable(skip));
            QFAIL("cannot open the database");
        }
        const Store::ChangeRepository writer(*h.writerDb);
        QVERIFY(writer.record(ChangeKind::User, 1)); // before the feed starts: already loaded, never reported

        Service::ChangeFeed feed(h.feedDb);
        QSignalSpy changed(&feed, &Service::ChangeFeed::changed);
        QSignalSpy applied(&feed, &Service::ChangeFeed::applied);
        feed.start();
        const qint64 start = feed.appliedVersion();
        QVERIFY(start > 0);

        // One commit: channel 5 twice, key 7 between; a rolled-back pricing change.
        {
            Store::Transaction tx(*h.writerDb);
            QVERIFY(writer.record(ChangeKind::Channel, 5));
            QVERIFY(writer.record(ChangeKind::Key, 7));
            QVERIFY(writer.record(ChangeKind::Channel, 5));
            QVERIFY(tx.commit());
        }
        {
            Store::Transaction tx(*h.writerDb);
            QVERIFY(writer.record(ChangeKind::Pricing));
            tx.rollback();
        }
        QElapsedTimer took;
        took.start();
        QVERIFY(applied.wait(5000));
        const qint64 ms = took.elapsed();
        QCOMPARE(entities(changed), (QList<Entity>{{ChangeKind::Key, 7}, {ChangeKind::Channel, 5}}));
        qInfo("%s: a change of another connection reported after %lld ms", qPrintable(backend), ms);
        QVERIFY2(ms < 1500, "reported within the poll");

        // A whole-kind change stands for the entities of its kind in the same read.
        changed.clear();
        applied.clear();
        {
            Store::Transaction tx(*h.writerDb);
            QVERIFY(writer.record(ChangeKind::Key, 3));
            QVERIFY(writer.record(ChangeKind::Key));
            QVERIFY(writer.record(ChangeKind::User, 9));
            QVERIFY(tx.commit());
        }
        QVERIFY(applied.wait(5000));
        QCOMPARE(entities(changed), (QList<Entity>{{ChangeKind::Key, 0}, {ChangeKind::User, 9}}));
        // Everything up to the latest is reported. (On PostgreSQL the rolled-back record's version stays a hole
        // below the watermark for the grace period, so the watermark itself may lag.)
        QCOMPARE(applied.last().at(0).toLongLong(), *writer.latestVersion());
        if (backend == u"sqlite")
            QCOMPARE(feed.appliedVersion(), *writer.latestVersion());

        // Nothing new: nothing reported (bounded wait on the signal that would say otherwise).
        changed.clear();
        QVERIFY(!changed.wait(800));
        // The rolled-back record was never reported.
        QVERIFY(!entities(changed).contains(Entity{ChangeKind::Pricing, 0}));
    }

    // The poll is made far slower than the bound: only LISTEN/NOTIFY can deliver in time.
    // The table does not grow without bound: a feed that applied pruneEvery versions cuts it to keepRows rows.
    void prunesTheTable()
    {
        Handles h;
        QString skip;
        QVERIFY(open(QStringLiteral("sqlite"), &h, &skip));
        Service::ChangeFeedOptions options;
        options.pruneEvery = 10;
        options.keepRows = 5;
        Service::ChangeFeed feed(h.feedDb, std::nullopt, options);
        QSignalSpy applied(&feed, &Service::ChangeFeed::applied);
        feed.start();
        const Store::ChangeRepository writer(*h.writerDb);
        {
            Store::Transaction tx(*h.writerDb);
            for (int i = 1; i <= 30; ++i)
                QVERIFY(writer.record(ChangeKind::Channel, i));
            QVERIFY(tx.commit());
        }
        QVERIFY(applied.wait(5000));
        const QList<Store::Change> left = writer.since(0);
        QCOMPARE(left.size(), 5);
        QCOMPARE(left.last().version, *writer.latestVersion());
    }

    void postgresNotifyDeliversAtOnce()
    {
        Handles h;
        QString skip;
        if (!open(QStringLiteral("postgres"), &h, &skip)) {
            if (!skip.isEmpty())
                QSKIP(qPrintable(skip));
            QFAIL("cannot open the database");
        }
        Service::ChangeFeedOptions options;
        options.pollMs = 60'000;
        Service::ChangeFeed feed(h.feedDb, std::nullopt, options);
        QSignalSpy changed(&feed, &Service::ChangeFeed::changed);
        feed.start();
        QVERIFY(feed.isListening());
        QElapsedTimer took;
        took.start();
        QVERIFY(Store::ChangeRepository(*h.writerDb).record(ChangeKind::Channel, 42));
        QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), 2000);
        qInfo("postgres: NOTIFY delivered a change after %lld ms", took.elapsed());
        QCOMPARE(entities(changed), (QList<Entity>{{ChangeKind::Channel, 42}}));
    }

    // PostgreSQL takes a version at insert and shows it at commit: a lower version that commits after a higher
    // one must still be reported, exactly once.
    void postgresLateCommitOfLowerVersion()
    {
        Handles h;
        QString skip;
        if (!open(QStringLiteral("postgres"), &h, &skip)) {
            if (!skip.isEmpty())
                QSKIP(qPrintable(skip));
            QFAIL("cannot open the database");
        }
        Service::ChangeFeed feed(h.feedDb);
        QSignalSpy changed(&feed, &Service::ChangeFeed::changed);
        feed.start();

        // The slow writer takes the lower version and holds its transaction open.
        Store::Transaction slow(*h.writerDb);
        QVERIFY(slow.isActive());
        const auto low = Store::ChangeRepository(*h.writerDb).record(ChangeKind::Key, 1);
        QVERIFY(low);
        // The feed's own handle writes (as a third process would) the higher one and commits it.
        const auto high = Store::ChangeRepository(*h.feedDb).record(ChangeKind::Key, 2);
        QVERIFY(high);
        QVERIFY(*high > *low);
        QTRY_COMPARE_WITH_TIMEOUT(entities(changed), (QList<Entity>{{ChangeKind::Key, 2}}), 3000);
        QVERIFY(feed.appliedVersion() < *low); // still waiting below the hole
        QVERIFY(slow.commit());
        QTRY_COMPARE_WITH_TIMEOUT(entities(changed), (QList<Entity>{{ChangeKind::Key, 2}, {ChangeKind::Key, 1}}), 3000);
        QTRY_COMPARE_WITH_TIMEOUT(feed.appliedVersion(), *high, 3000);
        QVERIFY(!changed.wait(1200)); // reported once
        QCOMPARE(changed.size(), 2);
    }

    // A restart closes the LISTEN session: the feed neither crashes nor spams while the server is down, and after
    // it is back it reconnects, re-subscribes and reports what was committed.
    void postgresSurvivesRestart()
    {
        Handles h;
        QString skip;
        if (!open(QStringLiteral("postgres"), &h, &skip)) {
            if (!skip.isEmpty())
                QSKIP(qPrintable(skip));
            QFAIL("cannot open the database");
        }
        Service::ChangeFeed feed(h.feedDb);
        QSignalSpy changed(&feed, &Service::ChangeFeed::changed);
        feed.start();
        QVERIFY(feed.isListening());
        QVERIFY(m_pg->stopServer());
        QVERIFY(!changed.wait(2500)); // ticks against a dead server: nothing reported, nothing thrown
        QVERIFY(m_pg->startServer());
        // The writer reconnects on its next use (after its back-off).
        QTRY_VERIFY_WITH_TIMEOUT(Store::ChangeRepository(*h.writerDb).record(ChangeKind::Channel, 8).ok(), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(entities(changed).contains(Entity(ChangeKind::Channel, 8)), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(feed.isListening(), 5000);
        changed.clear();
        QElapsedTimer took;
        took.start();
        QVERIFY(Store::ChangeRepository(*h.writerDb).record(ChangeKind::Pricing));
        QVERIFY(changed.wait(3000));
        qInfo("postgres: after a restart a change was reported in %lld ms", took.elapsed());
        QCOMPARE(entities(changed), (QList<Entity>{{ChangeKind::Pricing, 0}}));
    }

    // Started while the server is down and without a known version: what changed before it answered is unknown,
    // so once it answers every kind is reported as changed (a relay then reloads everything); then only changes.
    void postgresStartDuringOutageReportsEverything()
    {
        Handles h;
        QString skip;
        if (!open(QStringLiteral("postgres"), &h, &skip)) {
            if (!skip.isEmpty())
                QSKIP(qPrintable(skip));
            QFAIL("cannot open the database");
        }
        QVERIFY(m_pg->stopServer());
        Service::ChangeFeed feed(h.feedDb);
        QSignalSpy changed(&feed, &Service::ChangeFeed::changed);
        feed.start();
        QVERIFY(!changed.wait(1500));
        QVERIFY(m_pg->startServer());
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 4, 15000);
        QCOMPARE(entities(changed), (QList<Entity>{{ChangeKind::Channel, 0}, {ChangeKind::Key, 0},
                                                   {ChangeKind::User, 0}, {ChangeKind::Pricing, 0}}));
        // From then on, only what changes.
        changed.clear();
        QTRY_VERIFY_WITH_TIMEOUT(Store::ChangeRepository(*h.writerDb).record(ChangeKind::Key, 4).ok(), 15000);
        QVERIFY(changed.wait(5000));
        QCOMPARE(entities(changed), (QList<Entity>{{ChangeKind::Key, 4}}));
    }
};

QTEST_GUILESS_MAIN(TestChangeFeed)
#include "tst_changefeed.moc"
