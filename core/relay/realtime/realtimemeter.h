#pragma once

#include "monitor/sessionregistry.h"
#include "tokenize/audiotokens.h"

#include <QByteArrayView>
#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringDecoder>

#include <functional>
#include <optional>
#include <vector>

namespace RelayDesk::Relay {

// Usage of one input-audio transcription, billed separately at the transcription model's price.
struct TranscriptionUsage
{
    QString itemId;
    qint64 inputTextTokens = 0;
    qint64 inputAudioTokens = 0;
    qint64 outputTextTokens = 0;
    double seconds = 0.0; // for duration-billed transcription models
    bool duration = false;  // the upstream reported {type:"duration", seconds}
    // No usage in the completed event: the local fallback — the committed audio's duration (audioMs) and the
    // transcript's text tokens (outputTextTokens), counted by the relay.
    bool estimated = false;
    qint64 audioMs = 0;
};

// One finished response: the upstream's `response.done` usage when present and well-formed, otherwise the
// local estimate for everything since the previous response. The estimate is kept either way, so that usage
// the account finds implausible (UsageCeilings) can be replaced by what was actually seen.
struct MeteredResponse
{
    QString responseId;
    QString status;
    bool fromUpstream = false;
    Monitor::SessionUsage usage;
    Monitor::SessionUsage estimate; // the local meter's count of this response
    QString usageProblem;           // the upstream's usage was malformed (then usage == estimate): why
    // When it was asked for and first answered, in ms since the epoch by the meter's clock (0 = not seen): the
    // start is the first response.create or speech stop since the previous response was created (else its
    // response.created); the first audio / text delta carries the response's id.
    qint64 startedAtMs = 0;
    qint64 firstAudioAtMs = 0;
    qint64 firstTextAtMs = 0;
};

// What the meter saw in one frame, for the live event timeline.
struct MeterObservation
{
    QString type;          // event type, or "(binary)" / "(invalid json)"
    qint64 tokens = 0;     // local estimate attributable to this event (display only)
    bool responseDone = false;
    bool transcriptionDone = false;
};

// Per-session local estimate of a Realtime conversation, per modality, from the frames both ways.
//
// Beta and GA event names are both understood; unknown events are ignored (never an error). Audio is
// counted on cumulative bytes per direction at OpenAI's documented rates — user audio 1 token per
// 100 ms, assistant audio 1 token per 50 ms — so 20 ms frames are not rounded down to zero one by one.
// Text deltas of a response are concatenated and counted once with the model's tokenizer.
//
// `response.done` with a well-formed `usage` is authoritative for that response; the local estimate fills in
// for responses without usage or with malformed usage (a count that is not a non-negative integer ≤ 2^53:
// negative, fractional, a string, too large) and for whatever happened after the last `response.done` (see
// takePending()). Not thread-safe: one meter per session, used on the session's thread.
class RealtimeMeter final
{
public:
    using TextCounter = std::function<qint64(const QString &text)>;
    using Clock = std::function<qint64()>; // ms since the epoch

    // `clock` times each response (unset: the wall clock).
    explicit RealtimeMeter(TextCounter countText, Clock clock = {});

    MeterObservation observeClient(QByteArrayView frame);
    MeterObservation observeUpstream(QByteArrayView frame);

    // Responses finished since the last call, in order.
    std::vector<MeteredResponse> takeCompletedResponses();
    std::vector<TranscriptionUsage> takeTranscriptions();

    // The local estimate of everything since the last finished response (session end), then reset.
    Monitor::SessionUsage takePending();
    bool hasPending() const;

    // Finished responses: upstream-reported where available, local estimates elsewhere.
    const Monitor::SessionUsage &total() const { return m_total; }
    // total() plus the running estimate of the response in progress: what the console shows.
    Monitor::SessionUsage liveUsage() const;
    const Tokenize::AudioFormat &inputFormat() const { return m_inputAudio.format(); }
    const Tokenize::AudioFormat &outputFormat() const { return m_outputAudio.format(); }
    QString transcriptionModel() const { return m_transcriptionModel; }
    // The session only transcribes (GA session.type "transcription", the beta transcription_session.* events, or
    // `?intent=transcription`, which the relay tells with setTranscriptionSession).
    bool isTranscriptionSession() const { return m_transcriptionSession; }
    void setTranscriptionSession(bool on) { m_transcriptionSession = on; }
    // Input audio appended since the last commit (or clear), in milliseconds, rounded up.
    qint64 uncommittedAudioMs() const { return (m_uncommittedAudioUs + 999) / 1000; }

