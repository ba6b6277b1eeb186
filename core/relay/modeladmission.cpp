#include "relay/modeladmission.h"

#include "relay/channelselector.h"

namespace RelayDesk::Relay {

std::variant<Billing::ModelPricing, OpenAiError> admitModel(const AuthContext &auth, const QString &model,
                                                           ChannelSelector &channels,
                                                           const Billing::PriceBook &prices,
                                                           Store::ChannelWire wire)
{
    if (model.isEmpty())
        return OpenAiError::invalidRequest(QStringLiteral("you must provide a model parameter"),
                                           "missing_required_parameter", "model");
    if (!auth.mayUse(model))
        return OpenAiError::modelNotAllowed(model);
    if (!channels.serves(model, auth.group, wire))
        return OpenAiError::notFound(
            QStringLiteral("The model `%1` does not exist or you do not have access to it.").arg(model),
            "model_not_found");
    auto pricing = prices.pricing(model, auth.user.group, auth.group);
    if (!pricing)
        return OpenAiError::permissionDenied(QStringLiteral("The price of model %1 is not configured.").arg(model),
                                             "model_price_not_configured");
    return *pricing;
}

} // namespace RelayDesk::Relay
