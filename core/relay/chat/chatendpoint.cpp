#include "relay/chat/chatendpoint.h"

#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/anthropic/anthropicheaders.h"
#include "relay/anthropic/chattomessages.h"
#include "relay/anthropic/claudechatadapter.h"
#include "relay/channelselector.h"
#include "relay/chat/chatadapter.h"

namespace RelayDesk::Relay {

void ChatEndpoint::install(Router &router)
{
    router.addRoute("POST", "/v1/chat/completions", [this](HttpExchange &e) { handle(e); });
}

void ChatEndpoint::handle(HttpExchange &exchange)
{
    auto call = readJsonCall(exchange);
    if (!call)
        return;
    if (!call->request.value(QLatin1StringView("messages")).isArray())
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("'messages' is a required property"), "missing_required_parameter", "messages"));
    const Store::ChannelWire wire = wireFor(call->auth, call->model);
    auto pricing = admit(exchange, call->auth, call->model, wire);
    if (!pricing)
        return;
    const auto hold = HoldParameters::fromChatRequest(call->request); // before anything is reserved
    if (const auto *error = std::get_if<OpenAiError>(&hold))
        return exchange.respondError(*error);
    if (wire == Store::ChannelWire::Anthropic)
        return startClaude(exchange, std::move(*call), std::move(*pricing), std::get<HoldParameters>(hold));
    start(exchange, std::make_unique<ChatAdapter>(std::move(call->request), std::get<HoldParameters>(hold)),
          call->auth, std::move(*pricing), call->model);
}

Store::ChannelWire ChatEndpoint::wireFor(const AuthContext &auth, const QString &model) const
{
    if (m_channels.serves(model, auth.group, Store::ChannelWire::OpenAi) ||
        !m_channels.serves(model, auth.group, Store::ChannelWire::Anthropic))
        return Store::ChannelWire::OpenAi;
    return Store::ChannelWire::Anthropic;
}

void ChatEndpoint::startClaude(HttpExchange &exchange, JsonCall call, Billing::ModelPricing pricing,
                               HoldParameters hold)
{
    // Claude requires max_tokens: the request's, else the model family's largest (also the hold's limit).
    const HoldParameters limits = hold.withDefaultMaxTokens(ChatToMessages::defaultMaxTokens(call.model));
    auto converted = ChatToMessages::convert(call.request, limits.maxTokens().value_or(0));
    if (const auto *error = std::get_if<OpenAiError>(&converted))
        return exchange.respondError(*error);
    const bool includeUsage = call.request.value(QLatin1StringView("stream_options")).toObject()
                                  .value(QLatin1StringView("include_usage")).toBool();
    start(exchange,
          std::make_unique<ClaudeChatAdapter>(std::get<QJsonObject>(std::move(converted)), includeUsage, limits,
                                              AnthropicHeaders::fromRequest(exchange.request())),
          call.auth, std::move(pricing), call.model);
}

} // namespace RelayDesk::Relay
