// Realtime transcription sessions (issue 14, part 2), end to end: real QWebSocket client → HttpServer + RealtimeRelay →
// the demo Realtime upstream, real SQLite ledger. `?intent=transcription` (GA session.update type "transcription",
// beta transcription_session.update) and a conversation that switches to transcription: each `completed` item is
// billed from its usage — tokens at the transcription model's token prices, duration at its MinutePrice — or, without
// usage, from the committed audio; the test prices every item itself. A model the key may not use is refused before
// the upstream sees it; quota running out mid-session closes with an error event and 1008, never below zero.
#include "realtimerig.h"

#include <QtTest>

#include <cmath>

using namespace RelayDesk;
using namespace RelayDeskTest;
using Relay::DemoRealtimeScript;
using Relay::RealtimeTranscription;

namespace {

const QString kCompleted = QStringLiteral("conversation.item.input_audio_transcription.completed");
const QString kDelta = QStringLiteral("conversation.item.input_audio_transcription.delta");

// Thousandths of quota per token (text in, audio in, text out) and per millisecond of audio (MinutePrice), from the
// list prices (500 000 quota = $1): $2.50/$6/$10 per 1M → 1.25/3/5 quota per token; $0.006 a minute → 0.05 per ms.
struct MilliPrices
{
    qint64 textIn = 0, audioIn = 0, textOut = 0, perMs = 0;
};

MilliPrices milliPrices(const QString &model)
{
    if (model == u"gpt-4o-transcribe")
        return {1250, 3000, 5000, 0};
    if (model == u"gpt-4o-mini-transcribe")
        return {625, 1500, 2500, 0};
    if (model == u"whisper-1")
        return {0, 0, 0, 50};
    return {};
}

// One completed item in thousandths of quota: its usage, or (none) the committed audio and the transcript — the
// default text counter's (UTF-8 bytes + 3) / 4 tokens.
qint64 milliOf(const QJsonObject &completed, const MilliPrices &p, qint64 committedMs)
{
    const QJsonObject usage = completed.value(u"usage").toObject();
    if (usage.value(u"type").toString() == u"duration")
        return qint64(std::ceil(usage.value(u"seconds").toDouble() * 1000)) * p.perMs;
    if (usage.value(u"type").toString() == u"tokens") {
        const QJsonObject details = usage.value(u"input_token_details").toObject();
        return details.value(u"audio_tokens").toInteger() * p.audioIn + details.value(u"text_tokens").toInteger() * p.textIn
            + usage.value(u"output_tokens").toInteger() * p.textOut;
    }
    const qint64 transcriptTokens = (completed.value(u"transcript").toString().toUtf8().size() + 3) / 4;
    return committedMs / 100 * p.audioIn + transcriptTokens * p.textOut + committedMs * p.perMs;
}

QJsonObject gaTranscriptionUpdate(const QString &model)
{
    QJsonObject input{{QStringLiteral("format"), QJsonObject{{QStringLiteral("type"), QStringLiteral("audio/pcm")},
                                                             {QStringLiteral("rate"), 24000}}}};
    if (!model.isEmpty())
        input.insert(QStringLiteral("transcription"), QJsonObject{{QStringLiteral("model"), model}});
    return {{QStringLiteral("type"), QStringLiteral("session.update")},
            {QStringLiteral("session"), QJsonObject{{QStringLiteral("type"), QStringLiteral("transcription")},
                                                    {QStringLiteral("audio"), QJsonObject{{QStringLiteral("input"), input}}}}}};
}

QJsonObject betaTranscriptionUpdate(const QString &model)
{
    return {{QStringLiteral("type"), QStringLiteral("transcription_session.update")},
            {QStringLiteral("session"), QJsonObject{{QStringLiteral("input_audio_format"), QStringLiteral("pcm16")},
                                                    {QStringLiteral("input_audio_transcription"),
                                                     QJsonObject{{QStringLiteral("model"), model}}}}}};
}

QJsonObject commit() { return rtEvent(QStringLiteral("input_audio_buffer.commit")); }

std::optional<Monitor::SessionInfo> lastSession(const Monitor::SessionRegistry &registry)
{
    const QList<Monitor::SessionInfo> sessions = registry.sessions();
    if (sessions.isEmpty())
        return std::nullopt;
    return sessions.last();
}

// gpt-4o-transcribe's first hold: 30 s of audio (300 tokens at 3) and its held transcript (300 tokens at 5).
constexpr qint64 kFirstHold = 300 * 3 + 300 * 5;

} // namespace

