#pragma once
// POST /v1/audio/transcriptions and /v1/audio/translations on the metered-call engine. The request is the
// client's multipart form, sent upstream as it came (only `model` replaced by the channel's mapping, the file not
// copied). The reply is JSON ({text, usage}), a plain body (response_format text, srt, vtt: passed through as
// it arrives) or, with `stream=true`, events (transcript.text.delta … transcript.text.done with usage).
//
// Usage has two shapes: {"type":"tokens", input_tokens, input_token_details{text_tokens, audio_tokens},
// output_tokens} (gpt-4o-transcribe family: audio input at the audio price, text at the text prices) and
// {"type":"duration", seconds} (whisper-1: the model's MinutePrice, prorated). Without usage (translations, the
// plain formats) the call is billed on the uploaded file's duration — as audio-input tokens (1 per 100 ms) and
// as seconds, so whichever the model is priced by applies — plus the transcript's text tokens. A reported
// duration beyond the file's (by more than a second or 10 %) is not believed: the file's duration is billed.
#include "http/multipartform.h"
#include "relay/calladapter.h"

namespace RelayDesk::Relay {

class TranscriptionAdapter final : public CallAdapter
{
public:
    enum class Task { Transcribe, Translate };

    // `audioMs`: the file's duration; `promptTokens`: the `prompt` field's tokens for the model.
    TranscriptionAdapter(Task task, MultipartForm form, QByteArray contentType, qint64 audioMs, qint64 promptTokens,
                         bool stream);

    QString requestPath() const override;
    QString reservationKind() const override { return QStringLiteral("audio"); }
    Monitor::SessionKind sessionKind() const override { return Monitor::SessionKind::Transcription; }
    bool isStream() const override { return m_stream; }
    PromptEstimate estimatePrompt(const QString &model) const override;
    const HoldParameters &hold() const override { return m_hold; }
    QString upstreamPath() const override;
    UpstreamBody upstreamBody(const QString &upstreamModel) const override;
    EventReport onEvent(const SseEvent &event, ClientSink &client) override;
    JsonReport onJson(const QJsonObject &reply) override;
    bool passesOtherBodiesThrough() const override { return true; }
    void onRawData(QByteArrayView data) override;
    LocalOutput countOutput(const QString &upstreamModel) override;
    UsageReading readUsage(const QJsonValue &usage) const override;
    void describe(QJsonObject &other) const override;

    // Transcript text tokens held per minute of audio: fast speech is ~200 words a minute (~270 tokens); twice
    // that, so a hold covers any real transcript.
    static constexpr qint64 kHeldTokensPerMinute = 600;
    static constexpr qint64 kMinHeldTokens = 64;
    // What is kept of a transcript for the local count (a plain reply can be long; it is passed through whole).
    static constexpr qsizetype kMaxKeptText = 4 << 20;

private:
    void keepText(QStringView text);

    Task m_task;
    MultipartForm m_form;
    QByteArray m_contentType;
    qint64 m_audioMs = 0;
    qint64 m_promptTokens = 0;
    bool m_stream = false;
    HoldParameters m_hold;
    QString m_text;       // the transcript as delivered (for a local count)
    QByteArray m_rawText; // a plain reply as delivered
};

} // namespace RelayDesk::Relay
