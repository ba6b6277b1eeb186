// The change feed's table: versions only grow, a rolled-back write announces nothing, since() reads in order,
// prune() keeps the latest; on PostgreSQL a committed record is NOTIFYed (a rolled-back one is not).
#include "pgcluster.h"
#include "secretkeyfile.h"
#include "tempdatabase.h"

#include "store/changerepository.h"
#include "store/database.h"

#include <QtSql/QSqlDatabase>
#include <QtSql/QSqlDriver>
#include <QtTest/QtTest>

using namespace RelayDesk;
using Store::ChangeKind;

class TestChangeRepository final : public QObject
{
    Q_OBJECT

    std::unique_ptr<Testing::PgCluster> m_pg;
    QTemporaryDir m_keyDir;

    std::shared_ptr<Store::Database> open(const QString &backend, Testing::TempDatabase *sqlite, QString *url)
    {
        if (backend == u"sqlite")
            return sqlite->shared();
        if (!m_pg)
            m_pg = std::make_unique<Testing::PgCluster>();
        if (!m_pg->isAvailable() || !m_pg->isRunning())
            return nullptr;
        *url = m_pg->createDatabase();
        auto db = Store::Database::openUrl(*url);
        return db ? db.value() : nullptr;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(RelayDeskTest::useTemporarySecretKey(m_keyDir.path())); }

    void versionsGrowAndRollbacksLeaveNoTrace_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

    void versionsGrowAndRollbacksLeaveNoTrace()
    {
        QFETCH(QString, backend);
        Testing::TempDatabase sqlite;
        QVERIFY2(sqlite.isValid(), qPrintable(sqlite.error()));
        QString url;
        const auto db = open(backend, &sqlite, &url);
        if (!db && m_pg && !m_pg->isAvailable())
            QSKIP(qPrintable(m_pg->skipReason()));
        QVERIFY(db);
        const Store::ChangeRepository changes(*db);
        QCOMPARE(changes.latestVersion(), std::optional<qint64>(0));

        const auto first = changes.record(ChangeKind::Channel, 7);
        QVERIFY2(first, qPrintable(first.error()));
        {
            Store::Transaction tx(*db);
            QVERIFY(changes.record(ChangeKind::Pricing));
            tx.rollback();
        }
        qint64 last = 0;
        {
            Store::Transaction tx(*db);
            const auto key = changes.record(ChangeKind::Key, 3);
            QVERIFY(key);
            last = *key;
            QVERIFY(tx.commit());
        }
        QVERIFY(last > *first);
        QCOMPARE(changes.latestVersion(), std::optional<qint64>(last));
        const QList<Store::Change> all = changes.since(0);
        QCOMPARE(all.size(), 2);
        QCOMPARE(all.at(0).kind, ChangeKind::Channel);
        QCOMPARE(all.at(0).entityId, qint64(7));
        QCOMPARE(all.at(1).kind, ChangeKind::Key);
        QCOMPARE(all.at(1).version, last);
        QVERIFY(changes.since(last).isEmpty());

        for (int i = 0; i < 5; ++i)
            QVERIFY(changes.record(ChangeKind::User, i));
        const qint64 latest = *changes.latestVersion();
        QVERIFY(changes.prune(2));
        const QList<Store::Change> kept = changes.since(0);
        QCOMPARE(kept.size(), 2);
        QCOMPARE(kept.last().version, latest);
        const auto after = changes.record(ChangeKind::User, 99);
        QVERIFY(*after > latest); // pruning never lets a version come back
    }

    void postgresNotifiesOnCommitOnly()
    {
        Testing::TempDatabase sqlite;
        QString url;
        const auto db = open(QStringLiteral("postgres"), &sqlite, &url);
        if (!db && m_pg && !m_pg->isAvailable())
            QSKIP(qPrintable(m_pg->skipReason()));
        QVERIFY(db);
        auto listenerDb = Store::Database::openUrl(url);
        QVERIFY2(listenerDb, qPrintable(listenerDb.error()));
        QSqlDriver *driver = listenerDb.value()->connection().driver();
        QStringList payloads;
        connect(driver, &QSqlDriver::notification, this,
                [&](const QString &, QSqlDriver::NotificationSource, const QVariant &payload) {
                    payloads << payload.toString();
                });
        QVERIFY(driver->subscribeToNotification(QLatin1String(Store::ChangeRepository::kNotifyChannel)));

        const Store::ChangeRepository changes(*db.get());
        {
            Store::Transaction tx(*db);
            QVERIFY(changes.record(ChangeKind::Channel, 1));
            tx.rollback();
        }
        const auto committed = changes.record(ChangeKind::Channel, 2);
        QVERIFY(committed);
        QTRY_COMPARE_WITH_TIMEOUT(payloads, QStringList{QString::number(*committed)}, 10000);
    }
};

QTEST_GUILESS_MAIN(TestChangeRepository)
#include "tst_changerepository.moc"
