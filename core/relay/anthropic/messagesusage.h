#pragma once
// Anthropic's `usage` read into the relay's usage (Billing::Usage keeps OpenAI's subset semantics).
//
// Anthropic's counts are additive, not subsets: input_tokens excludes cache reads and writes. So
//   prompt      = input_tokens + cache_read_input_tokens + cache_creation_input_tokens  (Usage::inputText)
//   cachedText  = cache_read_input_tokens                         (billed at CacheRatio)
//   cacheWrite  = cache_creation_input_tokens                     (billed at CreateCacheRatio …)
//   cacheWrite1h = cache_creation.ephemeral_1h_input_tokens       (… except these, at CreateCacheRatio1h)
//   outputText  = output_tokens                                   (billed at CompletionRatio)
// When the cache_creation breakdown is present its 5m + 1h sum is the write total if cache_creation_input_tokens
// is absent (or smaller). server_tool_use.web_search_requests are billed per call (toolCalls(): the
// ToolCallPrice key kWebSearchTool). Every count is strict (a non-negative integer ≤ 2^53; absent or null = 0):
// one malformed count rejects the whole usage, and the call is then counted locally.
#include "relay/usageparser.h"

#include <QtCore/QHash>
#include <QtCore/QJsonObject>

namespace RelayDesk::Relay {

class MessagesUsage final
{
public:
    // The ToolCallPrice key of Anthropic's server-side web search (USD per 1,000 searches), apart from
    // OpenAI's web_search_call so that each provider's price can be set.
    static inline const QString kWebSearchTool = QStringLiteral("web_search_requests");

    static UsageReading read(const QJsonValue &usage);
    // The per-call tools the usage reports ({kWebSearchTool: n}; empty when none, or malformed).
    static QHash<QString, qint64> toolCalls(const QJsonValue &usage);
    // A stream's usage so far: `update`'s fields (message_delta's cumulative counts) over `base`
    // (message_start's), the nested cache_creation and server_tool_use objects merged field by field.
    static QJsonObject merged(QJsonObject base, const QJsonObject &update);
    // Anthropic's usage shape of a usage (for a reply whose usage the relay counted itself).
    static QJsonObject toJson(const ParsedUsage &usage);
};

} // namespace RelayDesk::Relay
