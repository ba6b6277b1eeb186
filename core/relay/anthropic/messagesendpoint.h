#pragma once
// POST /v1/messages (JSON and SSE) and POST /v1/messages/count_tokens — Anthropic's Messages API, served only by
// channels of type anthropic. The caller authenticates with `x-api-key: sk-…` (the Anthropic SDK) or
// `Authorization: Bearer sk-…` (Claude Code's ANTHROPIC_AUTH_TOKEN); every refusal on these routes — the key,
// the body, the model, the quota, the engine's and the upstream's failures — is answered in Anthropic's error
// shape (AnthropicError), which is why the routes authenticate themselves rather than through the router.
//
// /v1/messages is metered (MessagesAdapter: the hold is the Claude estimate plus max_tokens, which Anthropic
// requires). count_tokens is not: it is forwarded to an anthropic channel serving the model and costs nothing —
// but its answer is remembered (TokenCountCache, by key and prompt) so that the /v1/messages call that follows
// with the same prompt is held on the upstream's count when that is larger than the estimate (MessagesAdapter).
#include "relay/meteredendpoint.h"

#include <memory>

namespace RelayDesk::Relay {

class TokenCountCache;

class MessagesEndpoint final : public MeteredEndpoint
{
public:
    MessagesEndpoint(CallEngine &engine, ChannelSelector &channels, PriceBookProvider prices,
                     std::shared_ptr<Auth> auth);
    void install(Router &router) override;

private:
    struct Call
    {
        AuthContext auth;
        QJsonObject request;
        QString model;
    };
    // The caller, the JSON body and its model; nullopt after answering the error.
    std::optional<Call> read(HttpExchange &exchange) const;
    void handle(HttpExchange &exchange);
    void countTokens(HttpExchange &exchange);

    std::shared_ptr<Auth> m_auth;
    // Shared with the count_tokens forwards' completions, which may outlive the endpoint on shutdown.
    std::shared_ptr<TokenCountCache> m_counts;
};

} // namespace RelayDesk::Relay
