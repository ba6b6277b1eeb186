#include "relay/chat/chatendpoint.h"

#include "http/httpexchange.h"
#include "http/router.h"
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
    auto pricing = admit(exchange, call->auth, call->model);
    if (!pricing)
        return;
    const auto hold = HoldParameters::fromChatRequest(call->request); // before anything is reserved
    if (const auto *error = std::get_if<OpenAiError>(&hold))
        return exchange.respondError(*error);
    start(exchange, std::make_unique<ChatAdapter>(std::move(call->request), std::get<HoldParameters>(hold)),
          call->auth, std::move(*pricing), call->model);
}

} // namespace RelayDesk::Relay