    // Strict: nullopt (and *problem) when a count is not a non-negative integer ≤ 2^53 or a detail is not an
    // object; absent or null counts are 0.
    static std::optional<Monitor::SessionUsage> usageFromResponseDone(const QJsonObject &usage,
                                                                      QString *problem = nullptr);

private:
    // One direction of audio, cumulative over the whole session so that sub-token remainders carry over from
    // one response to the next; `pending()` is what arrived since the last finished response.
    class AudioStream final
    {
    public:
        explicit AudioStream(Tokenize::AudioDirection direction);
        void setFormat(const Tokenize::AudioFormat &format);
        const Tokenize::AudioFormat &format() const { return m_current.format(); }
        qint64 add(QByteArrayView base64); // tokens newly earned; invalid base64 adds nothing
        qint64 pending() const { return total() - m_mark; }
        void markTaken() { m_mark = total(); }

    private:
        qint64 total() const { return m_earlier + m_current.tokens(); }

        Tokenize::AudioDirection m_direction;
        Tokenize::AudioTokenAccumulator m_current;
        qint64 m_earlier = 0; // tokens counted under previous formats
        qint64 m_mark = 0;
    };

    // When a response was asked for and first answered (ms since the epoch; 0 = not yet).
    struct Timing
    {
        qint64 startedAtMs = 0;
        qint64 firstAudioAtMs = 0;
        qint64 firstTextAtMs = 0;
    };

    void noteTurnStart();
    void onResponseCreated(const QJsonObject &event);
    void noteFirstDelta(QByteArrayView responseId, bool audio);
    // The event type as a QString shared by every event of that type.
    QString internType(QByteArrayView type);
    // An escape-free text delta, counted without a JSON tree; false: the caller parses the frame.
    bool observeTextDelta(QByteArrayView frame, QByteArrayView type, MeterObservation *observation);
    // A text delta of the reply in progress: kept for its bill, its own count added to the live sum; returns that.
    qint64 addOutputText(const QString &delta);
    void onSession(const QJsonObject &session, bool fromClient);
    void onConversationItem(const QJsonObject &item);
    void onResponseDone(const QJsonObject &event);
    void onTranscriptionCompleted(const QJsonObject &event);
    void addUncommittedAudio(QByteArrayView base64);
    void onCommitted(const QJsonObject &event);
    qint64 countOnce(QString *lastCounted, const QString &text);
    qint64 addInputText(const QString &text);
    Monitor::SessionUsage pendingEstimate() const;
    // The pending usage with `outputText` for the reply in progress (counted whole, or the live sum).
    Monitor::SessionUsage pendingWith(qint64 outputText) const;
    void resetPending();

    TextCounter m_countText;
    Clock m_clock;
    qint64 m_turnStartMs = 0;          // the earliest response.create / speech stop not yet matched to a response
    QHash<QString, Timing> m_timings;  // responses created and not yet done, by id (bounded)
    AudioStream m_inputAudio{Tokenize::AudioDirection::Input};
    AudioStream m_outputAudio{Tokenize::AudioDirection::Output};
    QString m_transcriptionModel;
    bool m_transcriptionSession = false;
    qint64 m_uncommittedAudioUs = 0;         // appended since the last commit, in microseconds (exact for pcm16)
    QHash<QString, qint64> m_committedAudioMs; // item id → its committed audio, until its transcription completes
    QString m_lastInstructions;
    QString m_lastTools;

    // Since the last finished response.
    qint64 m_pendingInputText = 0;
    QString m_pendingOutputText;
    qint64 m_pendingOutputTextLive = 0; // the sum of its deltas' counts, for liveUsage()

    std::vector<std::pair<QByteArray, QString>> m_types; // internType()
    QByteArray m_firstAudioNoted; // the response whose first audio / text delta was timed last
    QByteArray m_firstTextNoted;
    QString m_scratch;            // one decoded delta, reused
    QStringDecoder m_decoder{QStringDecoder::Utf8, QStringDecoder::Flag::Stateless};

    Monitor::SessionUsage m_total;
    std::vector<MeteredResponse> m_completed;
    std::vector<TranscriptionUsage> m_transcriptions;
};

} // namespace RelayDesk::Relay
