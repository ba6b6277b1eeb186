// The demo upstream's audio endpoints (core/demo/demoaudio.h, demospeech.h) over loopback: transcriptions and
// translations per model × response_format × scenario (shapes, content types, usage by the documented rules,
// SSE framing), their refusals, and speech in every format whose bytes decode to the stated duration.
#include "demo/demoaudio.h"
#include "demo/demomedia.h"
#include "demo/demospeech.h"
#include "demo/demoupstream.h"
#include "relay/chat/chatrelaytokens.h"
#include "tokenize/audiotokens.h"

#include "demohttp.h"

#include <QtCore/QJsonArray>
#include <QtTest/QTest>

using namespace RelayDesk::Relay;
using RelayDesk::Tokenize::AudioDirection;
using RelayDesk::Tokenize::audioTokensForMilliseconds;

namespace {

const QByteArray kKey = "sk-demo-audio";

QByteArray wavOf(qint64 ms)
{
    return DemoMedia::wav(DemoMedia::tone(ms));
}

// Tolerance of an encoded file's duration: encoder priming and the last frame's padding (≤ one frame + priming).
constexpr qint64 kEncodedToleranceMs = 120;

} // namespace

class TestDemoAudio : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void transcription_data();
    void transcription();
    void transcriptionStream_data();
    void transcriptionStream();
    void whisperIgnoresStream();
    void translation_data();
    void translation();
    void refusals_data();
    void refusals();
    void resetAndHang_data();
    void resetAndHang();
    void speech_data();
    void speech();
    void speechSse_data();
    void speechSse();
    void speechRefusals_data();
    void speechRefusals();
    void speechReset_data();
    void speechReset();

private:
    QString url(const char *path) const { return m_demo->baseUrl() + QLatin1StringView(path); }
    DemoHttp::Result transcribe(const char *path, const QString &model, const QByteArray &file,
                                const QList<DemoHttp::Field> &extra = {}, const QByteArray &scenario = {},
                                const QByteArray &key = kKey, int timeoutMs = 20'000);

    std::unique_ptr<DemoUpstream> m_demo;
    QNetworkAccessManager m_nam;
};

void TestDemoAudio::initTestCase()
{
    DemoUpstreamOptions options;
    options.chunkDelayMs = 1;
    options.firstChunkDelayMs = 1;
    options.requiredKey = kKey;
    m_demo = std::make_unique<DemoUpstream>(options);
    QVERIFY2(m_demo->start(), qPrintable(m_demo->errorString()));
}

void TestDemoAudio::cleanupTestCase()
{
    m_demo.reset();
}

DemoHttp::Result TestDemoAudio::transcribe(const char *path, const QString &model, const QByteArray &file,
                                           const QList<DemoHttp::Field> &extra, const QByteArray &scenario,
                                           const QByteArray &key, int timeoutMs)
{
    QList<DemoHttp::Field> fields;
    if (!file.isNull())
        fields.append({QStringLiteral("file"), file, QStringLiteral("audio.bin"), "application/octet-stream"});
    if (!model.isEmpty())
        fields.append({QStringLiteral("model"), model.toUtf8(), {}, {}});
    fields += extra;
    return DemoHttp::postForm(m_nam, url(path), fields, key, scenario, timeoutMs);
}

// --- transcriptions --------------------------------------------------------------------------------------

