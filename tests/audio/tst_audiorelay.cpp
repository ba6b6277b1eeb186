// Transcriptions, translations and speech through the relay end to end: a client on a real loopback socket →
// Runtime (relay thread) → the demo upstream (its own thread) → back. Every call is checked against the database:
// the hold is the price book applied to what the request asks for (the file's duration, the characters, the
// longest speech), the log row's quota is the price book applied to the usage the upstream reported (tokens or
// seconds) or to the local count (the file's duration, the returned audio's), the reservation settles once, a
// refused request reserves nothing, and at the end the sum of consume logs equals what the balances lost.
#include "meteredrelay.h"

#include "billing/quotamath.h"
#include "demo/demomedia.h"
#include "relay/chat/chatrelaytokens.h"
#include "tokenize/audiotokens.h"
#include "tokenize/mediaduration.h"

#include <QtCore/QJsonDocument>
#include <QtTest/QtTest>

using namespace RelayDesk;
using Reply = RelayDeskTest::RelayReply;
using RelayDeskTest::FormField;

namespace {

const QString kWhisper = QStringLiteral("whisper-1");
const QString kTranscribe = QStringLiteral("gpt-4o-transcribe");
const QString kMiniTranscribe = QStringLiteral("gpt-4o-mini-transcribe");
const QString kMiniTts = QStringLiteral("gpt-4o-mini-tts");
const QString kTts = QStringLiteral("tts-1");
const QString kTtsHd = QStringLiteral("tts-1-hd");
const QString kMappedWhisper = QStringLiteral("house-whisper"); // mapped to whisper-1 by the channel

QByteArray wavOf(qint64 ms)
{
    return Relay::DemoMedia::wav(Relay::DemoMedia::tone(ms));
}

qint64 tokens(const QString &text, const QString &model)
{
    return Relay::ChatRelayTokens::countText(text, model);
}

} // namespace

class TestAudioRelay : public QObject
{
    Q_OBJECT

private:
    RelayDeskTest::MeteredRelay m_relay;

    Billing::Units audioUnits(qint64 ms)
    {
        Billing::Units u;
        u.audioMs = ms;
        return u;
    }

