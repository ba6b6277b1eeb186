#include "live/sessionpricer.h"

#include "billing/pricingservice.h"
#include "billing/quotamath.h"

#include <QPointer>

namespace RelayDesk::Ui {

SessionPricer pricerFromService(Billing::PricingService *service)
{
    if (!service)
        return {};
    QPointer<Billing::PricingService> guard(service);
    return [guard](const Monitor::SessionInfo &s) -> std::optional<TokenPrices> {
        if (!guard)
            return std::nullopt;
        const auto pricing = guard->current()->pricing(s.model, QStringLiteral("default"), QStringLiteral("default"));
        if (!pricing || pricing->fixedPrice)
            return std::nullopt;
        return tokenPricesFor(pricing.value(), s.units);
    };
}

TokenPrices tokenPricesFor(const Billing::ModelPricing &p, const Billing::Units &units)
{
    // Quota per token: ratio 1 = 1 quota per token (US$2 per 1M).
    const double base = p.modelRatio.toDouble() * p.groupRatio.toDouble();
    const double audio = base * p.audioRatio.toDouble();
    TokenPrices t;
    t.textIn = base;
    t.cachedTextIn = base * p.cacheRatio.toDouble();
    t.audioIn = audio;
    t.cachedAudioIn = audio * p.audioCacheRatio.toDouble();
    t.imageIn = base * p.imageRatio.toDouble();
    t.cachedImageIn = t.imageIn * p.cacheRatio.toDouble();
    t.textOut = base * p.completionRatio.toDouble();
    t.audioOut = audio * p.audioCompletionRatio.toDouble();
    t.cacheWriteIn = base * p.createCacheRatio.toDouble();
    t.cacheWrite1hIn = base * p.createCacheRatio1h.toDouble();
    // Each unit alone, so the detail can show what each part costs (their sum is unitsCost of them all).
    Billing::Units seconds, characters, images;
    seconds.audioMs = units.audioMs;
    characters.characters = units.characters;
    images.images = units.images;
    images.imageSize = units.imageSize;
    images.imageQuality = units.imageQuality;
    t.audioUnitsQuota = Billing::QuotaMath::unitsCost(p, seconds).get_d();
    t.characterUnitsQuota = Billing::QuotaMath::unitsCost(p, characters).get_d();
    t.imageUnitsQuota = Billing::QuotaMath::unitsCost(p, images).get_d();
    return t;
}

} // namespace RelayDesk::Ui
