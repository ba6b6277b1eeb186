#include "relay/exchangeinput.h"

#include "common/fastjson.h"
#include "http/httpexchange.h"

#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

bool authenticateCaller(Auth &auth, HttpExchange &exchange, const ErrorWriter &writeError)
{
    auto result = auth.authenticate(exchange.request());
    if (const auto *error = std::get_if<OpenAiError>(&result)) {
        if (writeError)
            writeError(exchange, *error);
        else
            exchange.respondError(*error);
        return false;
    }
    exchange.context() = std::get<AuthContext>(std::move(result));
    return true;
}

const AuthContext *authenticatedCaller(HttpExchange &exchange)
{
    const auto *auth = std::any_cast<AuthContext>(&exchange.context());
    if (!auth)
        exchange.respondError(OpenAiError::internal(QStringLiteral("not authenticated")));
    return auth;
}

std::optional<QJsonObject> jsonObjectBody(HttpExchange &exchange)
{
    QJsonParseError parseError;
    const QJsonDocument doc = FastJson::parse(exchange.request().body, &parseError);
    if (doc.isObject())
        return doc.object();
    exchange.respondError(OpenAiError::invalidRequest(
        parseError.error == QJsonParseError::NoError
            ? QStringLiteral("The request body is not a JSON object.")
            : QStringLiteral("The request body is not a JSON object: %1").arg(parseError.errorString())));
    return std::nullopt;
}

QString requiredModel(HttpExchange &exchange, const QJsonObject &request)
{
    const QString model = request.value(QLatin1StringView("model")).toString();
    if (model.isEmpty())
        exchange.respondError(OpenAiError::invalidRequest(QStringLiteral("you must provide a model parameter"),
                                                          "missing_required_parameter", "model"));
    return model;
}

} // namespace RelayDesk::Relay
