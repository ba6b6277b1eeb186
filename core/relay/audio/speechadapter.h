#pragma once
// POST /v1/audio/speech on the metered-call engine. The request is JSON (model replaced by the channel's mapping);
// the reply is the audio itself, passed through unchanged as it arrives, or — with stream_format "sse" —
// speech.audio.delta events and a speech.audio.done carrying usage {input_tokens, output_tokens (audio)}.
//
// Billing: the input text's tokens at the input price and the audio's output tokens at the audio output price
// (from the done event's usage, else from the returned audio's duration: 1 token per 50 ms, read with
// libavformat — raw pcm is 24 kHz 16-bit mono); and the input's characters at the model's CharacterPrice
// (tts-1, tts-1-hd), always counted from the request. Audio that cannot be decoded is billed as speech at
// kFallbackMsPerCharacter per character (at the requested speed).
#include "relay/calladapter.h"

namespace RelayDesk::Relay {

class SpeechAdapter final : public CallAdapter
{
public:
    // Audio output tokens held per input character at speed 1: slow speech is ~10 characters a second
    // (2 tokens a character); 3 covers it.
    static constexpr qint64 kHeldTokensPerCharacter = 3;
    static constexpr qint64 kFallbackMsPerCharacter = 70;
    // The returned audio kept for reading its duration (a 4096-character speech is a few MB in any format).
    static constexpr qsizetype kMaxKeptAudio = 48 << 20;

    SpeechAdapter(QJsonObject request, qint64 textTokens, qint64 characters, QString responseFormat, double speed,
                  bool stream);

    QString requestPath() const override { return QStringLiteral("/v1/audio/speech"); }
    QString reservationKind() const override { return QStringLiteral("audio"); }
    Monitor::SessionKind sessionKind() const override { return Monitor::SessionKind::Speech; }
    bool isStream() const override { return m_stream; }
    PromptEstimate estimatePrompt(const QString &model) const override;
    const HoldParameters &hold() const override { return m_hold; }
    QString upstreamPath() const override { return QStringLiteral("audio/speech"); }
    UpstreamBody upstreamBody(const QString &upstreamModel) const override;
    EventReport onEvent(const SseEvent &event, ClientSink &client) override;
    JsonReport onJson(const QJsonObject &reply) override;
    bool passesOtherBodiesThrough() const override { return true; }
    void onRawData(QByteArrayView data) override;
    LocalOutput countOutput(const QString &upstreamModel) override;
    UsageReading readUsage(const QJsonValue &usage) const override;
    void describe(QJsonObject &other) const override;

private:
    void keepAudio(QByteArrayView data);
    qint64 deliveredMilliseconds() const;

    QJsonObject m_request;
    qint64 m_textTokens = 0;
    qint64 m_characters = 0;
    QString m_format;
    double m_speed = 1.0;
    bool m_stream = false;
    HoldParameters m_hold;
    QByteArray m_audio;     // what was delivered (up to kMaxKeptAudio)
    qint64 m_audioBytes = 0; // all of it
    mutable qint64 m_measuredMs = -1;
};

} // namespace RelayDesk::Relay
