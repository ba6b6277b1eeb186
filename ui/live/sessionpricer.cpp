#include "live/sessionpricer.h"

#include "billing/pricingservice.h"

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
        const Billing::ModelPricing &p = pricing.value();
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
        return t;
    };
}

} // namespace RelayDesk::Ui
