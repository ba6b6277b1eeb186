#include "relay/holdparameters.h"

#include "relay/jsoncount.h"

#include <algorithm>

namespace RelayDesk::Relay {

namespace {

// A present, non-null field that must be an integer in [min, max]: the value, nullopt when absent/null, or the
// invalid_value error naming it.
std::variant<std::optional<qint64>, OpenAiError> boundedField(const QJsonObject &request, QLatin1StringView name,
                                                              qint64 min, qint64 max)
{
    const QJsonValue value = request.value(name);
    if (value.isUndefined() || value.isNull())
        return std::optional<qint64>();
    const std::optional<qint64> count = jsonCount(value, max);
    if (!count || *count < min)
        return OpenAiError::invalidValue(
            QByteArray(name.data(), name.size()),
            QStringLiteral("Invalid '%1': expected an integer from %2 to %3.").arg(name).arg(min).arg(max));
    return count;
}

} // namespace

std::variant<HoldParameters, OpenAiError> HoldParameters::fromChatRequest(const QJsonObject &request)
{
    HoldParameters out;
    for (const auto name : {QLatin1StringView("max_tokens"), QLatin1StringView("max_completion_tokens")}) {
        auto field = boundedField(request, name, 0, kMaxCompletionTokens);
        if (auto *error = std::get_if<OpenAiError>(&field))
            return *error;
        if (const auto tokens = std::get<std::optional<qint64>>(field); tokens && *tokens > 0)
            out.m_maxTokens = std::max(out.m_maxTokens.value_or(0), *tokens);
    }
    for (const auto name : {QLatin1StringView("n"), QLatin1StringView("best_of")}) {
        auto field = boundedField(request, name, 1, kMaxChoices);
        if (auto *error = std::get_if<OpenAiError>(&field))
            return *error;
        if (const auto choices = std::get<std::optional<qint64>>(field))
            out.m_choices = std::max(out.m_choices, *choices);
    }
    return out;
}

std::variant<HoldParameters, OpenAiError> HoldParameters::fromResponsesRequest(const QJsonObject &request)
{
    HoldParameters out;
    auto field = boundedField(request, QLatin1StringView("max_output_tokens"), 0, kMaxCompletionTokens);
    if (auto *error = std::get_if<OpenAiError>(&field))
        return *error;
    if (const auto tokens = std::get<std::optional<qint64>>(field); tokens && *tokens > 0)
        out.m_maxTokens = tokens;
    return out;
}

HoldParameters HoldParameters::promptOnly()
{
    HoldParameters out;
    out.m_maxTokens = 0;
    return out;
}

HoldParameters HoldParameters::audioOutput(qint64 maxAudioTokens)
{
    HoldParameters out;
    out.m_maxTokens = std::clamp<qint64>(maxAudioTokens, 0, kMaxCompletionTokens);
    out.m_audioOutput = true;
    return out;
}

HoldParameters HoldParameters::withDefaultMaxTokens(qint64 tokens) const
{
    HoldParameters out = *this;
    if (!out.m_maxTokens)
        out.m_maxTokens = std::clamp<qint64>(tokens, 0, kMaxCompletionTokens);
    return out;
}

HoldParameters HoldParameters::timesChoices(qint64 factor) const
{
    HoldParameters out = *this;
    out.m_choices = m_choices * std::max<qint64>(1, factor); // ≤ 128 × a bounded batch: no overflow
    return out;
}

std::optional<qint64> HoldParameters::realtimeMaxOutputTokens(const QJsonObject &session)
{
    std::optional<qint64> tokens;
    for (const auto name : {QLatin1StringView("max_output_tokens"), QLatin1StringView("max_response_output_tokens")}) {
        if (!session.contains(name))
            continue;
        const std::optional<qint64> count = jsonCount(session.value(name), kMaxCompletionTokens);
        tokens = count && *count > 0 ? count : std::nullopt; // "inf", null or invalid: the configured maximum
    }
    return tokens;
}

} // namespace RelayDesk::Relay
