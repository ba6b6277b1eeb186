#include "relay/realtime/realtimemeter.h"

#include "relay/strictcounts.h"
#include "relay/realtime/jsonpeek.h"
#include "relay/realtime/realtimetranscription.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

namespace RelayDesk::Relay {

namespace {

QString typeOf(const QJsonObject &event) { return event.value(u"type").toString(); }

qint64 saturatingAdd(qint64 a, qint64 b)
{
    qint64 sum = 0;
    return __builtin_add_overflow(a, b, &sum) ? std::numeric_limits<qint64>::max() : sum;
}

// The display total: upstream figures are bounded per response but not in number of responses.
void addSaturating(Monitor::SessionUsage &total, const Monitor::SessionUsage &add)
{
    for (auto field : {&Monitor::SessionUsage::inputText, &Monitor::SessionUsage::inputAudio,
                       &Monitor::SessionUsage::inputImage, &Monitor::SessionUsage::cachedText,
                       &Monitor::SessionUsage::cachedAudio, &Monitor::SessionUsage::cachedImage,
                       &Monitor::SessionUsage::cacheWrite, &Monitor::SessionUsage::outputText,
                       &Monitor::SessionUsage::outputAudio, &Monitor::SessionUsage::outputReasoning})
        total.*field = saturatingAdd(total.*field, add.*field);
}

QJsonObject parseObject(QByteArrayView frame, bool *ok)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(frame.toByteArray(), &error);
    *ok = error.error == QJsonParseError::NoError && document.isObject();
    return document.object();
}

bool isOneOf(QByteArrayView type, std::initializer_list<const char *> names)
{
    for (const char *name : names) {
        if (type == QByteArrayView(name))
            return true;
    }
    return false;
}

} // namespace

namespace {
// Realtime sessions start as pcm16 (24 kHz mono) in both directions until the session says otherwise.
Tokenize::AudioFormat defaultRealtimeFormat()
{
    return *Tokenize::AudioFormat::fromJson(QStringLiteral("pcm16"));
}
} // namespace

RealtimeMeter::AudioStream::AudioStream(Tokenize::AudioDirection direction)
    : m_direction(direction)
    , m_current(defaultRealtimeFormat(), direction)
{
}

void RealtimeMeter::AudioStream::setFormat(const Tokenize::AudioFormat &format)
{
    if (format.name == m_current.format().name)
        return;
    m_earlier += m_current.tokens();
    m_current = Tokenize::AudioTokenAccumulator(format, m_direction);
}

qint64 RealtimeMeter::AudioStream::add(QByteArrayView base64)
{
    return m_current.addBase64(base64).value_or(0);
}

RealtimeMeter::RealtimeMeter(TextCounter countText, Clock clock)
    : m_countText(std::move(countText))
    , m_clock(clock ? std::move(clock) : Clock([] { return QDateTime::currentMSecsSinceEpoch(); }))
{
}

void RealtimeMeter::noteTurnStart()
{
    // The earliest trigger counts: speech stop then a client's response.create is one turn, timed from the speech.
    if (m_turnStartMs == 0)
        m_turnStartMs = m_clock();
}

void RealtimeMeter::onResponseCreated(const QJsonObject &event)
{
    // Bounded: responses that never finish (a dropped upstream) must not pile up.
    constexpr qsizetype MaxInFlight = 64;
    if (m_timings.size() >= MaxInFlight)
        m_timings.clear();
    const qint64 start = m_turnStartMs != 0 ? m_turnStartMs : m_clock();
    m_turnStartMs = 0;
    m_timings.insert(event.value(u"response").toObject().value(u"id").toString(), Timing{start, 0, 0});
}

void RealtimeMeter::noteFirstDelta(QByteArrayView responseId, bool audio)
{
    // Every delta of a response names it; only its first one can be the first, so the rest skip the lookup.
    QByteArray &last = audio ? m_firstAudioNoted : m_firstTextNoted;
    if (!last.isNull() && last == responseId)
        return;
    const auto it = m_timings.find(QString::fromUtf8(responseId));
    if (it == m_timings.end())
        return;
    last = responseId.toByteArray();
    qint64 &first = audio ? it->firstAudioAtMs : it->firstTextAtMs;
    if (first == 0)
        first = m_clock();
}

