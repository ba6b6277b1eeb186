#pragma once
// The numbers of a request that size its hold, read with checked arithmetic before anything is reserved.
//
// max_tokens / max_completion_tokens (the completion part of the hold) and n / best_of (how many choices the
// upstream generates, each up to the completion limit) must be JSON numbers holding exact integers within
// documented bounds; anything else is answered 400 invalid_request_error, code invalid_value, param naming the
// field — never cast (a `static_cast<qint64>(1e300)` held 1 quota for an unlimited answer). null or absent
// means "not given" (OpenAI accepts null for each of them).
#include "http/openaierror.h"

#include <QtCore/QJsonObject>

#include <optional>
#include <variant>

namespace RelayDesk::Relay {

class HoldParameters final
{
public:
    // Completion tokens a request may ask for: 2^31 − 1, far above any model's output limit, so that the
    // hold's product (tokens × choices × ratios) stays exact and small next to qint64.
    static constexpr qint64 kMaxCompletionTokens = 2147483647;
    // n and best_of: OpenAI allows 1…128 choices.
    static constexpr qint64 kMaxChoices = 128;

    // Chat Completions (and the legacy completions' best_of): the hold-sizing fields or the first bad one.
    static std::variant<HoldParameters, OpenAiError> fromChatRequest(const QJsonObject &request);
    // Responses (create, WebSocket response.create, compact): max_output_tokens (reasoning included), one choice.
    static std::variant<HoldParameters, OpenAiError> fromResponsesRequest(const QJsonObject &request);
    // Realtime session.update / response.create: max_output_tokens (GA) or max_response_output_tokens (beta),
    // an integer or "inf". nullopt = not given, "inf", or not a valid count (the session then holds its
    // configured maximum: the safe side, and the upstream rejects the bad value itself).
    static std::optional<qint64> realtimeMaxOutputTokens(const QJsonObject &session);
    // A call that produces no output tokens (embeddings, moderations): the hold is the prompt alone.
    static HoldParameters promptOnly();
    // A call whose output is audio (speech): up to `maxAudioTokens`, held at the dearer of the text and the
    // audio output price.
    static HoldParameters audioOutput(qint64 maxAudioTokens);

    // These limits with `tokens` as the completion limit when the request gave none (the legacy completions
    // default to 16, not to the relay's default).
    HoldParameters withDefaultMaxTokens(qint64 tokens) const;
    // These limits for `factor` times as many choices (the legacy completions generate max(n, best_of)
    // choices for each prompt of a batch). factor ≥ 1.
    HoldParameters timesChoices(qint64 factor) const;

    // The larger of max_tokens and max_completion_tokens; nullopt when neither is given (or both are 0:
    // a 0 limit means "no limit" to some compatible upstreams, so it holds the default).
    std::optional<qint64> maxTokens() const { return m_maxTokens; }
    // max(n, best_of), 1 when neither is given: the completion part of the hold is scaled by it.
    qint64 choices() const { return m_choices; }
    // The output is audio (audioOutput()).
    bool isAudioOutput() const { return m_audioOutput; }

private:
    std::optional<qint64> m_maxTokens;
    qint64 m_choices = 1;
    bool m_audioOutput = false;
};

} // namespace RelayDesk::Relay
