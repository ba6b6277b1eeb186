#include "relay/chat/chatendpoint.h"

#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/callengine.h"
#include "relay/chat/chatadapter.h"
#include "relay/exchangeinput.h"
#include "relay/httpclientsink.h"
#include "relay/modeladmission.h"

#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

ChatEndpoint::ChatEndpoint(CallEngine &engine, ChannelSelector &channels, PriceBookProvider prices)
    : m_engine(engine)
    , m_channels(channels)
    , m_prices(std::move(prices))
{
}

void ChatEndpoint::install(Router &router)
{
    router.addRoute("POST", "/v1/chat/completions", [this](HttpExchange &e) { handle(e); });
}

void ChatEndpoint::handle(HttpExchange &exchange)
{
    const AuthContext *auth = authenticatedCaller(exchange);
    auto body = auth ? jsonObjectBody(exchange) : std::nullopt;
    if (!body)
        return;
    QJsonObject request = std::move(*body);
    const QString model = requiredModel(exchange, request);
    if (model.isEmpty())
        return;
    if (!request.value(QLatin1StringView("messages")).isArray())
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("'messages' is a required property"), "missing_required_parameter", "messages"));
    auto admitted = admitModel(*auth, model, m_channels, *m_prices());
    if (const auto *error = std::get_if<OpenAiError>(&admitted))
        return exchange.respondError(*error);
    const auto hold = HoldParameters::fromChatRequest(request); // before anything is reserved
    if (const auto *error = std::get_if<OpenAiError>(&hold))
        return exchange.respondError(*error);
    MeteredCall::Request call{*auth, std::get<Billing::ModelPricing>(std::move(admitted)), model, {}, {}, {}};
    m_engine.start(new HttpClientSink(exchange, nullptr),
                   std::make_unique<ChatAdapter>(std::move(request), std::get<HoldParameters>(hold)),
                   std::move(call));
}

} // namespace RelayDesk::Relay