void TestDemoAudio::transcription_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("format");     // response_format ("" = default json)
    QTest::addColumn<QString>("fileFormat"); // wav or an encoder's format
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("prompt");
    QTest::addColumn<QByteArray>("scenario");

    QTest::newRow("4o json wav") << "gpt-4o-transcribe" << "" << "wav" << qint64(2500) << "" << QByteArray();
    QTest::newRow("4o json prompt") << "gpt-4o-transcribe" << "json" << "wav" << qint64(1234) << "Speak of cats." << QByteArray();
    QTest::newRow("4o-mini json") << "gpt-4o-mini-transcribe" << "json" << "wav" << qint64(999) << "" << QByteArray();
    QTest::newRow("4o json mp3") << "gpt-4o-transcribe" << "json" << "mp3" << qint64(3000) << "" << QByteArray();
    QTest::newRow("4o json flac") << "gpt-4o-transcribe" << "json" << "flac" << qint64(1500) << "" << QByteArray();
    QTest::newRow("4o text") << "gpt-4o-transcribe" << "text" << "wav" << qint64(2000) << "" << QByteArray();
    QTest::newRow("4o no_usage") << "gpt-4o-transcribe" << "json" << "wav" << qint64(2000) << "" << QByteArray("no_usage");
    QTest::newRow("4o bad_usage") << "gpt-4o-transcribe" << "json" << "wav" << qint64(2000) << "hi" << QByteArray("bad_usage");
    QTest::newRow("4o marker") << "gpt-4o-transcribe" << "json" << "wav" << qint64(2000)
                               << "[[scenario:no_usage]]" << QByteArray();
    QTest::newRow("whisper json 2.5 s") << "whisper-1" << "json" << "wav" << qint64(2500) << "" << QByteArray();
    QTest::newRow("whisper json 3 s") << "whisper-1" << "" << "wav" << qint64(3000) << "" << QByteArray();
    QTest::newRow("whisper json 0.1 s") << "whisper-1" << "json" << "wav" << qint64(100) << "" << QByteArray();
    QTest::newRow("whisper json ogg") << "whisper-1" << "json" << "opus" << qint64(2200) << "" << QByteArray();
    QTest::newRow("whisper verbose_json") << "whisper-1" << "verbose_json" << "wav" << qint64(4321) << "a prompt" << QByteArray();
    QTest::newRow("whisper text") << "whisper-1" << "text" << "wav" << qint64(1000) << "" << QByteArray();
    QTest::newRow("whisper srt") << "whisper-1" << "srt" << "wav" << qint64(6000) << "" << QByteArray();
    QTest::newRow("whisper vtt") << "whisper-1" << "vtt" << "wav" << qint64(6000) << "" << QByteArray();
    QTest::newRow("whisper no_usage") << "whisper-1" << "json" << "wav" << qint64(1000) << "" << QByteArray("no_usage");
    QTest::newRow("whisper bad_usage") << "whisper-1" << "verbose_json" << "wav" << qint64(1000) << "" << QByteArray("bad_usage");
    QTest::newRow("whisper model suffix") << "whisper-1+no_usage" << "json" << "wav" << qint64(1000) << "" << QByteArray();
}

