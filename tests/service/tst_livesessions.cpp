// The live view across instances (issue 17 part 3), on SQLite and on a throwaway PostgreSQL: a Runtime (instance
// A, its own registry published by its LiveSessionPublisher) and a second published registry (instance B) on one
// database. The console-side query (AdminService::liveSessions) sees both instances' sessions with their instance
// ids; an ended session's row goes; a lapsed instance's rows are left out and deleted; a clean stop deletes the
// stopping instance's rows. Writes are coalesced to at most ten passes a second.
#include "pgcluster.h"
#include "secretkeyfile.h"

#include "monitor/sessionregistry.h"
#include "service/adminservice.h"
#include "service/instancekeeper.h"
#include "service/livesessionpublisher.h"
#include "service/runtime.h"
#include "store/database.h"
#include "store/instancerepository.h"
#include "store/livesessionrepository.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QtTest>

using namespace RelayDesk;

namespace {

QList<Monitor::SessionInfo> live(const Service::AdminService &admin)
{
    const auto sessions = admin.liveSessions();
    return sessions ? *sessions : QList<Monitor::SessionInfo>{};
}

QList<Monitor::SessionInfo> ofInstance(const QList<Monitor::SessionInfo> &all, const QString &instanceId)
{
    QList<Monitor::SessionInfo> out;
    for (const Monitor::SessionInfo &s : all)
        if (s.instanceId == instanceId)
            out << s;
    return out;
}

std::optional<Service::InstanceOverview> overview(const Service::AdminService &admin, const QString &id)
{
    const auto all = admin.instances();
    if (!all)
        return std::nullopt;
    for (const Service::InstanceOverview &o : *all)
        if (o.instance.id == id)
            return o;
    return std::nullopt;
}

} // namespace

class TestLiveSessions final : public QObject
{
    Q_OBJECT

    std::unique_ptr<Testing::PgCluster> m_pg;

    // The --db URL for `backend` (empty for SQLite: dataDir is used); skip reason in *skip.
    QString databaseUrl(const QString &backend, const QString &dir, QString *skip)
    {
        if (backend != u"postgres")
            return {};
        if (!m_pg)
            m_pg = std::make_unique<Testing::PgCluster>();
        if (!m_pg->isAvailable()) {
            *skip = m_pg->skipReason();
            return {};
        }
        if (!m_pg->isRunning() || !RelayDeskTest::useTemporarySecretKey(dir))
            return {};
        return m_pg->createDatabase();
    }

private Q_SLOTS:
    void twoInstances_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

