#include "relay/completions/completionsendpoint.h"

#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/completions/completionsadapter.h"

namespace RelayDesk::Relay {

void CompletionsEndpoint::install(Router &router)
{
    router.addRoute("POST", "/v1/completions", [this](HttpExchange &e) { handle(e); });
}

void CompletionsEndpoint::handle(HttpExchange &exchange)
{
    auto call = readJsonCall(exchange);
    if (!call)
        return;
    QJsonObject &request = call->request;
    const QString &model = call->model;
    auto prompt = PromptInput::read(request.value(QLatin1StringView("prompt")), "prompt",
                                    PromptInput::Limits{kMaxPrompts, true});
    if (const auto *error = std::get_if<OpenAiError>(&prompt))
        return exchange.respondError(*error);
    const QJsonValue suffix = request.value(QLatin1StringView("suffix"));
    if (!suffix.isUndefined() && !suffix.isNull() && !suffix.isString())
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("Invalid 'suffix': expected a string."), "invalid_value", "suffix"));
    auto pricing = admit(exchange, call->auth, model);
    if (!pricing)
        return;
    const auto hold = HoldParameters::fromChatRequest(request); // max_tokens, n, best_of: before any hold
    if (const auto *error = std::get_if<OpenAiError>(&hold))
        return exchange.respondError(*error);
    PromptInput prompts = std::get<PromptInput>(std::move(prompt));
    qint64 promptTokens = ChatRelayTokens::countText(suffix.toString(), model);
    for (const qint64 tokens : prompts.tokenCounts(model))
        promptTokens += tokens;
    // Each prompt of a batch gets its own max(n, best_of) choices, each up to max_tokens.
    const HoldParameters held = std::get<HoldParameters>(hold)
                                    .withDefaultMaxTokens(kDefaultMaxTokens)
                                    .timesChoices(prompts.items.size());
    start(exchange, std::make_unique<CompletionsAdapter>(std::move(request), std::move(prompts), promptTokens, held),
          call->auth, std::move(*pricing), model);
}

} // namespace RelayDesk::Relay
