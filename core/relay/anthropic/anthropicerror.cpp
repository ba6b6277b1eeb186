#include "relay/anthropic/anthropicerror.h"

#include "http/httpexchange.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

namespace RelayDesk::Relay {

AnthropicError::Mapped AnthropicError::map(const OpenAiError &error)
{
    Mapped m;
    m.message = error.message;
    switch (error.httpStatus) {
    case 400: m = {400, "invalid_request_error", error.message}; break;
    case 401: m = {401, "authentication_error", error.message}; break;
    case 403: m = {403, "permission_error", error.message}; break;
    case 404: m = {404, "not_found_error", error.message}; break;
    case 413: m = {413, "request_too_large", error.message}; break;
    case 429: m = {429, "rate_limit_error", error.message}; break;
    case 503:
    case 529: m = {529, "overloaded_error", error.message}; break;
    default:
        if (error.httpStatus >= 400 && error.httpStatus < 500)
            m = {400, "invalid_request_error", error.message};
        else
            m = {500, "api_error", error.message};
    }
    return m;
}

QByteArray AnthropicError::toJson(const Mapped &mapped)
{
    const QJsonObject body{{QStringLiteral("type"), QStringLiteral("error")},
                           {QStringLiteral("error"),
                            QJsonObject{{QStringLiteral("type"), QString::fromLatin1(mapped.type)},
                                        {QStringLiteral("message"), mapped.message}}}};
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QByteArray AnthropicError::toJson(const OpenAiError &error)
{
    return toJson(map(error));
}

HttpResponse AnthropicError::response(const OpenAiError &error)
{
    const Mapped m = map(error);
    return HttpResponse::withRetryAfter(HttpResponse::json(m.status, toJson(m)), error);
}

void AnthropicError::respond(HttpExchange &exchange, const OpenAiError &error)
{
    exchange.respond(response(error));
}

} // namespace RelayDesk::Relay
