#pragma once
// The checks every metered endpoint makes on the model a request names, before anything is reserved: the key
// may use it, some channel of the key's group serves it, and it has a price. One place, so every endpoint
// answers the same error for the same refusal.
#include "billing/pricebook.h"
#include "http/openaierror.h"
#include "relay/auth.h"
#include "store/channeltype.h"

#include <variant>

namespace RelayDesk::Relay {

class ChannelSelector;

// The model's pricing for this caller, or the error to answer. Only channels of `wire` count as serving it.
std::variant<Billing::ModelPricing, OpenAiError> admitModel(const AuthContext &auth, const QString &model,
                                                           ChannelSelector &channels,
                                                           const Billing::PriceBook &prices,
                                                           Store::ChannelWire wire = Store::ChannelWire::OpenAi);

} // namespace RelayDesk::Relay
