#include "relay/anthropic/messagesusage.h"

#include "relay/jsoncount.h"
#include "relay/strictcounts.h"

namespace RelayDesk::Relay {

namespace {

const QLatin1StringView kInput("input_tokens");
const QLatin1StringView kCacheRead("cache_read_input_tokens");
const QLatin1StringView kCacheCreation("cache_creation_input_tokens");
const QLatin1StringView kCreation("cache_creation");
const QLatin1StringView k5m("ephemeral_5m_input_tokens");
const QLatin1StringView k1h("ephemeral_1h_input_tokens");
const QLatin1StringView kOutput("output_tokens");
const QLatin1StringView kServerTools("server_tool_use");
const QLatin1StringView kWebSearches("web_search_requests");

} // namespace

UsageReading MessagesUsage::read(const QJsonValue &value)
{
    UsageReading out;
    if (!value.isObject())
        return out; // absent (null, missing)
    const QJsonObject u = value.toObject();
    if (!u.contains(kInput) && !u.contains(kOutput))
        return out;
    StrictCounts c;
    const qint64 input = c.count(u, kInput);
    const qint64 read = c.count(u, kCacheRead);
    qint64 write = c.count(u, kCacheCreation);
    const QJsonObject creation = c.object(u, kCreation);
    const qint64 write5m = c.count(creation, k5m);
    const qint64 write1h = c.count(creation, k1h);
    const qint64 output = c.count(u, kOutput);
    c.count(c.object(u, kServerTools), kWebSearches);
    if (!c.problem().isEmpty()) {
        out.status = UsageReading::Status::Malformed;
        out.problem = c.problem();
        return out;
    }
    write = std::max(write, write5m + write1h); // each ≤ 2^53: no overflow
    ParsedUsage p;
    p.usage.inputText = input + read + write;
    p.usage.cachedText = read;
    p.usage.cacheWrite = write;
    p.usage.cacheWrite1h = write1h;
    p.usage.outputText = output;
    p.promptTokens = p.usage.inputText;
    p.completionTokens = output;
    out.status = UsageReading::Status::Valid;
    out.usage = p;
    return out;
}

QHash<QString, qint64> MessagesUsage::toolCalls(const QJsonValue &usage)
{
    const QJsonValue n = usage.toObject().value(kServerTools).toObject().value(kWebSearches);
    const auto count = jsonCount(n);
    if (!count || *count == 0)
        return {};
    return {{kWebSearchTool, *count}};
}

QJsonObject MessagesUsage::merged(QJsonObject base, const QJsonObject &update)
{
    for (auto it = update.begin(); it != update.end(); ++it) {
        if (it.value().isObject() && base.value(it.key()).isObject()) {
            QJsonObject inner = base.value(it.key()).toObject();
            const QJsonObject add = it.value().toObject();
            for (auto jt = add.begin(); jt != add.end(); ++jt)
                inner.insert(jt.key(), jt.value());
            base.insert(it.key(), inner);
        } else if (!it.value().isNull() || !base.contains(it.key())) {
            base.insert(it.key(), it.value()); // a null in a delta says "unchanged", not "zero"
        }
    }
    return base;
}

QJsonObject MessagesUsage::toJson(const ParsedUsage &usage)
{
    const Billing::Usage &u = usage.usage;
    const qint64 uncached = std::max<qint64>(0, u.inputText - u.cachedText - u.cacheWrite);
    return {{kInput, uncached},
            {kCacheRead, u.cachedText},
            {kCacheCreation, u.cacheWrite},
            {kOutput, u.outputText}};
}

} // namespace RelayDesk::Relay
