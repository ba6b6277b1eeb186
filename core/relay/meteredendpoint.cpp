#include "relay/meteredendpoint.h"

#include "http/httpexchange.h"
#include "relay/calladapter.h"
#include "relay/callengine.h"
#include "relay/exchangeinput.h"
#include "relay/httpclientsink.h"
#include "relay/meteredcall.h"
#include "relay/modeladmission.h"

namespace RelayDesk::Relay {

MeteredEndpoint::MeteredEndpoint(CallEngine &engine, ChannelSelector &channels, PriceBookProvider prices)
    : m_engine(engine)
    , m_channels(channels)
    , m_prices(std::move(prices))
{
}

const AuthContext *MeteredEndpoint::caller(HttpExchange &exchange)
{
    return authenticatedCaller(exchange);
}

std::optional<MeteredEndpoint::JsonCall> MeteredEndpoint::readJsonCall(HttpExchange &exchange, Model model)
{
    const AuthContext *auth = authenticatedCaller(exchange);
    auto body = auth ? jsonObjectBody(exchange) : std::nullopt;
    if (!body)
        return std::nullopt;
    JsonCall call{*auth, std::move(*body), {}};
    const QJsonValue name = call.request.value(QLatin1StringView("model"));
    if (model == Model::Optional && (name.isUndefined() || name.isNull()))
        return call;
    if (model == Model::Optional && !name.isString()) {
        exchange.respondError(OpenAiError::invalidRequest(QStringLiteral("Invalid 'model': expected a string."),
                                                          "invalid_value", "model"));
        return std::nullopt;
    }
    call.model = requiredModel(exchange, call.request);
    if (call.model.isEmpty())
        return std::nullopt;
    return call;
}

std::optional<MeteredEndpoint::FormCall> MeteredEndpoint::readFormCall(HttpExchange &exchange, Model model)
{
    const AuthContext *auth = authenticatedCaller(exchange);
    if (!auth)
        return std::nullopt;
    QByteArray contentType = exchange.request().headers.value("content-type");
    if (!contentType.trimmed().toLower().startsWith("multipart/form-data")) {
        exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("This endpoint takes a multipart/form-data body (Content-Type: multipart/form-data; "
                           "boundary=…), not '%1'.").arg(QString::fromUtf8(contentType.left(100)))));
        return std::nullopt;
    }
    auto parsed = MultipartForm::parse(contentType, std::move(exchange.request().body));
    if (const auto *error = std::get_if<OpenAiError>(&parsed)) {
        exchange.respondError(*error);
        return std::nullopt;
    }
    FormCall call{*auth, std::get<MultipartForm>(std::move(parsed)), std::move(contentType), {}};
    call.model = call.form.text("model").trimmed();
    if (call.model.isEmpty() && model == Model::Required) {
        exchange.respondError(OpenAiError::invalidRequest(QStringLiteral("you must provide a model parameter"),
                                                          "missing_required_parameter", "model"));
        return std::nullopt;
    }
    return call;
}

std::optional<Billing::ModelPricing> MeteredEndpoint::admit(HttpExchange &exchange, const AuthContext &auth,
                                                           const QString &model, Store::ChannelWire wire) const
{
    auto admitted = admitModel(auth, model, m_channels, *m_prices(), wire);
    if (const auto *error = std::get_if<OpenAiError>(&admitted)) {
        exchange.respondError(*error);
        return std::nullopt;
    }
    return std::get<Billing::ModelPricing>(std::move(admitted));
}

void MeteredEndpoint::start(HttpExchange &exchange, std::unique_ptr<CallAdapter> adapter, const AuthContext &auth,
                            Billing::ModelPricing pricing, const QString &model)
{
    MeteredCall::Request call;
    call.auth = auth;
    call.pricing = std::move(pricing);
    call.model = model;
    m_engine.start(new HttpClientSink(exchange, nullptr), std::move(adapter), std::move(call));
}

} // namespace RelayDesk::Relay