void TestDemoAudio::transcription()
{
    QFETCH(QString, model);
    QFETCH(QString, format);
    QFETCH(QString, fileFormat);
    QFETCH(qint64, ms);
    QFETCH(QString, prompt);
    QFETCH(QByteArray, scenario);

    const auto encoded = DemoMedia::encode(DemoMedia::tone(ms), fileFormat);
    QVERIFY(encoded);
    const QByteArray file = *encoded;
    // The demo's duration of the file: exact for WAV, within an encoder frame of the tone otherwise.
    const auto probed = DemoMedia::probeMilliseconds(file);
    QVERIFY(probed);
    if (fileFormat == u"wav")
        QCOMPARE(*probed, ms);
    else
        QVERIFY2(std::abs(*probed - ms) <= kEncodedToleranceMs, qPrintable(QString::number(*probed)));

    QList<DemoHttp::Field> extra;
    if (!format.isEmpty())
        extra.append({QStringLiteral("response_format"), format.toUtf8(), {}, {}});
    if (!prompt.isEmpty())
        extra.append({QStringLiteral("prompt"), prompt.toUtf8(), {}, {}});
    const DemoHttp::Result r = transcribe("/v1/audio/transcriptions", model, file, extra, scenario);
    QCOMPARE(r.status, 200);

    const QString baseModel = model.section(QLatin1Char('+'), 0, 0);
    const QString text = DemoAudio::transcript(file.size(), *probed, prompt, false);
    QVERIFY(text.contains(QString::number(file.size())));
    if (format == u"text" || format == u"srt" || format == u"vtt") {
        QVERIFY(r.contentType.startsWith("text/plain"));
        if (format == u"text")
            QCOMPARE(QString::fromUtf8(r.body), text + QLatin1Char('\n'));
        if (format == u"srt") {
            QVERIFY(r.body.startsWith("1\n00:00:00,000 --> "));
            QVERIFY(r.body.contains(" --> 00:00:06,000\n"));
        }
        if (format == u"vtt") {
            QVERIFY(r.body.startsWith("WEBVTT\n\n00:00:00.000 --> "));
            QVERIFY(r.body.contains(" --> 00:00:06.000\n"));
        }
        QVERIFY(!r.body.contains("usage"));
        return;
    }
    QVERIFY(r.contentType.startsWith("application/json"));
    const QJsonObject o = r.json();
    QCOMPARE(o.value(u"text").toString(), text);
    const bool noUsage = scenario == "no_usage" || prompt.contains(u"no_usage") || model.endsWith(u"+no_usage");
    const qint64 sign = scenario == "bad_usage" ? -1 : 1;
    if (noUsage) {
        QVERIFY(!o.contains(u"usage"));
    } else if (baseModel == u"whisper-1") {
        const QJsonObject usage = o.value(u"usage").toObject();
        QCOMPARE(usage.value(u"type").toString(), u"duration");
        QCOMPARE(usage.value(u"seconds").toInteger(), sign * ((*probed + 999) / 1000)); // rounded up
    } else {
        const QJsonObject usage = o.value(u"usage").toObject();
        const qint64 audio = audioTokensForMilliseconds(*probed, AudioDirection::Input);
        QCOMPARE(audio, *probed / 100);
        const qint64 textTokens = ChatRelayTokens::countText(prompt, baseModel);
        const qint64 output = ChatRelayTokens::countText(text, baseModel);
        QCOMPARE(usage.value(u"type").toString(), u"tokens");
        QCOMPARE(usage.value(u"input_token_details").toObject().value(u"audio_tokens").toInteger(), sign * audio);
        QCOMPARE(usage.value(u"input_token_details").toObject().value(u"text_tokens").toInteger(), sign * textTokens);
        QCOMPARE(usage.value(u"input_tokens").toInteger(), sign * (audio + textTokens));
        QCOMPARE(usage.value(u"output_tokens").toInteger(), sign * output);
        QCOMPARE(usage.value(u"total_tokens").toInteger(), sign * (audio + textTokens + output));
        if (sign > 0)
            QVERIFY(output > 0 && audio > 0);
    }
    if (format == u"verbose_json") {
        QCOMPARE(o.value(u"task").toString(), u"transcribe");
        QCOMPARE(o.value(u"language").toString(), u"english");
        QCOMPARE(o.value(u"duration").toDouble(), double(*probed) / 1000.0);
        const QJsonArray segments = o.value(u"segments").toArray();
        QVERIFY(!segments.isEmpty());
        QCOMPARE(segments.first().toObject().value(u"start").toDouble(), 0.0);
        QCOMPARE(segments.last().toObject().value(u"end").toDouble(), double(*probed) / 1000.0);
        QString joined;
        for (const QJsonValue &s : segments)
            joined += s.toObject().value(u"text").toString();
        QCOMPARE(joined.trimmed(), text);
    }
}

void TestDemoAudio::transcriptionStream_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QByteArray>("scenario");
    QTest::addColumn<QString>("prompt");

    QTest::newRow("4o") << "gpt-4o-transcribe" << QByteArray() << "";
    QTest::newRow("4o-mini prompt") << "gpt-4o-mini-transcribe" << QByteArray() << "Talk about the weather.";
    QTest::newRow("no_usage") << "gpt-4o-transcribe" << QByteArray("no_usage") << "";
    QTest::newRow("bad_usage") << "gpt-4o-transcribe" << QByteArray("bad_usage") << "";
    QTest::newRow("slow") << "gpt-4o-mini-transcribe" << QByteArray("slow") << "";
}

