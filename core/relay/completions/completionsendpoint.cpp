#include "relay/completions/completionsendpoint.h"

#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/callengine.h"
#include "relay/completions/completionsadapter.h"
#include "relay/exchangeinput.h"
#include "relay/httpclientsink.h"
#include "relay/modeladmission.h"

#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

CompletionsEndpoint::CompletionsEndpoint(CallEngine &engine, ChannelSelector &channels, PriceBookProvider prices)
    : m_engine(engine)
    , m_channels(channels)
    , m_prices(std::move(prices))
{
}

void CompletionsEndpoint::install(Router &router)
{
    router.addRoute("POST", "/v1/completions", [this](HttpExchange &e) { handle(e); });
}

void CompletionsEndpoint::handle(HttpExchange &exchange)
{
    const AuthContext *auth = authenticatedCaller(exchange);
    auto body = auth ? jsonObjectBody(exchange) : std::nullopt;
    if (!body)
        return;
    QJsonObject request = std::move(*body);
    const QString model = requiredModel(exchange, request);
    if (model.isEmpty())
        return;
    auto prompt = PromptInput::read(request.value(QLatin1StringView("prompt")), "prompt",
                                    PromptInput::Limits{kMaxPrompts, true});
    if (const auto *error = std::get_if<OpenAiError>(&prompt))
        return exchange.respondError(*error);
    const QJsonValue suffix = request.value(QLatin1StringView("suffix"));
    if (!suffix.isUndefined() && !suffix.isNull() && !suffix.isString())
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("Invalid 'suffix': expected a string."), "invalid_value", "suffix"));
    auto admitted = admitModel(*auth, model, m_channels, *m_prices());
    if (const auto *error = std::get_if<OpenAiError>(&admitted))
        return exchange.respondError(*error);
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
    MeteredCall::Request call;
    call.auth = *auth;
    call.pricing = std::get<Billing::ModelPricing>(std::move(admitted));
    call.model = model;
    m_engine.start(new HttpClientSink(exchange, nullptr),
                   std::make_unique<CompletionsAdapter>(std::move(request), std::move(prompts), promptTokens, held),
                   std::move(call));
}

} // namespace RelayDesk::Relay
