// The Realtime relay end to end: real QWebSocket client → HttpServer + RealtimeRelay → demo Realtime upstream on
// loopback, real SQLite ledger. Every scenario checks the charge against the usage the client actually saw, the
// single consume log row, the balances and the ledger invariant (Σ consume-log quota == initial − final balance,
// no open reservation).
#include "realtimerig.h"

#include "../relay/rawhttpclient.h"

#include <QtTest>

using namespace RelayDesk;
using namespace RelayDeskTest;
using Script = Relay::DemoRealtimeScript;

class TestRealtimeRelay : public QObject
{
    Q_OBJECT

private:
    static QJsonObject textOnlySession(Script::Dialect dialect)
    {
        QJsonObject session;
        if (dialect == Script::Dialect::Ga) {
            session.insert(QStringLiteral("type"), QStringLiteral("realtime"));
            session.insert(QStringLiteral("output_modalities"), QJsonArray{QStringLiteral("text")});
        } else {
            session.insert(QStringLiteral("modalities"), QJsonArray{QStringLiteral("text")});
        }
        session.insert(QStringLiteral("instructions"), QStringLiteral("Be brief and kind."));
        return {{QStringLiteral("type"), QStringLiteral("session.update")}, {QStringLiteral("session"), session}};
    }

    // The ledger invariant and the single session log row; returns that row.
    static Store::LogRecord checkSettled(RealtimeRig &rig, qint64 expectedQuota)
    {
        const QList<Store::LogRecord> rows = rig.logs();
        [&] { QCOMPARE(rows.size(), 1); }();
        if (rows.size() != 1)
            return {};
        const Store::LogRecord row = rows.first();
        [&] {
            QCOMPARE(row.quota, expectedQuota);
            QCOMPARE(row.type, Store::LogType::Consume);
            QVERIFY(row.isStream);
            QCOMPARE(row.other.value(u"ws").toBool(), true);
            QCOMPARE(row.priceSnapshotId, qint64(7));
            QCOMPARE(rig.initialBalance - rig.balance(), rig.loggedQuota());
            QCOMPARE(rig.openReservations(), 0);
            QVERIFY(rig.balance() >= 0);
        }();
        return row;
    }

private Q_SLOTS:
    void textTurnIsRelayedAndCharged_data()
    {
        QTest::addColumn<int>("dialect");
        QTest::newRow("ga") << int(Script::Dialect::Ga);
        QTest::newRow("beta") << int(Script::Dialect::Beta);
    }
    void textTurnIsRelayedAndCharged()
    {
        QFETCH(int, dialect);
        Script script;
        script.dialect = Script::Dialect(dialect);
        RealtimeRig rig;
        QVERIFY2(rig.init(script), qPrintable(rig.error()));

        RtClient client;
        client.open(rig.port(), QStringLiteral("gpt-realtime"), rig.plainKey);
        QVERIFY(client.waitOpen());
        client.send(textOnlySession(script.dialect));
        client.send(textItem(QStringLiteral("Say hello to the relay please")));
        client.send(rtEvent(QStringLiteral("response.create")));
        QVERIFY(client.waitFor(QStringLiteral("response.done")));
        QCOMPARE(client.count(QStringLiteral("session.created")), 1);
        const QString textDelta = script.dialect == Script::Dialect::Ga ? QStringLiteral("response.output_text.delta")
                                                                        : QStringLiteral("response.text.delta");
        QVERIFY(client.count(textDelta) > 0);
        // The upstream saw exactly the client's events, in order.
        QCOMPARE(rig.demo.receivedTypes(), (QStringList{QStringLiteral("session.update"), QStringLiteral("conversation.item.create"),
                                                        QStringLiteral("response.create")}));

        // Charged as soon as response.done passed, before the session ended.
        const qint64 expected = roundTenths(client.usageTenths());
        QVERIFY(expected > 0);
        QCOMPARE(rig.initialBalance - rig.balance() - (rig.relay->sessionCount() ? 0 : 0) >= expected, true);

        client.socket.close(QWebSocketProtocol::CloseCodeNormal, QStringLiteral("bye"));
        QVERIFY(rig.waitFinished());
        QCOMPARE(rig.endReasons.first(), QStringLiteral("client_closed"));
        QVERIFY(spin([&] { return rig.demo.closedConnections() == 1; }));
        QCOMPARE(rig.demo.lastCloseCode(), 1000);
        QCOMPARE(rig.demo.lastCloseReason(), QStringLiteral("bye"));

        const Store::LogRecord row = checkSettled(rig, expected);
        QCOMPARE(row.other.value(u"end_reason").toString(), QStringLiteral("client_closed"));
        QCOMPARE(row.other.value(u"responses").toArray().size(), 1);
        QCOMPARE(row.other.value(u"response_count").toInt(), 1);
        QCOMPARE(row.model, QStringLiteral("gpt-realtime"));
        QCOMPARE(row.channelId, rig.channelId);
        QVERIFY(row.other.contains(u"audio_completion_ratio"));
        QVERIFY(row.other.value(u"reservation_id").toInteger() > 0);

        // The registry saw a Realtime session that ended with its usage and charge.
        const auto sessions = rig.registry.sessions();
        QCOMPARE(sessions.size(), 1);
        QCOMPARE(sessions.first().kind, Monitor::SessionKind::Realtime);
        QCOMPARE(sessions.first().state, Monitor::SessionState::Ended);
        QCOMPARE(sessions.first().chargedQuota, expected);
        QVERIFY(!rig.registry.recentEvents(sessions.first().id).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRealtimeRelay)
#include "tst_realtimerelay.moc"
