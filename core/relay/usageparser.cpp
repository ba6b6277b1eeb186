#include "relay/usageparser.h"

#include <QtCore/QJsonValue>

#include <algorithm>

namespace RelayDesk::Relay {

namespace {

qint64 count(const QJsonObject &o, QLatin1StringView key)
{
    const QJsonValue v = o.value(key);
    if (!v.isDouble())
        return 0;
    const double d = v.toDouble();
    return d > 0 && d < 1e15 ? static_cast<qint64>(d) : 0; // negative or absurd counts are bad data → 0
}

} // namespace

std::optional<ParsedUsage> UsageParser::parse(const QJsonValue &value)
{
    if (!value.isObject())
        return std::nullopt;
    const QJsonObject u = value.toObject();
    ParsedUsage out;
    // Chat Completions names, with the Responses-style names as a fallback.
    out.promptTokens = u.contains(QLatin1StringView("prompt_tokens")) ? count(u, QLatin1StringView("prompt_tokens"))
                                                                      : count(u, QLatin1StringView("input_tokens"));
    out.completionTokens = u.contains(QLatin1StringView("completion_tokens"))
                               ? count(u, QLatin1StringView("completion_tokens"))
                               : count(u, QLatin1StringView("output_tokens"));
    if (out.promptTokens == 0 && out.completionTokens == 0)
        return std::nullopt;

    QJsonObject in = u.value(QLatin1StringView("prompt_tokens_details")).toObject();
    if (in.isEmpty())
        in = u.value(QLatin1StringView("input_tokens_details")).toObject();
    QJsonObject outDetails = u.value(QLatin1StringView("completion_tokens_details")).toObject();
    if (outDetails.isEmpty())
        outDetails = u.value(QLatin1StringView("output_tokens_details")).toObject();

    Billing::Usage &b = out.usage;
    b.inputAudio = std::min(count(in, QLatin1StringView("audio_tokens")), out.promptTokens);
    b.inputImage = std::min(count(in, QLatin1StringView("image_tokens")), out.promptTokens - b.inputAudio);
    b.inputText = out.promptTokens - b.inputAudio - b.inputImage;
    qint64 cached = count(in, QLatin1StringView("cached_tokens"));
    if (cached == 0)
        cached = count(u, QLatin1StringView("prompt_cache_hit_tokens")); // DeepSeek
    // Cached audio is reported separately by Realtime-style details; chat caching is text.
    const QJsonObject cachedDetails = in.value(QLatin1StringView("cached_tokens_details")).toObject();
    b.cachedAudio = std::min(count(cachedDetails, QLatin1StringView("audio_tokens")), b.inputAudio);
    b.cachedImage = std::min(count(cachedDetails, QLatin1StringView("image_tokens")), b.inputImage);
    b.cachedText = std::clamp<qint64>(cached - b.cachedAudio - b.cachedImage, 0, b.inputText);
    b.cacheWrite = std::min(std::max(count(in, QLatin1StringView("cached_creation_tokens")),
                                     count(in, QLatin1StringView("cache_write_tokens"))),
                            b.inputText - b.cachedText);

    b.outputAudio = std::min(count(outDetails, QLatin1StringView("audio_tokens")), out.completionTokens);
    b.outputText = out.completionTokens - b.outputAudio;
    b.outputReasoning = std::min(count(outDetails, QLatin1StringView("reasoning_tokens")), b.outputText);
    return out;
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
