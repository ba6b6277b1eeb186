#include "relay/usageparser.h"

#include "relay/strictcounts.h"

#include <QtCore/QJsonValue>

#include <algorithm>

namespace RelayDesk::Relay {

UsageReading UsageParser::read(const QJsonValue &value)
{
    UsageReading reading;
    if (value.isUndefined() || value.isNull())
        return reading;
    if (!value.isObject()) {
        reading.status = UsageReading::Status::Malformed;
        reading.problem = QStringLiteral("usage is not an object");
        return reading;
    }
    const QJsonObject u = value.toObject();
    StrictCounts c;
    ParsedUsage out;
    // Chat Completions names, with the Responses-style names as a fallback.
    out.promptTokens = u.contains(QLatin1StringView("prompt_tokens")) ? c.count(u, QLatin1StringView("prompt_tokens"))
                                                                      : c.count(u, QLatin1StringView("input_tokens"));
    out.completionTokens = u.contains(QLatin1StringView("completion_tokens"))
                               ? c.count(u, QLatin1StringView("completion_tokens"))
                               : c.count(u, QLatin1StringView("output_tokens"));

    QJsonObject in = c.object(u, QLatin1StringView("prompt_tokens_details"));
    if (in.isEmpty())
        in = c.object(u, QLatin1StringView("input_tokens_details"));
    QJsonObject outDetails = c.object(u, QLatin1StringView("completion_tokens_details"));
    if (outDetails.isEmpty())
        outDetails = c.object(u, QLatin1StringView("output_tokens_details"));

    Billing::Usage &b = out.usage;
    b.inputAudio = std::min(c.count(in, QLatin1StringView("audio_tokens")), out.promptTokens);
    b.inputImage = std::min(c.count(in, QLatin1StringView("image_tokens")), out.promptTokens - b.inputAudio);
    b.inputText = out.promptTokens - b.inputAudio - b.inputImage;
    qint64 cached = c.count(in, QLatin1StringView("cached_tokens"));
    if (cached == 0)
        cached = c.count(u, QLatin1StringView("prompt_cache_hit_tokens")); // DeepSeek
    // Cached audio is reported separately by Realtime-style details; chat caching is text.
    const QJsonObject cachedDetails = c.object(in, QLatin1StringView("cached_tokens_details"));
    b.cachedAudio = std::min(c.count(cachedDetails, QLatin1StringView("audio_tokens")), b.inputAudio);
    b.cachedImage = std::min(c.count(cachedDetails, QLatin1StringView("image_tokens")), b.inputImage);
    b.cachedText = std::clamp<qint64>(cached - b.cachedAudio - b.cachedImage, 0, b.inputText);
    b.cacheWrite = std::min(std::max(c.count(in, QLatin1StringView("cached_creation_tokens")),
                                     c.count(in, QLatin1StringView("cache_write_tokens"))),
                            b.inputText - b.cachedText);

    b.outputAudio = std::min(c.count(outDetails, QLatin1StringView("audio_tokens")), out.completionTokens);
    b.outputText = out.completionTokens - b.outputAudio;
    b.outputReasoning = std::min(c.count(outDetails, QLatin1StringView("reasoning_tokens")), b.outputText);

    if (!c.problem().isEmpty()) {
        reading.status = UsageReading::Status::Malformed;
        reading.problem = c.problem();
        return reading;
    }
    if (out.promptTokens == 0 && out.completionTokens == 0)
        return reading; // reports nothing: as absent
    reading.status = UsageReading::Status::Valid;
    reading.usage = out;
    return reading;
}

std::optional<ParsedUsage> UsageParser::parse(const QJsonValue &value)
{
    return read(value).usage;
}

QJsonObject UsageParser::toJson(const ParsedUsage &p)
{
    const Billing::Usage &b = p.usage;
    return QJsonObject{
        {QStringLiteral("prompt_tokens"), p.promptTokens},
        {QStringLiteral("completion_tokens"), p.completionTokens},
        {QStringLiteral("total_tokens"), p.promptTokens + p.completionTokens},
        {QStringLiteral("prompt_tokens_details"),
         QJsonObject{{QStringLiteral("cached_tokens"), b.cachedText + b.cachedAudio + b.cachedImage},
                     {QStringLiteral("audio_tokens"), b.inputAudio},
                     {QStringLiteral("image_tokens"), b.inputImage}}},
        {QStringLiteral("completion_tokens_details"),
         QJsonObject{{QStringLiteral("reasoning_tokens"), b.outputReasoning},
                     {QStringLiteral("audio_tokens"), b.outputAudio}}},
    };
}

ParsedUsage UsageParser::local(qint64 promptTextTokens, qint64 promptImageTokens, qint64 completionTokens,
                               qint64 reasoningTokens)
{
    ParsedUsage p;
    p.usage.inputText = promptTextTokens;
    p.usage.inputImage = promptImageTokens;
    p.usage.outputText = completionTokens;
    p.usage.outputReasoning = std::min(reasoningTokens, completionTokens);
    p.promptTokens = promptTextTokens + promptImageTokens;
    p.completionTokens = completionTokens;
    return p;
}

} // namespace RelayDesk::Relay
