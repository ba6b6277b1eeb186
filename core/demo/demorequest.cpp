#include "demo/demorequest.h"

#include "demo/demoscenario.h"
#include "http/httpexchange.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QJsonDocument>
#include <QtCore/QtEndian>

namespace RelayDesk::Relay {

bool DemoRequest::has(QLatin1StringView name) const
{
    return DemoScenario::has(scenario, name);
}

bool DemoGate::keyAccepted(HttpExchange &exchange, const DemoUpstreamOptions &options)
{
    if (options.requiredKey.isEmpty() || exchange.request().bearerToken() == options.requiredKey)
        return true;
    exchange.respondError(OpenAiError::invalidApiKey(QStringLiteral("Incorrect API key provided.")));
    return false;
}

bool DemoGate::hasModel(HttpExchange &exchange, const QString &model)
{
    if (!model.isEmpty())
        return true;
    exchange.respondError(OpenAiError::invalidRequest(QStringLiteral("you must provide a model parameter"),
                                                      "missing_required_parameter", "model"));
    return false;
}

bool DemoGate::passesScenario(HttpExchange &exchange, const QString &scenario)
{
    if (DemoScenario::has(scenario, QLatin1StringView("error_500"))) {
        exchange.respondError(OpenAiError::internal(QStringLiteral("The demo upstream failed (scenario error_500).")));
        return false;
    }
    if (DemoScenario::has(scenario, QLatin1StringView("error_429"))) {
        exchange.respondError(OpenAiError::rateLimited(QStringLiteral("Rate limit reached (scenario error_429).")));
        return false;
    }
    return true;
}

std::optional<DemoRequest> DemoRequest::read(HttpExchange &exchange, const DemoUpstreamOptions &options,
                                             QLatin1StringView markerField, const QString &defaultModel)
{
    const HttpRequest &request = exchange.request();
    if (!DemoGate::keyAccepted(exchange, options))
        return std::nullopt;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body);
    if (!doc.isObject()) {
        exchange.respondError(OpenAiError::invalidRequest(QStringLiteral("The request body is not a JSON object.")));
        return std::nullopt;
    }
    DemoRequest out;
    out.body = doc.object();
    out.model = out.body.value(QLatin1StringView("model")).toString(defaultModel);
    if (!DemoGate::hasModel(exchange, out.model))
        return std::nullopt;
    const QJsonValue marker = out.body.value(markerField);
    out.scenario = DemoScenario::of(request, out.model,
                                    marker.isString() ? marker.toString()
                                                      : QString::fromUtf8(QJsonDocument(marker.toArray())
                                                                              .toJson(QJsonDocument::Compact)));
    if (!DemoGate::passesScenario(exchange, out.scenario))
        return std::nullopt;
    return out;
}

DemoHashStream::DemoHashStream(const QByteArray &seed)
{
    const QByteArray digest = QCryptographicHash::hash(seed, QCryptographicHash::Sha256);
    m_state = qFromLittleEndian<quint64>(digest.constData());
}

double DemoHashStream::nextUnit()
{
    // splitmix64
    quint64 z = (m_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return double(z >> 11) / double(quint64(1) << 53);
}

} // namespace RelayDesk::Relay