void TestDemoAudio::transcriptionStream()
{
    QFETCH(QString, model);
    QFETCH(QByteArray, scenario);
    QFETCH(QString, prompt);

    const qint64 ms = 1800;
    const QByteArray file = wavOf(ms);
    QList<DemoHttp::Field> extra{{QStringLiteral("stream"), "true", {}, {}}};
    if (!prompt.isEmpty())
        extra.append({QStringLiteral("prompt"), prompt.toUtf8(), {}, {}});
    const DemoHttp::Result r = transcribe("/v1/audio/transcriptions", model, file, extra, scenario);
    QCOMPARE(r.status, 200);
    QVERIFY(r.contentType.startsWith("text/event-stream"));
    bool framingOk = false;
    const QList<DemoHttp::Event> events = DemoHttp::parseSse(r.body, &framingOk);
    QVERIFY(framingOk);
    QVERIFY(!r.body.contains("event:")); // OpenAI's transcription stream has data: lines only
    QVERIFY(events.size() >= 2);
    QString deltas;
    for (qsizetype i = 0; i + 1 < events.size(); ++i) {
        QCOMPARE(events.at(i).data.value(u"type").toString(), u"transcript.text.delta");
        deltas += events.at(i).data.value(u"delta").toString();
    }
    const QJsonObject done = events.last().data;
    QCOMPARE(done.value(u"type").toString(), u"transcript.text.done");
    const QString text = DemoAudio::transcript(file.size(), ms, prompt, false);
    QCOMPARE(done.value(u"text").toString(), text);
    QCOMPARE(deltas, text);
    if (scenario == "no_usage") {
        QVERIFY(!done.contains(u"usage"));
        return;
    }
    const qint64 sign = scenario == "bad_usage" ? -1 : 1;
    const QJsonObject usage = done.value(u"usage").toObject();
    const qint64 input = ms / 100 + ChatRelayTokens::countText(prompt, model);
    const qint64 output = ChatRelayTokens::countText(text, model);
    QCOMPARE(usage.value(u"type").toString(), u"tokens");
    QCOMPARE(usage.value(u"input_tokens").toInteger(), sign * input);
    QCOMPARE(usage.value(u"output_tokens").toInteger(), sign * output);
    QCOMPARE(usage.value(u"total_tokens").toInteger(), sign * (input + output));
}

// whisper-1 does not stream: OpenAI ignores `stream` for it and answers JSON.
void TestDemoAudio::whisperIgnoresStream()
{
    const QByteArray file = wavOf(1500);
    const DemoHttp::Result r = transcribe("/v1/audio/transcriptions", QStringLiteral("whisper-1"), file,
                                          {{QStringLiteral("stream"), "true", {}, {}}});
    QCOMPARE(r.status, 200);
    QVERIFY(r.contentType.startsWith("application/json"));
    QCOMPARE(r.json().value(u"usage").toObject().value(u"seconds").toInteger(), 2);
}

// --- translations ----------------------------------------------------------------------------------------

void TestDemoAudio::translation_data()
{
    QTest::addColumn<QString>("format");
    QTest::newRow("json") << "json";
    QTest::newRow("default") << "";
    QTest::newRow("verbose_json") << "verbose_json";
    QTest::newRow("text") << "text";
    QTest::newRow("srt") << "srt";
    QTest::newRow("vtt") << "vtt";
}

void TestDemoAudio::translation()
{
    QFETCH(QString, format);
    const qint64 ms = 2600;
    const QByteArray file = wavOf(ms);
    QList<DemoHttp::Field> extra;
    if (!format.isEmpty())
        extra.append({QStringLiteral("response_format"), format.toUtf8(), {}, {}});
    const DemoHttp::Result r = transcribe("/v1/audio/translations", QStringLiteral("whisper-1"), file, extra);
    QCOMPARE(r.status, 200);
    const QString text = DemoAudio::transcript(file.size(), ms, {}, true);
    QVERIFY(!r.body.contains("usage")); // OpenAI's translations report no usage
    if (format == u"text") {
        QCOMPARE(QString::fromUtf8(r.body), text + QLatin1Char('\n'));
    } else if (format == u"srt" || format == u"vtt") {
        QVERIFY(r.contentType.startsWith("text/plain"));
        QVERIFY(r.body.contains(format == u"srt" ? " --> 00:00:02,600\n" : " --> 00:00:02.600\n"));
    } else {
        const QJsonObject o = r.json();
        QCOMPARE(o.value(u"text").toString(), text);
        if (format == u"verbose_json") {
            QCOMPARE(o.value(u"task").toString(), u"translate");
            QCOMPARE(o.value(u"duration").toDouble(), 2.6);
        } else {
            QCOMPARE(o.keys(), QStringList{QStringLiteral("text")});
        }
    }
}

