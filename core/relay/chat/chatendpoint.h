#pragma once
// POST /v1/chat/completions (JSON and SSE): checks the request (a JSON object with a model and messages, the
// model admitted, the hold's numbers) and starts a ChatAdapter call on the engine — or, for a model that only
// Claude channels serve, a ClaudeChatAdapter call (the request converted to Anthropic's Messages API).
#include "relay/holdparameters.h"
#include "relay/meteredendpoint.h"

namespace RelayDesk::Relay {

class ChatEndpoint final : public MeteredEndpoint
{
public:
    using MeteredEndpoint::MeteredEndpoint;
    void install(Router &router) override;

private:
    void handle(HttpExchange &exchange);
    // The wire the call goes out on: OpenAI's when any OpenAI-wire channel serves the model to the caller's
    // group (or none of either wire does: the usual 404), Anthropic's when only Claude channels do.
    Store::ChannelWire wireFor(const AuthContext &auth, const QString &model) const;
    void startClaude(HttpExchange &exchange, JsonCall call, Billing::ModelPricing pricing, HoldParameters hold);
};

} // namespace RelayDesk::Relay
