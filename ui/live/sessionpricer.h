#pragma once

#include "monitor/sessionregistry.h"

#include <functional>
#include <optional>

namespace RelayDesk::Ui {

// Quota per token for each kind of usage of one session. The detail view multiplies these by the token
// counts to show where the money goes; the exact charge always comes from the ledger (chargedQuota).
struct TokenPrices
{
    double textIn = 0;
    double cachedTextIn = 0;
    double audioIn = 0;
    double cachedAudioIn = 0;
    double imageIn = 0;
    double cachedImageIn = 0;
    double textOut = 0;      // reasoning is billed as text output
    double audioOut = 0;
    double cacheWriteIn = 0;   // text input written to the prompt cache (CreateCacheRatio: Anthropic's 5-minute writes)
    double cacheWrite1hIn = 0; // the part written for one hour (CreateCacheRatio1h)
    // The session's units (SessionInfo::units), each priced alone at the model's unit prices — QuotaMath::unitsCost
    // of just that quantity, in quota (MinutePrice, CharacterPrice, ImagePrice by size and quality, × GR). 0 when
    // the call has none or the model has no price for them.
    double audioUnitsQuota = 0;
    double characterUnitsQuota = 0;
    double imageUnitsQuota = 0;
};

// Pluggable so the console does not depend on how prices are resolved: the app passes one built from the
// billing PricingService (pricing page: pricerFromBook), tests and the demo pass fixed tables.
// nullopt = the model has no price (the money bars say so).
using SessionPricer = std::function<std::optional<TokenPrices>(const Monitor::SessionInfo &)>;

// Fixed prices for the demo models (OpenAI list prices), used by screenshot mode until the relay's demo
// traffic and the price book are wired in.
SessionPricer demoPricer();

} // namespace RelayDesk::Ui

namespace RelayDesk::Billing {
class PricingService;
struct ModelPricing;
}

namespace RelayDesk::Ui {

// Prices from the live price book (the one the relay charges with) for the "default" group; the
// session snapshot carries no group, so group discounts are not reflected in the estimate.
SessionPricer pricerFromService(Billing::PricingService *service);
// The per-token prices of `pricing` and the unit costs of `units` at it (what pricerFromService returns).
TokenPrices tokenPricesFor(const Billing::ModelPricing &pricing, const Billing::Units &units);

} // namespace RelayDesk::Ui
