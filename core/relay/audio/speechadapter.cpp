#include "relay/audio/speechadapter.h"

#include "common/compactjson.h"
#include "relay/clientsink.h"
#include "relay/typedevent.h"
#include "tokenize/audiotokens.h"
#include "tokenize/mediaduration.h"

#include <QtCore/QJsonDocument>

#include <cmath>

namespace RelayDesk::Relay {

SpeechAdapter::SpeechAdapter(QJsonObject request, qint64 textTokens, qint64 characters, QString responseFormat,
                             double speed, bool stream)
    : m_request(std::move(request))
    , m_textTokens(textTokens)
    , m_characters(characters)
    , m_format(std::move(responseFormat))
    , m_speed(speed)
    , m_stream(stream)
    , m_hold(HoldParameters::audioOutput(qint64(std::ceil(double(characters * kHeldTokensPerCharacter) / speed)) + 100))
{
}

PromptEstimate SpeechAdapter::estimatePrompt(const QString &model) const
{
    Q_UNUSED(model) // counted by the endpoint
    PromptEstimate estimate;
    estimate.textTokens = m_textTokens;
    estimate.units.characters = m_characters;
    return estimate;
}

UpstreamBody SpeechAdapter::upstreamBody(const QString &upstreamModel) const
{
    QJsonObject body = m_request;
    body.insert(QStringLiteral("model"), upstreamModel);
    UpstreamBody out(CompactJson::write(body));
    if (!m_stream)
        out.accept = QByteArrayLiteral("*/*"); // the audio itself
    return out;
}

EventReport SpeechAdapter::onEvent(const SseEvent &event, ClientSink &client)
{
    const auto [payload, type, liveType] = TypedEvent::forward(event, client);
    EventReport report;
    report.liveType = liveType;
    if (type == QLatin1StringView("speech.audio.delta")) {
        const QByteArray audio = payload.value(QLatin1StringView("audio")).toString().toLatin1();
        keepAudio(QByteArray::fromBase64(audio));
    } else if (type == QLatin1StringView("speech.audio.done")) {
        report.usage = payload.value(QLatin1StringView("usage"));
        report.terminal = true;
    }
    return report;
}

JsonReport SpeechAdapter::onJson(const QJsonObject &reply)
{
    return JsonReport{reply.value(QLatin1StringView("usage"))}; // not what OpenAI sends; a compatible upstream might
}

void SpeechAdapter::onRawData(QByteArrayView data)
{
    keepAudio(data);
}

void SpeechAdapter::keepAudio(QByteArrayView data)
{
    m_audioBytes += data.size();
    m_measuredMs = -1;
    if (m_audio.size() < kMaxKeptAudio)
        m_audio.append(data.first(std::min(data.size(), kMaxKeptAudio - m_audio.size())));
}

qint64 SpeechAdapter::deliveredMilliseconds() const
{
    if (m_measuredMs >= 0)
        return m_measuredMs;
    if (m_audioBytes == 0)
        return m_measuredMs = 0;
    if (m_format == QLatin1StringView("pcm")) // raw 24 kHz 16-bit mono: 48 000 bytes a second
        return m_measuredMs = m_audioBytes * 1000 / 48000;
    if (const auto media = Tokenize::MediaDuration::probe(m_audio); media && media->milliseconds > 0) {
        // Beyond what was kept, the rest is assumed to run at the same bitrate.
        return m_measuredMs = qint64(double(media->milliseconds) * double(m_audioBytes) / double(m_audio.size()));
    }
    return m_measuredMs = qint64(std::ceil(double(m_characters * kFallbackMsPerCharacter) / m_speed));
}

LocalOutput SpeechAdapter::countOutput(const QString &upstreamModel)
{
    Q_UNUSED(upstreamModel)
    LocalOutput out;
    out.audioTokens = Tokenize::audioTokensForMilliseconds(deliveredMilliseconds(), Tokenize::AudioDirection::Output);
    return out;
}

UsageReading SpeechAdapter::readUsage(const QJsonValue &value) const
{
    UsageReading reading = UsageParser::read(value);
    if (reading.usage) {
        // speech.audio.done's output_tokens are audio (unless the upstream split them itself)
        Billing::Usage &u = reading.usage->usage;
        if (u.outputAudio == 0) {
            u.outputAudio = u.outputText;
            u.outputText = u.outputReasoning = 0;
        }
        reading.usage->units.characters = m_characters; // counted from the request, whatever the upstream says
    }
    return reading;
}

void SpeechAdapter::describe(QJsonObject &other) const
{
    other.insert(QStringLiteral("response_format"), m_format);
    other.insert(QStringLiteral("characters"), m_characters);
    if (m_audioBytes > 0) {
        other.insert(QStringLiteral("audio_bytes"), m_audioBytes);
        other.insert(QStringLiteral("audio_seconds"), double(deliveredMilliseconds()) / 1000.0);
    }
    if (m_speed != 1.0)
        other.insert(QStringLiteral("speed"), m_speed);
}

} // namespace RelayDesk::Relay
