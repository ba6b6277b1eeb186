#include "relay/audio/transcriptionendpoint.h"

#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/audio/transcriptionadapter.h"
#include "relay/callengine.h"
#include "relay/chat/chatrelaytokens.h"
#include "tokenize/mediaduration.h"

namespace RelayDesk::Relay {

void TranscriptionEndpoint::install(Router &router)
{
    router.addRoute("POST", "/v1/audio/transcriptions", [this](HttpExchange &e) { handle(e, false); });
    router.addRoute("POST", "/v1/audio/translations", [this](HttpExchange &e) { handle(e, true); });
}

void TranscriptionEndpoint::handle(HttpExchange &exchange, bool translate)
{
    auto call = readFormCall(exchange);
    if (!call)
        return;
    const MultipartPart *file = call->form.part("file");
    if (!file)
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("'file' is a required property: the audio to transcribe, as a file part."),
            "missing_required_parameter", "file"));
    if (file->dataSize > m_engine.config().maxUploadBytes) {
        OpenAiError error = OpenAiError::payloadTooLarge(m_engine.config().maxUploadBytes);
        error.param = "file";
        return exchange.respondError(error);
    }
    const auto media = Tokenize::MediaDuration::probe(call->form.data(*file));
    if (!media || media->milliseconds <= 0)
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("Invalid file format. Supported formats: ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', "
                           "'oga', 'ogg', 'wav', 'webm']"),
            "invalid_value", "file"));
    const QString stream = call->form.text("stream").trimmed().toLower();
    const bool streamed = !translate && (stream == QLatin1StringView("true") || stream == QLatin1StringView("1"));
    auto pricing = admit(exchange, call->auth, call->model);
    if (!pricing)
        return;
    const qint64 promptTokens = ChatRelayTokens::countText(call->form.text("prompt"), call->model);
    const auto task = translate ? TranscriptionAdapter::Task::Translate : TranscriptionAdapter::Task::Transcribe;
    start(exchange,
          std::make_unique<TranscriptionAdapter>(task, std::move(call->form), std::move(call->contentType),
                                                 media->milliseconds, promptTokens, streamed),
          call->auth, std::move(*pricing), call->model);
}

} // namespace RelayDesk::Relay
