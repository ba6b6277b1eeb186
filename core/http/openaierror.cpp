#include "http/openaierror.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

namespace RelayDesk::Relay {

namespace {

QJsonValue nullable(const QByteArray &value)
{
    return value.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(QString::fromUtf8(value));
}

QJsonObject errorObject(const OpenAiError &e)
{
    return QJsonObject{
        {QStringLiteral("message"), e.message},
        {QStringLiteral("type"), QString::fromUtf8(e.type)},
        {QStringLiteral("code"), nullable(e.code)},
        {QStringLiteral("param"), nullable(e.param)},
    };
}

OpenAiError make(int status, const QString &message, const QByteArray &type, const QByteArray &code,
                 const QByteArray &param = {})
{
    OpenAiError e;
    e.httpStatus = status;
    e.message = message;
    e.type = type;
    e.code = code;
    e.param = param;
    return e;
}

} // namespace

QByteArray OpenAiError::toJson() const
{
    return QJsonDocument(QJsonObject{{QStringLiteral("error"), errorObject(*this)}})
        .toJson(QJsonDocument::Compact);
}

QByteArray OpenAiError::toRealtimeEvent(const QByteArray &eventId) const
{
    return QJsonDocument(QJsonObject{
                             {QStringLiteral("type"), QStringLiteral("error")},
                             {QStringLiteral("event_id"), nullable(eventId)},
                             {QStringLiteral("error"), errorObject(*this)},
                         })
        .toJson(QJsonDocument::Compact);
}

OpenAiError OpenAiError::invalidRequest(const QString &message, const QByteArray &code, const QByteArray &param)
{
    return make(400, message, "invalid_request_error", code, param);
}

OpenAiError OpenAiError::invalidValue(const QByteArray &param, const QString &message)
{
    return make(400, message, "invalid_request_error", "invalid_value", param);
}

OpenAiError OpenAiError::invalidApiKey(const QString &message)
{
    return make(401, message, "invalid_request_error", "invalid_api_key");
}

OpenAiError OpenAiError::authentication(const QString &message, const QByteArray &code)
{
    return make(401, message, "authentication_error", code);
}

OpenAiError OpenAiError::insufficientQuota(const QString &message)
{
    return make(403, message, "insufficient_quota", "insufficient_quota");
}

OpenAiError OpenAiError::modelNotAllowed(const QString &model)
{
    return make(403, QStringLiteral("This API key is not allowed to use the model '%1'.").arg(model),
                "invalid_request_error", "model_not_allowed", "model");
}

OpenAiError OpenAiError::permissionDenied(const QString &message, const QByteArray &code)
{
    return make(403, message, "permission_error", code);
}

OpenAiError OpenAiError::unknownUrl(const QByteArray &method, const QByteArray &path)
{
    return make(404,
                QStringLiteral("Invalid URL (%1 %2)").arg(QString::fromLatin1(method), QString::fromUtf8(path)),
                "invalid_request_error", "unknown_url");
}

OpenAiError OpenAiError::notFound(const QString &message, const QByteArray &code)
{
    return make(404, message, "invalid_request_error", code);
}

OpenAiError OpenAiError::methodNotAllowed(const QByteArray &method, const QByteArray &path)
{
    return make(405,
                QStringLiteral("Method %1 is not allowed for %2").arg(QString::fromLatin1(method),
                                                                      QString::fromUtf8(path)),
                "invalid_request_error", "method_not_allowed");
}

OpenAiError OpenAiError::requestTimeout(const QString &message)
{
    return make(408, message, "invalid_request_error", "request_timeout");
}

OpenAiError OpenAiError::payloadTooLarge(qint64 limitBytes)
{
    return make(413, QStringLiteral("Request body is larger than the limit of %1 bytes.").arg(limitBytes),
                "invalid_request_error", "request_too_large");
}

OpenAiError OpenAiError::expectationFailed(const QByteArray &expect)
{
    return make(417, QStringLiteral("Unsupported Expect header: %1").arg(QString::fromLatin1(expect)),
                "invalid_request_error", "expectation_failed");
}

OpenAiError OpenAiError::upgradeRequired(const QByteArray &path)
{
    return make(426, QStringLiteral("%1 is a WebSocket endpoint; connect with a WebSocket upgrade.")
                         .arg(QString::fromUtf8(path)),
                "invalid_request_error", "upgrade_required");
}

OpenAiError OpenAiError::headersTooLarge(qint64 limitBytes)
{
    return make(431, QStringLiteral("Request headers are larger than the limit of %1 bytes.").arg(limitBytes),
                "invalid_request_error", "request_header_fields_too_large");
}

OpenAiError OpenAiError::rateLimited(const QString &message)
{
    return make(429, message, "requests", "rate_limit_exceeded");
}

OpenAiError OpenAiError::rateLimited(const QString &message, const QByteArray &type, qint64 retryAfterSecs)
{
    OpenAiError e = make(429, message, type, "rate_limit_exceeded");
    e.retryAfterSecs = std::max<qint64>(1, retryAfterSecs);
    return e;
}

OpenAiError OpenAiError::budgetExceeded(const QString &message, qint64 retryAfterSecs)
{
    OpenAiError e = make(429, message, "insufficient_quota", "budget_exceeded");
    e.retryAfterSecs = std::max<qint64>(1, retryAfterSecs);
    return e;
}

OpenAiError OpenAiError::internal(const QString &message)
{
    return make(500, message, "server_error", "internal_error");
}

OpenAiError OpenAiError::badGateway(const QString &message, const QByteArray &code)
{
    return make(502, message, "upstream_error", code);
}

OpenAiError OpenAiError::upstreamAuthFailed(const QString &channelName, int upstreamStatus)
{
    return make(502,
                QStringLiteral("The upstream channel '%1' refused the relay's credentials (HTTP %2). This is a relay "
                               "configuration problem, not a problem with your API key.")
                    .arg(channelName)
                    .arg(upstreamStatus),
                "upstream_error", "upstream_auth_failed");
}

OpenAiError OpenAiError::storeUnavailable()
{
    return make(503, QStringLiteral("The relay's database is unavailable; the request was not charged. Retry shortly."),
                "server_error", "store_unavailable");
}

OpenAiError OpenAiError::serviceUnavailable(const QString &message, const QByteArray &code)
{
    return make(503, message, "server_error", code);
}

OpenAiError OpenAiError::gatewayTimeout(const QString &message)
{
    return make(504, message, "upstream_error", "upstream_timeout");
}

} // namespace RelayDesk::Relay
