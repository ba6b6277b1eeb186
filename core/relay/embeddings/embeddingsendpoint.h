#pragma once
// POST /v1/embeddings: checks the request (a JSON object with a model and an `input` of a documented shape and
// size, the model admitted), counts the input with the model's tokenizer and starts an EmbeddingsAdapter call
// on the engine.
//
// Bounds (OpenAI's, answered 400 invalid_request_error with param "input" before anything is reserved): at
// most 2048 inputs, each non-empty and at most 8192 tokens, and at most 300 000 tokens in all.
#include "relay/meteredendpoint.h"

namespace RelayDesk::Relay {

class EmbeddingsEndpoint final : public MeteredEndpoint
{
public:
    static constexpr qsizetype kMaxInputs = 2048;
    static constexpr qint64 kMaxTokensPerInput = 8192;
    static constexpr qint64 kMaxTokensPerRequest = 300000;

    using MeteredEndpoint::MeteredEndpoint;
    void install(Router &router) override;

private:
    void handle(HttpExchange &exchange);
};

} // namespace RelayDesk::Relay
