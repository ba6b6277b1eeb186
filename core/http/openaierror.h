#pragma once
// OpenAI-shaped errors: the one place that knows the JSON shape and the HTTP status of each kind of
// rejection, so every layer (server limits, router, auth, relay, realtime) answers clients identically.
#include <QtCore/QByteArray>
#include <QtCore/QString>

namespace RelayDesk::Relay {

struct OpenAiError final
{
    int httpStatus = 500;
    QString message;
    QByteArray type = "server_error";
    QByteArray code;  // empty → JSON null
    QByteArray param; // empty → JSON null
    qint64 retryAfterSecs = 0; // > 0: the HTTP answer carries `Retry-After: <seconds>`

    // {"error":{"message":…,"type":…,"code":…,"param":…}}
    QByteArray toJson() const;
    // Realtime error event: {"type":"error","event_id":…,"error":{…}} (event_id null when empty).
    QByteArray toRealtimeEvent(const QByteArray &eventId = {}) const;

    // 400 invalid_request_error
    static OpenAiError invalidRequest(const QString &message, const QByteArray &code = {},
                                      const QByteArray &param = {});
    // 400 invalid_request_error, code invalid_value, naming the offending field in `param`.
    static OpenAiError invalidValue(const QByteArray &param, const QString &message);
    // 401: a missing, unknown, disabled or expired key. type invalid_request_error, code invalid_api_key
    // (what api.openai.com answers).
    static OpenAiError invalidApiKey(const QString &message);
    // 401 with type authentication_error (for non-key authentication failures).
    static OpenAiError authentication(const QString &message, const QByteArray &code = {});
    // 403 insufficient_quota (balance or key quota cannot cover the reservation).
    static OpenAiError insufficientQuota(const QString &message);
    // 403 model_not_allowed (key or group may not use the model).
    static OpenAiError modelNotAllowed(const QString &model);
    // 403 permission_denied (disabled user, forbidden endpoint...).
    static OpenAiError permissionDenied(const QString &message, const QByteArray &code = "permission_denied");
    // 404 for an unknown URL, "Invalid URL (METHOD /path)" like OpenAI.
    static OpenAiError unknownUrl(const QByteArray &method, const QByteArray &path);
    // 404 for an unknown model/resource.
    static OpenAiError notFound(const QString &message, const QByteArray &code = "not_found");
    static OpenAiError methodNotAllowed(const QByteArray &method, const QByteArray &path);
    static OpenAiError requestTimeout(const QString &message);
    static OpenAiError payloadTooLarge(qint64 limitBytes);
    static OpenAiError expectationFailed(const QByteArray &expect);
    static OpenAiError upgradeRequired(const QByteArray &path);
    static OpenAiError headersTooLarge(qint64 limitBytes);
    // 429 rate_limit_exceeded
    static OpenAiError rateLimited(const QString &message);
    // 429 rate_limit_exceeded with OpenAI's type for the limit hit ("requests" or "tokens") and Retry-After.
    static OpenAiError rateLimited(const QString &message, const QByteArray &type, qint64 retryAfterSecs);
    // 429 insufficient_quota / budget_exceeded: a budget window of the user or key is spent until it rolls over;
    // Retry-After says when it will fit.
    static OpenAiError budgetExceeded(const QString &message, qint64 retryAfterSecs);
    static OpenAiError internal(const QString &message);
    // 502: upstream unreachable or answered garbage.
    static OpenAiError badGateway(const QString &message, const QByteArray &code = "bad_gateway");
    // 502 upstream_auth_failed: the channel's own key was refused upstream (401/403). Names the channel only —
    // never the upstream's text, which may echo the channel key — and says the client's key is not at fault.
    static OpenAiError upstreamAuthFailed(const QString &channelName, int upstreamStatus);
    // 503: too many connections / shutting down.
    static OpenAiError serviceUnavailable(const QString &message, const QByteArray &code = "service_unavailable");
    // 503 store_unavailable: the database does not answer (a PostgreSQL restart, a full disk). Never 401:
    // a valid key must not be told it is wrong because it could not be looked up.
    static OpenAiError storeUnavailable();
    // 504: upstream timed out.
    static OpenAiError gatewayTimeout(const QString &message);
};

} // namespace RelayDesk::Relay
