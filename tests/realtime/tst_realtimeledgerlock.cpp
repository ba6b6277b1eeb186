// A Realtime session's ledger writes run on the store lane (issue 17): while another connection holds the
// database's write lock (a console's `BEGIN IMMEDIATE` on SQLite), a session's charge waits — and only that
// session waits. The relay thread keeps answering (/healthz); the client's events sent meanwhile are held and
// reach the upstream only once the charge is durable; a charge refused meanwhile drops them (1008). Debits == logs.
// The admission (the 101) waits for the session's hold the same way.
#include "../relay/rawhttpclient.h"
#include "heldlock.h"
#include "realtimerig.h"

#include "store/reservationrepository.h"

#include <QtTest>

#include <memory>

using namespace RelayDesk;
using namespace RelayDeskTest;
using Script = Relay::DemoRealtimeScript;

namespace {

int countOf(const QStringList &types, const QString &type)
{
    return int(types.count(type));
}

// The session held the client's events for a ledger write (its "relay.hold_client" event).
bool heldClient(const Monitor::SessionRegistry &registry)
{
    for (const Monitor::SessionInfo &info : registry.sessions())
        for (const Monitor::SessionEvent &event : registry.recentEvents(info.id))
            if (event.type == u"relay.hold_client")
                return true;
    return false;
}

qint64 charged(RealtimeRig &rig)
{
    const auto open = Store::ReservationRepository(rig.temp.db()).openReservations();
    return open.isEmpty() ? -1 : open.first().charged;
}

} // namespace