MeterObservation RealtimeMeter::observeClient(QByteArrayView frame)
{
    MeterObservation observation;
    const auto type = peekTopLevelString(frame, "type");
    if (!type) {
        observation.type = QStringLiteral("(invalid json)");
        return observation;
    }
    observation.type = internType(*type);
    if (*type == "response.create")
        noteTurnStart();
    if (*type == "input_audio_buffer.append") {
        if (const auto audio = peekTopLevelString(frame, "audio")) {
            observation.tokens = m_inputAudio.add(*audio);
            addUncommittedAudio(*audio);
        }
        return observation;
    }
    if (*type == "input_audio_buffer.clear") {
        m_uncommittedAudioUs = 0;
        return observation;
    }
    if (!isOneOf(*type, {"session.update", "transcription_session.update", "conversation.item.create",
                         "response.create"}))
        return observation;

    bool ok = false;
    const QJsonObject event = parseObject(frame, &ok);
    if (!ok)
        return observation;
    if (*type == "transcription_session.update") { // beta: the event itself says the session only transcribes
        m_transcriptionSession = true;
        onSession(event.value(u"session").toObject(), true);
    } else if (*type == "session.update") {
        const qint64 before = m_pendingInputText;
        onSession(event.value(u"session").toObject(), true);
        observation.tokens = m_pendingInputText - before;
    } else if (*type == "conversation.item.create") {
        const qint64 before = m_pendingInputText + m_inputAudio.pending();
        onConversationItem(event.value(u"item").toObject());
        observation.tokens = m_pendingInputText + m_inputAudio.pending() - before;
    } else { // response.create: out-of-band instructions and input items count as input once
        const QJsonObject response = event.value(u"response").toObject();
        const qint64 before = m_pendingInputText;
        if (response.contains(u"instructions"))
            addInputText(response.value(u"instructions").toString());
        for (const QJsonValue &item : response.value(u"input").toArray())
            onConversationItem(item.toObject());
        observation.tokens = m_pendingInputText - before;
    }
    return observation;
}

MeterObservation RealtimeMeter::observeUpstream(QByteArrayView frame)
{
    MeterObservation observation;
    const auto type = peekTopLevelString(frame, "type");
    if (!type) {
        observation.type = QStringLiteral("(invalid json)");
        return observation;
    }
    observation.type = internType(*type);
    if (isOneOf(*type, {"response.output_audio.delta", "response.audio.delta"})) {
        if (const auto delta = peekTopLevelString(frame, "delta"))
            observation.tokens = m_outputAudio.add(*delta);
        if (const auto responseId = peekTopLevelString(frame, "response_id"))
            noteFirstDelta(*responseId, true);
        return observation;
    }
    if (*type == "input_audio_buffer.speech_stopped") {
        noteTurnStart();
        return observation;
    }
    const bool textDelta = isOneOf(*type, {"response.output_text.delta", "response.text.delta",
                                           "response.output_audio_transcript.delta",
                                           "response.audio_transcript.delta",
                                           "response.function_call_arguments.delta"});
    const bool interesting = textDelta
        || isOneOf(*type, {"response.done", "response.created", "session.created", "session.updated",
                           "transcription_session.created", "transcription_session.updated",
                           "input_audio_buffer.committed", "input_audio_buffer.cleared",
                           "conversation.item.input_audio_transcription.completed"});
    if (!interesting)
        return observation; // includes the server's echo of items: never counted as output

    // The hot path: a plain (escape-free) delta is read in place and decoded into a reused buffer — no JSON tree,
    // no allocation once the buffers have grown. Anything else takes the full parse below, with the same result.
    if (textDelta && observeTextDelta(frame, *type, &observation))
        return observation;
    bool ok = false;
    const QJsonObject event = parseObject(frame, &ok);
    if (!ok)
        return observation;
    if (textDelta) {
        observation.tokens = addOutputText(event.value(u"delta").toString());
        if (*type != "response.function_call_arguments.delta")
            noteFirstDelta(event.value(u"response_id").toString().toUtf8(), false);
    } else if (*type == "response.created") {
        onResponseCreated(event);
    } else if (*type == "response.done") {
        onResponseDone(event);
        observation.responseDone = true;
        observation.tokens = m_completed.empty() ? 0 : m_completed.back().usage.inputTotal()
                                                           + m_completed.back().usage.outputTotal();
    } else if (*type == "conversation.item.input_audio_transcription.completed") {
        onTranscriptionCompleted(event);
        observation.transcriptionDone = true;
    } else if (*type == "input_audio_buffer.committed") {
        onCommitted(event);
    } else if (*type == "input_audio_buffer.cleared") {
        m_uncommittedAudioUs = 0;
    } else {
        if (type->startsWith("transcription_session."))
            m_transcriptionSession = true;
        onSession(event.value(u"session").toObject(), false);
    }
    return observation;
}