// --- refusals ---------------------------------------------------------------------------------------------

void TestDemoAudio::refusals_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QString>("format");
    QTest::addColumn<QByteArray>("scenario");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("param"); // "" = null
    QTest::addColumn<QString>("code");

    const QByteArray wav = wavOf(1000);
    const QByteArray t = "/v1/audio/transcriptions";
    QTest::newRow("no file") << t << "whisper-1" << QByteArray() << "" << QByteArray() << kKey << 400 << "file" << "missing_required_parameter";
    QTest::newRow("no model") << t << "" << wav << "" << QByteArray() << kKey << 400 << "model" << "missing_required_parameter";
    QTest::newRow("not audio") << t << "whisper-1" << QByteArray(4000, 'x') << "" << QByteArray() << kKey << 400 << "" << "";
    QTest::newRow("empty file") << t << "gpt-4o-transcribe" << QByteArray("") << "" << QByteArray() << kKey << 400 << "" << "";
    QTest::newRow("over 25 MiB") << t << "whisper-1" << QByteArray(25 * 1024 * 1024 + 1, 'x') << "" << QByteArray() << kKey
                                 << 413 << "" << "request_too_large";
    QTest::newRow("too short") << t << "whisper-1" << wavOf(50) << "" << QByteArray() << kKey << 400 << "file" << "audio_too_short";
    QTest::newRow("4o verbose_json") << t << "gpt-4o-transcribe" << wav << "verbose_json" << QByteArray() << kKey << 400
                                     << "response_format" << "unsupported_value";
    QTest::newRow("4o srt") << t << "gpt-4o-mini-transcribe" << wav << "srt" << QByteArray() << kKey << 400
                            << "response_format" << "unsupported_value";
    QTest::newRow("unknown format") << t << "whisper-1" << wav << "mp3" << QByteArray() << kKey << 400
                                    << "response_format" << "unsupported_value";
    QTest::newRow("wrong key") << t << "whisper-1" << wav << "" << QByteArray() << QByteArray("sk-wrong") << 401 << "" << "invalid_api_key";
    QTest::newRow("error_500") << t << "whisper-1" << wav << "" << QByteArray("error_500") << kKey << 500 << "" << "internal_error";
    QTest::newRow("error_429") << t << "gpt-4o-transcribe" << wav << "" << QByteArray("error_429") << kKey << 429 << "" << "rate_limit_exceeded";
    QTest::newRow("translation 4o") << QByteArray("/v1/audio/translations") << "gpt-4o-transcribe" << wav << ""
                                    << QByteArray() << kKey << 400 << "model" << "invalid_value";
}

void TestDemoAudio::refusals()
{
    QFETCH(QByteArray, path);
    QFETCH(QString, model);
    QFETCH(QByteArray, file);
    QFETCH(QString, format);
    QFETCH(QByteArray, scenario);
    QFETCH(QByteArray, key);
    QFETCH(int, status);
    QFETCH(QString, param);
    QFETCH(QString, code);

    QList<DemoHttp::Field> extra;
    if (!format.isEmpty())
        extra.append({QStringLiteral("response_format"), format.toUtf8(), {}, {}});
    const DemoHttp::Result r = transcribe(path.constData(), model, file, extra, scenario, key);
    QCOMPARE(r.status, status);
    const QJsonObject error = r.json().value(u"error").toObject();
    QVERIFY(!error.value(u"message").toString().isEmpty());
    if (status == 400)
        QCOMPARE(error.value(u"type").toString(), u"invalid_request_error");
    QCOMPARE(error.value(u"param").toString(), param);
    QCOMPARE(error.value(u"code").toString(), code);
}

