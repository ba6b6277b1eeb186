#include "demo/demoformrequest.h"

#include "demo/demorequest.h"
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
    if (!DemoGate::keyAccepted(exchange, options))
        return std::nullopt;
    QString error;
    auto form = DemoMultipart::parse(request, &error);
    if (!form) {
        exchange.respondError(OpenAiError::invalidRequest(error));
        return std::nullopt;
    }
    DemoFormRequest out;
    out.form = std::move(*form);
    out.model = out.form.contains(u"model") ? out.form.value(u"model") : defaultModel;
    if (!DemoGate::hasModel(exchange, out.model))
        return std::nullopt;
    out.scenario = DemoScenario::of(request, out.model, out.form.value(QString(markerField)));
    if (!DemoGate::passesScenario(exchange, out.scenario))
        return std::nullopt;
    return out;
}

} // namespace RelayDesk::Relay
