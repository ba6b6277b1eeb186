#pragma once
// Anthropic's error shape for the Messages routes: {"type":"error","error":{"type":…,"message":…}} with
// Anthropic's status codes — what the Anthropic SDK and Claude Code parse (they do not read OpenAI's shape).
// The one mapping from the relay's OpenAiError: every refusal on /v1/messages (auth, quota, admission, engine,
// upstream failures of the relay's own) goes through it.
//
//   400 invalid_request_error   (also any other 4xx the relay answers: 405, 408, 411, 415, 422, …)
//   401 authentication_error    403 permission_error (quota refusals too)    404 not_found_error
//   413 request_too_large       429 rate_limit_error
//   503 → 529 overloaded_error  (no channel, shutting down, store unavailable: the SDK retries it)
//   any other 5xx → 500 api_error (502 bad gateway, 504 upstream timeout)
#include "http/httpresponse.h"
#include "http/openaierror.h"

#include <QtCore/QByteArray>
#include <QtCore/QString>

namespace RelayDesk::Relay {

class HttpExchange;

class AnthropicError final
{
public:
    struct Mapped
    {
        int status = 500;
        QByteArray type = "api_error";
        QString message;
    };

    static Mapped map(const OpenAiError &error);
    // The JSON body of `error` in Anthropic's shape.
    static QByteArray toJson(const OpenAiError &error);
    static QByteArray toJson(const Mapped &mapped);
    // The whole answer: status, body and the Retry-After `error` asks for.
    static HttpResponse response(const OpenAiError &error);
    // Answers `exchange` with `error` in Anthropic's shape.
    static void respond(HttpExchange &exchange, const OpenAiError &error);
};

} // namespace RelayDesk::Relay