void TestDemoAudio::resetAndHang_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<QByteArray>("scenario");
    QTest::newRow("stream reset") << "gpt-4o-transcribe" << true << QByteArray("reset");
    QTest::newRow("json reset") << "whisper-1" << false << QByteArray("reset");
    QTest::newRow("hang") << "whisper-1" << false << QByteArray("hang");
    QTest::newRow("stream hang") << "gpt-4o-transcribe" << true << QByteArray("hang");
}

void TestDemoAudio::resetAndHang()
{
    QFETCH(QString, model);
    QFETCH(bool, stream);
    QFETCH(QByteArray, scenario);

    QList<DemoHttp::Field> extra;
    if (stream)
        extra.append({QStringLiteral("stream"), "true", {}, {}});
    const bool hang = scenario == "hang";
    const DemoHttp::Result r = transcribe("/v1/audio/transcriptions", model, wavOf(1500), extra, scenario, kKey,
                                          hang ? 600 : 20'000);
    if (hang) {
        QVERIFY(r.timedOut);
        return;
    }
    QVERIFY(!r.timedOut);
    QVERIFY(r.error != QNetworkReply::NoError);
    if (stream) { // exactly the first event arrived before the reset
        const QList<DemoHttp::Event> events = DemoHttp::parseSse(r.body);
        QVERIFY(events.size() <= 1);
        QVERIFY(!r.body.contains("transcript.text.done"));
    }
}

// --- speech -----------------------------------------------------------------------------------------------

void TestDemoAudio::speech_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("format"); // "" = default mp3
    QTest::addColumn<double>("speed");
    QTest::addColumn<QByteArray>("contentType");

    QTest::newRow("tts-1 default") << "tts-1" << "" << 1.0 << QByteArray("audio/mpeg");
    QTest::newRow("tts-1 mp3 fast") << "tts-1" << "mp3" << 2.0 << QByteArray("audio/mpeg");
    QTest::newRow("tts-1-hd opus") << "tts-1-hd" << "opus" << 1.0 << QByteArray("audio/opus");
    QTest::newRow("mini-tts aac") << "gpt-4o-mini-tts" << "aac" << 1.0 << QByteArray("audio/aac");
    QTest::newRow("mini-tts flac slow") << "gpt-4o-mini-tts" << "flac" << 0.5 << QByteArray("audio/flac");
    QTest::newRow("tts-1 wav") << "tts-1" << "wav" << 1.0 << QByteArray("audio/wav");
    QTest::newRow("tts-1 wav 4x") << "tts-1" << "wav" << 4.0 << QByteArray("audio/wav");
    QTest::newRow("mini-tts pcm") << "gpt-4o-mini-tts" << "pcm" << 1.0 << QByteArray("audio/pcm");
    QTest::newRow("mini-tts pcm 0.25x") << "gpt-4o-mini-tts" << "pcm" << 0.25 << QByteArray("audio/pcm");
}

void TestDemoAudio::speech()
{
    QFETCH(QString, model);
    QFETCH(QString, format);
    QFETCH(double, speed);
    QFETCH(QByteArray, contentType);

    const QString input = QStringLiteral("The quick brown fox jumped over the lazy dog.");
    QJsonObject body{{QStringLiteral("model"), model}, {QStringLiteral("input"), input},
                     {QStringLiteral("voice"), QStringLiteral("alloy")}, {QStringLiteral("speed"), speed}};
    if (!format.isEmpty())
        body.insert(QStringLiteral("response_format"), format);
    const DemoHttp::Result r = DemoHttp::postJson(m_nam, url("/v1/audio/speech"), body, kKey);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.contentType, contentType);
    // The documented duration: (60 ms per character + 200 ms) / speed.
    const qint64 ms = std::llround(double(60 * input.size() + 200) / speed);
    QCOMPARE(DemoSpeech::speechMilliseconds(input, speed), ms);
    if (format == u"pcm") {
        QCOMPARE(qint64(r.body.size()), ms * 48); // 24 kHz × 2 bytes
        return;
    }
    if (format == u"wav") {
        QVERIFY(r.body.startsWith("RIFF"));
        QCOMPARE(r.body.mid(8, 4), QByteArray("WAVE"));
        QCOMPARE(qint64(r.body.size() - 44), ms * 48);
        QCOMPARE(DemoMedia::probeMilliseconds(r.body), std::optional<qint64>(ms));
        return;
    }
    const auto probed = DemoMedia::probeMilliseconds(r.body);
    QVERIFY2(probed, "the encoded speech does not decode");
    QVERIFY2(std::abs(*probed - ms) <= kEncodedToleranceMs,
             qPrintable(QStringLiteral("%1 ms probed, %2 ms stated").arg(*probed).arg(ms)));
}

