#pragma once
// POST /v1/moderations: checks the request (a JSON object whose `input` is a string, or a non-empty array of at
// most 2048 strings or of multi-modal parts {type:"text",text} / {type:"image_url",image_url:{url}}), the model
// (omni-moderation-latest when absent) admitted like any other — except that an unpriced model is free rather
// than refused (moderations cost nothing at OpenAI; an operator who prices one is obeyed) — and starts a
// ModerationsAdapter call on the engine: hold 0, settled at 0, logged.
#include "relay/meteredendpoint.h"

namespace RelayDesk::Relay {

class ModerationsEndpoint final : public MeteredEndpoint
{
public:
    static constexpr qsizetype kMaxInputs = 2048;
    static inline const QString kDefaultModel = QStringLiteral("omni-moderation-latest");

    using MeteredEndpoint::MeteredEndpoint;
    void install(Router &router) override;

private:
    void handle(HttpExchange &exchange);
};

} // namespace RelayDesk::Relay
