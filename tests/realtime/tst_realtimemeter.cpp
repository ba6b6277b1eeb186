// RealtimeMeter: beta and GA events, cumulative audio, authoritative response.done usage,
// cached subsets, transcription usage, unknown events; plus the JSON peek helpers it relies on.
#include "relay/realtime/jsonpeek.h"
#include "relay/realtime/realtimemeter.h"

#include <QtTest>

#include <limits>

// Note: moc (Qt 6.4) mis-lexes raw string literals that contain \", so such rows use ordinary literals.

using namespace RelayDesk::Relay;
using RelayDesk::Monitor::SessionUsage;

namespace {

// A deterministic stand-in for the tokenizer: one token per whitespace-separated word.
qint64 countWords(const QString &text)
{
    return text.split(QLatin1Char(' '), Qt::SkipEmptyParts).size();
}

QByteArray audioEvent(const char *type, const char *field, qint64 bytes)
{
    const QByteArray payload = QByteArray(bytes, '\x01').toBase64();
    return QByteArray("{\"type\":\"") + type + "\",\"event_id\":\"e1\",\"" + field + "\":\"" + payload + "\"}";
}

} // namespace

class TestRealtimeMeter final : public QObject
{
    Q_OBJECT

private slots:
    void peekFindsTopLevelMembersOnly_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<bool>("found");
        QTest::addColumn<QByteArray>("value");
        QTest::newRow("first") << QByteArray(R"({"type":"a.b","x":1})") << QByteArray("type") << true << QByteArray("a.b");
        QTest::newRow("later") << QByteArray(R"({"event_id":"e","type":"t"})") << QByteArray("type") << true << QByteArray("t");
        QTest::newRow("nested ignored") << QByteArray(R"({"item":{"type":"inner"},"type":"outer"})") << QByteArray("type") << true << QByteArray("outer");
        QTest::newRow("nested only") << QByteArray(R"({"item":{"type":"inner"}})") << QByteArray("type") << false << QByteArray();
        QTest::newRow("in array") << QByteArray(R"({"a":[{"type":"x"}],"type":"y"})") << QByteArray("type") << true << QByteArray("y");
        QTest::newRow("escaped quote in value") << QByteArray("{\"s\":\"a\\\"type\\\":\\\"z\",\"type\":\"ok\"}") << QByteArray("type") << true << QByteArray("ok");
        QTest::newRow("key text inside string") << QByteArray("{\"s\":\"\\\"type\\\":\\\"no\\\"\",\"k\":1}") << QByteArray("type") << false << QByteArray();
        QTest::newRow("whitespace") << QByteArray(" {  \"type\" :  \"sp\" } ") << QByteArray("type") << true << QByteArray("sp");
        QTest::newRow("not a string") << QByteArray(R"({"type":5})") << QByteArray("type") << false << QByteArray();
        QTest::newRow("array root") << QByteArray(R"([{"type":"x"}])") << QByteArray("type") << false << QByteArray();
        QTest::newRow("truncated") << QByteArray("{\"type\":\"abc") << QByteArray("type") << false << QByteArray();
        QTest::newRow("empty") << QByteArray() << QByteArray("type") << false << QByteArray();
        QTest::newRow("garbage") << QByteArray("\xff\xfe{\"") << QByteArray("type") << false << QByteArray();
    }

    void peekFindsTopLevelMembersOnly()
    {
        QFETCH(QByteArray, json);
        QFETCH(QByteArray, key);
        QFETCH(bool, found);
        QFETCH(QByteArray, value);
        const auto result = peekTopLevelString(json, key);
        QCOMPARE(result.has_value(), found);
        if (found)
            QCOMPARE(result->toByteArray(), value);
    }

    void audioIsCountedOnCumulativeBytes_data()
    {
        QTest::addColumn<QByteArray>("sessionUpdate");
        QTest::addColumn<int>("chunkBytes");
        QTest::addColumn<int>("chunks");
        QTest::addColumn<qint64>("inputTokens");
        // pcm16 24 kHz: 48 000 B/s, one user token per 100 ms = 4 800 B. 20 ms frames = 960 B.
        QTest::newRow("pcm16 20ms x 50") << QByteArray() << 960 << 50 << qint64(10);
        QTest::newRow("pcm16 1s") << QByteArray() << 48000 << 1 << qint64(10);
        QTest::newRow("pcm16 20ms x 4 (under a token)") << QByteArray() << 960 << 4 << qint64(0);
        QTest::newRow("pcm16 20ms x 5") << QByteArray() << 960 << 5 << qint64(1);
        // G.711: 8 000 B/s, 100 ms = 800 B; beta string and GA object.
        QTest::newRow("g711_ulaw beta 20ms x 50")
            << QByteArray(R"({"type":"session.update","session":{"input_audio_format":"g711_ulaw"}})") << 160 << 50 << qint64(10);
        QTest::newRow("audio/pcmu GA 1s")
            << QByteArray(R"({"type":"session.update","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcmu"}}}}})") << 8000 << 1 << qint64(10);
        QTest::newRow("audio/pcm GA 24k 10s")
            << QByteArray(R"({"type":"session.update","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcm","rate":24000}}}}})") << 48000 << 10 << qint64(100);
    }

    void audioIsCountedOnCumulativeBytes()
    {
        QFETCH(QByteArray, sessionUpdate);
        QFETCH(int, chunkBytes);
        QFETCH(int, chunks);
        QFETCH(qint64, inputTokens);
        RealtimeMeter meter(countWords);
        if (!sessionUpdate.isEmpty())
            meter.observeClient(sessionUpdate);
        qint64 observed = 0;
        for (int i = 0; i < chunks; ++i)
            observed += meter.observeClient(audioEvent("input_audio_buffer.append", "audio", chunkBytes)).tokens;
        QCOMPARE(observed, inputTokens);
        QCOMPARE(meter.liveUsage().inputAudio, inputTokens);
    }

    void audioRemaindersCarryOverResponsesAndFormatChanges()
    {
        RealtimeMeter meter(countWords);
        // 150 ms of pcm16 → 1 token now, 50 ms carried into the next response.
        meter.observeClient(audioEvent("input_audio_buffer.append", "audio", 7200));
        meter.observeUpstream(R"({"type":"response.done","response":{"id":"r1","status":"completed","usage":null}})");
        QCOMPARE(meter.takeCompletedResponses().front().usage.inputAudio, 1);
        meter.observeClient(audioEvent("input_audio_buffer.append", "audio", 2400)); // +50 ms → 100 ms
        QCOMPARE(meter.liveUsage().inputAudio, 2);
        // Switching to G.711 keeps what was counted under pcm16.
        meter.observeClient(R"({"type":"session.update","session":{"input_audio_format":"g711_alaw"}})");
        QCOMPARE(meter.inputFormat().bytesPerSecond, 8000);
        meter.observeClient(audioEvent("input_audio_buffer.append", "audio", 800)); // 100 ms
        QCOMPARE(meter.liveUsage().inputAudio, 3);
        // An unknown format keeps the previous one.
        meter.observeClient(R"({"type":"session.update","session":{"input_audio_format":"opus"}})");
        QCOMPARE(meter.inputFormat().bytesPerSecond, 8000);
    }

    void outputAudioUsesAssistantRateWithBetaAndGaNames_data()
    {
        QTest::addColumn<QByteArray>("type");
        QTest::newRow("beta") << QByteArray("response.audio.delta");
        QTest::newRow("GA") << QByteArray("response.output_audio.delta");
    }

    void outputAudioUsesAssistantRateWithBetaAndGaNames()
    {
        QFETCH(QByteArray, type);
        RealtimeMeter meter(countWords);
        // 1 s of pcm16 output in 20 ms deltas = 20 assistant tokens (1 per 50 ms).
        for (int i = 0; i < 50; ++i)
            meter.observeUpstream(audioEvent(type.constData(), "delta", 960));
        QCOMPARE(meter.liveUsage().outputAudio, qint64(20));
        QVERIFY(meter.hasPending());
    }

    void upstreamUsageIsAuthoritativeAndReplacesTheLocalEstimate()
    {
        RealtimeMeter meter(countWords);
        meter.observeClient(R"({"type":"session.update","session":{"instructions":"be very brief"}})");
        meter.observeClient(audioEvent("input_audio_buffer.append", "audio", 48000));
        meter.observeUpstream(R"({"type":"response.output_audio_transcript.delta","delta":"hello there"})");
        meter.observeUpstream(audioEvent("response.output_audio.delta", "delta", 48000));
        const auto done = meter.observeUpstream(R"({"type":"response.done","response":{"id":"resp_1","status":"completed","usage":{
            "total_tokens":3390,"input_tokens":1100,"output_tokens":2290,
            "input_token_details":{"text_tokens":100,"audio_tokens":1000,"image_tokens":0,"cached_tokens":600,
                "cached_tokens_details":{"text_tokens":64,"audio_tokens":536,"image_tokens":0}},
            "output_token_details":{"text_tokens":50,"audio_tokens":2240}}}})");
        QVERIFY(done.responseDone);
        const auto responses = meter.takeCompletedResponses();
        QCOMPARE(responses.size(), size_t(1));
        const MeteredResponse &response = responses.front();
        QVERIFY(response.fromUpstream);
        QCOMPARE(response.responseId, QStringLiteral("resp_1"));
        QCOMPARE(response.usage.inputText, 100);
        QCOMPARE(response.usage.inputAudio, 1000);
        QCOMPARE(response.usage.cachedText, 64);
        QCOMPARE(response.usage.cachedAudio, 536);
        QCOMPARE(response.usage.outputText, 50);
        QCOMPARE(response.usage.outputAudio, 2240);
        QVERIFY(!meter.hasPending());
        QCOMPARE(meter.total(), response.usage);
        QVERIFY(meter.takeCompletedResponses().empty());
    }

    // Text deltas are read in place unless escaped, cut short or odd; every form must count as the parser reads it.
    void textDeltaFormsCountAlike_data()
    {
        QTest::addColumn<QByteArray>("delta");
        QTest::addColumn<QString>("expectedText"); // what the response's text is, decoded
        QTest::newRow("plain") << QByteArray(R"({"type":"response.output_text.delta","response_id":"r","delta":"good day"})")
                               << QStringLiteral("good day");
        QTest::newRow("escaped") << QByteArray("{\"type\":\"response.output_text.delta\",\"delta\":\"good\\u0020day\\n\"}")
                                 << QStringLiteral("good day\n");
        QTest::newRow("non-ascii") << QByteArray("{\"type\":\"response.text.delta\",\"delta\":\"gr\xc3\xbc\xc3\x9f dich \xf0\x9f\x98\x80\"}")
                                   << QStringLiteral("grüß dich 😀");
        QTest::newRow("spaces around") << QByteArray(" { \"delta\" : \"good day\" , \"type\":\"response.audio_transcript.delta\" }\n")
                                       << QStringLiteral("good day");
        QTest::newRow("cut short: not counted") << QByteArray(R"({"type":"response.output_text.delta","delta":"good day")")
                                                << QString();
        QTest::newRow("delta not a string") << QByteArray(R"({"type":"response.output_text.delta","delta":7})")
                                            << QString();
    }
    void textDeltaFormsCountAlike()
    {
        QFETCH(QByteArray, delta);
        QFETCH(QString, expectedText);
        QString seen;
        RealtimeMeter meter([&seen](const QString &text) {
            seen = text;
            return qint64(text.size());
        });
        meter.observeUpstream(R"({"type":"response.created","response":{"id":"r"}})");
        const MeterObservation observation = meter.observeUpstream(delta);
        QCOMPARE(observation.tokens, qint64(expectedText.size()));
        QCOMPARE(meter.liveUsage().outputText, qint64(expectedText.size()));
        meter.observeUpstream(R"({"type":"response.done","response":{"id":"r","status":"completed"}})");
        const auto responses = meter.takeCompletedResponses();
        QCOMPARE(responses.size(), size_t(1));
        QCOMPARE(responses.front().usage.outputText, qint64(expectedText.size()));
        if (!expectedText.isEmpty())
            QCOMPARE(seen, expectedText);
    }

    // The live view sums the deltas' own counts; the bill counts the concatenated reply once.
    void liveUsageSumsDeltasAndTheBillCountsTheWhole()
    {
        RealtimeMeter meter(countWords);
        meter.observeUpstream(R"({"type":"response.output_text.delta","delta":"it is"})");
        meter.observeUpstream(R"({"type":"response.output_text.delta","delta":"noon"})");
        QCOMPARE(meter.liveUsage().outputText, 3); // 2 + 1
        meter.observeUpstream(R"({"type":"response.done","response":{"id":"r","status":"completed"}})");
        QCOMPARE(meter.takeCompletedResponses().front().usage.outputText, 2); // "it isnoon"
        QCOMPARE(meter.liveUsage().outputText, 2); // the finished total
    }

    void responseWithoutUsageFallsBackToTheLocalEstimate()
    {
        RealtimeMeter meter(countWords);
        meter.observeClient(R"({"type":"conversation.item.create","item":{"type":"message","role":"user",
            "content":[{"type":"input_text","text":"what is the time"}]}})");
        meter.observeUpstream(R"({"type":"response.output_text.delta","delta":"it is "})");
        meter.observeUpstream(R"({"type":"response.output_text.delta","delta":"noon now"})");
        meter.observeUpstream("{\"type\":\"response.function_call_arguments.delta\",\"delta\":\" {\\\"tz\\\": 1}\"}");
        meter.observeUpstream(R"({"type":"response.done","response":{"id":"r","status":"completed","usage":null}})");
        const auto responses = meter.takeCompletedResponses();
        QCOMPARE(responses.size(), size_t(1));
        QVERIFY(!responses.front().fromUpstream);
        QCOMPARE(responses.front().usage.inputText, 4);
        // Deltas are concatenated and counted once: "it is noon now {"tz": 1}" = 6 words.
        QCOMPARE(responses.front().usage.outputText, 6);
    }

    void serverEchoOfItemsIsNotOutput_data()
    {
        QTest::addColumn<QByteArray>("type");
        QTest::newRow("beta created") << QByteArray("conversation.item.created");
        QTest::newRow("GA added") << QByteArray("conversation.item.added");
        QTest::newRow("GA done") << QByteArray("conversation.item.done");
    }

    void serverEchoOfItemsIsNotOutput()
    {
        QFETCH(QByteArray, type);
        RealtimeMeter meter(countWords);
        const QByteArray item = R"({"type":"message","role":"user","content":[{"type":"input_text","text":"one two three"}]})";
        const QByteArray echo = "{\"type\":\"" + type + "\",\"item\":" + item + "}";
        const auto observation = meter.observeUpstream(echo);
        QCOMPARE(observation.type, QString::fromLatin1(type));
        QCOMPARE(meter.liveUsage(), SessionUsage{});
    }

    void instructionsAndToolsCountOncePerChange()
    {
        RealtimeMeter meter(countWords);
        const QByteArray update = R"({"type":"session.update","session":{"instructions":"a b c","tools":[{"type":"function","name":"f"}]}})";
        QVERIFY(meter.observeClient(update).tokens > 0);
        const qint64 afterFirst = meter.liveUsage().inputText;
        QCOMPARE(meter.observeClient(update).tokens, 0);
        QCOMPARE(meter.liveUsage().inputText, afterFirst);
        meter.observeClient(R"({"type":"session.update","session":{"instructions":"a b c d"}})");
        QCOMPARE(meter.liveUsage().inputText, afterFirst + 4);
        // The server's session.updated echo is not input.
        meter.observeUpstream(R"({"type":"session.updated","session":{"instructions":"x y z w v"}})");
        QCOMPARE(meter.liveUsage().inputText, afterFirst + 4);
    }

    void cachedTokensWithoutDetailsAreTextFirst()
    {
        const SessionUsage usage = *RealtimeMeter::usageFromResponseDone(QJsonDocument::fromJson(R"({
            "input_tokens":300,"output_tokens":10,
            "input_token_details":{"text_tokens":100,"audio_tokens":200,"cached_tokens":150},
            "output_token_details":{"text_tokens":10,"audio_tokens":0,"reasoning_tokens":4}})").object());
        QCOMPARE(usage.cachedText, 100);
        QCOMPARE(usage.cachedAudio, 50);
        QCOMPARE(usage.outputReasoning, 4);
        QCOMPARE(usage.inputTotal(), 300);
    }

    void missingBreakdownTreatsTheRestAsText()
    {
        const SessionUsage usage = *RealtimeMeter::usageFromResponseDone(QJsonDocument::fromJson(R"({
            "input_tokens":120,"output_tokens":30,"input_token_details":{"audio_tokens":20},
            "output_token_details":{"audio_tokens":25}})").object());
        QCOMPARE(usage.inputText, 100);
        QCOMPARE(usage.inputAudio, 20);
        QCOMPARE(usage.outputText, 5);
        QCOMPARE(usage.outputAudio, 25);
    }

    // Issue 10 item 4: usage is parsed strictly. A count that is not a non-negative integer ≤ 2^53 makes the whole
    // usage malformed, and the response is billed from the local estimate (kept on every response either way).
    void malformedUsageFallsBackToTheLocalEstimate_data()
    {
        QTest::addColumn<QByteArray>("usage");
        QTest::addColumn<bool>("fromUpstream");
        QTest::newRow("well-formed") << QByteArray(R"({"input_tokens":8,"output_tokens":12})") << true;
        QTest::newRow("2^53 is still a count") << QByteArray(R"({"input_tokens":8,"output_tokens":9007199254740992})") << true;
        QTest::newRow("null details") << QByteArray(R"({"input_tokens":8,"output_tokens":12,"output_token_details":null})") << true;
        QTest::newRow("negative") << QByteArray(R"({"input_tokens":-8,"output_tokens":12})") << false;
        QTest::newRow("negative detail") << QByteArray(R"({"input_tokens":8,"output_tokens":12,"output_token_details":{"audio_tokens":-1}})") << false;
        QTest::newRow("string") << QByteArray(R"({"input_tokens":"8","output_tokens":12})") << false;
        QTest::newRow("float") << QByteArray(R"({"input_tokens":8,"output_tokens":12.5})") << false;
        QTest::newRow("beyond 2^53") << QByteArray(R"({"input_tokens":8,"output_tokens":9007199254740993})") << false;
        QTest::newRow("1e300") << QByteArray(R"({"input_tokens":8,"output_tokens":1e300})") << false;
        QTest::newRow("details a string") << QByteArray(R"({"input_tokens":8,"output_tokens":12,"input_token_details":"x"})") << false;
        QTest::newRow("usage a number") << QByteArray("12") << false;
    }

    void malformedUsageFallsBackToTheLocalEstimate()
    {
        QFETCH(QByteArray, usage);
        QFETCH(bool, fromUpstream);
        RealtimeMeter meter(countWords);
        meter.observeClient(R"({"type":"conversation.item.create","item":{"type":"message","role":"user",
            "content":[{"type":"input_text","text":"what is the time"}]}})");
        meter.observeUpstream(R"({"type":"response.output_text.delta","delta":"it is noon"})");
        const QByteArray done = R"({"type":"response.done","response":{"id":"r","status":"completed","usage":)" + usage + "}}";
        meter.observeUpstream(done);
        const auto responses = meter.takeCompletedResponses();
        QCOMPARE(responses.size(), size_t(1));
        const MeteredResponse &response = responses.front();
        QCOMPARE(response.fromUpstream, fromUpstream);
        QCOMPARE(response.usageProblem.isEmpty(), fromUpstream);
        QCOMPARE(response.estimate.inputText, 4);
        QCOMPARE(response.estimate.outputText, 3);
        if (!fromUpstream) {
            QCOMPARE(response.usage, response.estimate);
            QVERIFY(response.usage.isValid());
        } else {
            QCOMPARE(response.usage.inputText, 8);
        }
        QVERIFY(meter.total().isValid()); // never negative
    }

    void hugeReportsDoNotOverflowTheSessionTotal()
    {
        RealtimeMeter meter(countWords);
        for (int i = 0; i < 1100; ++i) // 1100 × 2^53 > 2^63
            meter.observeUpstream(R"({"type":"response.done","response":{"usage":{"input_tokens":1,"output_tokens":9007199254740992}}})");
        QCOMPARE(meter.total().outputText, std::numeric_limits<qint64>::max());
        QVERIFY(meter.total().isValid());
    }

    void malformedTranscriptionUsageIsNotBilled()
    {
        RealtimeMeter meter(countWords);
        meter.observeUpstream(R"({"type":"conversation.item.input_audio_transcription.completed",
            "item_id":"a","usage":{"type":"tokens","input_tokens":-40,"output_tokens":3}})");
        meter.observeUpstream(R"({"type":"conversation.item.input_audio_transcription.completed",
            "item_id":"b","usage":{"type":"tokens","input_tokens":"40","output_tokens":3}})");
        meter.observeUpstream(R"({"type":"conversation.item.input_audio_transcription.completed",
            "item_id":"c","usage":{"type":"duration","seconds":-2}})");
        QVERIFY(meter.takeTranscriptions().empty());
    }

    void transcriptionUsageIsRecordedSeparately()
    {
        RealtimeMeter meter(countWords);
        meter.observeClient(R"({"type":"session.update","session":{"input_audio_transcription":{"model":"gpt-4o-transcribe"}}})");
        QCOMPARE(meter.transcriptionModel(), QStringLiteral("gpt-4o-transcribe"));
        const auto observation = meter.observeUpstream(R"({"type":"conversation.item.input_audio_transcription.completed",
            "item_id":"item_1","transcript":"hi","usage":{"type":"tokens","input_tokens":40,"output_tokens":3,"total_tokens":43,
            "input_token_details":{"text_tokens":0,"audio_tokens":40}}})");
        QVERIFY(observation.transcriptionDone);
        meter.observeUpstream(R"({"type":"conversation.item.input_audio_transcription.completed",
            "item_id":"item_2","usage":{"type":"duration","seconds":2.5}})");
        const auto transcriptions = meter.takeTranscriptions();
        QCOMPARE(transcriptions.size(), size_t(2));
        QCOMPARE(transcriptions[0].inputAudioTokens, 40);
        QCOMPARE(transcriptions[0].outputTextTokens, 3);
        QCOMPARE(transcriptions[1].seconds, 2.5);
        QCOMPARE(meter.total(), SessionUsage{}); // not part of the conversation's own usage
    }

    // Without usage, a completed item is billed on the audio committed for it (pcm16 24 kHz: 48 bytes per ms) and
    // its transcript; a clear drops what was appended before it.
    void transcriptionWithoutUsageUsesTheCommittedAudio_data()
    {
        QTest::addColumn<int>("frames");
        QTest::addColumn<int>("frameMs");
        QTest::addColumn<int>("clearAfter"); // frames, then input_audio_buffer.clear (-1: never)
        QTest::addColumn<qint64>("committedMs");
        QTest::newRow("one second in 20 ms frames") << 50 << 20 << -1 << qint64(1000);
        QTest::newRow("2.5 s in 250 ms frames") << 10 << 250 << -1 << qint64(2500);
        QTest::newRow("cleared after 4 of 10 frames") << 10 << 100 << 4 << qint64(600);
        QTest::newRow("a partial millisecond rounds up") << 1 << 0 << -1 << qint64(1);
    }
    void transcriptionWithoutUsageUsesTheCommittedAudio()
    {
        QFETCH(int, frames);
        QFETCH(int, frameMs);
        QFETCH(int, clearAfter);
        QFETCH(qint64, committedMs);
        RealtimeMeter meter(countWords);
        meter.observeClient(R"({"type":"transcription_session.update","session":{"input_audio_transcription":{"model":"whisper-1"}}})");
        QVERIFY(meter.isTranscriptionSession());
        QCOMPARE(meter.transcriptionModel(), QStringLiteral("whisper-1"));
        // frameMs 0: 3 bytes, a sixteenth of a millisecond.
        const QByteArray audio = QByteArray(frameMs > 0 ? frameMs * 48 : 3, '\x01').toBase64();
        for (int i = 0; i < frames; ++i) {
            if (i == clearAfter)
                meter.observeClient(R"({"type":"input_audio_buffer.clear"})");
            meter.observeClient(QByteArray(R"({"type":"input_audio_buffer.append","audio":")" + audio + R"("})"));
        }
        QCOMPARE(meter.uncommittedAudioMs(), committedMs);
        meter.observeUpstream(R"({"type":"input_audio_buffer.committed","item_id":"item_7"})");
        QCOMPARE(meter.uncommittedAudioMs(), 0);
        meter.observeUpstream(R"({"type":"conversation.item.input_audio_transcription.completed",
            "item_id":"item_7","transcript":"three words here"})");
        const auto transcriptions = meter.takeTranscriptions();
        QCOMPARE(transcriptions.size(), size_t(1));
        QVERIFY(transcriptions[0].estimated);
        QCOMPARE(transcriptions[0].audioMs, committedMs);
        QCOMPARE(transcriptions[0].outputTextTokens, 3);
    }

    void unknownAndBrokenFramesAreIgnored_data()
    {
        QTest::addColumn<QByteArray>("frame");
        QTest::addColumn<QString>("type");
        QTest::newRow("unknown event") << QByteArray(R"({"type":"mcp_list_tools.completed","x":[1,2]})") << QStringLiteral("mcp_list_tools.completed");
        QTest::newRow("rate limits") << QByteArray(R"({"type":"rate_limits.updated","rate_limits":[]})") << QStringLiteral("rate_limits.updated");
        QTest::newRow("not json") << QByteArray("hello") << QStringLiteral("(invalid json)");
        QTest::newRow("truncated delta") << QByteArray("{\"type\":\"response.output_text.delta\",\"delta\":\"abc") << QStringLiteral("response.output_text.delta");
        QTest::newRow("delta wrong type") << QByteArray(R"({"type":"response.output_text.delta","delta":42})") << QStringLiteral("response.output_text.delta");
        QTest::newRow("session not object") << QByteArray(R"({"type":"session.updated","session":"x"})") << QStringLiteral("session.updated");
    }

    void unknownAndBrokenFramesAreIgnored()
    {
        QFETCH(QByteArray, frame);
        QFETCH(QString, type);
        RealtimeMeter meter(countWords);
        QCOMPARE(meter.observeUpstream(frame).type, type);
        QCOMPARE(meter.observeClient(frame).type, type);
        QCOMPARE(meter.liveUsage(), SessionUsage{});
    }

    // Each step advances a fake clock by 100 ms; a step is "c:" (from the client) or "u:" (from the upstream) and a
    // frame. Expected: the step index the response started at / first answered with audio / text (-1: not seen).
    void responsesAreTimed_data()
    {
        QTest::addColumn<QList<QByteArray>>("steps");
        QTest::addColumn<int>("started");
        QTest::addColumn<int>("firstAudio");
        QTest::addColumn<int>("firstText");
        const QByteArray create = "c:{\"type\":\"response.create\"}";
        const QByteArray created = "u:{\"type\":\"response.created\",\"response\":{\"id\":\"r1\"}}";
        const QByteArray audio = "u:{\"type\":\"response.output_audio.delta\",\"response_id\":\"r1\",\"delta\":\"AAAA\"}";
        const QByteArray transcript = "u:{\"type\":\"response.output_audio_transcript.delta\",\"response_id\":\"r1\",\"delta\":\"hi\"}";
        const QByteArray done = "u:{\"type\":\"response.done\",\"response\":{\"id\":\"r1\",\"status\":\"completed\"}}";
        QTest::newRow("response.create, transcript, then audio")
            << QList<QByteArray>{create, created, transcript, audio, audio, done} << 0 << 3 << 2;
        QTest::newRow("speech stop before the client's create: timed from the speech")
            << QList<QByteArray>{"u:{\"type\":\"input_audio_buffer.speech_stopped\",\"audio_end_ms\":900}", create, created,
                                 audio, done} << 0 << 3 << -1;
        QTest::newRow("text only (GA)")
            << QList<QByteArray>{create, created, "u:{\"type\":\"response.output_text.delta\",\"response_id\":\"r1\",\"delta\":\"ok\"}",
                                 done} << 0 << -1 << 2;
        QTest::newRow("beta names")
            << QList<QByteArray>{create, created, "u:{\"type\":\"response.text.delta\",\"response_id\":\"r1\",\"delta\":\"ok\"}",
                                 "u:{\"type\":\"response.audio.delta\",\"response_id\":\"r1\",\"delta\":\"AAAA\"}", done}
            << 0 << 3 << 2;
        QTest::newRow("no trigger seen (server VAD): from response.created")
            << QList<QByteArray>{created, audio, done} << 0 << 1 << -1;
        QTest::newRow("a tool call answers neither")
            << QList<QByteArray>{create, created,
                                 "u:{\"type\":\"response.function_call_arguments.delta\",\"response_id\":\"r1\",\"delta\":\"{}\"}", done}
            << 0 << -1 << -1;
        QTest::newRow("another response's deltas do not count")
            << QList<QByteArray>{create, created, "u:{\"type\":\"response.output_audio.delta\",\"response_id\":\"r2\",\"delta\":\"AAAA\"}",
                                 audio, done} << 0 << 3 << -1;
        QTest::newRow("no response.created: from the trigger")
            << QList<QByteArray>{create, audio, done} << 0 << -1 << -1;
        QTest::newRow("a trigger is used once: the next response starts at its own")
            << QList<QByteArray>{create, "u:{\"type\":\"response.created\",\"response\":{\"id\":\"r0\"}}",
                                 "u:{\"type\":\"response.done\",\"response\":{\"id\":\"r0\",\"status\":\"completed\"}}",
                                 create, created, audio, done} << 3 << 5 << -1;
    }

    void responsesAreTimed()
    {
        QFETCH(QList<QByteArray>, steps);
        QFETCH(int, started);
        QFETCH(int, firstAudio);
        QFETCH(int, firstText);
        qint64 now = 0;
        RealtimeMeter meter(countWords, [&now] { return now; });
        const auto at = [](int step) { return step < 0 ? qint64(0) : 1000 + 100 * qint64(step); };
        for (int i = 0; i < steps.size(); ++i) {
            now = at(i);
            const QByteArray frame = steps[i].mid(2);
            if (steps[i].startsWith("c:"))
                meter.observeClient(frame);
            else
                meter.observeUpstream(frame);
        }
        const auto responses = meter.takeCompletedResponses();
        QVERIFY(!responses.empty());
        const MeteredResponse &last = responses.back();
        QCOMPARE(last.responseId, QStringLiteral("r1"));
        QCOMPARE(last.startedAtMs, at(started));
        QCOMPARE(last.firstAudioAtMs, at(firstAudio));
        QCOMPARE(last.firstTextAtMs, at(firstText));
    }

    void pendingAfterTheLastResponseIsTakenOnce()
    {
        RealtimeMeter meter(countWords);
        meter.observeClient(audioEvent("input_audio_buffer.append", "audio", 48000 * 2)); // 2 s → 20 tokens
        meter.observeUpstream(R"({"type":"response.output_text.delta","delta":"partial answer"})");
        QVERIFY(meter.hasPending());
        const SessionUsage pending = meter.takePending();
        QCOMPARE(pending.inputAudio, 20);
        QCOMPARE(pending.outputText, 2);
        QVERIFY(!meter.hasPending());
        QCOMPARE(meter.takePending(), SessionUsage{});
        QCOMPARE(meter.total(), pending);
    }
};

QTEST_APPLESS_MAIN(TestRealtimeMeter)
#include "tst_realtimemeter.moc"