class TestRealtimeTranscription : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void billedPerCompletedItem_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<bool>("beta");
        QTest::addColumn<QString>("model");     // named in the session update (empty: none)
        QTest::addColumn<QString>("priced");    // the model the session is priced by
        QTest::addColumn<bool>("usage");
        QTest::addColumn<QString>("shape");     // of the completed events' usage ("" none)
        QTest::newRow("GA intent, tokens (gpt-4o-transcribe)")
            << "intent=transcription" << false << "gpt-4o-transcribe" << "gpt-4o-transcribe" << true << "tokens";
        QTest::newRow("beta intent, tokens (gpt-4o-mini-transcribe)")
            << "intent=transcription" << true << "gpt-4o-mini-transcribe" << "gpt-4o-mini-transcribe" << true << "tokens";
        QTest::newRow("GA intent, duration (whisper-1)")
            << "intent=transcription" << false << "whisper-1" << "whisper-1" << true << "duration";
        QTest::newRow("GA intent, no model named: the default")
            << "intent=transcription" << false << "" << "gpt-4o-transcribe" << true << "tokens";
        QTest::newRow("no usage: the committed audio (gpt-4o-transcribe)")
            << "intent=transcription" << false << "gpt-4o-transcribe" << "gpt-4o-transcribe" << false << "";
        QTest::newRow("no usage: the committed audio by the minute (whisper-1)")
            << "intent=transcription" << false << "whisper-1" << "whisper-1" << false << "";
        QTest::newRow("conversation switched to transcription")
            << "model=gpt-realtime" << false << "gpt-4o-mini-transcribe" << "gpt-4o-mini-transcribe" << true << "tokens";
    }

    void billedPerCompletedItem()
    {
        QFETCH(QString, query);
        QFETCH(bool, beta);
        QFETCH(QString, model);
        QFETCH(QString, priced);
        QFETCH(bool, usage);
        QFETCH(QString, shape);
        RealtimeRig rig;
        DemoRealtimeScript script;
        script.dialect = beta ? DemoRealtimeScript::Dialect::Beta : DemoRealtimeScript::Dialect::Ga;
        script.usage = usage;
        QVERIFY2(rig.init(script), qPrintable(rig.error()));

        RtClient client;
        client.openQuery(rig.port(), query, rig.plainKey);
        QVERIFY(client.waitOpen());
        QVERIFY(spin([&] { return lastSession(rig.registry).has_value(); }));
        const auto session = lastSession(rig.registry);
        QCOMPARE(session->kind, query.startsWith(u"intent") ? Monitor::SessionKind::Transcription
                                                            : Monitor::SessionKind::Realtime);
        client.send(beta ? betaTranscriptionUpdate(model) : gaTranscriptionUpdate(model));
        QVERIFY(client.waitFor(beta ? QStringLiteral("transcription_session.updated") : QStringLiteral("session.updated")));

        const QList<int> chunksMs{2000, 3500, 1250};
        for (int i = 0; i < chunksMs.size(); ++i) {
            for (int sent = 0; sent < chunksMs[i]; sent += 250)
                client.send(audioAppend(std::min(250, chunksMs[i] - sent)));
            client.send(commit());
            QVERIFY(client.waitFor(kCompleted, i + 1));
        }
        QVERIFY(client.count(kDelta) >= 3 * int(chunksMs.size()));
        QCOMPARE(client.count(QStringLiteral("response.done")), 0);
        const QList<QJsonObject> completed = client.all(kCompleted);
        qint64 milli = 0;
        for (int i = 0; i < completed.size(); ++i) {
            QCOMPARE(completed[i].value(u"usage").toObject().value(u"type").toString(), shape);
            milli += milliOf(completed[i], milliPrices(priced), chunksMs[i]);
        }
        QVERIFY(milli > 0);
        // The live view shows what the session is.
        QCOMPARE(lastSession(rig.registry)->kind, Monitor::SessionKind::Transcription);
        QCOMPARE(lastSession(rig.registry)->model, priced);

        client.socket.close();
        QVERIFY(rig.waitFinished());
        const QList<Store::LogRecord> rows = rig.logs();
        QCOMPARE(rows.size(), 1);
        const Store::LogRecord row = rows.first();
        QCOMPARE(row.quota, (milli + 500) / 1000);
        QCOMPARE(row.model, priced);
        QCOMPARE(row.other.value(u"session_type").toString(), QStringLiteral("transcription"));
        const QJsonObject transcription = row.other.value(u"transcription").toObject();
        QCOMPARE(transcription.value(u"count").toInt(), int(chunksMs.size()));
        QCOMPARE(transcription.value(u"estimated").toInt(), usage ? 0 : int(chunksMs.size()));
        // Each charge landed once; the session settled once.
        QCOMPARE(rig.initialBalance - rig.balance(), rig.loggedQuota());
        QCOMPARE(rig.initialBalance - rig.balance(), row.quota);
        QCOMPARE(rig.openReservations(), 0);
        QVERIFY(!rig.demo.receivedTypes().contains(QStringLiteral("response.create")));
    }

    void modelTheKeyMayNotUseIsRefused_data()
    {
        QTest::addColumn<QString>("query");
        QTest::newRow("transcription session") << "intent=transcription";
        QTest::newRow("conversation switching to transcription") << "model=gpt-realtime";
    }

    void modelTheKeyMayNotUseIsRefused()
    {
        QFETCH(QString, query);
        RealtimeRig::Options options;
        options.modelLimits = {QStringLiteral("gpt-realtime"), QStringLiteral("gpt-4o-transcribe")};
        RealtimeRig rig(options);
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        RtClient client;
        client.openQuery(rig.port(), query, rig.plainKey);
        QVERIFY(client.waitOpen());
        QVERIFY(client.waitFor(QStringLiteral("session.created")));
        client.send(gaTranscriptionUpdate(QStringLiteral("whisper-1")));
        QVERIFY(spin([&] { return client.closed; }));
        QCOMPARE(int(client.socket.closeCode()), int(QWebSocketProtocol::CloseCodePolicyViolated));
        const QList<QJsonObject> errors = client.all(QStringLiteral("error"));
        QCOMPARE(errors.size(), 1);
        QVERIFY(errors.first().value(u"error").toObject().value(u"message").toString().contains(u"whisper-1"));
        QVERIFY(rig.waitFinished());
        QCOMPARE(rig.endReasons.first(), QStringLiteral("model_not_allowed"));
        // The upstream never saw the update naming the refused model; nothing was billed.
        QVERIFY(!rig.demo.receivedTypes().contains(QStringLiteral("session.update")));
        QCOMPARE(rig.balance(), rig.initialBalance);
        QCOMPARE(rig.loggedQuota(), 0);
        QCOMPARE(rig.openReservations(), 0);
    }

    void quotaRunsOutMidSession_data()
    {
        QTest::addColumn<qint64>("quota");
        QTest::addColumn<int>("chunkMs");  // audio per commit
        // The hold must grow to a second window before 31 s of audio is committed: refused.
        QTest::newRow("appended audio beyond the hold") << kFirstHold + 100 << 31'000;
        // Each 5 s item is charged and the hold restored after it, until the balance cannot restore it.
        QTest::newRow("charges use up the balance") << kFirstHold + 400 << 5'000;
    }

    void quotaRunsOutMidSession()
    {
        QFETCH(qint64, quota);
        QFETCH(int, chunkMs);
        RealtimeRig::Options options;
        options.userQuota = quota;
        RealtimeRig rig(options);
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        RtClient client;
        client.openQuery(rig.port(), QStringLiteral("intent=transcription"), rig.plainKey);
        QVERIFY(client.waitOpen());
        QVERIFY(client.waitFor(QStringLiteral("session.created")));
        for (int round = 0; round < 20 && !client.closed; ++round) {
            for (int sent = 0; sent < chunkMs && !client.closed; sent += 500)
                client.send(audioAppend(500));
            client.send(commit());
            spin([&] { return client.count(kCompleted) > round || client.closed; });
        }
        QVERIFY(spin([&] { return client.closed; }));
        QCOMPARE(int(client.socket.closeCode()), int(QWebSocketProtocol::CloseCodePolicyViolated));
        const QList<QJsonObject> errors = client.all(QStringLiteral("error"));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.first().value(u"error").toObject().value(u"code").toString(), QStringLiteral("insufficient_quota"));
        QVERIFY(rig.waitFinished());
        QCOMPARE(rig.endReasons.first(), QStringLiteral("insufficient_quota"));
        QVERIFY(rig.balance() >= 0);
        QCOMPARE(rig.initialBalance - rig.balance(), rig.loggedQuota());
        QCOMPARE(rig.openReservations(), 0);
        const qint64 completed = client.count(kCompleted);
        if (chunkMs > RealtimeTranscription::kHoldWindowMs) {
            QCOMPARE(completed, 0); // refused before the audio was committed: nothing transcribed, nothing billed
            QCOMPARE(rig.loggedQuota(), 0);
        } else {
            QVERIFY(completed >= 2);
            qint64 milli = 0;
            for (const QJsonObject &item : client.all(kCompleted))
                milli += milliOf(item, milliPrices(QStringLiteral("gpt-4o-transcribe")), chunkMs);
            QCOMPARE(rig.loggedQuota(), (milli + 500) / 1000);
        }
    }
};

QTEST_GUILESS_MAIN(TestRealtimeTranscription)
#include "tst_realtimetranscription.moc"