qint64 RealtimeMeter::addOutputText(const QString &delta)
{
    m_pendingOutputText += delta;
    const qint64 tokens = delta.isEmpty() ? 0 : m_countText(delta);
    m_pendingOutputTextLive += tokens;
    return tokens;
}

namespace {

// An event type every session sees, as static data: interned without a per-session table, and a QStringLiteral
// is copied into each recorded event without touching a reference count (shared by every relay loop's thread).
struct KnownType
{
    QByteArrayView bytes;
    QString text;
};

const KnownType *knownType(QByteArrayView type)
{
#define KNOWN(name) KnownType{QByteArrayView(name), QStringLiteral(name)}
    // The deltas first: they are most of the frames.
    static const KnownType table[] = {
        KNOWN("response.output_text.delta"),
        KNOWN("response.text.delta"),
        KNOWN("response.output_audio.delta"),
        KNOWN("response.audio.delta"),
        KNOWN("response.output_audio_transcript.delta"),
        KNOWN("response.audio_transcript.delta"),
        KNOWN("response.function_call_arguments.delta"),
        KNOWN("response.output_text.done"),
        KNOWN("response.text.done"),
        KNOWN("response.output_audio.done"),
        KNOWN("response.audio.done"),
        KNOWN("response.output_audio_transcript.done"),
        KNOWN("response.audio_transcript.done"),
        KNOWN("response.function_call_arguments.done"),
        KNOWN("response.content_part.added"),
        KNOWN("response.content_part.done"),
        KNOWN("response.output_item.added"),
        KNOWN("response.output_item.done"),
        KNOWN("response.created"),
        KNOWN("response.done"),
        KNOWN("response.create"),
        KNOWN("response.cancel"),
        KNOWN("session.created"),
        KNOWN("session.updated"),
        KNOWN("session.update"),
        KNOWN("transcription_session.created"),
        KNOWN("transcription_session.updated"),
        KNOWN("transcription_session.update"),
        KNOWN("input_audio_buffer.append"),
        KNOWN("input_audio_buffer.commit"),
        KNOWN("input_audio_buffer.clear"),
        KNOWN("input_audio_buffer.committed"),
        KNOWN("input_audio_buffer.cleared"),
        KNOWN("input_audio_buffer.speech_started"),
        KNOWN("input_audio_buffer.speech_stopped"),
        KNOWN("conversation.item.create"),
        KNOWN("conversation.item.created"),
        KNOWN("conversation.item.added"),
        KNOWN("conversation.item.done"),
        KNOWN("conversation.item.truncate"),
        KNOWN("conversation.item.truncated"),
        KNOWN("conversation.item.delete"),
        KNOWN("conversation.item.deleted"),
        KNOWN("conversation.item.input_audio_transcription.delta"),
        KNOWN("conversation.item.input_audio_transcription.completed"),
        KNOWN("conversation.item.input_audio_transcription.failed"),
        KNOWN("rate_limits.updated"),
        KNOWN("error"),
    };
#undef KNOWN
    for (const KnownType &known : table)
        if (known.bytes.size() == type.size() && std::memcmp(known.bytes.data(), type.data(), type.size()) == 0)
            return &known;
    return nullptr;
}

} // namespace

QString RealtimeMeter::internType(QByteArrayView type)
{
    if (const KnownType *known = knownType(type))
        return known->text;
    // Any other type: a session sees a few; each one's QString is made once and then shared (no allocation).
    constexpr size_t MaxTypes = 64;
    for (const auto &[bytes, text] : m_types)
        if (bytes == type)
            return text;
    QString text = QString::fromUtf8(type);
    if (m_types.size() < MaxTypes)
        m_types.emplace_back(type.toByteArray(), text);
    return text;
}

