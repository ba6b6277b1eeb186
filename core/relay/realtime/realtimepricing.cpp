#include "relay/realtime/realtimepricing.h"

#include "billing/quotamath.h"

#include <algorithm>
#include <cmath>

namespace RelayDesk::Relay {

namespace {

qint64 nonNegative(qint64 value) { return std::max<qint64>(0, value); }

} // namespace

Billing::Usage consistentUsage(const Billing::Usage &u)
{
    // Counts come from the network: never let a negative one reduce a charge.
    Billing::Usage b;
    b.inputText = nonNegative(u.inputText);
    b.inputAudio = nonNegative(u.inputAudio);
    b.inputImage = nonNegative(u.inputImage);
    b.cachedText = std::min(nonNegative(u.cachedText), b.inputText);
    b.cachedAudio = std::min(nonNegative(u.cachedAudio), b.inputAudio);
    b.cachedImage = std::min(nonNegative(u.cachedImage), b.inputImage);
    b.outputText = nonNegative(u.outputText);
    b.outputAudio = nonNegative(u.outputAudio);
    b.outputReasoning = std::min(nonNegative(u.outputReasoning), b.outputText);
    return b;
}

mpq_class realtimeExactQuota(const Billing::Usage &usage, const Billing::ModelPricing &pricing, bool perResponse)
{
    if (pricing.fixedPrice && (!perResponse || usage.isEmpty()))
        return 0;
    return Billing::QuotaMath::exactCost(pricing, usage);
}

Billing::Usage transcriptionUsage(const TranscriptionUsage &u)
{
    Billing::Usage usage;
    usage.inputText = u.inputTextTokens;
    usage.inputAudio = u.inputAudioTokens;
    usage.outputText = u.outputTextTokens;
    if (usage.isEmpty() && u.seconds > 0) // clamp: a hostile 1e300 must not overflow the conversion
        usage.inputAudio = static_cast<qint64>(std::ceil(std::min(u.seconds, 1e9) * 10.0));
    return usage;
}

qint64 roundQuota(const mpq_class &exact)
{
    return Billing::QuotaMath::roundHalfAwayFromZero(exact);
}

} // namespace RelayDesk::Relay
