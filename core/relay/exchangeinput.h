#pragma once
// What an authenticated route reads from its exchange — the caller, a JSON object body, its model — with the one answer
// each gets when it is missing: the route just returns.
#include "relay/auth.h"

#include <QtCore/QJsonObject>

#include <functional>
#include <optional>

namespace RelayDesk::Relay {

class HttpExchange;

// Writes a refusal in a route's error shape (AnthropicError::respond); empty: OpenAI's (HttpExchange::respondError).
using ErrorWriter = std::function<void(HttpExchange &exchange, const OpenAiError &error)>;

// Authenticates the request's key (Auth::authenticate) and puts the caller on the exchange — HttpRelay's
// authenticator, and routes that answer in another error shape than OpenAI's call it themselves; false after
// answering the refusal with `writeError`.
bool authenticateCaller(Auth &auth, HttpExchange &exchange, const ErrorWriter &writeError = {});
// The caller HttpRelay's authenticator put on the exchange; nullptr after answering 500 (a route installed
// without the authenticator).
const AuthContext *authenticatedCaller(HttpExchange &exchange);
// The body as a JSON object; nullopt after answering 400 invalid_request_error.
std::optional<QJsonObject> jsonObjectBody(HttpExchange &exchange);
// The request's `model`; empty after answering 400 missing_required_parameter.
QString requiredModel(HttpExchange &exchange, const QJsonObject &request);

} // namespace RelayDesk::Relay