void TestDemoAudio::speechSse_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("instructions");
    QTest::addColumn<QByteArray>("scenario");
    QTest::newRow("mp3") << "mp3" << "" << QByteArray();
    QTest::newRow("wav instructions") << "wav" << "Speak like a pirate." << QByteArray();
    QTest::newRow("pcm long") << "pcm" << "" << QByteArray();
    QTest::newRow("no_usage") << "mp3" << "" << QByteArray("no_usage");
    QTest::newRow("bad_usage") << "pcm" << "" << QByteArray("bad_usage");
    QTest::newRow("slow") << "pcm" << "" << QByteArray("slow");
}

void TestDemoAudio::speechSse()
{
    QFETCH(QString, format);
    QFETCH(QString, instructions);
    QFETCH(QByteArray, scenario);

    const QString input = QString(QTest::currentDataTag()).contains(u"long") ? QString(700, QLatin1Char('a'))
                                                                               : QStringLiteral("Hello from the demo.");
    QJsonObject body{{QStringLiteral("model"), QStringLiteral("gpt-4o-mini-tts")}, {QStringLiteral("input"), input},
                     {QStringLiteral("voice"), QStringLiteral("coral")}, {QStringLiteral("response_format"), format},
                     {QStringLiteral("stream_format"), QStringLiteral("sse")}};
    if (!instructions.isEmpty())
        body.insert(QStringLiteral("instructions"), instructions);
    const DemoHttp::Result r = DemoHttp::postJson(m_nam, url("/v1/audio/speech"), body, kKey, scenario);
    QCOMPARE(r.status, 200);
    QVERIFY(r.contentType.startsWith("text/event-stream"));
    bool framingOk = false;
    const QList<DemoHttp::Event> events = DemoHttp::parseSse(r.body, &framingOk);
    QVERIFY(framingOk);
    QVERIFY(events.size() >= 2);
    QByteArray audio;
    for (qsizetype i = 0; i + 1 < events.size(); ++i) {
        QCOMPARE(events.at(i).data.value(u"type").toString(), u"speech.audio.delta");
        audio += QByteArray::fromBase64(events.at(i).data.value(u"audio").toString().toLatin1());
    }
    if (input.size() > 100)
        QVERIFY(events.size() > 3); // a long speech arrives in several deltas
    const qint64 ms = DemoSpeech::speechMilliseconds(input, 1.0);
    if (format == u"pcm")
        QCOMPARE(qint64(audio.size()), ms * 48);
    else if (format == u"wav")
        QCOMPARE(DemoMedia::probeMilliseconds(audio), std::optional<qint64>(ms));
    else
        QVERIFY(std::abs(DemoMedia::probeMilliseconds(audio).value_or(0) - ms) <= kEncodedToleranceMs);
    const QJsonObject done = events.last().data;
    QCOMPARE(done.value(u"type").toString(), u"speech.audio.done");
    if (scenario == "no_usage") {
        QVERIFY(!done.contains(u"usage"));
        return;
    }
    const qint64 sign = scenario == "bad_usage" ? -1 : 1;
    const qint64 inputTokens = ChatRelayTokens::countText(QString(input + instructions), QStringLiteral("gpt-4o-mini-tts"));
    const qint64 outputTokens = audioTokensForMilliseconds(ms, AudioDirection::Output);
    QCOMPARE(outputTokens, ms / 50);
    const QJsonObject usage = done.value(u"usage").toObject();
    QCOMPARE(usage.value(u"input_tokens").toInteger(), sign * inputTokens);
    QCOMPARE(usage.value(u"output_tokens").toInteger(), sign * outputTokens);
    QCOMPARE(usage.value(u"total_tokens").toInteger(), sign * (inputTokens + outputTokens));
}

