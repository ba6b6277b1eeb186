#pragma once
// Reads OpenAI `usage` objects (chat completions, JSON and SSE chunks) into Billing::Usage.
//
// OpenAI semantics: prompt_tokens includes cached, audio and image input; cached_tokens is a subset of the
// prompt; reasoning_tokens is a subset of completion_tokens. Billing::Usage keeps modalities disjoint, so
// text input = prompt − audio − image (never below 0).
#include "billing/usage.h"

#include <QtCore/QJsonObject>
#include <QtCore/QString>

#include <optional>

namespace RelayDesk::Relay {

struct ParsedUsage
{
    Billing::Usage usage;
    qint64 promptTokens = 0;     // as reported (incl. cached/audio/image)
    qint64 completionTokens = 0; // as reported (incl. reasoning/audio)
    Billing::Units units;        // billed by unit (audio seconds, characters, images), besides the tokens
};

// What an upstream's `usage` value turned out to be.
struct UsageReading
{
    enum class Status {
        Absent,    // null, missing, or neither prompt nor completion tokens (OpenAI: "usage": null per chunk)
        Malformed, // an object with a count that is not a non-negative integer ≤ 2^53, or a detail of the wrong type
        Valid,
    };
    Status status = Status::Absent;
    std::optional<ParsedUsage> usage; // Valid only
    QString problem;                  // Malformed: which field and why (for the log row)
};

class UsageParser final
{
public:
    // Strict: every count must be a JSON number holding an exact integer in [0, 2^53] (absent or null = 0).
    // A negative, fractional, string or oversized count makes the whole usage malformed — the caller then
    // counts locally, as when the upstream sends no usage at all (never "bad count → 0": that bills nothing
    // for a delivered answer).
    static UsageReading read(const QJsonValue &value);
    // read()'s usage: nullopt when absent or malformed.
    static std::optional<ParsedUsage> parse(const QJsonValue &value);
    // The OpenAI JSON shape of a usage (for injecting a locally counted usage into a reply).
    static QJsonObject toJson(const ParsedUsage &usage);
    // A locally counted usage: prompt text (+ image tokens part of the estimate) and completion text.
    static ParsedUsage local(qint64 promptTextTokens, qint64 promptImageTokens, qint64 completionTokens,
                             qint64 reasoningTokens);
};

} // namespace RelayDesk::Relay
