// `relaydeskd admin instances` end to end: the real binary against a data dir holding a running instance (with two
// published live sessions), a lapsed one (its rows not counted) and a stopped one — one JSON object per line, with
// id, address, version, started_at, heartbeat_age_s, live_sessions and state.
#include "relaydeskdrun.h"

#include "service/instancekeeper.h"
#include "store/database.h"
#include "store/instancerepository.h"
#include "store/livesessionrepository.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace RelayDesk;

class TestAdminInstancesCli final : public QObject
{
    Q_OBJECT

private slots:
    void jsonLines()
    {
        QTemporaryDir dir;
        QString running, lapsed, stopped;
        {
            auto db = Store::Database::open(dir.path(), {});
            QVERIFY2(db, qPrintable(db.error()));
            const auto add = [&](const QString &address) {
                return *Service::InstanceKeeper::registerSelf(*db.value(), address, 60'000);
            };
            running = add(QStringLiteral("127.0.0.1:8790"));
            lapsed = add(QStringLiteral("10.0.0.2:8790"));
            stopped = add(QStringLiteral("10.0.0.3:8790"));
            const Store::InstanceRepository instances(*db.value());
            QVERIFY(instances.setTraffic(running, 42, 2500));
            QVERIFY(*instances.heartbeat(lapsed, Store::nowMs() - 120'000));
            QVERIFY(instances.markStopped(stopped, Store::nowMs()));
            const Store::LiveSessionRepository sessions(*db.value());
            Store::LiveSession row;
            row.kind = QStringLiteral("http");
            row.startedAt = row.updatedAt = Store::nowMs();
            for (const QString &owner : {running, running, lapsed}) {
                row.instanceId = owner;
                ++row.sessionId;
                QVERIFY(sessions.publish(owner, {row}, {}));
            }
        }

        const auto run = RelayDeskTest::runAdmin(dir.path(), {QStringLiteral("instances")});
        QCOMPARE(run.exitCode, 0);
        QHash<QString, QJsonObject> byId;
        for (const QByteArray &line : run.out.trimmed().split('\n')) {
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
            QVERIFY2(error.error == QJsonParseError::NoError && doc.isObject(), line.constData());
            byId.insert(doc.object().value(QStringLiteral("id")).toString(), doc.object());
        }
        QCOMPARE(byId.size(), 3);
        for (const QJsonObject &o : std::as_const(byId)) {
            for (const char *field : {"id", "address", "version", "started_at", "heartbeat_age_s", "live_sessions",
                                      "state", "requests_per_s"})
                QVERIFY2(o.contains(QLatin1StringView(field)), field);
            QVERIFY(QDateTime::fromString(o.value(QStringLiteral("started_at")).toString(), Qt::ISODateWithMs).isValid());
            QVERIFY(!o.value(QStringLiteral("version")).toString().isEmpty());
        }
        const QJsonObject r = byId.value(running), l = byId.value(lapsed), s = byId.value(stopped);
        QCOMPARE(r.value(QStringLiteral("state")).toString(), QStringLiteral("running"));
        QCOMPARE(r.value(QStringLiteral("address")).toString(), QStringLiteral("127.0.0.1:8790"));
        QCOMPARE(r.value(QStringLiteral("live_sessions")).toInt(), 2);
        QCOMPARE(r.value(QStringLiteral("requests_per_s")).toDouble(), 2.5);
        QCOMPARE(r.value(QStringLiteral("requests_total")).toInteger(), 42);
        QVERIFY(r.value(QStringLiteral("heartbeat_age_s")).toDouble() < 60);
        QCOMPARE(l.value(QStringLiteral("state")).toString(), QStringLiteral("lapsed"));
        QCOMPARE(l.value(QStringLiteral("live_sessions")).toInt(), 0); // its row is not a live session
        QVERIFY(l.value(QStringLiteral("heartbeat_age_s")).toDouble() >= 120);
        QCOMPARE(s.value(QStringLiteral("state")).toString(), QStringLiteral("stopped"));
        QCOMPARE(s.value(QStringLiteral("live_sessions")).toInt(), 0);
    }

    void refusesArguments()
    {
        QTemporaryDir dir;
        const auto run = RelayDeskTest::runAdmin(dir.path(), {QStringLiteral("instances"), QStringLiteral("--limit"),
                                                              QStringLiteral("3")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestAdminInstancesCli)
#include "tst_admininstancescli.moc"
