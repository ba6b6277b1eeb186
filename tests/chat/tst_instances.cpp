// Two `relaydeskd serve` processes on one database (one SQLite data dir; one PostgreSQL database), each with
// its own instance row and heartbeat lease:
//  - starting the second leaves the first's calls in flight alone: they complete and are billed by their owner
//    (on the old code, start-up recovery settled them at 0 while they were still being served);
//  - SIGKILL of one under load: the survivor recovers the dead one's open holds while it keeps serving, and
//    afterwards every user's and key's debits equal the consume logs, and every call that was not cut by the
//    kill is billed from the usage the upstream reported.
#include "binaries.h"
#include "loadaccount.h"
#include "chatload.h"
#include "pgcluster.h"
#include "secretkeyfile.h"

#include "store/apikeyrepository.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/instancerepository.h"
#include "store/logrepository.h"
#include "store/reservationrepository.h"
#include "store/userrepository.h"

#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpServer>
#include <QtTest/QtTest>

using namespace RelayDesk;

namespace {

constexpr qint64 kUserQuota = RelayDeskTest::kLoadUserQuota;
constexpr qint64 kKeyQuota = RelayDeskTest::kLoadKeyQuota;
// A short lease, so the survivor recovers a killed instance's holds within the test.
const QStringList kShortLease{QStringLiteral("--instance-lease"), QStringLiteral("2")};

using RelayDeskTest::freePort;

QSet<qint64> openIds(const Store::Database &db)
{
    QSet<qint64> ids;
    for (const Store::Reservation &r : Store::ReservationRepository(db).openReservations())
        ids.insert(r.id);
    return ids;
}

} // namespace

class TestInstances final : public QObject
{
    Q_OBJECT

    std::unique_ptr<Testing::PgCluster> m_pg;

private Q_SLOTS:
    void twoInstancesOneDatabase_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

