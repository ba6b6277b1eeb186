#pragma once
// POST /v1/chat/completions (JSON and SSE): checks the request (a JSON object with a model and messages, the
// model admitted, the hold's numbers) and starts a ChatAdapter call on the engine.
#include "billing/pricebook.h"

#include <functional>

namespace RelayDesk::Relay {

class CallEngine;
class ChannelSelector;
class HttpExchange;
class Router;

class ChatEndpoint final
{
public:
    using PriceBookProvider = std::function<Billing::PriceBookPtr()>;

    ChatEndpoint(CallEngine &engine, ChannelSelector &channels, PriceBookProvider prices);
    void install(Router &router);

private:
    void handle(HttpExchange &exchange);

    CallEngine &m_engine;
    ChannelSelector &m_channels;
    PriceBookProvider m_prices;
};

} // namespace RelayDesk::Relay
