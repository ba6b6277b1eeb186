#include "relay/embeddings/embeddingsendpoint.h"

#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/embeddings/embeddingsadapter.h"
#include "relay/promptinput.h"

namespace RelayDesk::Relay {

void EmbeddingsEndpoint::install(Router &router)
{
    router.addRoute("POST", "/v1/embeddings", [this](HttpExchange &e) { handle(e); });
}

void EmbeddingsEndpoint::handle(HttpExchange &exchange)
{
    auto call = readJsonCall(exchange);
    if (!call)
        return;
    const QString &model = call->model;
    auto input = PromptInput::read(call->request.value(QLatin1StringView("input")), "input",
                                   PromptInput::Limits{kMaxInputs, false});
    if (const auto *error = std::get_if<OpenAiError>(&input))
        return exchange.respondError(*error);
    auto pricing = admit(exchange, call->auth, model);
    if (!pricing)
        return;
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
    start(exchange, std::make_unique<EmbeddingsAdapter>(std::move(call->request), total, items.items.size()),
          call->auth, std::move(*pricing), model);
}

} // namespace RelayDesk::Relay
