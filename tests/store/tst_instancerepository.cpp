// Instances and their leases: which reservations recovery may take (only those of instances that are gone),
// that several survivors recover each exactly once, and that an owner whose lease lapsed cannot settle again.
#include "deadinstance.h"
#include "pgcluster.h"
#include "tempdatabase.h"

#include "billing/ledger.h"
#include "store/apikeyrepository.h"
#include "store/database.h"
#include "store/instancerepository.h"
#include "store/logrepository.h"
#include "store/reservationrepository.h"
#include "store/userrepository.h"

#include <QtCore/QSysInfo>
#include <QtCore/QThread>
#include <QtSql/QSqlError>
#include <QtSql/QSqlQuery>
#include <QtTest/QtTest>

#include <unistd.h>

using namespace RelayDesk;

namespace {

constexpr qint64 kLeaseMs = 30'000;

qint64 userQuota(const Store::Database &db, qint64 id) { return Store::UserRepository(db).byId(id)->quota; }

qint64 recoveredLogCount(const Store::Database &db)
{
    QSqlQuery q = db.query();
    q.exec(QStringLiteral("SELECT other_json FROM logs WHERE type = %1").arg(int(Store::LogType::Consume)));
    qint64 n = 0;
    while (q.next())
        n += q.value(0).toString().contains(QLatin1StringView("\"recovered\":true")) ? 1 : 0;
    return n;
}

void execSql(const Store::Database &db, const QString &sql)
{
    QSqlQuery q = db.query();
    QVERIFY2(q.exec(sql), qPrintable(q.lastError().text()));
}

} // namespace

class TestInstanceRepository final : public QObject
{
    Q_OBJECT

    std::unique_ptr<Testing::PgCluster> m_pg;

    void addBackendColumn()
    {
        QTest::addColumn<QString>("backend");
    }

    // A fresh database of the row's backend, and its URL (for more handles, as other processes would open).
    std::shared_ptr<Store::Database> openBackend(const QString &backend, Testing::TempDatabase *sqlite, QString *url)
    {
        if (backend == u"sqlite") {
            *url = QDir(sqlite->dataDir()).filePath(QString::fromLatin1(Store::Database::kSqliteFileName));
            return sqlite->shared();
        }
        if (!m_pg)
            m_pg = std::make_unique<Testing::PgCluster>();
        if (!m_pg->isAvailable() || !m_pg->isRunning())
            return nullptr;
        *url = m_pg->createDatabase();
        auto db = Store::Database::openUrl(*url);
        return db ? db.value() : nullptr;
    }

    qint64 makeUser(const Store::Database &db, qint64 quota)
    {
        const auto user = Store::UserRepository(db).create(QStringLiteral("u%1").arg(++m_users),
                                                           QStringLiteral("default"), quota);
        return user ? user->id : 0;
    }
    int m_users = 0;

private Q_SLOTS:
    // Which owners' reservations a survivor takes. Only the gone ones: a live peer's call in flight is its own.
    void recoversOnlyGoneOwners_data()
    {
        QTest::addColumn<qint64>("heartbeatAgeMs");
        QTest::addColumn<bool>("stopped");
        QTest::addColumn<bool>("pidExited");
        QTest::addColumn<QString>("machine"); // "" = this machine
        QTest::addColumn<QString>("boot");    // "" = this boot
        QTest::addColumn<bool>("recovered");
        QTest::newRow("live peer here") << qint64(0) << false << false << QString() << QString() << false;
        QTest::newRow("live peer, heartbeat within lease") << kLeaseMs - 5'000 << false << false << QString()
                                                           << QString() << false;
        QTest::newRow("lease lapsed") << kLeaseMs + 5'000 << false << false << QString() << QString() << true;
        QTest::newRow("stopped") << qint64(0) << true << false << QString() << QString() << true;
        QTest::newRow("crashed here (pid gone)") << qint64(0) << false << true << QString() << QString() << true;
        QTest::newRow("here, before a reboot") << qint64(0) << false << false << QString() << QStringLiteral("old-boot")
                                               << true;
        QTest::newRow("other machine, pid unknown, fresh") << qint64(0) << false << true << QStringLiteral("other")
                                                           << QString() << false;
        QTest::newRow("other machine, lease lapsed") << kLeaseMs + 1 << false << false << QStringLiteral("other")
                                                     << QString() << true;
    }