class TestRealtimeLedgerLock final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The 101 waits for the session's hold, off the relay thread: /healthz answers meanwhile. A client still there
    // gets its session once the hold is durable; one that left meanwhile has the hold refunded once it lands, and
    // nothing reaches the upstream.
    void upgradeWaitsForTheHold_data()
    {
        QTest::addColumn<bool>("clientLeaves");
        QTest::newRow("client stays") << false;
        QTest::newRow("client leaves") << true;
    }
    void upgradeWaitsForTheHold()
    {
        QFETCH(bool, clientLeaves);
        // A client that leaves just after the hold landed is past the decision: its upgrade never completes, and
        // the admission is refunded when it expires (as a handshake that never completes).
        RealtimeRig::Options options;
        options.relay.upgradeTimeout = std::chrono::milliseconds(300);
        RealtimeRig rig(options);
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        HeldLock lock(rig.temp.db(), {QStringLiteral("BEGIN IMMEDIATE")}); // a console's write
        QVERIFY(lock.isLocked());
        RtClient client;
        client.open(rig.port(), QStringLiteral("gpt-realtime"), rig.plainKey);
        QVERIFY(spin([&] { return rig.relay->admittingCount() == 1; })); // its hold waits for the lock
        RawClient health;
        QVERIFY(health.connectTo(rig.port()));
        health.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(health.waitFor("HTTP/1.1 200"));
        QVERIFY(client.socket.state() != QAbstractSocket::ConnectedState); // no 101 before the hold
        QCOMPARE(rig.relay->sessionCount(), 0);
        if (clientLeaves)
            client.socket.abort();
        lock.release();

        if (!clientLeaves) {
            QVERIFY(client.waitOpen());
            QCOMPARE(rig.openReservations(), 1);
            client.socket.close();
            QVERIFY(rig.waitFinished());
            QCOMPARE(rig.openReservations(), 0);
            QCOMPARE(rig.initialBalance - rig.balance(), rig.loggedQuota());
            return;
        }
        // The hold landed (admission over) and was given back: at once, or when the admission expired.
        QVERIFY(spin([&] { return rig.relay->admittingCount() == 0 && rig.openReservations() == 0; }));
        QCOMPARE(rig.balance(), rig.initialBalance);
        QCOMPARE(rig.logs().size(), 0);
        QCOMPARE(rig.relay->sessionCount(), 0);
        QVERIFY(rig.demo.handshakes().isEmpty()); // nothing reached the upstream
    }

    void chargeWaitsForTheLockAndTheRelayGoesOn()
    {
        RealtimeRig rig;
        Script script;
        script.audioMs = 1000;
        QVERIFY2(rig.init(script), qPrintable(rig.error()));
        RtClient client;
        client.open(rig.port(), QStringLiteral("gpt-realtime"), rig.plainKey);
        QVERIFY(client.waitOpen());

        HeldLock lock(rig.temp.db(), {QStringLiteral("BEGIN IMMEDIATE")}); // a console's write
        QVERIFY(lock.isLocked());
        client.send(textItem(QStringLiteral("Hello")));
        client.send(rtEvent(QStringLiteral("response.create")));
        QVERIFY(client.waitFor(QStringLiteral("response.done"))); // answered; its charge now waits for the lock
        // The client asks for more while the charge waits: held by the relay, not sent upstream.
        client.send(rtEvent(QStringLiteral("response.create")));
        QVERIFY(spin([&] { return heldClient(rig.registry); }));
        // The relay thread is free meanwhile.
        RawClient health;
        QVERIFY(health.connectTo(rig.port()));
        health.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(health.waitFor("HTTP/1.1 200"));
        QCOMPARE(countOf(rig.demo.receivedTypes(), QStringLiteral("response.create")), 1);
        QCOMPARE(charged(rig), 0); // nothing durable yet

        lock.release();
        // The held response.create goes upstream once the charge is durable: when it arrives there, it is.
        qint64 chargedWhenForwarded = -1;
        QVERIFY(spin([&] {
            if (countOf(rig.demo.receivedTypes(), QStringLiteral("response.create")) < 2)
                return false;
            chargedWhenForwarded = charged(rig);
            return true;
        }));
        QVERIFY(chargedWhenForwarded > 0);
        QVERIFY(client.waitFor(QStringLiteral("response.done"), 2));
        QVERIFY(client.all(QStringLiteral("error")).isEmpty());

        client.socket.close();
        QVERIFY(rig.waitFinished());
        QCOMPARE(rig.endReasons.first(), QStringLiteral("client_closed"));
        // Debits == logs, and the log is what the client was answered.
        QCOMPARE(rig.logs().size(), 1);
        QCOMPARE(rig.loggedQuota(), roundTenths(client.usageTenths()));
        QCOMPARE(rig.initialBalance - rig.balance(), rig.loggedQuota());
        QCOMPARE(rig.openReservations(), 0);
    }

    void refusedChargeDropsTheHeldEvents()
    {
        // Room for one worst-case response and 10 quota more: after the first answer the hold cannot be restored.
        RealtimeRig::Options options;
        options.userQuota = 4096 * 32 + 10;
        RealtimeRig rig(options);
        Script script;
        script.audioMs = 1000;
        QVERIFY2(rig.init(script), qPrintable(rig.error()));
        RtClient client;
        client.open(rig.port(), QStringLiteral("gpt-realtime"), rig.plainKey);
        QVERIFY(client.waitOpen());

        HeldLock lock(rig.temp.db(), {QStringLiteral("BEGIN IMMEDIATE")}); // a console's write
        QVERIFY(lock.isLocked());
        client.send(textItem(QStringLiteral("Hello")));
        client.send(rtEvent(QStringLiteral("response.create")));
        QVERIFY(client.waitFor(QStringLiteral("response.done")));
        client.send(textItem(QStringLiteral("More")));
        client.send(rtEvent(QStringLiteral("response.create")));
        QVERIFY(spin([&] { return heldClient(rig.registry); }));
        lock.release();

        QVERIFY(spin([&] { return client.closed; }));
        QCOMPARE(int(client.socket.closeCode()), 1008);
        const QList<QJsonObject> errors = client.all(QStringLiteral("error"));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.first().value(u"error").toObject().value(u"code").toString(), QStringLiteral("insufficient_quota"));
        QVERIFY(rig.waitFinished());
        QCOMPARE(rig.endReasons.first(), QStringLiteral("insufficient_quota"));
        // The held events never reached the upstream: one item, one response.create.
        QCOMPARE(countOf(rig.demo.receivedTypes(), QStringLiteral("response.create")), 1);
        QCOMPARE(countOf(rig.demo.receivedTypes(), QStringLiteral("conversation.item.create")), 1);
        QCOMPARE(rig.logs().size(), 1);
        QCOMPARE(rig.loggedQuota(), roundTenths(client.usageTenths()));
        QCOMPARE(rig.initialBalance - rig.balance(), rig.loggedQuota());
        QCOMPARE(rig.openReservations(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRealtimeLedgerLock)
#include "tst_realtimeledgerlock.moc"
