#include "relay/moderations/moderationsendpoint.h"

#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/modeladmission.h"
#include "relay/moderations/moderationsadapter.h"

#include <QtCore/QJsonArray>
namespace RelayDesk::Relay {

namespace {

// The first problem of a moderation input (nullopt: fine).
std::optional<OpenAiError> checkInput(const QJsonValue &input)
{
    if (input.isUndefined() || input.isNull())
        return OpenAiError::invalidRequest(QStringLiteral("'input' is a required property"),
                                           "missing_required_parameter", "input");
    if (input.isString())
        return std::nullopt;
    const auto invalid = [](const QString &message) {
        return OpenAiError::invalidRequest(message, "invalid_value", "input");
    };
    if (!input.isArray())
        return invalid(QStringLiteral("Invalid 'input': expected a string, an array of strings or an array of "
                                      "text and image_url parts."));
    const QJsonArray items = input.toArray();
    if (items.isEmpty())
        return invalid(QStringLiteral("Invalid 'input': the array must not be empty."));
    if (items.size() > ModerationsEndpoint::kMaxInputs)
        return invalid(QStringLiteral("Invalid 'input': at most %1 inputs per request, got %2.")
                           .arg(ModerationsEndpoint::kMaxInputs).arg(items.size()));
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QJsonValue &item = items.at(i);
        if (item.isString())
            continue;
        const QJsonObject part = item.toObject();
        const QString type = part.value(QLatin1StringView("type")).toString();
        const bool text = type == QLatin1StringView("text") && part.value(QLatin1StringView("text")).isString();
        const bool image = type == QLatin1StringView("image_url") &&
                           part.value(QLatin1StringView("image_url")).toObject().value(QLatin1StringView("url")).isString();
        if (!text && !image)
            return invalid(QStringLiteral("Invalid 'input[%1]': expected a string, {type:\"text\", text} or "
                                          "{type:\"image_url\", image_url:{url}}.").arg(i));
    }
    return std::nullopt;
}

} // namespace

void ModerationsEndpoint::install(Router &router)
{
    router.addRoute("POST", "/v1/moderations", [this](HttpExchange &e) { handle(e); });
}

void ModerationsEndpoint::handle(HttpExchange &exchange)
{
    auto call = readJsonCall(exchange, Model::Optional);
    if (!call)
        return;
    if (call->model.isEmpty()) { // OpenAI's default; named upstream too, so every channel moderates with the same model
        call->model = kDefaultModel;
        call->request.insert(QStringLiteral("model"), call->model);
    }
    if (auto error = checkInput(call->request.value(QLatin1StringView("input"))))
        return exchange.respondError(*error);
    const Billing::PriceBookPtr prices = m_prices();
    auto admitted = admitModel(call->auth, call->model, m_channels, *prices);
    if (const auto *error = std::get_if<OpenAiError>(&admitted)) {
        if (error->code != "model_price_not_configured")
            return exchange.respondError(*error);
        // Allowed and served but not in the price book: moderations are free, so the call is priced 0.
        Billing::ModelPricing free;
        free.model = call->model;
        free.snapshotId = prices->snapshotId();
        admitted = free;
    }
    start(exchange, std::make_unique<ModerationsAdapter>(std::move(call->request)), call->auth,
          std::get<Billing::ModelPricing>(std::move(admitted)), call->model);
}

} // namespace RelayDesk::Relay