    void twoInstancesOneDatabase()
    {
        QFETCH(QString, backend);
        QTemporaryDir data;
        QStringList where{QStringLiteral("--data"), data.path()};
        if (backend == u"postgres") {
            const auto pg = Testing::createPgDatabase(m_pg);
            if (!pg.skip.isEmpty())
                QSKIP(qPrintable(pg.skip));
            QVERIFY2(!pg.url.isEmpty(), qPrintable(pg.error));
            where = {QStringLiteral("--db"), pg.url};
            QVERIFY(RelayDeskTest::useTemporarySecretKey(data.path()));
        }
        auto opened = Store::Database::open(data.path(), backend == u"postgres" ? where.at(1) : QString());
        QVERIFY2(opened, qPrintable(opened.error()));
        const std::shared_ptr<Store::Database> db = opened.value();

        QProcess upstream;
        const quint16 upstreamPort =
            RelayDeskTest::startFakeUpstream(upstream, {QStringLiteral("--delay-ms"), QStringLiteral("15")});
        QVERIFY2(upstreamPort != 0, upstream.readAllStandardError().constData());
        const auto account =
            RelayDeskTest::createLoadAccount(*db, QStringLiteral("two"), QByteArray::number(upstreamPort));
        QVERIFY(account);
        const Store::User *user = &account->user;
        const Store::CreatedApiKey *key = &account->key;

        const quint16 portA = freePort();
        QByteArray outA, outB;
        QProcess a, b;
        QVERIFY2(RelayDeskTest::startServe(a, where + kShortLease, portA, &outA), outA.constData());

        // 1. B starts while A has calls in flight: those are A's, and A bills them.
        QSet<qint64> inFlightAtStart;
        {
            RelayDeskTest::ChatLoad load(portA, key->plainKey.toLatin1(), 8);
            QVERIFY(QTest::qWaitFor([&] { return openIds(*db).size() >= 4; }, 30000));
            inFlightAtStart = openIds(*db);
            const quint16 portB = freePort();
            QVERIFY2(RelayDeskTest::startServe(b, where + kShortLease, portB, &outB), outB.constData());
            QVERIFY2(!outB.contains("Recovered"), outB.constData());
            load.stop();
            QVERIFY(QTest::qWaitFor([&] { return load.inFlight() == 0; }, 60000));

            // 2. Both serve; A is killed mid-load; B recovers A's holds on its own, while serving.
            RelayDeskTest::ChatLoad onA(portA, key->plainKey.toLatin1(), 8);
            RelayDeskTest::ChatLoad onB(portB, key->plainKey.toLatin1(), 8);
            QVERIFY(QTest::qWaitFor([&] { return onA.completed() >= 16 && onB.completed() >= 16; }, 60000));
            QVERIFY(QTest::qWaitFor([&] { return openIds(*db).size() >= 8; }, 30000));
            const qint64 pidA = a.processId();
            a.kill();
            QVERIFY(a.waitForFinished(30000));
            onA.stop();
            const auto instances = Store::InstanceRepository(*db).list();
            const auto deadA = std::find_if(instances.begin(), instances.end(),
                                            [pidA](const Store::Instance &i) { return i.pid == pidA; });
            QVERIFY(deadA != instances.end());
            const QString idA = deadA->id;
            const auto openOfA = [&] {
                int n = 0;
                for (const Store::Reservation &r : Store::ReservationRepository(*db).openReservations())
                    n += r.instanceId == idA ? 1 : 0;
                return n;
            };
            QVERIFY(QTest::qWaitFor([&] { return openOfA() == 0; }, 30000));
            QVERIFY2(onB.inFlight() > 0, "B kept serving while it recovered A's holds");
            onB.stop();
            QVERIFY(QTest::qWaitFor([&] { return onB.inFlight() == 0 && onA.inFlight() == 0; }, 60000));
        }
        b.terminate();
        QVERIFY(b.waitForFinished(30000));
        QVERIFY(Store::ReservationRepository(*db).openReservations().isEmpty());

        // A's calls in flight when B started were billed by A, normally.
        for (const qint64 id : std::as_const(inFlightAtStart))
            QCOMPARE(Store::ReservationRepository(*db).byId(id)->state, Store::Reservation::State::Settled);

        // Books: debits equal logs for the user and the key; every call not cut by the kill was billed from
        // the upstream's usage; only A's holds were recovered.
        Store::LogFilter consume;
        consume.type = Store::LogType::Consume;
        consume.userId = user->id;
        const qint64 logged = Store::LogRepository(*db).sumQuota(consume);
        QVERIFY(logged > 0);
        QCOMPARE(kUserQuota - Store::UserRepository(*db).byId(user->id)->quota, logged);
        Store::LogFilter byKey;
        byKey.type = Store::LogType::Consume;
        byKey.keyId = key->key.id;
        QCOMPARE(kKeyQuota - Store::ApiKeyRepository(*db).byId(key->key.id)->remainQuota,
                 Store::LogRepository(*db).sumQuota(byKey));
        int recovered = 0, upstreamBilled = 0;
        const auto rows = Store::LogRepository(*db).page(consume, 100'000).rows;
        for (const Store::LogRecord &row : rows) {
            if (row.other.value(QStringLiteral("recovered")).toBool()) {
                ++recovered;
                continue;
            }
            const QString source = row.other.value(QStringLiteral("usage_source")).toString();
            const QString end = row.other.value(QStringLiteral("end_reason")).toString();
            // Calls the kill cut (client_gone on B is impossible; A's were cut mid-stream) may count locally.
            if (end == u"done" || end == u"eof") {
                QCOMPARE(source, QStringLiteral("upstream"));
                ++upstreamBilled;
            }
        }
        QVERIFY(recovered >= 1);
        QVERIFY(upstreamBilled >= 32);
        qInfo("%s: %d calls billed from upstream usage, %d holds of the killed instance recovered, %lld quota",
              qPrintable(backend), upstreamBilled, recovered, logged);

        upstream.terminate();
        QVERIFY(upstream.waitForFinished(30000));
    }
};

QTEST_GUILESS_MAIN(TestInstances)
#include "tst_instances.moc"