bool RealtimeMeter::observeTextDelta(QByteArrayView frame, QByteArrayView type, MeterObservation *observation)
{
    // peek reads no further than the member: a frame cut short must still fail as the parser would fail it.
    QByteArrayView trimmed = frame;
    while (!trimmed.isEmpty() && QChar::isSpace(uchar(trimmed.back())))
        trimmed.chop(1);
    if (trimmed.isEmpty() || trimmed.back() != '}')
        return false;
    const auto delta = peekTopLevelString(frame, "delta");
    if (!delta || delta->contains('\\'))
        return false; // absent, not a string, or escaped: the full parse decides
    // UTF-8 → UTF-16 into the reused scratch string, then appended: both keep their capacity between events.
    m_scratch.resize(m_decoder.requiredSpace(delta->size()));
    QChar *end = m_decoder.appendToBuffer(m_scratch.data(), *delta);
    m_scratch.resize(end - m_scratch.constData());
    observation->tokens = addOutputText(m_scratch);
    if (type != "response.function_call_arguments.delta") {
        const auto responseId = peekTopLevelString(frame, "response_id");
        if (responseId && responseId->contains('\\')) { // an escaped id: decoded by the parser, as before
            const QJsonObject event = QJsonDocument::fromJson(frame.toByteArray()).object();
            noteFirstDelta(event.value(u"response_id").toString().toUtf8(), false);
        } else if (responseId) {
            noteFirstDelta(*responseId, false);
        }
    }
    return true;
}

void RealtimeMeter::onSession(const QJsonObject &session, bool fromClient)
{
    // Beta: flat *_audio_format strings; GA: audio.{input,output}.format objects.
    const QJsonObject audio = session.value(u"audio").toObject();
    const QJsonValue input = session.contains(u"input_audio_format")
        ? session.value(u"input_audio_format")
        : audio.value(u"input").toObject().value(u"format");
    const QJsonValue output = session.contains(u"output_audio_format")
        ? session.value(u"output_audio_format")
        : audio.value(u"output").toObject().value(u"format");
    // An unknown format keeps the previous one rather than guessing a byte rate.
    if (const auto format = Tokenize::AudioFormat::fromJson(input))
        m_inputAudio.setFormat(*format);
    if (const auto format = Tokenize::AudioFormat::fromJson(output))
        m_outputAudio.setFormat(*format);

    if (const QString model = RealtimeTranscription::modelOf(session); !model.isEmpty())
        m_transcriptionModel = model;
    // GA: the type says which kind of session this is (absent: unchanged).
    if (session.contains(u"type"))
        m_transcriptionSession = RealtimeTranscription::isTranscriptionSession(session);

    // Instructions and tool schemas are input; count each once per change, and only from the client
    // (the server echoes them in session.created/updated).
    if (!fromClient)
        return;
    if (session.contains(u"instructions"))
        m_pendingInputText += countOnce(&m_lastInstructions, session.value(u"instructions").toString());
    if (session.contains(u"tools")) {
        const QString tools = QString::fromUtf8(
            QJsonDocument(session.value(u"tools").toArray()).toJson(QJsonDocument::Compact));
        m_pendingInputText += countOnce(&m_lastTools, tools);
    }
}

void RealtimeMeter::onConversationItem(const QJsonObject &item)
{
    const QString itemType = item.value(u"type").toString();
    if (itemType == u"function_call_output") {
        addInputText(item.value(u"output").toString());
        return;
    }
    if (itemType == u"function_call") {
        addInputText(item.value(u"arguments").toString());
        return;
    }
    for (const QJsonValue &partValue : item.value(u"content").toArray()) {
        const QJsonObject part = partValue.toObject();
        const QString partType = part.value(u"type").toString();
        if (partType == u"input_text" || partType == u"text" || partType == u"output_text") {
            addInputText(part.value(u"text").toString());
        } else if (partType == u"input_audio" || partType == u"audio" || partType == u"output_audio") {
            m_inputAudio.add(part.value(u"audio").toString().toLatin1());
            if (part.contains(u"transcript"))
                addInputText(part.value(u"transcript").toString());
        }
    }
}

