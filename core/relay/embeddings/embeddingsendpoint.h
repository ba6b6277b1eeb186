#pragma once
// POST /v1/embeddings: checks the request (a JSON object with a model and an `input` of a documented shape and
// size, the model admitted), counts the input with the model's tokenizer and starts an EmbeddingsAdapter call
// on the engine.
//
// Bounds (OpenAI's, answered 400 invalid_request_error with param "input" before anything is reserved): at
// most 2048 inputs, each non-empty and at most 8192 tokens, and at most 300 000 tokens in all.
#include "billing/pricebook.h"

#include <functional>

namespace RelayDesk::Relay {

class CallEngine;
class ChannelSelector;
class HttpExchange;
class Router;

class EmbeddingsEndpoint final
{
public:
    using PriceBookProvider = std::function<Billing::PriceBookPtr()>;

    static constexpr qsizetype kMaxInputs = 2048;
    static constexpr qint64 kMaxTokensPerInput = 8192;
    static constexpr qint64 kMaxTokensPerRequest = 300000;

    EmbeddingsEndpoint(CallEngine &engine, ChannelSelector &channels, PriceBookProvider prices);
    void install(Router &router);

private:
    void handle(HttpExchange &exchange);

    CallEngine &m_engine;
    ChannelSelector &m_channels;
    PriceBookProvider m_prices;
};

} // namespace RelayDesk::Relay
