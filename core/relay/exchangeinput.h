#pragma once
// What an authenticated route reads from its exchange — the caller, a JSON object body, its model — with the one answer
// each gets when it is missing: the route just returns.
#include "relay/auth.h"

#include <QtCore/QJsonObject>

#include <optional>

namespace RelayDesk::Relay {

class HttpExchange;

// The caller HttpRelay's authenticator put on the exchange; nullptr after answering 500 (a route installed
// without the authenticator).
const AuthContext *authenticatedCaller(HttpExchange &exchange);
// The body as a JSON object; nullopt after answering 400 invalid_request_error.
std::optional<QJsonObject> jsonObjectBody(HttpExchange &exchange);
// The request's `model`; empty after answering 400 missing_required_parameter.
QString requiredModel(HttpExchange &exchange, const QJsonObject &request);

} // namespace RelayDesk::Relay