void RealtimeMeter::onResponseDone(const QJsonObject &event)
{
    const QJsonObject response = event.value(u"response").toObject();
    MeteredResponse done;
    done.responseId = response.value(u"id").toString();
    done.status = response.value(u"status").toString();
    const Timing timing = m_timings.contains(done.responseId) ? m_timings.take(done.responseId)
                                                              : Timing{std::exchange(m_turnStartMs, 0), 0, 0};
    done.startedAtMs = timing.startedAtMs;
    done.firstAudioAtMs = timing.firstAudioAtMs;
    done.firstTextAtMs = timing.firstTextAtMs;
    done.estimate = pendingEstimate();
    done.usage = done.estimate;
    const QJsonValue usage = response.value(u"usage");
    if (usage.isObject()) {
        if (const auto reported = usageFromResponseDone(usage.toObject(), &done.usageProblem)) {
            done.fromUpstream = true;
            done.usage = *reported;
        }
    } else if (!usage.isUndefined() && !usage.isNull()) {
        done.usageProblem = QStringLiteral("'usage' is not an object");
    }
    resetPending();
    addSaturating(m_total, done.usage);
    m_completed.push_back(std::move(done));
}

void RealtimeMeter::addUncommittedAudio(QByteArrayView base64)
{
    const qint64 bytesPerSecond = m_inputAudio.format().bytesPerSecond;
    const auto bytes = Tokenize::base64DecodedLength(base64);
    if (bytes && bytesPerSecond > 0)
        m_uncommittedAudioUs = saturatingAdd(m_uncommittedAudioUs, *bytes * 1'000'000 / bytesPerSecond);
}

void RealtimeMeter::onCommitted(const QJsonObject &event)
{
    // Bounded: a conversation session commits audio that is never transcribed.
    constexpr qsizetype MaxKept = 4096;
    if (m_committedAudioMs.size() >= MaxKept)
        m_committedAudioMs.clear();
    m_committedAudioMs.insert(event.value(u"item_id").toString(), uncommittedAudioMs());
    m_uncommittedAudioUs = 0;
}

void RealtimeMeter::onTranscriptionCompleted(const QJsonObject &event)
{
    TranscriptionUsage transcription;
    transcription.itemId = event.value(u"item_id").toString();
    const qint64 committedMs = m_committedAudioMs.take(transcription.itemId);
    const QJsonObject usage = event.value(u"usage").toObject();
    if (usage.isEmpty()) {
        // No usage: bill what the relay saw — the committed audio and the transcript.
        transcription.estimated = true;
        transcription.audioMs = committedMs;
        const QString transcript = event.value(u"transcript").toString();
        transcription.outputTextTokens = transcript.isEmpty() ? 0 : m_countText(transcript);
        m_transcriptions.push_back(std::move(transcription));
        return;
    }
    StrictCounts counts;
    if (usage.value(u"type").toString() == u"duration") {
        const double seconds = usage.value(u"seconds").toDouble(-1);
        if (!(seconds >= 0 && seconds <= 1e9))
            return; // malformed: not billed (the account's ceiling bounds what a well-formed figure can cost)
        transcription.seconds = seconds;
        transcription.duration = true;
    } else {
        const QJsonObject details = counts.object(usage, u"input_token_details");
        const qint64 input = counts.count(usage, u"input_tokens");
        transcription.inputAudioTokens = details.contains(u"audio_tokens") ? counts.count(details, u"audio_tokens") : input;
        transcription.inputTextTokens = counts.count(details, u"text_tokens");
        transcription.outputTextTokens = counts.count(usage, u"output_tokens");
        if (!counts.problem().isEmpty())
            return; // malformed: not billed (the audio itself is input of the next response)
    }
    m_transcriptions.push_back(std::move(transcription));
}

