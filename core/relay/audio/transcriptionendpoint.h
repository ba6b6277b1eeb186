#pragma once
// POST /v1/audio/transcriptions and /v1/audio/translations: checks the multipart form (a model, a `file` of at
// most CallConfig::maxUploadBytes in an audio format libavformat reads — flac, mp3, mp4, m4a, mpeg, mpga, oga,
// ogg, wav, webm — whose duration sizes the hold) and starts a TranscriptionAdapter call on the engine. A file
// that is not audio is refused before anything is reserved.
#include "relay/meteredendpoint.h"

namespace RelayDesk::Relay {

class TranscriptionEndpoint final : public MeteredEndpoint
{
public:
    using MeteredEndpoint::MeteredEndpoint;
    void install(Router &router) override;

private:
    void handle(HttpExchange &exchange, bool translate);
};

} // namespace RelayDesk::Relay
