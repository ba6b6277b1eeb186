#pragma once

#include "monitor/sessionregistry.h"

#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <functional>
#include <vector>

namespace RelayDesk::Relay {

// Audio formats of the Realtime API: beta strings ("pcm16", "g711_ulaw", "g711_alaw") and GA objects
// ({"type":"audio/pcm","rate":24000}, {"type":"audio/pcmu"}, {"type":"audio/pcma"}).
struct RealtimeAudioFormat
{
    QString name = QStringLiteral("pcm16");
    int bytesPerSecond = 48000; // pcm16 mono 24 kHz; G.711 is 8 kHz, one byte per sample

    static std::optional<RealtimeAudioFormat> fromJson(const QJsonValue &value);
};

// Usage of one input-audio transcription, billed separately at the transcription model's price.
struct TranscriptionUsage
{
    QString itemId;
    qint64 inputTextTokens = 0;
    qint64 inputAudioTokens = 0;
    qint64 outputTextTokens = 0;
    double seconds = 0.0; // for duration-billed transcription models
};

// One finished response: the upstream's `response.done` usage when present (authoritative),
// otherwise the local estimate for everything since the previous response.
struct MeteredResponse
{
    QString responseId;
    QString status;
    bool fromUpstream = false;
    Monitor::SessionUsage usage;
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
// `response.done` with `usage` is authoritative for that response; the local estimate only fills in
// for responses without usage and for whatever happened after the last `response.done` (see
// takePending()). Not thread-safe: one meter per session, used on the session's thread.
class RealtimeMeter final
{
public:
    using TextCounter = std::function<qint64(const QString &text)>;

    explicit RealtimeMeter(TextCounter countText);

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
    const RealtimeAudioFormat &inputFormat() const { return m_inputFormat; }
    const RealtimeAudioFormat &outputFormat() const { return m_outputFormat; }
    QString transcriptionModel() const { return m_transcriptionModel; }

    static Monitor::SessionUsage usageFromResponseDone(const QJsonObject &usage);

private:
    // Audio duration in ticks of 1/48000 s, exact for 24 kHz pcm16 (1 tick/byte) and G.711 (6 ticks/byte).
    static qint64 audioTicks(qint64 bytes, const RealtimeAudioFormat &format);

    void onSession(const QJsonObject &session, bool fromClient);
    void onConversationItem(const QJsonObject &item);
    void onResponseDone(const QJsonObject &event);
    void onTranscriptionCompleted(const QJsonObject &event);
    qint64 countOnce(QString *lastCounted, const QString &text);
    qint64 addInputText(const QString &text);
    qint64 addInputAudioBytes(qint64 bytes);
    qint64 addOutputAudioBytes(qint64 bytes);
    Monitor::SessionUsage pendingEstimate() const;
    void resetPending();

    TextCounter m_countText;
    RealtimeAudioFormat m_inputFormat;
    RealtimeAudioFormat m_outputFormat;
    QString m_transcriptionModel;
    QString m_lastInstructions;
    QString m_lastTools;

    // Since the last finished response.
    qint64 m_pendingInputText = 0;
    qint64 m_pendingInputAudioTicks = 0;
    qint64 m_pendingOutputAudioTicks = 0;
    QString m_pendingOutputText;

    Monitor::SessionUsage m_total;
    std::vector<MeteredResponse> m_completed;
    std::vector<TranscriptionUsage> m_transcriptions;
};

} // namespace RelayDesk::Relay
