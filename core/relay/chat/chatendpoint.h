#pragma once
// POST /v1/chat/completions (JSON and SSE): checks the request (a JSON object with a model and messages, the
// model admitted, the hold's numbers) and starts a ChatAdapter call on the engine.
#include "relay/meteredendpoint.h"

namespace RelayDesk::Relay {

class ChatEndpoint final : public MeteredEndpoint
{
public:
    using MeteredEndpoint::MeteredEndpoint;
    void install(Router &router) override;

private:
    void handle(HttpExchange &exchange);
};

} // namespace RelayDesk::Relay