std::optional<Monitor::SessionUsage> RealtimeMeter::usageFromResponseDone(const QJsonObject &usage, QString *problem)
{
    StrictCounts c;
    const auto intAt = [&c](const QJsonObject &object, QStringView key) { return c.count(object, key); };
    Monitor::SessionUsage result;
    const QJsonObject in = c.object(usage, u"input_token_details");
    const QJsonObject out = c.object(usage, u"output_token_details");
    const qint64 inputTokens = intAt(usage, u"input_tokens");
    const qint64 outputTokens = intAt(usage, u"output_tokens");

    result.inputAudio = intAt(in, u"audio_tokens");
    result.inputImage = intAt(in, u"image_tokens");
    // When the breakdown is missing, everything not reported as audio or image is text.
    result.inputText = in.contains(u"text_tokens")
        ? intAt(in, u"text_tokens")
        : std::max<qint64>(0, inputTokens - result.inputAudio - result.inputImage);

    // Cached tokens are a subset of the input; without a per-modality breakdown, assume text first.
    const qint64 cached = intAt(in, u"cached_tokens");
    const QJsonObject cachedDetails = c.object(in, u"cached_tokens_details");
    if (!cachedDetails.isEmpty()) {
        result.cachedText = std::min(intAt(cachedDetails, u"text_tokens"), result.inputText);
        result.cachedAudio = std::min(intAt(cachedDetails, u"audio_tokens"), result.inputAudio);
        result.cachedImage = std::min(intAt(cachedDetails, u"image_tokens"), result.inputImage);
    } else if (cached > 0) {
        result.cachedText = std::min(cached, result.inputText);
        result.cachedAudio = std::min(cached - result.cachedText, result.inputAudio);
    }

    result.outputAudio = intAt(out, u"audio_tokens");
    result.outputText = out.contains(u"text_tokens")
        ? intAt(out, u"text_tokens")
        : std::max<qint64>(0, outputTokens - result.outputAudio);
    // Reasoning tokens are part of the text output (reported nested in some models' text_tokens).
    result.outputReasoning = std::min(intAt(out, u"reasoning_tokens"), result.outputText);
    if (!c.problem().isEmpty()) {
        if (problem)
            *problem = c.problem();
        return std::nullopt;
    }
    return result;
}

qint64 RealtimeMeter::countOnce(QString *lastCounted, const QString &text)
{
    if (text == *lastCounted)
        return 0;
    *lastCounted = text;
    return text.isEmpty() ? 0 : m_countText(text);
}

qint64 RealtimeMeter::addInputText(const QString &text)
{
    const qint64 tokens = text.isEmpty() ? 0 : m_countText(text);
    m_pendingInputText += tokens;
    return tokens;
}

Monitor::SessionUsage RealtimeMeter::pendingEstimate() const
{
    return pendingWith(m_pendingOutputText.isEmpty() ? 0 : m_countText(m_pendingOutputText));
}

Monitor::SessionUsage RealtimeMeter::pendingWith(qint64 outputText) const
{
    Monitor::SessionUsage usage;
    usage.inputText = m_pendingInputText;
    usage.inputAudio = m_inputAudio.pending();
    usage.outputAudio = m_outputAudio.pending();
    usage.outputText = outputText;
    return usage;
}

void RealtimeMeter::resetPending()
{
    // Audio shorter than one token carries over to the next response (the streams are cumulative).
    m_pendingInputText = 0;
    m_pendingOutputTextLive = 0;
    m_inputAudio.markTaken();
    m_outputAudio.markTaken();
    m_pendingOutputText.clear();
}

std::vector<MeteredResponse> RealtimeMeter::takeCompletedResponses()
{
    return std::exchange(m_completed, {});
}

std::vector<TranscriptionUsage> RealtimeMeter::takeTranscriptions()
{
    return std::exchange(m_transcriptions, {});
}

Monitor::SessionUsage RealtimeMeter::takePending()
{
    const Monitor::SessionUsage pending = pendingEstimate();
    resetPending();
    m_total += pending;
    return pending;
}

bool RealtimeMeter::hasPending() const
{
    return m_pendingInputText > 0 || m_inputAudio.pending() > 0 || m_outputAudio.pending() > 0
        || !m_pendingOutputText.isEmpty();
}

Monitor::SessionUsage RealtimeMeter::liveUsage() const
{
    // The reply in progress shows as the sum of its deltas' own counts: recounting the whole reply on every delta
    // (the session publishes after each one) made a long response quadratic. Its bill counts it once, whole.
    Monitor::SessionUsage usage = m_total;
    usage += pendingWith(m_pendingOutputTextLive);
    return usage;
}

} // namespace RelayDesk::Relay
