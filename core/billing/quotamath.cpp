#include "quotamath.h"

#include <algorithm>
#include <limits>

namespace RelayDesk::Billing {
namespace {

mpz_class clampToInt64(const mpz_class &z, bool *saturated = nullptr)
{
    static_assert(sizeof(long) == sizeof(qint64), "GMP's si conversions need a 64-bit long (LP64)");
    static const mpz_class kMax(std::numeric_limits<long>::max());
    static const mpz_class kMin(std::numeric_limits<long>::min());
    if (saturated)
        *saturated = z > kMax || z < kMin;
    if (z > kMax)
        return kMax;
    if (z < kMin)
        return kMin;
    return z;
}

qint64 toInt64(const mpz_class &z)
{
    return qint64(clampToInt64(z).get_si());
}

mpq_class uncached(qint64 total, qint64 cached, qint64 alsoSubtract = 0)
{
    const qint64 rest = total - cached - alsoSubtract;
    return mpq_class(long(rest > 0 ? rest : 0));
}

mpq_class q(qint64 v)
{
    return mpq_class(long(v));
}

// The ratio of an output token that may be text or audio: the dearer of the two (× MR for the price).
mpq_class dearerOutputRatio(const ModelPricing &p)
{
    const mpq_class audio = p.audioRatio.exact() * p.audioCompletionRatio.exact();
    return audio > p.completionRatio.exact() ? audio : p.completionRatio.exact();
}

} // namespace

QString Quote::exactText() const
{
    // Decimal when the denominator is a product of 2s and 5s (every decimal ratio), else a fraction.
    mpz_class den = exact.get_den();
    int twos = 0, fives = 0;
    while (mpz_divisible_ui_p(den.get_mpz_t(), 2)) { den /= 2; ++twos; }
    while (mpz_divisible_ui_p(den.get_mpz_t(), 5)) { den /= 5; ++fives; }
    if (den != 1)
        return QString::fromStdString(exact.get_str());
    const int digits = std::max(twos, fives);
    mpz_class scale;
    mpz_ui_pow_ui(scale.get_mpz_t(), 10, static_cast<unsigned long>(digits));
    const mpz_class scaled = mpz_class(exact.get_num() * scale / exact.get_den());
    QString text = QString::fromStdString(mpz_class(abs(scaled)).get_str());
    if (digits > 0) {
        while (text.size() <= digits)
            text.prepend(u'0');
        text.insert(text.size() - digits, u'.');
    }
    return (sgn(scaled) < 0 ? QStringLiteral("-") : QString()) + text;
}

bool QuotaMath::isPriced(const ModelPricing &p)
{
    if (p.groupRatio.isZero())
        return false;
    if (p.fixedPrice)
        return !p.modelPrice.isZero();
    const auto nonZero = [](const std::optional<Ratio> &r) { return r && !r->isZero(); };
    bool anyImage = false;
    for (const Ratio &r : p.imagePrices)
        anyImage = anyImage || !r.isZero();
    return !p.modelRatio.isZero() || nonZero(p.minutePrice) || nonZero(p.characterPrice) || anyImage;
}

mpq_class QuotaMath::unitsCost(const ModelPricing &p, const Units &u)
{
    if (p.fixedPrice)
        return 0;
    mpq_class usd = 0;
    if (p.minutePrice && u.audioMs > 0)
        usd += p.minutePrice->exact() * q(u.audioMs) / 60000;
    if (p.characterPrice && u.characters > 0)
        usd += p.characterPrice->exact() * q(u.characters) / 1000000;
    if (u.images > 0) {
        if (const auto price = p.imagePrice(u.imageSize, u.imageQuality))
            usd += price->exact() * q(u.images);
    }
    mpq_class cost = usd * long(kQuotaPerUnit) * p.groupRatio.exact();
    cost.canonicalize();
    return cost;
}

mpq_class QuotaMath::exactCost(const ModelPricing &p, const Usage &u)
{
    if (p.fixedPrice)
        return p.modelPrice.exact() * long(kQuotaPerUnit) * p.groupRatio.exact();
    const mpq_class &ar = p.audioRatio.exact();
    const mpq_class &ir = p.imageRatio.exact();
    // The 1-hour writes are part of cacheWrite, priced at their own ratio (never more than cacheWrite).
    const qint64 hourWrites = std::clamp<qint64>(u.cacheWrite1h, 0, std::max<qint64>(u.cacheWrite, 0));
    mpq_class tokens = uncached(u.inputText, u.cachedText, u.cacheWrite)
                     + q(u.cachedText) * p.cacheRatio.exact()
                     + q(u.cacheWrite - hourWrites) * p.createCacheRatio.exact()
                     + q(hourWrites) * p.createCacheRatio1h.exact()
                     + uncached(u.inputAudio, u.cachedAudio) * ar
                     + q(u.cachedAudio) * ar * p.audioCacheRatio.exact()
                     + uncached(u.inputImage, u.cachedImage) * ir
                     + q(u.cachedImage) * ir * p.cacheRatio.exact()
                     + q(u.outputText) * p.completionRatio.exact()
                     + q(u.outputAudio) * ar * p.audioCompletionRatio.exact();
    mpq_class cost = tokens * p.modelRatio.exact() * p.groupRatio.exact();
    cost.canonicalize();
    return cost;
}

namespace {

mpq_class toolCost(const ModelPricing &p, const QHash<QString, qint64> &calls)
{
    mpq_class cost = 0;
    for (auto it = calls.cbegin(); it != calls.cend(); ++it) {
        const auto price = p.toolCallPrices.constFind(it.key().toLower());
        if (price != p.toolCallPrices.cend())
            cost += price->exact() * mpq_class(long(it.value())) * long(QuotaMath::kQuotaPerUnit) / 1000;
    }
    cost *= p.groupRatio.exact();
    cost.canonicalize();
    return cost;
}

} // namespace

Quote QuotaMath::toolCalls(const ModelPricing &p, const QHash<QString, qint64> &calls)
{
    Quote quote;
    quote.exact = toolCost(p, calls);
    quote.quota = roundHalfAwayFromZero(quote.exact);
    return quote;
}

Quote QuotaMath::settle(const ModelPricing &p, const Usage &u, const QHash<QString, qint64> &toolCalls,
                        const Units &units)
{
    Quote quote;
    quote.exact = exactCost(p, u) + unitsCost(p, units) + toolCost(p, toolCalls);
    quote.exact.canonicalize();
    quote.quota = roundHalfAwayFromZero(quote.exact);
    const bool hadUsage = p.fixedPrice || u.total() > 0 || !units.isEmpty() || sgn(quote.exact) > 0;
    if (quote.quota == 0 && hadUsage && isPriced(p)) {
        quote.quota = 1;
        quote.minimumApplied = true;
    }
    return quote;
}

Quote QuotaMath::perCall(const ModelPricing &p, const mpq_class &multiplier)
{
    Quote quote;
    quote.exact = p.modelPrice.exact() * long(kQuotaPerUnit) * p.groupRatio.exact() * multiplier;
    quote.exact.canonicalize();
    quote.quota = roundHalfAwayFromZero(quote.exact);
    if (quote.quota == 0 && sgn(quote.exact) > 0) {
        quote.quota = 1;
        quote.minimumApplied = true;
    }
    return quote;
}

Quote QuotaMath::reserve(const ModelPricing &p, qint64 promptEstimate, std::optional<qint64> maxTokens,
                         qint64 defaultMaxTokens, qint64 choices, const Units &units, bool audioOutput)
{
    Quote quote;
    if (p.fixedPrice) {
        quote.exact = exactCost(p, {});
    } else {
        // The product is taken in GMP (never in qint64), so tokens × choices cannot overflow.
        const mpq_class completion = q(std::max<qint64>(0, maxTokens.value_or(defaultMaxTokens))) *
                                     q(std::max<qint64>(1, choices));
        const mpq_class outputPrice = audioOutput ? dearerOutputRatio(p) : p.completionRatio.exact();
        quote.exact = (q(std::max<qint64>(0, promptEstimate)) + completion * outputPrice) *
                      p.modelRatio.exact() * p.groupRatio.exact() + unitsCost(p, units);
        quote.exact.canonicalize();
    }
    quote.quota = ceilToQuota(quote.exact);
    if (quote.quota == 0 && isPriced(p)) {
        quote.quota = 1;
        quote.minimumApplied = true;
    }
    return quote;
}

qint64 QuotaMath::holdTokens(qint64 promptEstimate, std::optional<qint64> maxTokens, qint64 defaultMaxTokens,
                            qint64 choices)
{
    qint64 completion = 0;
    qint64 total = 0;
    if (__builtin_mul_overflow(std::max<qint64>(0, maxTokens.value_or(defaultMaxTokens)), std::max<qint64>(1, choices),
                               &completion) ||
        __builtin_add_overflow(std::max<qint64>(0, promptEstimate), completion, &total))
        return std::numeric_limits<qint64>::max();
    return total;
}

Quote QuotaMath::reserveWorstCase(const ModelPricing &p, const Usage &input, qint64 maxOutputTokens)
{
    Quote quote;
    if (p.fixedPrice) {
        quote.exact = exactCost(p, {});
    } else {
        Usage inputOnly = input;
        inputOnly.outputText = inputOnly.outputAudio = inputOnly.outputReasoning = 0;
        quote.exact = exactCost(p, inputOnly) + q(std::max<qint64>(0, maxOutputTokens)) * dearerOutputRatio(p) *
                                                    p.modelRatio.exact() * p.groupRatio.exact();
        quote.exact.canonicalize();
    }
    quote.quota = ceilToQuota(quote.exact);
    if (quote.quota == 0 && isPriced(p)) {
        quote.quota = 1;
        quote.minimumApplied = true;
    }
    return quote;
}

qint64 QuotaMath::roundHalfAwayFromZero(const mpq_class &value)
{
    // |v| + 1/2, floored, with the sign put back: 42.5 → 43, −42.5 → −43, 41.7 → 42.
    const mpq_class magnitude = abs(value) + mpq_class(1, 2);
    mpz_class floored;
    mpz_fdiv_q(floored.get_mpz_t(), magnitude.get_num_mpz_t(), magnitude.get_den_mpz_t());
    if (sgn(value) < 0)
        floored = -floored;
    return toInt64(floored);
}

QString QuotaMath::toUsdText(qint64 quota)
{
    static_assert(1'000'000 % kQuotaPerUnit == 0);
    // In millionths of a dollar; |quota| × 2 cannot overflow for any balance the ledger allows.
    const qint64 micros = quota * (1'000'000 / kQuotaPerUnit);
    const quint64 magnitude = micros < 0 ? quint64(-(micros + 1)) + 1 : quint64(micros);
    QString text = QString::number(magnitude / 1'000'000);
    if (const quint64 fraction = magnitude % 1'000'000) {
        QString digits = QStringLiteral("%1").arg(fraction, 6, 10, QLatin1Char('0'));
        while (digits.endsWith(QLatin1Char('0')))
            digits.chop(1);
        text += QLatin1Char('.') + digits;
    }
    return micros < 0 ? QLatin1Char('-') + text : text;
}

qint64 QuotaMath::ceilToQuota(const mpq_class &value)
{
    mpz_class c;
    mpz_cdiv_q(c.get_mpz_t(), value.get_num_mpz_t(), value.get_den_mpz_t());
    return toInt64(c);
}

} // namespace RelayDesk::Billing
