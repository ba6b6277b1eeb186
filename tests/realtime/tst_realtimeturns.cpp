// The per-turn record of a Realtime session (issue 14, part 4), end to end: real QWebSocket client → HttpServer +
// RealtimeRelay → the demo Realtime upstream, real SQLite ledger. Each `response.done` becomes one turn of the live
// session in the SessionRegistry: its tokens are the upstream's usage for that response, its quota the step of the
// session's charge it caused — so the turns add up to what the ledger was charged — and an answering turn has a
// latency, to the first audio delta (or the first text delta when it produced no audio). A transcription session's
// completed items are its turns.
#include "realtimerig.h"

#include <QtTest>

using namespace RelayDesk;
using namespace RelayDeskTest;
using Script = Relay::DemoRealtimeScript;
using Turn = Monitor::SessionTurn;

namespace {

std::optional<Monitor::SessionInfo> lastSession(const Monitor::SessionRegistry &registry)
{
    const QList<Monitor::SessionInfo> sessions = registry.sessions();
    if (sessions.isEmpty())
        return std::nullopt;
    return sessions.last();
}

QJsonObject textOnlySession(Script::Dialect dialect)
{
    QJsonObject session;
    if (dialect == Script::Dialect::Ga) {
        session.insert(QStringLiteral("type"), QStringLiteral("realtime"));
        session.insert(QStringLiteral("output_modalities"), QJsonArray{QStringLiteral("text")});
    } else {
        session.insert(QStringLiteral("modalities"), QJsonArray{QStringLiteral("text")});
    }
    return {{QStringLiteral("type"), QStringLiteral("session.update")}, {QStringLiteral("session"), session}};
}

qint64 at(const QJsonObject &object, QStringView path)
{
    QJsonValue value = object;
    for (const QStringView key : path.split(u'.'))
        value = value.toObject().value(key);
    return value.toInteger(-1);
}

} // namespace

