#include "relay/audio/speechendpoint.h"

#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/audio/speechadapter.h"
#include "relay/chat/chatrelaytokens.h"

#include <QtCore/QJsonArray>

#include <cmath>

namespace RelayDesk::Relay {

namespace {

// The value of an optional string field among `allowed` (`fallback` when absent), or the error.
std::variant<QString, OpenAiError> choice(const QJsonObject &request, QLatin1StringView field,
                                          const QStringList &allowed, const QString &fallback)
{
    const QJsonValue value = request.value(field);
    if (value.isUndefined() || value.isNull())
        return fallback;
    if (value.isString() && allowed.contains(value.toString()))
        return value.toString();
    return OpenAiError::invalidRequest(QStringLiteral("Invalid '%1': expected one of %2.")
                                           .arg(field, allowed.join(QStringLiteral(", "))),
                                       "invalid_value", QByteArray(field.data(), field.size()));
}

} // namespace

void SpeechEndpoint::install(Router &router)
{
    router.addRoute("POST", "/v1/audio/speech", [this](HttpExchange &e) { handle(e); });
}

void SpeechEndpoint::handle(HttpExchange &exchange)
{
    auto call = readJsonCall(exchange);
    if (!call)
        return;
    const QJsonObject &request = call->request;
    const QJsonValue input = request.value(QLatin1StringView("input"));
    if (!input.isString() || input.toString().isEmpty())
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("'input' is a required property: the text to speak, as a non-empty string."),
            "missing_required_parameter", "input"));
    const QString text = input.toString();
    const qint64 characters = text.toUcs4().size();
    if (characters > kMaxInputCharacters)
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("Invalid 'input': %1 characters; the maximum is %2.").arg(characters).arg(kMaxInputCharacters),
            "string_above_max_length", "input"));
    const QJsonValue voice = request.value(QLatin1StringView("voice"));
    if (!voice.isString() && !voice.toObject().value(QLatin1StringView("id")).isString())
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("'voice' is a required property: a voice name or {\"id\": …}."),
            "missing_required_parameter", "voice"));
    const QJsonValue instructions = request.value(QLatin1StringView("instructions"));
    if (!instructions.isUndefined() && !instructions.isNull() && !instructions.isString())
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("Invalid 'instructions': expected a string."), "invalid_value", "instructions"));
    const auto format = choice(request, QLatin1StringView("response_format"),
                               {QStringLiteral("mp3"), QStringLiteral("opus"), QStringLiteral("aac"),
                                QStringLiteral("flac"), QStringLiteral("wav"), QStringLiteral("pcm")},
                               QStringLiteral("mp3"));
    if (const auto *error = std::get_if<OpenAiError>(&format))
        return exchange.respondError(*error);
    const auto streamFormat = choice(request, QLatin1StringView("stream_format"),
                                     {QStringLiteral("audio"), QStringLiteral("sse")}, QStringLiteral("audio"));
    if (const auto *error = std::get_if<OpenAiError>(&streamFormat))
        return exchange.respondError(*error);
    const QJsonValue speedValue = request.value(QLatin1StringView("speed"));
    const double speed = speedValue.isUndefined() || speedValue.isNull() ? 1.0 : speedValue.toDouble(-1);
    if (!(speed >= 0.25 && speed <= 4.0) || (!speedValue.isUndefined() && !speedValue.isNull() && !speedValue.isDouble()))
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("Invalid 'speed': expected a number from 0.25 to 4.0."), "invalid_value", "speed"));
    auto pricing = admit(exchange, call->auth, call->model);
    if (!pricing)
        return;
    const qint64 textTokens = ChatRelayTokens::countText(text, call->model) +
                              ChatRelayTokens::countText(instructions.toString(), call->model);
    const bool sse = std::get<QString>(streamFormat) == QLatin1StringView("sse");
    start(exchange,
          std::make_unique<SpeechAdapter>(std::move(call->request), textTokens, characters, std::get<QString>(format),
                                          speed, sse),
          call->auth, std::move(*pricing), call->model);
}

} // namespace RelayDesk::Relay
