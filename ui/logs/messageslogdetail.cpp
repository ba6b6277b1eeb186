#include "logs/messageslogdetail.h"

#include "live/sessionbreakdown.h"
#include "live/sessionpricer.h"
#include "relay/anthropic/messagesusage.h"
#include "widgets/money.h"

#include "billing/pricebook.h"

#include <algorithm>

namespace RelayDesk::Ui {

namespace {

const QLatin1StringView kMessagesPath("/v1/messages");

// A count from the row's JSON: a non-negative integer, anything else 0 (a row is data, not trusted input).
qint64 count(const QJsonObject &o, const QString &key)
{
    const double v = o.value(key).toDouble(0);
    return v > 0 && v < 9e15 ? qint64(v) : 0;
}

Billing::Usage usageOf(const QJsonObject &other)
{
    const QJsonObject u = other.value(QLatin1StringView("usage")).toObject();
    Billing::Usage usage;
    usage.inputText = count(u, QStringLiteral("text_input"));
    usage.cachedText = count(u, QStringLiteral("cached_text"));
    usage.cacheWrite = count(u, QStringLiteral("cache_write"));
    usage.cacheWrite1h = std::min(count(u, QStringLiteral("cache_write_1h")), usage.cacheWrite);
    usage.outputText = count(u, QStringLiteral("text_output"));
    return usage;
}

// The ratios the row was charged with (ModelPricing::toJson); a missing one keeps ModelPricing's default.
Billing::ModelPricing pricingOf(const QJsonObject &other)
{
    Billing::ModelPricing p;
    auto take = [&other](const char *key, Billing::Ratio *target) {
        if (const auto r = Billing::Ratio::fromJson(other.value(QLatin1StringView(key))))
            *target = *r;
    };
    take("model_ratio", &p.modelRatio);
    take("completion_ratio", &p.completionRatio);
    take("cache_ratio", &p.cacheRatio);
    take("create_cache_ratio", &p.createCacheRatio);
    take("create_cache_ratio_1h", &p.createCacheRatio1h);
    take("group_ratio", &p.groupRatio);
    return p;
}

QString cost(double quota)
{
    return MessagesLogDetail::tr("%1 (%2 quota)")
        .arg(formatQuota(quota, CurrencyDisplay::Dollars), formatQuota(quota, CurrencyDisplay::QuotaUnits));
}

} // namespace

bool MessagesLogDetail::applies(const QJsonObject &other)
{
    const QString path = other.value(QLatin1StringView("request_path")).toString();
    return path == kMessagesPath || path.startsWith(kMessagesPath + QLatin1Char('/')) ||
           other.value(QLatin1StringView("upstream_api")).toString() == u"anthropic_messages" ||
           usageOf(other).cacheWrite > 0;
}

QStringList MessagesLogDetail::lines(const QJsonObject &other)
{
    if (!applies(other))
        return {};
    QStringList out;
    out << tr("Claude usage (input excludes cache reads and writes; each part at its own price):");
    const double fixed = other.value(QLatin1StringView("model_price")).toDouble(-1);
    const TokenPrices prices = tokenPricesFor(pricingOf(other), {});
    for (const SessionBreakdown::Part &part : SessionBreakdown::messagesParts(usageOf(other), prices)) {
        if (fixed >= 0) // a fixed price per call: the tokens cost nothing of their own
            out << tr("  %1: %2 tokens").arg(part.label, formatTokens(part.tokens));
        else
            out << tr("  %1: %2 tokens · %3").arg(part.label, formatTokens(part.tokens),
                                                   cost(double(part.tokens) * part.pricePerToken));
    }
    if (fixed >= 0)
        out << tr("  Fixed price per call: %1").arg(formatDollars(fixed));
    const qint64 searches = count(other.value(QLatin1StringView("tool_calls")).toObject(), Relay::MessagesUsage::kWebSearchTool);
    if (searches > 0)
        out << tr("  web searches: %1 · %2").arg(formatTokens(searches),
                                                  cost(double(count(other, QStringLiteral("tool_quota")))));
    return out;
}

} // namespace RelayDesk::Ui
