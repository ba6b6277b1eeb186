#pragma once

#include "pricebook.h"
#include "usage.h"

#include <gmpxx.h>

#include <optional>

namespace RelayDesk::Billing {

// A priced amount: the exact rational cost and the integer quota it settles to.
struct Quote
{
    mpq_class exact{0};        // unrounded quota (exact rational)
    qint64 quota = 0;          // after the one rounding (and the minimum-1 rule)
    bool minimumApplied = false;
    QString exactText() const; // "4987.5" / "1/3" style for logs and the CLI
};

// Quota arithmetic. Exact rationals throughout (GMP mpq); one rounding per settlement, half away from
// zero; minimum 1 quota when there was usage and the effective price is not zero.
//
//   quota = GR × MR × [ uncachedText + cachedText×CacheRatio + (cacheWrite − cacheWrite1h)×CreateCacheRatio
//                      + cacheWrite1h×CreateCacheRatio1h
//                      + uncachedAudio×AR + cachedAudio×AR×AudioCacheRatio
//                      + uncachedImage×ImageRatio + cachedImage×ImageRatio×CacheRatio
//                      + outputText×CR + outputAudio×AR×ACR ]
//   fixed price:  quota = ModelPrice(USD) × 500 000 × GR (per call)
//
// 500 000 quota = US$1; ratio 1 = US$2 per 1M tokens = 1 quota per token.
class QuotaMath final
{
public:
    static constexpr qint64 kQuotaPerUnit = 500000;

    // The unrounded cost of `usage` (fixed-price models: the per-call price, usage ignored).
    static mpq_class exactCost(const ModelPricing &pricing, const Usage &usage);
    // The unrounded cost of `units` at the model's unit prices × GR (a unit without a price costs nothing):
    //   audioMs / 60 000 × MinutePrice + characters / 1 000 000 × CharacterPrice + images × ImagePrice(size,
    //   quality), in USD × 500 000. Not part of a fixed per-call price (ModelPrice covers the call).
    static mpq_class unitsCost(const ModelPricing &pricing, const Units &units);
    // The settlement quote: exactCost plus unitsCost (plus the built-in tool calls, by output item type, at the
    // book's ToolCallPrice) rounded once, with the minimum-1 rule.
    static Quote settle(const ModelPricing &pricing, const Usage &usage, const QHash<QString, qint64> &toolCalls = {},
                        const Units &units = {});
    // Tool calls alone: calls × USD per 1,000 calls / 1,000 × 500 000 × GR (a tool without a price is free).
    static Quote toolCalls(const ModelPricing &pricing, const QHash<QString, qint64> &calls);
    // Fixed per-call price × multiplier (e.g. n images) × group ratio, rounded once.
    static Quote perCall(const ModelPricing &pricing, const mpq_class &multiplier = 1);

    // Admission estimate for a request: (promptEstimate + maxTokens × choices × CR) × MR × GR. The completion
    // ratio applies to max_tokens (new-api does not apply it and under-reserves); when the request gives
    // no max_tokens, defaultMaxTokens is used; `choices` is max(n, best_of) — each choice may use max_tokens.
    // Rounded up, never below 1 for a priced model, so a reservation never under-covers its own estimate.
    // Exact (GMP) throughout: a result beyond qint64 saturates to INT64_MAX, which no balance covers, so
    // an absurd request is refused — it never wraps to a small hold. Fixed-price models reserve their
    // per-call price.
    // `units` (the audio, characters or images the request asks for) add their unitsCost; `audioOutput`
    // prices the completion part at the dearer of the text and the audio output price (speech).
    static Quote reserve(const ModelPricing &pricing, qint64 promptEstimate, std::optional<qint64> maxTokens,
                         qint64 defaultMaxTokens, qint64 choices = 1, const Units &units = {},
                         bool audioOutput = false);
    // The tokens that admission estimate is sized for: promptEstimate + maxTokens (or defaultMaxTokens) × choices,
    // saturating — what a tokens-per-minute limit counts until the settlement says how many were used.
    static qint64 holdTokens(qint64 promptEstimate, std::optional<qint64> maxTokens, qint64 defaultMaxTokens,
                             qint64 choices = 1);
    // Realtime rolling reservation: the conversation input as priced usage plus maxOutputTokens at the
    // dearer of the text and audio output prices. Rounded up.
    static Quote reserveWorstCase(const ModelPricing &pricing, const Usage &input, qint64 maxOutputTokens);

    // Half away from zero, saturating to the qint64 range: 41.5→42, 42.5→43, −42.5→−43.
    static qint64 roundHalfAwayFromZero(const mpq_class &value);
    static qint64 ceilToQuota(const mpq_class &value);
    static double toUsd(qint64 quota) { return double(quota) / double(kQuotaPerUnit); }
    // The same as an exact decimal, without trailing zeros: 150 → "0.0003", 500000 → "1", −1 → "-0.000002"
    // (500 000 divides 10^6, so six decimals are always exact).
    static QString toUsdText(qint64 quota);
    // Whether the effective price is non-zero (MR×GR, or price×GR for fixed-price models).
    static bool isPriced(const ModelPricing &pricing);
};

} // namespace RelayDesk::Billing