    void recoversOnlyGoneOwners()
    {
        QFETCH(qint64, heartbeatAgeMs);
        QFETCH(bool, stopped);
        QFETCH(bool, pidExited);
        QFETCH(QString, machine);
        QFETCH(QString, boot);
        QFETCH(bool, recovered);
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const qint64 user = makeUser(t.db(), 1000);

        Store::Instance owner = Store::InstanceRepository::describeSelf(QStringLiteral("peer"));
        owner.pid = pidExited ? RelayDeskTest::exitedPid() : ::getpid();
        if (!machine.isEmpty())
            owner.machineId = machine;
        if (!boot.isEmpty())
            owner.bootId = boot;
        const qint64 now = Store::nowMs();
        owner.heartbeatAt = now - heartbeatAgeMs;
        owner.stoppedAt = stopped ? now : 0;
        QVERIFY(Store::InstanceRepository(t.db()).add(owner));
        t.db().setInstanceId(owner.id);
        const auto hold = Billing::Ledger(t.db()).reserve(user, 0, 300, {});
        QVERIFY(hold);
        QCOMPARE(hold.reservation.instanceId, owner.id);
        QVERIFY(Billing::Ledger(t.db()).charge(hold.reservation.id, 40));

        const auto swept = Store::ReservationRepository(t.db()).recoverOrphans(QStringLiteral("survivor"), now, kLeaseMs);
        QVERIFY2(swept, qPrintable(swept.error()));
        QCOMPARE(*swept, recovered ? 1 : 0);
        const auto r = Store::ReservationRepository(t.db()).byId(hold.reservation.id);
        QCOMPARE(r->state, recovered ? Store::Reservation::State::Recovered : Store::Reservation::State::Open);
        QCOMPARE(userQuota(t.db(), user), recovered ? qint64(1000 - 40) : qint64(1000 - 340));
        QCOMPARE(recoveredLogCount(t.db()), recovered ? 1 : 0);
        // The survivor's own reservations are never its own orphans.
        QCOMPARE(*Store::ReservationRepository(t.db()).recoverOrphans(owner.id, now, kLeaseMs), 0);
    }