void TestDemoAudio::speechRefusals_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("param");

    const QJsonObject ok{{QStringLiteral("model"), QStringLiteral("tts-1")}, {QStringLiteral("input"), QStringLiteral("Hi")},
                         {QStringLiteral("voice"), QStringLiteral("alloy")}};
    const auto with = [&](const char *key, const QJsonValue &v) {
        QJsonObject o = ok;
        if (v.isUndefined())
            o.remove(QLatin1StringView(key));
        else
            o.insert(QLatin1StringView(key), v);
        return o;
    };
    QTest::newRow("no model") << with("model", QJsonValue::Undefined) << 400 << "model";
    QTest::newRow("no input") << with("input", QJsonValue::Undefined) << 400 << "input";
    QTest::newRow("empty input") << with("input", QString()) << 400 << "input";
    QTest::newRow("input 4097") << with("input", QString(4097, QLatin1Char('x'))) << 400 << "input";
    QTest::newRow("no voice") << with("voice", QJsonValue::Undefined) << 400 << "voice";
    QTest::newRow("speed 5") << with("speed", 5) << 400 << "speed";
    QTest::newRow("speed 0.1") << with("speed", 0.1) << 400 << "speed";
    QTest::newRow("format ogg") << with("response_format", QStringLiteral("ogg")) << 400 << "response_format";
    QTest::newRow("stream_format bad") << with("stream_format", QStringLiteral("ws")) << 400 << "stream_format";
    QTest::newRow("sse on tts-1") << with("stream_format", QStringLiteral("sse")) << 400 << "stream_format";
    QJsonObject hd = with("stream_format", QStringLiteral("sse"));
    hd.insert(QStringLiteral("model"), QStringLiteral("tts-1-hd"));
    QTest::newRow("sse on tts-1-hd") << hd << 400 << "stream_format";
    QTest::newRow("error_500") << with("model", QStringLiteral("tts-1+error_500")) << 500 << "";
    QTest::newRow("error_429 marker") << with("input", QStringLiteral("Hi [[scenario:error_429]]")) << 429 << "";
}

void TestDemoAudio::speechRefusals()
{
    QFETCH(QJsonObject, body);
    QFETCH(int, status);
    QFETCH(QString, param);
    const DemoHttp::Result r = DemoHttp::postJson(m_nam, url("/v1/audio/speech"), body, kKey);
    QCOMPARE(r.status, status);
    const QJsonObject error = r.json().value(u"error").toObject();
    QVERIFY(!error.value(u"message").toString().isEmpty());
    QCOMPARE(error.value(u"param").toString(), param);
}

void TestDemoAudio::speechReset_data()
{
    QTest::addColumn<QString>("streamFormat");
    QTest::newRow("raw") << "audio";
    QTest::newRow("sse") << "sse";
}

void TestDemoAudio::speechReset()
{
    QFETCH(QString, streamFormat);
    const QString input(2000, QLatin1Char('b')); // 120.2 s of PCM: many chunks
    const QJsonObject body{{QStringLiteral("model"), QStringLiteral("gpt-4o-mini-tts")}, {QStringLiteral("input"), input},
                           {QStringLiteral("voice"), QStringLiteral("alloy")},
                           {QStringLiteral("response_format"), QStringLiteral("pcm")},
                           {QStringLiteral("stream_format"), streamFormat}};
    const DemoHttp::Result r = DemoHttp::postJson(m_nam, url("/v1/audio/speech"), body, kKey, "reset");
    QVERIFY(!r.timedOut);
    QVERIFY(r.error != QNetworkReply::NoError);
    const qint64 full = DemoSpeech::speechMilliseconds(input, 1.0) * 48;
    if (streamFormat == u"audio") {
        QVERIFY(r.body.size() < full); // at most the first chunk
        QVERIFY(r.body.size() <= 16 * 1024);
    } else {
        QVERIFY(DemoHttp::parseSse(r.body).size() <= 1);
        QVERIFY(!r.body.contains("speech.audio.done"));
    }
}

QTEST_GUILESS_MAIN(TestDemoAudio)
#include "tst_demoaudio.moc"