class TestRealtimeTurns : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eachResponseIsATurn_data()
    {
        QTest::addColumn<int>("dialect");
        QTest::addColumn<bool>("audio");
        QTest::addColumn<qint64>("cachedText");
        QTest::addColumn<qint64>("cachedAudio");
        QTest::newRow("GA, audio") << int(Script::Dialect::Ga) << true << qint64(0) << qint64(0);
        QTest::newRow("beta, audio, cached") << int(Script::Dialect::Beta) << true << qint64(2) << qint64(5);
        QTest::newRow("GA, text only, cached") << int(Script::Dialect::Ga) << false << qint64(3) << qint64(0);
    }

    void eachResponseIsATurn()
    {
        QFETCH(int, dialect);
        QFETCH(bool, audio);
        QFETCH(qint64, cachedText);
        QFETCH(qint64, cachedAudio);
        Script script;
        script.dialect = Script::Dialect(dialect);
        script.cachedTextTokens = cachedText;
        script.cachedAudioTokens = cachedAudio;
        RealtimeRig rig;
        QVERIFY2(rig.init(script), qPrintable(rig.error()));

        RtClient client;
        client.open(rig.port(), QStringLiteral("gpt-realtime"), rig.plainKey);
        QVERIFY(client.waitOpen());
        if (!audio)
            client.send(textOnlySession(script.dialect));
        constexpr int kResponses = 3;
        for (int i = 0; i < kResponses; ++i) {
            client.send(textItem(QStringLiteral("Tell me about turn number %1").arg(i + 1)));
            for (int ms = 0; ms < 600; ms += 100)
                client.send(audioAppend(100));
            client.send(rtEvent(QStringLiteral("input_audio_buffer.commit")));
            client.send(rtEvent(QStringLiteral("response.create")));
            QVERIFY(client.waitFor(QStringLiteral("response.done"), i + 1));
        }
        // Live: the turns are there while the session runs.
        QVERIFY(spin([&] { return lastSession(rig.registry)->turnCount == kResponses; }));
        const quint64 id = lastSession(rig.registry)->id;

        client.socket.close();
        QVERIFY(rig.waitFinished());
        const QList<Turn> turns = rig.registry.turns(id);
        QCOMPARE(turns.size(), kResponses);
        const QList<QJsonObject> done = client.all(QStringLiteral("response.done"));
        QCOMPARE(done.size(), kResponses);

        qint64 quotaSum = 0;
        for (int i = 0; i < kResponses; ++i) {
            const Turn &turn = turns[i];
            const QJsonObject response = done[i].value(u"response").toObject();
            const QJsonObject usage = response.value(u"usage").toObject();
            QCOMPARE(turn.number, qint64(i + 1));
            QCOMPARE(turn.kind, Turn::Kind::Response);
            QCOMPARE(turn.id, response.value(u"id").toString());
            QCOMPARE(turn.status, QStringLiteral("completed"));
            QVERIFY(!turn.estimated);
            QCOMPARE(turn.usage.inputText, at(usage, u"input_token_details.text_tokens"));
            QCOMPARE(turn.usage.inputAudio, at(usage, u"input_token_details.audio_tokens"));
            QCOMPARE(turn.usage.inputImage, at(usage, u"input_token_details.image_tokens"));
            QCOMPARE(turn.usage.cachedText, at(usage, u"input_token_details.cached_tokens_details.text_tokens"));
            QCOMPARE(turn.usage.cachedAudio, at(usage, u"input_token_details.cached_tokens_details.audio_tokens"));
            QCOMPARE(turn.usage.outputText, at(usage, u"output_token_details.text_tokens"));
            QCOMPARE(turn.usage.outputAudio, at(usage, u"output_token_details.audio_tokens"));
            QCOMPARE(turn.usage.outputAudio > 0, audio);
            QCOMPARE(turn.cachedTokens(), at(usage, u"input_token_details.cached_tokens"));
            // Each turn costs what its usage costs, to within the rounding the cumulative charge carries over.
            QVERIFY(turn.quota > 0);
            QVERIFY(qAbs(turn.quota * 10 - tenthsOf(usage)) <= 10);
            quotaSum += turn.quota;
            QVERIFY(turn.startedAt.isValid());
            QCOMPARE(turn.latencyTo, audio ? Turn::LatencyTo::Audio : Turn::LatencyTo::Text);
            QVERIFY(turn.latencyMs >= 0);
            if (i > 0)
                QVERIFY(turns[i - 1].startedAt <= turn.startedAt);
        }
        QVERIFY(turns.last().cachedShare() > 0 || (cachedText == 0 && cachedAudio == 0));

        // The turns add up to the session's ledger charge: its one log row and the user's debit.
        const QList<Store::LogRecord> rows = rig.logs();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(quotaSum, rows.first().quota);
        QCOMPARE(quotaSum, roundTenths(client.usageTenths()));
        QCOMPARE(rig.initialBalance - rig.balance(), quotaSum);
        QCOMPARE(lastSession(rig.registry)->chargedQuota, quotaSum);
        QCOMPARE(lastSession(rig.registry)->turnsDropped, qint64(0));
    }

    void transcriptionItemsAreTurns()
    {
        RealtimeRig rig;
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        RtClient client;
        client.openQuery(rig.port(), QStringLiteral("intent=transcription"), rig.plainKey);
        QVERIFY(client.waitOpen());
        const QString completed = QStringLiteral("conversation.item.input_audio_transcription.completed");
        for (int i = 0; i < 2; ++i) {
            for (int ms = 0; ms < 1000 * (i + 1); ms += 250)
                client.send(audioAppend(250));
            client.send(rtEvent(QStringLiteral("input_audio_buffer.commit")));
            QVERIFY(client.waitFor(completed, i + 1));
        }
        QVERIFY(spin([&] { return lastSession(rig.registry)->turnCount == 2; }));
        const quint64 id = lastSession(rig.registry)->id;
        client.socket.close();
        QVERIFY(rig.waitFinished());

        const QList<Turn> turns = rig.registry.turns(id);
        const QList<QJsonObject> items = client.all(completed);
        QCOMPARE(turns.size(), 2);
        qint64 quotaSum = 0;
        for (int i = 0; i < turns.size(); ++i) {
            QCOMPARE(turns[i].kind, Turn::Kind::Transcription);
            QCOMPARE(turns[i].id, items[i].value(u"item_id").toString());
            QCOMPARE(turns[i].usage.inputAudio, at(items[i], u"usage.input_token_details.audio_tokens"));
            QCOMPARE(turns[i].usage.outputText, at(items[i], u"usage.output_tokens"));
            QCOMPARE(turns[i].latencyTo, Turn::LatencyTo::None);
            QVERIFY(turns[i].quota > 0);
            quotaSum += turns[i].quota;
        }
        QVERIFY(turns[1].usage.inputAudio > turns[0].usage.inputAudio); // twice the audio
        QCOMPARE(quotaSum, rig.logs().value(0).quota);
        QCOMPARE(rig.initialBalance - rig.balance(), quotaSum);
    }
};

QTEST_GUILESS_MAIN(TestRealtimeTurns)
#include "tst_realtimeturns.moc"
