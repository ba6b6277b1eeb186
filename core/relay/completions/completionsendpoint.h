#pragma once
// The legacy POST /v1/completions (JSON and SSE): checks the request (a JSON object with a model and a prompt of
// a documented shape — at most 2048 prompts —, a string or absent suffix, the model admitted, the hold's
// numbers: max_tokens, n, best_of as for chat), counts prompt and suffix with the model's tokenizer and starts a
// CompletionsAdapter call on the engine.
#include "relay/meteredendpoint.h"

namespace RelayDesk::Relay {

class CompletionsEndpoint final : public MeteredEndpoint
{
public:
    static constexpr qsizetype kMaxPrompts = 2048;
    // OpenAI's default max_tokens for this endpoint: what a request without one is held for.
    static constexpr qint64 kDefaultMaxTokens = 16;

    using MeteredEndpoint::MeteredEndpoint;
    void install(Router &router) override;

private:
    void handle(HttpExchange &exchange);
};

} // namespace RelayDesk::Relay
