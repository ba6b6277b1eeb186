#include "relay/embeddings/embeddingsendpoint.h"

#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/callengine.h"
#include "relay/embeddings/embeddingsadapter.h"
#include "relay/exchangeinput.h"
#include "relay/httpclientsink.h"
#include "relay/modeladmission.h"
#include "relay/promptinput.h"

#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

EmbeddingsEndpoint::EmbeddingsEndpoint(CallEngine &engine, ChannelSelector &channels, PriceBookProvider prices)
    : m_engine(engine)
    , m_channels(channels)
    , m_prices(std::move(prices))
{
}

void EmbeddingsEndpoint::install(Router &router)
{
    router.addRoute("POST", "/v1/embeddings", [this](HttpExchange &e) { handle(e); });
}

void EmbeddingsEndpoint::handle(HttpExchange &exchange)
{
    const AuthContext *auth = authenticatedCaller(exchange);
    auto body = auth ? jsonObjectBody(exchange) : std::nullopt;
    if (!body)
        return;
    QJsonObject request = std::move(*body);
    const QString model = requiredModel(exchange, request);
    if (model.isEmpty())
        return;
    auto input = PromptInput::read(request.value(QLatin1StringView("input")), "input",
                                   PromptInput::Limits{kMaxInputs, false});
    if (const auto *error = std::get_if<OpenAiError>(&input))
        return exchange.respondError(*error);
    auto admitted = admitModel(*auth, model, m_channels, *m_prices());
    if (const auto *error = std::get_if<OpenAiError>(&admitted))
        return exchange.respondError(*error);
    const PromptInput &items = std::get<PromptInput>(input);
    const QList<qint64> counts = items.tokenCounts(model);
    qint64 total = 0;
    for (qsizetype i = 0; i < counts.size(); ++i) {
        if (counts.at(i) > kMaxTokensPerInput)
            return exchange.respondError(OpenAiError::invalidRequest(
                QStringLiteral("Invalid 'input%1': %2 tokens; each input must be at most %3 tokens.")
                    .arg(counts.size() > 1 ? QStringLiteral("[%1]").arg(i) : QString())
                    .arg(counts.at(i)).arg(kMaxTokensPerInput),
                "invalid_value", "input"));
        total += counts.at(i);
    }
    if (total > kMaxTokensPerRequest)
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("Invalid 'input': %1 tokens in all; a request may have at most %2.")
                .arg(total).arg(kMaxTokensPerRequest),
            "invalid_value", "input"));
    MeteredCall::Request call;
    call.auth = *auth;
    call.pricing = std::get<Billing::ModelPricing>(std::move(admitted));
    call.model = model;
    m_engine.start(new HttpClientSink(exchange, nullptr),
                   std::make_unique<EmbeddingsAdapter>(std::move(request), total, items.items.size()),
                   std::move(call));
}

} // namespace RelayDesk::Relay