    // A reservation no instance row names (made by a non-relaying process, or before instances existed) is
    // recovered only once nobody touched it for a whole lease.
    void ownerlessReservationsWaitOneLease()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const qint64 user = makeUser(t.db(), 1000);
        const auto fresh = Billing::Ledger(t.db()).reserve(user, 0, 100, {});
        const auto stale = Billing::Ledger(t.db()).reserve(user, 0, 200, {});
        QVERIFY(fresh && stale);
        QVERIFY(fresh.reservation.instanceId.isEmpty());
        execSql(t.db(), QStringLiteral("UPDATE reservations SET updated_at = %1 WHERE id = %2")
                            .arg(Store::nowMs() - kLeaseMs - 1).arg(stale.reservation.id));
        QCOMPARE(*Billing::Ledger(t.db()).recoverOrphans(QStringLiteral("survivor"), kLeaseMs), 1);
        QCOMPARE(Billing::Ledger(t.db()).reservation(fresh.reservation.id)->state, Store::Reservation::State::Open);
        QCOMPARE(Billing::Ledger(t.db()).reservation(stale.reservation.id)->state,
                 Store::Reservation::State::Recovered);
    }

    // An owner that stalled past its lease finds its reservation recovered: the recovery stands, the late
    // settle is refused and writes nothing, and the books still balance.
    void lateOwnerDoesNotSettleTwice()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const qint64 user = makeUser(t.db(), 1000);
        Store::Instance owner = Store::InstanceRepository::describeSelf(QStringLiteral("stalled"));
        QVERIFY(Store::InstanceRepository(t.db()).add(owner));
        t.db().setInstanceId(owner.id);
        const auto hold = Billing::Ledger(t.db()).reserve(user, 0, 300, {});
        QVERIFY(Billing::Ledger(t.db()).charge(hold.reservation.id, 70));
        // Its heartbeat lapses (suspended, swapping, …) and a peer sweeps.
        QCOMPARE(*Store::ReservationRepository(t.db()).recoverOrphans(QStringLiteral("peer"),
                                                                      Store::nowMs() + kLeaseMs + 1, kLeaseMs), 1);
        const auto late = Billing::Ledger(t.db()).settle(hold.reservation.id, 250, Store::LogRecord{});
        QCOMPARE(late.failure, Store::LedgerFailure::ReservationClosed);
        QVERIFY(late.message.contains(QLatin1StringView("recovered")));
        QCOMPARE(Billing::Ledger(t.db()).refund(hold.reservation.id).failure, Store::LedgerFailure::ReservationClosed);
        QCOMPARE(userQuota(t.db(), user), qint64(1000 - 70));
        Store::LogFilter consume;
        consume.type = Store::LogType::Consume;
        QCOMPARE(Store::LogRepository(t.db()).count(consume), qint64(1));
        // It goes on living: its heartbeat is still accepted, so its later reservations are its own again.
        QCOMPARE(*Store::InstanceRepository(t.db()).heartbeat(owner.id, Store::nowMs()), true);
    }

    void heartbeatAndStop()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const Store::InstanceRepository repo(t.db());
        const Store::Instance self = Store::InstanceRepository::describeSelf(QStringLiteral("127.0.0.1:8790"));
        QVERIFY(repo.add(self));
        QVERIFY(!Store::InstanceRepository::isDeadHere(self));
        QCOMPARE(*repo.heartbeat(self.id, self.heartbeatAt + 10), true);
        QCOMPARE(repo.byId(self.id)->heartbeatAt, self.heartbeatAt + 10);
        QVERIFY(repo.markStopped(self.id, self.heartbeatAt + 20));
        QCOMPARE(*repo.heartbeat(self.id, self.heartbeatAt + 30), false);
        QCOMPARE(*repo.heartbeat(QStringLiteral("no-such-instance"), self.heartbeatAt), false);
        QCOMPARE(repo.list().size(), 1);
        QCOMPARE(repo.list().first().address, QStringLiteral("127.0.0.1:8790"));
    }

    // Two survivors (two connections, as two processes) sweep the same dead instance at once: every
    // reservation is recovered exactly once, with one log row each, and the balance is right.
    void concurrentSurvivorsRecoverEachOnce_data()
    {
        addBackendColumn();
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

    void concurrentSurvivorsRecoverEachOnce()
    {
        QFETCH(QString, backend);
        if (backend == u"postgres") {
            if (!m_pg)
                m_pg = std::make_unique<Testing::PgCluster>();
            if (!m_pg->isAvailable())
                QSKIP(qPrintable(m_pg->skipReason()));
        }
        Testing::TempDatabase sqlite;
        QString url;
        const auto db = openBackend(backend, &sqlite, &url);
        QVERIFY(db);
        constexpr int kHolds = 60;
        const qint64 user = makeUser(*db, 1'000'000);
        QVERIFY(!RelayDeskTest::registerDeadInstance(*db).isEmpty());
        qint64 charged = 0;
        for (int i = 0; i < kHolds; ++i) {
            const auto hold = Billing::Ledger(*db).reserve(user, 0, 1000, {});
            QVERIFY(hold);
            QVERIFY(Billing::Ledger(*db).charge(hold.reservation.id, i));
            charged += i;
        }
        std::atomic<int> total{0};
        std::atomic<int> failures{0};
        auto survivor = [&url, &total, &failures](const QString &name) {
            auto own = Store::Database::openUrl(url);
            if (!own) {
                ++failures;
                return;
            }
            const auto n = Billing::Ledger(*own.value()).recoverOrphans(name, kLeaseMs);
            n ? total += *n : ++failures;
        };
        std::unique_ptr<QThread> a(QThread::create(survivor, QStringLiteral("survivor-a")));
        std::unique_ptr<QThread> b(QThread::create(survivor, QStringLiteral("survivor-b")));
        a->start();
        b->start();
        QVERIFY(a->wait(60'000) && b->wait(60'000));
        QCOMPARE(failures.load(), 0);
        QCOMPARE(total.load(), kHolds);
        QVERIFY(Store::ReservationRepository(*db).openReservations().isEmpty());
        QCOMPARE(recoveredLogCount(*db), qint64(kHolds));
        QCOMPARE(userQuota(*db, user), 1'000'000 - charged);
        Store::LogFilter consume;
        consume.type = Store::LogType::Consume;
        QCOMPARE(Store::LogRepository(*db).sumQuota(consume), charged);
    }
};

QTEST_GUILESS_MAIN(TestInstanceRepository)
#include "tst_instancerepository.moc"
