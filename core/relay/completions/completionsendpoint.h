#pragma once
// The legacy POST /v1/completions (JSON and SSE): checks the request (a JSON object with a model and a prompt of
// a documented shape — at most 2048 prompts —, a string or absent suffix, the model admitted, the hold's
// numbers: max_tokens, n, best_of as for chat), counts prompt and suffix with the model's tokenizer and starts a
// CompletionsAdapter call on the engine.
#include "billing/pricebook.h"

#include <functional>

namespace RelayDesk::Relay {

class CallEngine;
class ChannelSelector;
class HttpExchange;
class Router;

class CompletionsEndpoint final
{
public:
    using PriceBookProvider = std::function<Billing::PriceBookPtr()>;

    static constexpr qsizetype kMaxPrompts = 2048;
    // OpenAI's default max_tokens for this endpoint: what a request without one is held for.
    static constexpr qint64 kDefaultMaxTokens = 16;

    CompletionsEndpoint(CallEngine &engine, ChannelSelector &channels, PriceBookProvider prices);
    void install(Router &router);

private:
    void handle(HttpExchange &exchange);

    CallEngine &m_engine;
    ChannelSelector &m_channels;
    PriceBookProvider m_prices;
};

} // namespace RelayDesk::Relay