    void twoInstances()
    {
        QFETCH(QString, backend);
        QTemporaryDir dir;
        QString skip;
        const QString url = databaseUrl(backend, dir.path(), &skip);
        if (!skip.isEmpty())
            QSKIP(qPrintable(skip));
        QVERIFY(backend == u"sqlite" || !url.isEmpty());

        // Instance A: a Runtime, which publishes its own registry.
        Service::RuntimeConfig config;
        config.dataDir = dir.path();
        config.dbUrl = url;
        config.listenPort = 0;
        config.alerts = false;
        config.realtime = false;
        Service::Runtime a;
        QVERIFY2(a.start(config), qPrintable(a.errorString()));
        const std::shared_ptr<Store::Database> db = a.database();
        Service::AdminService admin(db, Service::AdminService::Actor::Console);

        // Instance B: another process's registry and publisher, on its own connection to the same database.
        auto openedB = Store::Database::open(dir.path(), url);
        QVERIFY2(openedB, qPrintable(openedB.error()));
        const std::shared_ptr<Store::Database> dbB = openedB.value();
        const auto idB = Service::InstanceKeeper::registerSelf(*dbB, QStringLiteral("10.0.0.2:8790"));
        QVERIFY2(idB, qPrintable(idB.error()));
        Monitor::SessionRegistry registryB;
        Service::LiveSessionPublisher publisherB(dbB, &registryB, *idB);
        publisherB.start();

        Monitor::SessionInfo voice;
        voice.kind = Monitor::SessionKind::Realtime;
        voice.user = QStringLiteral("alice");
        voice.keyHint = QStringLiteral("sk-…a1b2");
        voice.model = QStringLiteral("gpt-realtime");
        const quint64 onA = a.sessions()->open(voice);
        Billing::Usage usage;
        usage.inputAudio = 1200;
        usage.outputText = 40;
        a.sessions()->setUsage(onA, usage);
        a.sessions()->setQuota(onA, 9000, 1234);
        a.sessions()->setState(onA, Monitor::SessionState::Streaming);

        Monitor::SessionInfo chat;
        chat.kind = Monitor::SessionKind::Http;
        chat.user = QStringLiteral("bob");
        chat.keyHint = QStringLiteral("sk-…c3d4");
        chat.model = QStringLiteral("gpt-4o-mini");
        const quint64 firstOnB = registryB.open(chat);
        const quint64 secondOnB = registryB.open(chat);

        // The console sees all three, each with its instance; B's ids overlap A's and stay apart by instance.
        QTRY_COMPARE_WITH_TIMEOUT(live(admin).size(), 3, 10000);
        const auto seenA = ofInstance(live(admin), a.instanceId());
        QCOMPARE(seenA.size(), 1);
        QCOMPARE(seenA[0].id, onA);
        QCOMPARE(seenA[0].kind, Monitor::SessionKind::Realtime);
        QCOMPARE(seenA[0].user, QStringLiteral("alice"));
        QCOMPARE(seenA[0].keyHint, QStringLiteral("sk-…a1b2"));
        QCOMPARE(seenA[0].model, QStringLiteral("gpt-realtime"));
        QTRY_COMPARE_WITH_TIMEOUT(ofInstance(live(admin), a.instanceId()).value(0).state,
                                  Monitor::SessionState::Streaming, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(ofInstance(live(admin), a.instanceId()).value(0).usage.inputAudio, 1200, 10000);
        const Monitor::SessionInfo latestA = ofInstance(live(admin), a.instanceId()).value(0);
        QCOMPARE(latestA.usage.outputText, 40);
        QCOMPARE(latestA.reservedQuota, 9000);
        QCOMPARE(latestA.chargedQuota, 1234);
        QCOMPARE(ofInstance(live(admin), *idB).size(), 2);
        QCOMPARE(ofInstance(live(admin), *idB).value(0).user, QStringLiteral("bob"));

        // Instances: both running, their live sessions counted; B's request counter reaches the table.
        QTRY_VERIFY_WITH_TIMEOUT(overview(admin, *idB) && overview(admin, *idB)->instance.requestsTotal == 2, 10000);
        QCOMPARE(overview(admin, *idB)->state, Service::InstanceOverview::State::Running);
        QCOMPARE(overview(admin, *idB)->liveSessions, 2);
        QCOMPARE(overview(admin, *idB)->instance.address, QStringLiteral("10.0.0.2:8790"));
        QCOMPARE(overview(admin, a.instanceId())->liveSessions, 1);
        QCOMPARE(overview(admin, a.instanceId())->state, Service::InstanceOverview::State::Running);
        // It listens on an ephemeral port: the row names the one it got, not 0.
        QCOMPARE(overview(admin, a.instanceId())->instance.address, QStringLiteral("127.0.0.1:%1").arg(a.port()));

        // An ended session's row goes.
        registryB.close(firstOnB, Monitor::SessionState::Ended, QStringLiteral("done"));
        QTRY_COMPARE_WITH_TIMEOUT(ofInstance(live(admin), *idB).size(), 1, 10000);
        QCOMPARE(ofInstance(live(admin), *idB).value(0).id, secondOnB);

        // B's heartbeat lapses (a crash: its rows stay behind): the console leaves them out and deletes them.
        QVERIFY(Store::InstanceRepository(*db).heartbeat(*idB, Store::nowMs() - 10 * 60'000));
        QCOMPARE(ofInstance(live(admin), *idB).size(), 0);
        QCOMPARE(ofInstance(live(admin), a.instanceId()).size(), 1);
        QVERIFY(Store::LiveSessionRepository(*db).ofInstance(*idB).isEmpty());
        QCOMPARE(overview(admin, *idB)->state, Service::InstanceOverview::State::Lapsed);
        QCOMPARE(overview(admin, *idB)->liveSessions, 0);
        QVERIFY(overview(admin, *idB)->heartbeatAgeMs >= 10 * 60'000);

        // A clean stop deletes the stopping instance's rows; it then shows as stopped.
        const QString idA = a.instanceId();
        a.stop();
        QVERIFY(Store::LiveSessionRepository(*db).ofInstance(idA).isEmpty());
        QCOMPARE(overview(admin, idA)->state, Service::InstanceOverview::State::Stopped);
        QVERIFY(live(admin).isEmpty());
        publisherB.stop();
    }

    // However fast the registry publishes, the table is written at most ten times a second, and the last write
    // holds the last value.
    void coalescedToTenPerSecond()
    {
        QTemporaryDir dir;
        auto opened = Store::Database::open(dir.path(), {});
        QVERIFY2(opened, qPrintable(opened.error()));
        const std::shared_ptr<Store::Database> db = opened.value();
        const auto id = Service::InstanceKeeper::registerSelf(*db, QStringLiteral("127.0.0.1:1"));
        QVERIFY(id);
        Monitor::SessionRegistry::Limits fast;
        fast.publishIntervalMs = 5;
        Monitor::SessionRegistry registry(fast);
        Service::LiveSessionPublisher publisher(db, &registry, *id);
        QSignalSpy passes(&publisher, &Service::LiveSessionPublisher::published);
        publisher.start();
        const quint64 session = registry.open({});
        QElapsedTimer clock;
        clock.start();
        Billing::Usage usage;
        while (clock.elapsed() < 2000) {
            ++usage.outputText;
            registry.setUsage(session, usage);
            QTest::qWait(2);
        }
        const qint64 elapsed = clock.elapsed();
        QTRY_COMPARE_WITH_TIMEOUT(Store::LiveSessionRepository(*db).ofInstance(*id).value(0).outputText,
                                  usage.outputText, 5000);
        publisher.stop();
        const qint64 allowed = elapsed / 100 + 2; // one per 100 ms, plus the first and the last
        QVERIFY2(passes.size() >= 5 && passes.size() <= allowed,
                 qPrintable(QStringLiteral("%1 passes in %2 ms").arg(passes.size()).arg(elapsed)));
        QVERIFY(Store::LiveSessionRepository(*db).ofInstance(*id).isEmpty()); // stop() deleted them
    }
};

QTEST_GUILESS_MAIN(TestLiveSessions)
#include "tst_livesessions.moc"