    qint64 transcriptionHold(const QString &model, qint64 ms, qint64 promptTokens)
    {
        const qint64 held = std::max<qint64>(64, (ms * 600 + 59'999) / 60'000);
        const qint64 audio = Tokenize::audioTokensForMilliseconds(ms, Tokenize::AudioDirection::Input);
        return Billing::QuotaMath::reserve(m_relay.pricing(model), promptTokens + audio, held, 4096, 1, audioUnits(ms)).quota;
    }

private slots:
    void initTestCase()
    {
        RelayDeskTest::MeteredRelay::Setup setup;
        setup.user = QStringLiteral("audio");
        setup.models = {kWhisper, kTranscribe, kMiniTranscribe, kMiniTts, kTts, kTtsHd, kMappedWhisper};
        setup.modelMapping = QJsonObject{{kMappedWhisper, kWhisper}};
        // the 413 case without a 25 MB upload
        setup.configure = [](Service::RuntimeConfig &config) { config.relay.maxUploadBytes = 2 * 1024 * 1024; };
        QVERIFY(m_relay.start(this, setup));
        // The request's model is what is priced: twice whisper-1's.
        QVERIFY(m_relay.addPrices(QStringLiteral("MinutePrice"), QJsonObject{{kMappedWhisper, 0.012}}));
    }

    void cleanupTestCase() { m_relay.stop(); }

    void defaultPricesAreListPrices()
    {
        // whisper-1 $0.006 a minute; tts-1 $15 and tts-1-hd $30 per 1M characters.
        QCOMPARE(Billing::QuotaMath::toUsd(Billing::QuotaMath::settle(m_relay.pricing(kWhisper), {}, {}, audioUnits(60'000)).quota),
                 0.006);
        Billing::Units chars;
        chars.characters = 1'000'000;
        QCOMPARE(Billing::QuotaMath::toUsd(Billing::QuotaMath::settle(m_relay.pricing(kTts), {}, {}, chars).quota), 15.0);
        QCOMPARE(Billing::QuotaMath::toUsd(Billing::QuotaMath::settle(m_relay.pricing(kTtsHd), {}, {}, chars).quota), 30.0);
        // gpt-4o-transcribe: $6 per 1M audio-in tokens, $10 per 1M text-out tokens.
        Billing::Usage audioIn;
        audioIn.inputAudio = 1'000'000;
        QCOMPARE(Billing::QuotaMath::toUsd(Billing::QuotaMath::settle(m_relay.pricing(kTranscribe), audioIn).quota), 6.0);
        Billing::Usage textOut;
        textOut.outputText = 1'000'000;
        QCOMPARE(Billing::QuotaMath::toUsd(Billing::QuotaMath::settle(m_relay.pricing(kTranscribe), textOut).quota), 10.0);
        // gpt-4o-mini-tts: $12 per 1M audio-out tokens.
        Billing::Usage audioOut;
        audioOut.outputAudio = 1'000'000;
        QCOMPARE(Billing::QuotaMath::toUsd(Billing::QuotaMath::settle(m_relay.pricing(kMiniTts), audioOut).quota), 12.0);
    }

    void transcriptions_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("format");   // response_format ("" = json)
        QTest::addColumn<QString>("prompt");
        QTest::addColumn<bool>("stream");
        QTest::addColumn<qint64>("ms");        // the file's duration
        QTest::addColumn<QString>("billing");  // tokens | seconds | local
        QTest::newRow("4o json tokens") << kTranscribe << QString() << QString() << false << qint64(3200) << "tokens";
        QTest::newRow("4o json with prompt") << kTranscribe << QString() << QStringLiteral("Names: Qt, RelayDesk.")
                                             << false << qint64(2100) << "tokens";
        QTest::newRow("mini stream") << kMiniTranscribe << QString() << QString() << true << qint64(4000) << "tokens";
        QTest::newRow("4o text format") << kTranscribe << QStringLiteral("text") << QString() << false << qint64(1500)
                                        << "local";
        QTest::newRow("4o no usage") << kTranscribe << QString() << QStringLiteral("[[scenario:no_usage]]") << false
                                     << qint64(2500) << "local";
        QTest::newRow("4o stream no usage") << kTranscribe << QString() << QStringLiteral("[[scenario:no_usage]]")
                                            << true << qint64(2500) << "local";
        QTest::newRow("whisper json seconds") << kWhisper << QString() << QString() << false << qint64(8470) << "seconds";
        QTest::newRow("whisper verbose_json") << kWhisper << QStringLiteral("verbose_json") << QString() << false
                                              << qint64(1200) << "seconds";
        QTest::newRow("whisper srt") << kWhisper << QStringLiteral("srt") << QString() << false << qint64(5000) << "local";
        QTest::newRow("whisper vtt") << kWhisper << QStringLiteral("vtt") << QString() << false << qint64(700) << "local";
        // A 41 s file: under the 2 MB upload limit set for this test (41 s of 24 kHz 16-bit mono is 1.97 MB).
        QTest::newRow("whisper text") << kWhisper << QStringLiteral("text") << QString() << false << qint64(41'000)
                                      << "local";
    }
    void transcriptions()
    {
        QFETCH(QString, model);
        QFETCH(QString, format);
        QFETCH(QString, prompt);
        QFETCH(bool, stream);
        QFETCH(qint64, ms);
        QFETCH(QString, billing);
        const qint64 before = m_relay.balance();
        QList<FormField> fields{{"file", wavOf(ms), "speech.wav", "audio/wav"}, {"model", model.toUtf8()}};
        if (!format.isEmpty())
            fields.append(FormField{"response_format", format.toUtf8()});
        if (!prompt.isEmpty())
            fields.append(FormField{"prompt", prompt.toUtf8()});
        if (stream)
            fields.append(FormField{"stream", "true"});
        const Reply reply = m_relay.postForm("/v1/audio/transcriptions", fields);
        QCOMPARE(reply.http.status, 200);
        const qint64 promptTokens = tokens(prompt, model);
        const Store::LogRecord log = m_relay.settledLog(QStringLiteral("/v1/audio/transcriptions"),
                                                transcriptionHold(model, ms, promptTokens));
        QCOMPARE(log.other.value(QStringLiteral("units")).toObject().value(QStringLiteral("audio_seconds")).toDouble(),
                 billing == QLatin1StringView("seconds") ? double((ms + 999) / 1000) : double(ms) / 1000.0);

        QString text;
        QJsonValue usage;
        if (stream) {
            QVERIFY(reply.http.header("Content-Type").startsWith("text/event-stream"));
            QVERIFY(!reply.events.isEmpty());
            const QJsonObject done = reply.events.last().second;
            QCOMPARE(done.value(QStringLiteral("type")).toString(), QStringLiteral("transcript.text.done"));
            text = done.value(QStringLiteral("text")).toString();
            usage = done.value(QStringLiteral("usage"));
            QVERIFY(reply.events.size() > 1); // the deltas came through too
        } else if (format.isEmpty() || format == QLatin1StringView("verbose_json")) {
            text = reply.json().value(QStringLiteral("text")).toString();
            usage = reply.json().value(QStringLiteral("usage"));
        } else {
            QVERIFY(!reply.http.header("Content-Type").startsWith("application/json"));
            text = QString::fromUtf8(reply.http.body);
        }
        QVERIFY(!text.isEmpty());

        const Billing::ModelPricing p = m_relay.pricing(model);
        qint64 expected = 0;
        if (billing == QLatin1StringView("tokens")) {
            QVERIFY(usage.isObject());
            const QJsonObject u = usage.toObject();
            Billing::Usage b;
            b.inputAudio = u.value(QStringLiteral("input_token_details")).toObject().value(QStringLiteral("audio_tokens")).toInteger();
            b.inputText = u.value(QStringLiteral("input_tokens")).toInteger() - b.inputAudio;
            b.outputText = u.value(QStringLiteral("output_tokens")).toInteger();
            QVERIFY(b.inputAudio > 0);
            QCOMPARE(b.inputAudio, Tokenize::audioTokensForMilliseconds(ms, Tokenize::AudioDirection::Input));
            expected = Billing::QuotaMath::settle(p, b, {}, audioUnits(ms)).quota;
            QCOMPARE(log.completionTokens, b.outputText);
        } else if (billing == QLatin1StringView("seconds")) {
            QCOMPARE(usage.toObject().value(QStringLiteral("type")).toString(), QStringLiteral("duration"));
            const qint64 seconds = usage.toObject().value(QStringLiteral("seconds")).toInteger();
            QCOMPARE(seconds, (ms + 999) / 1000);
            expected = Billing::QuotaMath::settle(p, {}, {}, audioUnits(seconds * 1000)).quota;
        } else {
            Billing::Usage b;
            b.inputText = promptTokens;
            b.inputAudio = Tokenize::audioTokensForMilliseconds(ms, Tokenize::AudioDirection::Input);
            b.outputText = tokens(text, model);
            expected = Billing::QuotaMath::settle(p, b, {}, audioUnits(ms)).quota;
            QCOMPARE(log.content, QStringLiteral("usage counted locally"));
        }
        QVERIFY(expected > 0);
        QCOMPARE(log.quota, expected);
        QCOMPARE(before - m_relay.balance(), expected);
    }

    void translationsBillTheFile()
    {
        const qint64 before = m_relay.balance();
        const qint64 ms = 4321;
        const Reply reply = m_relay.postForm("/v1/audio/translations",
                                     {{"file", wavOf(ms), "fr.wav", "audio/wav"}, {"model", kWhisper.toUtf8()}});
        QCOMPARE(reply.http.status, 200);
        QVERIFY(!reply.json().value(QStringLiteral("text")).toString().isEmpty());
        const Store::LogRecord log = m_relay.settledLog(QStringLiteral("/v1/audio/translations"), transcriptionHold(kWhisper, ms, 0));
        const qint64 expected = Billing::QuotaMath::settle(m_relay.pricing(kWhisper), {}, {}, audioUnits(ms)).quota;
        QCOMPARE(log.quota, expected);
        QCOMPARE(before - m_relay.balance(), expected);
    }

    void mappedModelIsPricedAsAsked()
    {
        const qint64 before = m_relay.balance();
        const Reply reply = m_relay.postForm("/v1/audio/transcriptions", {{"file", wavOf(3000), "a.wav", "audio/wav"},
                                                                   {"model", kMappedWhisper.toUtf8()}});
        QCOMPARE(reply.http.status, 200);
        const Store::LogRecord log = m_relay.settledLog(QStringLiteral("/v1/audio/transcriptions"),
                                                transcriptionHold(kMappedWhisper, 3000, 0));
        QCOMPARE(log.model, kMappedWhisper);
        QCOMPARE(log.upstreamModel, kWhisper); // the upstream answered for whisper-1: the model field was replaced
        QCOMPARE(reply.json().value(QStringLiteral("usage")).toObject().value(QStringLiteral("type")).toString(),
                 QStringLiteral("duration"));
        const qint64 expected = Billing::QuotaMath::settle(m_relay.pricing(kMappedWhisper), {}, {}, audioUnits(3000)).quota;
        QCOMPARE(log.quota, expected);
        QCOMPARE(before - m_relay.balance(), expected);
    }

    void hostileUsageIsNotBelieved()
    {
        // bad_usage: negative counts → counted locally on the file.
        const qint64 before = m_relay.balance();
        const Reply reply = m_relay.postForm("/v1/audio/transcriptions", {{"file", wavOf(2000), "a.wav", "audio/wav"},
                                                                   {"model", kTranscribe.toUtf8()},
                                                                   {"prompt", "[[scenario:bad_usage]]"}});
        QCOMPARE(reply.http.status, 200);
        const Store::LogRecord log = m_relay.settledLog(QStringLiteral("/v1/audio/transcriptions"),
                                                transcriptionHold(kTranscribe, 2000, tokens("[[scenario:bad_usage]]", kTranscribe)));
        QVERIFY(log.other.contains(QStringLiteral("upstream_usage_rejected")));
        QCOMPARE(before - m_relay.balance(), log.quota);
        QVERIFY(log.quota > 0);
    }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("contentType"); // "" = a form built from the fields
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QList<FormField>>("fields");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("param");
        const QByteArray wav = wavOf(1000);
        QTest::newRow("json body") << QByteArray("/v1/audio/transcriptions") << QByteArray("application/json")
                                   << QByteArray(R"({"model":"whisper-1"})") << QList<FormField>{} << 400 << QString();
        QTest::newRow("no file") << QByteArray("/v1/audio/transcriptions") << QByteArray() << QByteArray()
                                 << QList<FormField>{{"model", "whisper-1"}} << 400 << QStringLiteral("file");
        QTest::newRow("no model") << QByteArray("/v1/audio/transcriptions") << QByteArray() << QByteArray()
                                  << QList<FormField>{{"file", wav, "a.wav", "audio/wav"}} << 400 << QStringLiteral("model");
        QTest::newRow("not audio") << QByteArray("/v1/audio/transcriptions") << QByteArray() << QByteArray()
                                   << QList<FormField>{{"file", "just some text, not audio", "a.mp3", "audio/mpeg"},
                                                       {"model", "whisper-1"}}
                                   << 400 << QStringLiteral("file");
        QTest::newRow("over the limit") << QByteArray("/v1/audio/translations") << QByteArray() << QByteArray()
                                        << QList<FormField>{{"file", QByteArray(3 * 1024 * 1024, 'x'), "a.wav", "audio/wav"},
                                                            {"model", "whisper-1"}}
                                        << 413 << QStringLiteral("file");
        QTest::newRow("bad framing") << QByteArray("/v1/audio/transcriptions")
                                     << QByteArray("multipart/form-data; boundary=zzz")
                                     << QByteArray("--zzz\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1")
                                     << QList<FormField>{} << 400 << QString();
        QTest::newRow("speech no input") << QByteArray("/v1/audio/speech") << QByteArray("application/json")
                                         << QByteArray(R"({"model":"tts-1","voice":"alloy"})") << QList<FormField>{}
                                         << 400 << QStringLiteral("input");
        QTest::newRow("speech too long") << QByteArray("/v1/audio/speech") << QByteArray("application/json")
                                         << QJsonDocument(QJsonObject{{QStringLiteral("model"), kTts},
                                                                      {QStringLiteral("voice"), QStringLiteral("alloy")},
                                                                      {QStringLiteral("input"), QString(4097, u'a')}})
                                                .toJson(QJsonDocument::Compact)
                                         << QList<FormField>{} << 400 << QStringLiteral("input");
        QTest::newRow("speech bad format") << QByteArray("/v1/audio/speech") << QByteArray("application/json")
                                           << QByteArray(R"({"model":"tts-1","voice":"alloy","input":"hi","response_format":"ogg"})")
                                           << QList<FormField>{} << 400 << QStringLiteral("response_format");
        QTest::newRow("speech speed") << QByteArray("/v1/audio/speech") << QByteArray("application/json")
                                      << QByteArray(R"({"model":"tts-1","voice":"alloy","input":"hi","speed":9})")
                                      << QList<FormField>{} << 400 << QStringLiteral("speed");
        QTest::newRow("speech no voice") << QByteArray("/v1/audio/speech") << QByteArray("application/json")
                                         << QByteArray(R"({"model":"tts-1","input":"hi"})") << QList<FormField>{} << 400
                                         << QStringLiteral("voice");
    }
    void refusals()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(QList<FormField>, fields);
        QFETCH(int, status);
        QFETCH(QString, param);
        const qint64 before = m_relay.balance();
        const qint64 held = m_relay.reservations();
        Reply reply;
        if (contentType.isEmpty())
            reply = m_relay.postForm(path, fields, false);
        else
            reply = m_relay.send(path, body, contentType, false);
        QCOMPARE(reply.http.status, status);
        const QJsonObject error = reply.json().value(QStringLiteral("error")).toObject();
        QVERIFY(!error.value(QStringLiteral("message")).toString().isEmpty());
        if (!param.isEmpty())
            QCOMPARE(error.value(QStringLiteral("param")).toString(), param);
        QCOMPARE(m_relay.reservations(), held); // nothing was reserved
        QCOMPARE(m_relay.balance(), before);
    }

    // A client that goes away mid-upload never reaches the relay's handler: nothing is held, nothing charged,
    // and the next upload on a new connection is served.
    void disconnectMidUploadHoldsNothing()
    {
        const qint64 before = m_relay.balance();
        const qint64 held = m_relay.reservations();
        const auto form = RelayDeskTest::formBody({{"file", wavOf(20'000), "a.wav", "audio/wav"}, {"model", "whisper-1"}});
        RelayDeskTest::RawClient client;
        QVERIFY(client.connectTo(m_relay.runtime().port()));
        const QByteArray request = RelayDeskTest::httpRequest("POST", "/v1/audio/transcriptions", form.body,
                                                              m_relay.key(), form.contentType);
        client.send(request.left(request.size() / 2));
        client.close();
        const Reply next = m_relay.postForm("/v1/audio/transcriptions",
                                            {{"file", wavOf(1000), "b.wav", "audio/wav"}, {"model", "whisper-1"}});
        QCOMPARE(next.http.status, 200);
        const Store::LogRecord log = m_relay.settledLog(QStringLiteral("/v1/audio/transcriptions"));
        QCOMPARE(m_relay.reservations(), held + 1); // only the second upload's
        QCOMPARE(before - m_relay.balance(), log.quota);
    }

    void speech_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("input");
        QTest::addColumn<double>("speed");
        QTest::addColumn<bool>("sse");
        const QString hello = QStringLiteral("Hello from the relay. Every character is counted.");
        QTest::newRow("tts-1 mp3") << kTts << QStringLiteral("mp3") << hello << 1.0 << false;
        QTest::newRow("tts-1-hd wav") << kTtsHd << QStringLiteral("wav") << hello << 1.0 << false;
        QTest::newRow("tts-1 unicode") << kTts << QStringLiteral("flac") << QStringLiteral("你好，世界 😀") << 1.0 << false;
        QTest::newRow("mini-tts mp3") << kMiniTts << QStringLiteral("mp3") << hello << 1.0 << false;
        QTest::newRow("mini-tts pcm fast") << kMiniTts << QStringLiteral("pcm") << hello << 2.0 << false;
        QTest::newRow("mini-tts opus slow") << kMiniTts << QStringLiteral("opus") << hello << 0.5 << false;
        QTest::newRow("mini-tts sse") << kMiniTts << QStringLiteral("mp3") << hello << 1.0 << true;
    }
    void speech()
    {
        QFETCH(QString, model);
        QFETCH(QString, format);
        QFETCH(QString, input);
        QFETCH(double, speed);
        QFETCH(bool, sse);
        const qint64 before = m_relay.balance();
        QJsonObject body{{QStringLiteral("model"), model}, {QStringLiteral("input"), input},
                         {QStringLiteral("voice"), QStringLiteral("alloy")}, {QStringLiteral("response_format"), format},
                         {QStringLiteral("speed"), speed}};
        if (sse)
            body.insert(QStringLiteral("stream_format"), QStringLiteral("sse"));
        const Reply reply = m_relay.postJson("/v1/audio/speech", body);
        QCOMPARE(reply.http.status, 200);
        const qint64 characters = input.toUcs4().size();
        const qint64 textTokens = tokens(input, model);
        Billing::Units units;
        units.characters = characters;
        const qint64 heldAudio = qint64(std::ceil(double(characters * 3) / speed)) + 100;
        const qint64 hold = Billing::QuotaMath::reserve(m_relay.pricing(model), textTokens, heldAudio, 4096, 1, units, true).quota;
        const Store::LogRecord log = m_relay.settledLog(QStringLiteral("/v1/audio/speech"), hold);

        Billing::Usage b;
        if (sse) {
            QVERIFY(reply.http.header("Content-Type").startsWith("text/event-stream"));
            const QJsonObject done = reply.events.last().second;
            QCOMPARE(done.value(QStringLiteral("type")).toString(), QStringLiteral("speech.audio.done"));
            const QJsonObject u = done.value(QStringLiteral("usage")).toObject();
            b.inputText = u.value(QStringLiteral("input_tokens")).toInteger();
            b.outputAudio = u.value(QStringLiteral("output_tokens")).toInteger();
        } else {
            QVERIFY(reply.http.header("Content-Type").startsWith("audio/"));
            const QByteArray audio = reply.http.body;
            QVERIFY(audio.size() > 1000);
            const qint64 ms = format == QLatin1StringView("pcm")
                                  ? audio.size() * 1000 / 48000
                                  : Tokenize::MediaDuration::probe(audio).value_or(Tokenize::MediaInfo{}).milliseconds;
            QVERIFY(ms > 0);
            b.inputText = textTokens;
            b.outputAudio = Tokenize::audioTokensForMilliseconds(ms, Tokenize::AudioDirection::Output);
            QCOMPARE(log.other.value(QStringLiteral("audio_bytes")).toInteger(), audio.size());
        }
        const qint64 expected = Billing::QuotaMath::settle(m_relay.pricing(model), b, {}, units).quota;
        QVERIFY(expected > 0);
        QCOMPARE(log.quota, expected);
        QCOMPARE(log.other.value(QStringLiteral("units")).toObject().value(QStringLiteral("characters")).toInteger(),
                 characters);
        QCOMPARE(before - m_relay.balance(), expected);
    }

    void speechCutMidwayIsCutForTheClientAndBilledForWhatCame()
    {
        const qint64 before = m_relay.balance();
        const QJsonObject body{{QStringLiteral("model"), kMiniTts},
                               {QStringLiteral("input"), QString(QStringLiteral("A long speech [[scenario:reset]] ") + QString(600, u'a'))},
                               {QStringLiteral("voice"), QStringLiteral("alloy")},
                               {QStringLiteral("response_format"), QStringLiteral("wav")}};
        const Reply reply = m_relay.postJson("/v1/audio/speech", body);
        const Relay::CallResult result = m_relay.results().last();
        QVERIFY(result.settled);
        QCOMPARE(result.endReason, QStringLiteral("upstream_error"));
        const auto log = RelayDeskTest::logFor(m_relay.db(), result.requestId);
        QVERIFY(log);
        QCOMPARE(before - m_relay.balance(), log->quota);
        // What the client got is what was billed: the delivered bytes, not the whole speech.
        QVERIFY(log->other.value(QStringLiteral("audio_bytes")).toInteger() < 600 * 60 * 48);
        QVERIFY(reply.http.body.size() <= log->other.value(QStringLiteral("audio_bytes")).toInteger());
    }

    void logsEqualDebits() { m_relay.checkLogsEqualDebits(); }
};

QTEST_GUILESS_MAIN(TestAudioRelay)
#include "tst_audiorelay.moc"
