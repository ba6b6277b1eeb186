#include "demo/demospeech.h"

#include "demo/demomedia.h"
#include "demo/demopacedwriter.h"
#include "demo/demorequest.h"
#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/chat/chatrelaytokens.h"
#include "tokenize/audiotokens.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

#include <cmath>

namespace RelayDesk::Relay {

namespace {

constexpr qsizetype kMaxInput = 4096;
constexpr qsizetype kChunkBytes = 16 * 1024;
constexpr qsizetype kSseChunkBytes = 8 * 1024;

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QList<QByteArray> split(const QByteArray &bytes, qsizetype size)
{
    QList<QByteArray> out;
    for (qsizetype i = 0; i < bytes.size(); i += size)
        out.append(bytes.mid(i, size));
    return out;
}

bool isTts1(const QString &model)
{
    return model == u"tts-1" || model == u"tts-1-hd" || model.startsWith(QLatin1StringView("tts-1-"));
}

// The first validation error of a speech request, or an empty error.
std::optional<OpenAiError> validate(const DemoRequest &request)
{
    const QJsonObject &body = request.body;
    const QJsonValue input = body.value(QLatin1StringView("input"));
    if (!input.isString() || input.toString().isEmpty())
        return OpenAiError::invalidRequest(QStringLiteral("Missing required parameter: 'input'."),
                                           "missing_required_parameter", "input");
    if (input.toString().size() > kMaxInput)
        return OpenAiError::invalidRequest(
            QStringLiteral("Invalid 'input': string too long. Expected a string with maximum length 4096, but got a "
                           "string with length %1 instead.").arg(input.toString().size()),
            "string_above_max_length", "input");
    if (!body.contains(QLatin1StringView("voice")))
        return OpenAiError::invalidRequest(QStringLiteral("Missing required parameter: 'voice'."),
                                           "missing_required_parameter", "voice");
    const QJsonValue speed = body.value(QLatin1StringView("speed"));
    if (!speed.isUndefined() && (!speed.isDouble() || speed.toDouble() < 0.25 || speed.toDouble() > 4.0))
        return OpenAiError::invalidValue("speed", QStringLiteral("Invalid 'speed': expected a number from 0.25 to 4.0."));
    static const QStringList formats{QStringLiteral("mp3"), QStringLiteral("opus"), QStringLiteral("aac"),
                                     QStringLiteral("flac"), QStringLiteral("wav"), QStringLiteral("pcm")};
    const QString format = body.value(QLatin1StringView("response_format")).toString(QStringLiteral("mp3"));
    if (!formats.contains(format))
        return OpenAiError::invalidRequest(
            QStringLiteral("Invalid value: '%1'. Supported values are: 'mp3', 'opus', 'aac', 'flac', 'wav', and 'pcm'.")
                .arg(format), "invalid_value", "response_format");
    if (!DemoMedia::canEncode(format))
        return OpenAiError::invalidRequest(
            QStringLiteral("The demo upstream cannot encode response_format '%1' (no encoder in this FFmpeg build).")
                .arg(format), "unsupported_value", "response_format");
    const QString streamFormat = body.value(QLatin1StringView("stream_format")).toString(QStringLiteral("audio"));
    if (streamFormat != u"audio" && streamFormat != u"sse")
        return OpenAiError::invalidRequest(
            QStringLiteral("Invalid value: '%1'. Supported values are: 'sse' and 'audio'.").arg(streamFormat),
            "invalid_value", "stream_format");
    if (streamFormat == u"sse" && isTts1(request.model))
        return OpenAiError::invalidRequest(
            QStringLiteral("stream_format 'sse' is not supported for model '%1'.").arg(request.model),
            "unsupported_value", "stream_format");
    return std::nullopt;
}

QJsonObject usage(const DemoRequest &request, qint64 milliseconds)
{
    const qint64 sign = request.has(QLatin1StringView("bad_usage")) ? -1 : 1;
    const QString text = request.body.value(QLatin1StringView("input")).toString()
                         + request.body.value(QLatin1StringView("instructions")).toString();
    const qint64 input = sign * ChatRelayTokens::countText(text, request.model);
    const qint64 output = sign * Tokenize::audioTokensForMilliseconds(milliseconds, Tokenize::AudioDirection::Output);
    return QJsonObject{{QStringLiteral("input_tokens"), input},
                       {QStringLiteral("output_tokens"), output},
                       {QStringLiteral("total_tokens"), input + output}};
}

void handle(HttpExchange &exchange, const DemoUpstreamOptions &options)
{
    const auto request = DemoRequest::read(exchange, options, QLatin1StringView("input"));
    if (!request)
        return;
    if (const auto error = validate(*request))
        return exchange.respondError(*error);
    if (request->has(QLatin1StringView("hang")))
        return;
    const QJsonObject &body = request->body;
    const QString format = body.value(QLatin1StringView("response_format")).toString(QStringLiteral("mp3"));
    const qint64 ms = DemoSpeech::speechMilliseconds(body.value(QLatin1StringView("input")).toString(),
                                                     body.value(QLatin1StringView("speed")).toDouble(1.0));
    const std::optional<QByteArray> audio = DemoMedia::encode(DemoMedia::tone(ms), format);
    if (!audio)
        return exchange.respondError(OpenAiError::internal(
            QStringLiteral("The demo upstream failed to encode %1 audio.").arg(format)));
    const bool slow = request->has(QLatin1StringView("slow"));
    const DemoPacedWriter::Pacing pacing{slow ? std::max(50, options.firstChunkDelayMs) : options.firstChunkDelayMs,
                                         slow ? std::max(50, options.chunkDelayMs * 10) : options.chunkDelayMs,
                                         request->has(QLatin1StringView("reset"))};
    if (body.value(QLatin1StringView("stream_format")).toString() != u"sse")
        return DemoPacedWriter::chunks(exchange, DemoMedia::contentType(format), split(*audio, kChunkBytes), pacing);
    QList<DemoPacedWriter::Piece> pieces;
    for (const QByteArray &piece : split(*audio, kSseChunkBytes))
        pieces.append({{}, compact({{QStringLiteral("type"), QStringLiteral("speech.audio.delta")},
                                    {QStringLiteral("audio"), QString::fromLatin1(piece.toBase64())}})});
    QJsonObject done{{QStringLiteral("type"), QStringLiteral("speech.audio.done")}};
    if (!request->has(QLatin1StringView("no_usage")))
        done.insert(QStringLiteral("usage"), usage(*request, ms));
    pieces.append({{}, compact(done)});
    DemoPacedWriter::events(exchange, std::move(pieces), pacing);
}

} // namespace

qint64 DemoSpeech::speechMilliseconds(const QString &input, double speed)
{
    const qint64 characters = input.toUcs4().size();
    return std::llround(double(60 * characters + 200) / (speed > 0 ? speed : 1.0));
}

void DemoSpeech::install(HttpServer &server, const DemoUpstreamOptions &options)
{
    server.router().addRoute("POST", "/v1/audio/speech", [options](HttpExchange &e) { handle(e, options); },
                             Router::Access::Public);
}

} // namespace RelayDesk::Relay
