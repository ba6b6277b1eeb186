#include "demo/demoformrequest.h"

#include "demo/demoscenario.h"
#include "http/httpexchange.h"

namespace RelayDesk::Relay {

bool DemoFormRequest::has(QLatin1StringView name) const
{
    return DemoScenario::has(scenario, name);
}

std::optional<DemoFormRequest> DemoFormRequest::read(HttpExchange &exchange, const DemoUpstreamOptions &options,
                                                     QLatin1StringView markerField, const QString &defaultModel)
{
    const HttpRequest &request = exchange.request();
    if (!options.requiredKey.isEmpty() && request.bearerToken() != options.requiredKey) {
        exchange.respondError(OpenAiError::invalidApiKey(QStringLiteral("Incorrect API key provided.")));
        return std::nullopt;
    }
    QString error;
    auto form = DemoMultipart::parse(request, &error);
    if (!form) {
        exchange.respondError(OpenAiError::invalidRequest(error));
        return std::nullopt;
    }
    DemoFormRequest out;
    out.form = std::move(*form);
    out.model = out.form.contains(u"model") ? out.form.value(u"model") : defaultModel;
    if (out.model.isEmpty()) {
        exchange.respondError(OpenAiError::invalidRequest(QStringLiteral("you must provide a model parameter"),
                                                          "missing_required_parameter", "model"));
        return std::nullopt;
    }
    out.scenario = DemoScenario::of(request, out.model, out.form.value(QString(markerField)));
    if (out.has(QLatin1StringView("error_500"))) {
        exchange.respondError(OpenAiError::internal(QStringLiteral("The demo upstream failed (scenario error_500).")));
        return std::nullopt;
    }
    if (out.has(QLatin1StringView("error_429"))) {
        exchange.respondError(OpenAiError::rateLimited(QStringLiteral("Rate limit reached (scenario error_429).")));
        return std::nullopt;
    }
    return out;
}

} // namespace RelayDesk::Relay
