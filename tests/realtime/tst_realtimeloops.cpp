// Sessions on the relay's event loops (RealtimeRelayConfig::loops): spread over the loops by load, each metered and
// settled exactly once however many share a loop; a relay closed with sessions on its loops ends them (1001) and
// settles each before it is gone; loops = 0 keeps every session on the server thread.
#include "http/relayloops.h"
#include "realtimerig.h"

#include <QtTest>

using namespace RelayDeskTest;
using namespace RelayDesk;

namespace {

int loopLoad(const Relay::RealtimeRelay &relay)
{
    int load = 0;
    if (const Relay::RelayLoops *loops = relay.loops())
        for (int i = 0; i < loops->count(); ++i)
            load += loops->load(i);
    return load;
}

// Opens `n` clients and runs one text turn on each, all at once.
bool openAndTalk(RealtimeRig &rig, std::vector<std::unique_ptr<RtClient>> &clients, int n)
{
    for (int i = 0; i < n; ++i) {
        clients.push_back(std::make_unique<RtClient>());
        clients.back()->open(rig.port(), QStringLiteral("gpt-realtime"), rig.plainKey);
    }
    for (auto &client : clients)
        if (!client->waitOpen())
            return false;
    for (int i = 0; i < n; ++i) {
        clients[i]->send(textItem(QStringLiteral("Hello from client %1").arg(i)));
        clients[i]->send(rtEvent(QStringLiteral("response.create")));
    }
    for (auto &client : clients)
        if (!client->waitFor(QStringLiteral("response.done")))
            return false;
    return true;
}

} // namespace

class TestRealtimeLoops final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        // An object left behind on the server thread when its session moved (a timer, a socket) says so like this.
        QTest::failOnWarning(QRegularExpression(QStringLiteral("another thread|Cannot queue|different thread")));
    }

    void sessionsOnLoopsAreMeteredAndSettledOnce_data()
    {
        QTest::addColumn<int>("loops");
        QTest::addColumn<int>("sessions");
        QTest::newRow("one loop, one session") << 1 << 1;
        QTest::newRow("two loops, five sessions") << 2 << 5;
        QTest::newRow("no loops, three sessions") << 0 << 3;
    }
    void sessionsOnLoopsAreMeteredAndSettledOnce()
    {
        QFETCH(int, loops);
        QFETCH(int, sessions);
        RealtimeRig::Options options;
        options.relay.loops = loops;
        RealtimeRig rig(options);
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        QCOMPARE(rig.relay->loops() ? rig.relay->loops()->count() : 0, loops);

        std::vector<std::unique_ptr<RtClient>> clients;
        QVERIFY(openAndTalk(rig, clients, sessions));
        // Every session moved to a loop (none with loops = 0), spread by load: no loop has two more than another.
        QCOMPARE(loopLoad(*rig.relay), loops > 0 ? sessions : 0);
        if (loops == 2)
            QVERIFY(std::abs(rig.relay->loops()->load(0) - rig.relay->loops()->load(1)) <= 1);

        qint64 expected = 0;
        for (auto &client : clients) {
            expected += roundTenths(client->usageTenths());
            client->socket.close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("bye"));
        }
        QVERIFY(rig.waitFinished(sessions));
        QVERIFY(spin([&] { return rig.relay->sessionCount() == 0; }));
        QCOMPARE(loopLoad(*rig.relay), 0); // released as each finished
        QCOMPARE(rig.endReasons.size(), sessions);
        for (const QString &reason : std::as_const(rig.endReasons))
            QCOMPARE(reason, QStringLiteral("client_closed"));

        // One consume row per session, each exactly what its response.done reported; nothing held any more.
        const QList<Store::LogRecord> rows = rig.logs();
        QCOMPARE(rows.size(), sessions);
        qint64 logged = 0;
        for (const Store::LogRecord &row : rows) {
            QCOMPARE(row.type, Store::LogType::Consume);
            QCOMPARE(row.other.value(u"response_count").toInt(), 1);
            logged += row.quota;
        }
        QVERIFY(expected > 0);
        QCOMPARE(logged, expected);
        QCOMPARE(rig.initialBalance - rig.balance(), expected);
        QCOMPARE(rig.openReservations(), 0);
        // The live view closed each session with its charge.
        QVERIFY(spin([&] {
            const auto all = rig.registry.sessions();
            qint64 charged = 0;
            for (const auto &info : all)
                if (info.isLive())
                    return false;
                else
                    charged += info.chargedQuota;
            return all.size() == sessions && charged == expected;
        }));
    }

    void closingTheRelaySettlesSessionsOnLoops()
    {
        RealtimeRig::Options options;
        options.relay.loops = 2;
        RealtimeRig rig(options);
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        constexpr int Sessions = 4;
        std::vector<std::unique_ptr<RtClient>> clients;
        QVERIFY(openAndTalk(rig, clients, Sessions));
        QCOMPARE(loopLoad(*rig.relay), Sessions);
        // Typed after the last response: billed from the meter at the settlement.
        for (auto &client : clients)
            client->send(textItem(QStringLiteral("one more thing")));
        QVERIFY(spin([&] { return rig.demo.receivedTypes().size() == Sessions * 3; }));

        // Gone at once, as when the server thread stops: shutdown, then the sessions deleted on their loops.
        rig.relay.reset();
        QCOMPARE(rig.openReservations(), 0);
        const QList<Store::LogRecord> rows = rig.logs();
        QCOMPARE(rows.size(), Sessions);
        qint64 logged = 0;
        for (const Store::LogRecord &row : rows) {
            QCOMPARE(row.other.value(u"end_reason").toString(), QStringLiteral("shutdown"));
            QVERIFY(row.other.value(u"after_last_response").toObject().value(u"text_input").toInt() > 0);
            logged += row.quota;
        }
        QCOMPARE(rig.initialBalance - rig.balance(), logged);
        for (auto &client : clients) {
            QVERIFY(spin([&] { return client->closed; }));
            QCOMPARE(int(client->socket.closeCode()), int(QWebSocketProtocol::CloseCodeGoingAway));
        }
    }
};

QTEST_GUILESS_MAIN(TestRealtimeLoops)
#include "tst_realtimeloops.moc"
