// The console across instances (issue 17 part 3), offscreen, on SQLite and on a throwaway PostgreSQL: two
// instances publish their registries to one database; the console's Live page (its own registry plus the other
// instance's published sessions, read through AdminService) lists both instances' sessions with an Instance
// column, and the Instances page lists both as running with their live sessions. Models checked with
// QAbstractItemModelTester.
#include "instances/instancesmodel.h"
#include "instances/instancespage.h"
#include "live/livepage.h"
#include "live/livesessionsmodel.h"

#include "pgcluster.h"
#include "secretkeyfile.h"

#include "monitor/sessionregistry.h"
#include "service/adminservice.h"
#include "service/instancekeeper.h"
#include "service/livesessionpublisher.h"
#include "store/database.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace RelayDesk;

class TestLiveInstances final : public QObject
{
    Q_OBJECT

    std::unique_ptr<Testing::PgCluster> m_pg;

private slots:
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
        QString url;
        if (backend == u"postgres") {
            const auto pg = Testing::createPgDatabase(m_pg);
            if (!pg.skip.isEmpty())
                QSKIP(qPrintable(pg.skip));
            QVERIFY2(!pg.url.isEmpty(), qPrintable(pg.error));
            QVERIFY(RelayDeskTest::useTemporarySecretKey(dir.path()));
            url = pg.url;
        }
        auto opened = Store::Database::open(dir.path(), url);
        QVERIFY2(opened, qPrintable(opened.error()));
        const std::shared_ptr<Store::Database> db = opened.value();
        const auto idA = Service::InstanceKeeper::registerSelf(*db, QStringLiteral("127.0.0.1:8790"));
        const auto idB = Service::InstanceKeeper::registerSelf(*db, QStringLiteral("10.0.0.2:8790"));
        QVERIFY(idA && idB);

        // A is this console's relay; B another process. Both publish (A's own rows are skipped by its Live page).
        Monitor::SessionRegistry registryA, registryB;
        Service::LiveSessionPublisher publisherA(db, &registryA, *idA), publisherB(db, &registryB, *idB);
        publisherA.start();
        publisherB.start();
        Monitor::SessionInfo s;
        s.user = QStringLiteral("alice");
        s.model = QStringLiteral("gpt-4o-mini");
        registryA.open(s);
        s.user = QStringLiteral("bob");
        registryB.open(s); // id 1 on both instances
        s.user = QStringLiteral("carol");
        registryB.open(s);

        Service::AdminService admin(db, Service::AdminService::Actor::Console);
        Ui::LivePage live(&registryA);
        QAbstractItemModelTester liveTester(live.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        live.setRemoteSource(&admin, *idA);
        Ui::LiveSessionsModel *model = live.model();
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 3, 10000);
        QStringList seen;
        for (int r = 0; r < model->rowCount(); ++r)
            seen << model->index(r, Ui::LiveSessionsModel::User).data().toString() + u'@'
                        + model->index(r, Ui::LiveSessionsModel::Instance).data(Qt::ToolTipRole).toString();
        seen.sort();
        QCOMPARE(seen, QStringList({QStringLiteral("alice@") + Ui::LiveSessionsModel::tr("This console's own relay"),
                                    QStringLiteral("bob@") + *idB, QStringLiteral("carol@") + *idB}));

        // Selecting a remote session: the detail says where its details are.
        live.show();
        const int bob = model->rowOf(1, *idB);
        QVERIFY(bob >= 0);
        live.table()->selectionModel()->setCurrentIndex(live.proxy()->mapFromSource(model->index(bob, 0)),
                                                        QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        const QList<QLabel *> labels = live.findChildren<QLabel *>();
        QVERIFY(std::any_of(labels.cbegin(), labels.cend(),
                            [&](const QLabel *l) { return l->text().contains(*idB); }));

        // B ends a session: it leaves the console's table within the refresh.
        registryB.close(2, Monitor::SessionState::Ended, QStringLiteral("done"));
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 2, 10000);

        // The Instances page: both running, one and one live session.
        Ui::InstancesPage instances(&admin, *idA);
        QAbstractItemModelTester instancesTester(instances.model(),
                                                 QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_COMPARE_WITH_TIMEOUT(instances.model()->rowCount(), 2, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(instances.model()->instanceAt(0)->liveSessions
                                     + instances.model()->instanceAt(1)->liveSessions == 2, 10000);
        for (int r = 0; r < 2; ++r) {
            const Service::InstanceOverview *o = instances.model()->instanceAt(r);
            QCOMPARE(o->state, Service::InstanceOverview::State::Running);
            QCOMPARE(instances.model()->index(r, Ui::InstancesModel::State).data().toString(),
                     Ui::InstancesModel::tr("running"));
            QCOMPARE(instances.model()->index(r, Ui::InstancesModel::Address).data().toString(), o->instance.address);
            QCOMPARE(o->liveSessions, 1);
            const QString expected = o->instance.id == *idA ? Ui::InstancesModel::tr("%1 (this)").arg(idA->left(8))
                                                            : idB->left(8);
            QCOMPARE(instances.model()->index(r, Ui::InstancesModel::Id).data().toString(), expected);
        }

        publisherA.stop();
        publisherB.stop();
    }
};

QTEST_MAIN(TestLiveInstances)
#include "tst_liveinstances.moc"
