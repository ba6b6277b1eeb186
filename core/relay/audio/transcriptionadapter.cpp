#include "relay/audio/transcriptionadapter.h"

#include "relay/chat/chatrelaytokens.h"
#include "relay/clientsink.h"
#include "relay/strictcounts.h"
#include "relay/typedevent.h"
#include "tokenize/audiotokens.h"


#include <cmath>

namespace RelayDesk::Relay {

TranscriptionAdapter::TranscriptionAdapter(Task task, MultipartForm form, QByteArray contentType, qint64 audioMs,
                                           qint64 promptTokens, bool stream)
    : m_task(task)
    , m_form(std::move(form))
    , m_contentType(std::move(contentType))
    , m_audioMs(audioMs)
    , m_promptTokens(promptTokens)
    , m_stream(stream)
    , m_hold(HoldParameters().withDefaultMaxTokens(
          std::max(kMinHeldTokens, (audioMs * kHeldTokensPerMinute + 59'999) / 60'000)))
{
}

QString TranscriptionAdapter::requestPath() const
{
    return m_task == Task::Transcribe ? QStringLiteral("/v1/audio/transcriptions")
                                      : QStringLiteral("/v1/audio/translations");
}

QString TranscriptionAdapter::upstreamPath() const
{
    return m_task == Task::Transcribe ? QStringLiteral("audio/transcriptions") : QStringLiteral("audio/translations");
}

PromptEstimate TranscriptionAdapter::estimatePrompt(const QString &model) const
{
    Q_UNUSED(model) // the prompt was counted by the endpoint
    PromptEstimate estimate;
    estimate.textTokens = m_promptTokens;
    estimate.audioTokens = Tokenize::audioTokensForMilliseconds(m_audioMs, Tokenize::AudioDirection::Input);
    estimate.units.audioMs = m_audioMs;
    return estimate;
}

UpstreamBody TranscriptionAdapter::upstreamBody(const QString &upstreamModel) const
{
    return UpstreamBody(m_contentType, m_form.withField("model", upstreamModel.toUtf8()), m_form.body());
}

EventReport TranscriptionAdapter::onEvent(const SseEvent &event, ClientSink &client)
{
    const auto [payload, type, liveType] = TypedEvent::forward(event, client);
    EventReport report;
    report.liveType = liveType;
    if (type == QLatin1StringView("transcript.text.delta")) {
        keepText(payload.value(QLatin1StringView("delta")).toString());
    } else if (type == QLatin1StringView("transcript.text.done")) {
        m_text.clear(); // the whole text, as the deltas were
        keepText(payload.value(QLatin1StringView("text")).toString());
        report.usage = payload.value(QLatin1StringView("usage"));
        report.terminal = true;
    }
    return report;
}

JsonReport TranscriptionAdapter::onJson(const QJsonObject &reply)
{
    keepText(reply.value(QLatin1StringView("text")).toString());
    return JsonReport{reply.value(QLatin1StringView("usage"))};
}

void TranscriptionAdapter::onRawData(QByteArrayView data)
{
    if (m_rawText.size() < kMaxKeptText)
        m_rawText.append(data.first(std::min(data.size(), kMaxKeptText - m_rawText.size())));
}

LocalOutput TranscriptionAdapter::countOutput(const QString &upstreamModel)
{
    LocalOutput out;
    const QString text = m_rawText.isEmpty() ? m_text : QString::fromUtf8(m_rawText);
    out.completionTokens = ChatRelayTokens::countText(text, upstreamModel);
    return out;
}

void TranscriptionAdapter::keepText(QStringView text)
{
    if (m_text.size() < kMaxKeptText)
        m_text.append(text.first(std::min(text.size(), kMaxKeptText - m_text.size())));
}

UsageReading TranscriptionAdapter::readUsage(const QJsonValue &value) const
{
    const QJsonObject u = value.toObject();
    const QString type = u.value(QLatin1StringView("type")).toString();
    if (value.isObject() && type == QLatin1StringView("duration")) {
        UsageReading reading;
        const QJsonValue seconds = u.value(QLatin1StringView("seconds"));
        const double s = seconds.toDouble(-1);
        if (!seconds.isDouble() || !std::isfinite(s) || s < 0 || s > 1e7) {
            reading.status = UsageReading::Status::Malformed;
            reading.problem = QStringLiteral("usage.seconds is not a non-negative number");
            return reading;
        }
        const qint64 ms = qint64(std::ceil(s * 1000));
        const qint64 slack = std::max<qint64>(1000, m_audioMs / 10); // the upstream may round up to whole seconds
        if (ms > m_audioMs + slack) {
            reading.status = UsageReading::Status::Malformed;
            reading.problem = QStringLiteral("usage.seconds (%1) is beyond the uploaded file's duration (%2 s)")
                                  .arg(s).arg(double(m_audioMs) / 1000.0);
            return reading;
        }
        reading.status = UsageReading::Status::Valid;
        reading.usage = ParsedUsage{};
        reading.usage->units.audioMs = ms;
        return reading;
    }
    if (!value.isObject() || type != QLatin1StringView("tokens"))
        return UsageParser::read(value);
    // {"type":"tokens", input_tokens, input_token_details{text_tokens, audio_tokens}, output_tokens}: the detail
    // is singular here ("input_token_details"), unlike chat and Responses.
    StrictCounts c;
    ParsedUsage out;
    out.promptTokens = c.count(u, QLatin1StringView("input_tokens"));
    out.completionTokens = c.count(u, QLatin1StringView("output_tokens"));
    QJsonObject details = c.object(u, QLatin1StringView("input_token_details"));
    if (details.isEmpty())
        details = c.object(u, QLatin1StringView("input_tokens_details"));
    const bool hasAudio = details.contains(QLatin1StringView("audio_tokens"));
    const qint64 audio = hasAudio ? c.count(details, QLatin1StringView("audio_tokens")) : out.promptTokens;
    UsageReading reading;
    if (!c.problem().isEmpty()) {
        reading.status = UsageReading::Status::Malformed;
        reading.problem = c.problem();
        return reading;
    }
    const qint64 fileTokens = Tokenize::audioTokensForMilliseconds(m_audioMs, Tokenize::AudioDirection::Input);
    if (audio > fileTokens + std::max<qint64>(10, fileTokens / 10)) {
        reading.status = UsageReading::Status::Malformed;
        reading.problem = QStringLiteral("%1 audio tokens reported for a file of %2 s (%3 tokens)")
                              .arg(audio).arg(double(m_audioMs) / 1000.0).arg(fileTokens);
        return reading;
    }
    out.usage.inputAudio = std::min(audio, out.promptTokens);
    out.usage.inputText = out.promptTokens - out.usage.inputAudio;
    out.usage.outputText = out.completionTokens;
    out.units.audioMs = m_audioMs; // a model priced by the minute pays for the file, whatever the upstream counts
    reading.status = UsageReading::Status::Valid;
    reading.usage = out;
    return reading;
}

void TranscriptionAdapter::describe(QJsonObject &other) const
{
    other.insert(QStringLiteral("audio_file_seconds"), double(m_audioMs) / 1000.0);
    if (const MultipartPart *file = m_form.part("file"); file && !file->fileName.isEmpty())
        other.insert(QStringLiteral("audio_file_bytes"), qint64(file->dataSize));
    const QString format = m_form.text("response_format");
    if (!format.isEmpty())
        other.insert(QStringLiteral("response_format"), format);
}

} // namespace RelayDesk::Relay
