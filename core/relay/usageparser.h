#pragma once
// Reads OpenAI `usage` objects (chat completions, JSON and SSE chunks) into Billing::Usage.
//
// OpenAI semantics: prompt_tokens includes cached, audio and image input; cached_tokens is a subset of the
// prompt; reasoning_tokens is a subset of completion_tokens. Billing::Usage keeps modalities disjoint, so
// text input = prompt − audio − image (never below 0).
#include "billing/usage.h"

#include <QtCore/QJsonObject>

#include <optional>

namespace RelayDesk::Relay {

struct ParsedUsage
{
    Billing::Usage usage;
    qint64 promptTokens = 0;     // as reported (incl. cached/audio/image)
    qint64 completionTokens = 0; // as reported (incl. reasoning/audio)
};

class UsageParser final
{
public:
    // nullopt when `value` is not an object or reports neither prompt nor completion tokens
    // (OpenAI sends "usage": null on every chunk but the usage chunk).
    static std::optional<ParsedUsage> parse(const QJsonValue &value);
    // The OpenAI JSON shape of a usage (for injecting a locally counted usage into a reply).
    static QJsonObject toJson(const ParsedUsage &usage);
    // A locally counted usage: prompt text (+ image tokens part of the estimate) and completion text.
    static ParsedUsage local(qint64 promptTextTokens, qint64 promptImageTokens, qint64 completionTokens,
                             qint64 reasoningTokens);
};

} // namespace RelayDesk::Relay
