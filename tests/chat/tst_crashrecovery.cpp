// A real crash: `relaydeskd serve` relays concurrent chat calls (JSON and SSE) to the fake upstream process
// and is killed with SIGKILL mid-load. The next start must recover every reservation left open, and the
// books must balance: what left the user's and the key's balances equals the sum of the consume logs.
#include "binaries.h"
#include "loadaccount.h"
#include "store/apikeyrepository.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "store/reservationrepository.h"
#include "store/userrepository.h"

#include "chatload.h"

#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpServer>
#include <QtTest/QtTest>

using namespace RelayDesk;

namespace {

constexpr qint64 kUserQuota = RelayDeskTest::kLoadUserQuota;
constexpr qint64 kKeyQuota = RelayDeskTest::kLoadKeyQuota;

using RelayDeskTest::binary;
using RelayDeskTest::freePort;

} // namespace

class TestCrashRecovery final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killedMidLoadLosesNoCharge()
    {
        QProcess upstream;
        upstream.start(binary("relaydesk-fakeupstream"), {QStringLiteral("--delay-ms"), QStringLiteral("15")});
        QVERIFY(upstream.waitForStarted(30000));
        QVERIFY(QTest::qWaitFor([&] { return upstream.canReadLine(); }, 30000));
        const QByteArray portLine = upstream.readLine().trimmed();
        QVERIFY2(portLine.startsWith("PORT "), portLine.constData());

        QTemporaryDir data;
        auto opened = Store::Database::openDataDir(data.path());
        QVERIFY2(opened, qPrintable(opened.error()));
        const std::shared_ptr<Store::Database> db = opened.value();
        const auto account = RelayDeskTest::createLoadAccount(*db, QStringLiteral("crash"), portLine.mid(5));
        QVERIFY(account);
        const Store::User *user = &account->user;
        const Store::CreatedApiKey *key = &account->key;

        const quint16 port = freePort();
        QByteArray output;
        {
            QProcess serve;
            QVERIFY2(RelayDeskTest::startServe(serve, {QStringLiteral("--data"), data.path()}, port, &output), output.constData());
            RelayDeskTest::ChatLoad load(port, key->plainKey.toLatin1(), 24);
            // Kill once streams have completed and others are in flight (their holds committed, as another
            // connection sees them): streams run in waves, so a fixed delay could fall between two.
            QVERIFY(QTest::qWaitFor([&] {
                return load.completedStreams() >= 24 && load.completed() >= 100 &&
                       Store::ReservationRepository(*db).openReservations().size() >= 6;
            }, 60000));
            serve.kill(); // SIGKILL: no shutdown path runs
            QVERIFY(serve.waitForFinished(30000));
            load.stop();
        }
        QTest::qWait(200); // let the clients notice
        const int openAfterCrash = int(Store::ReservationRepository(*db).openReservations().size());
        QVERIFY2(openAfterCrash > 0, "the kill should have caught calls in flight");

        output.clear();
        {
            QProcess serve;
            QVERIFY2(RelayDeskTest::startServe(serve, {QStringLiteral("--data"), data.path()}, port, &output), output.constData());
            serve.terminate();
            QVERIFY(serve.waitForFinished(30000));
        }
        QVERIFY2(output.contains(QStringLiteral("Recovered %1 reservation").arg(openAfterCrash).toUtf8()),
                 output.constData());
        QVERIFY(Store::ReservationRepository(*db).openReservations().isEmpty());

        // The books balance for the user and for the key.
        Store::LogFilter consume;
        consume.type = Store::LogType::Consume;
        consume.userId = user->id;
        const qint64 logged = Store::LogRepository(*db).sumQuota(consume);
        const auto after = Store::UserRepository(*db).byId(user->id);
        QVERIFY(logged > 0);
        qInfo("recovered %d open reservations; %lld quota logged and debited", openAfterCrash, logged);
        QCOMPARE(kUserQuota - after->quota, logged);
        consume.userId.reset();
        consume.keyId = key->key.id;
        QCOMPARE(kKeyQuota - Store::ApiKeyRepository(*db).byId(key->key.id)->remainQuota,
                 Store::LogRepository(*db).sumQuota(consume));
        QCOMPARE(after->usedQuota, logged);

        upstream.terminate();
        QVERIFY(upstream.waitForFinished(30000));
    }
};

QTEST_GUILESS_MAIN(TestCrashRecovery)
#include "tst_crashrecovery.moc"
