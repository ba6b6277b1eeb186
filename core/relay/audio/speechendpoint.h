#pragma once
// POST /v1/audio/speech: checks the request (a JSON object with a model, an `input` of 1…4096 characters, a
// voice, a known response_format and stream_format, a speed within 0.25…4) and starts a SpeechAdapter call on
// the engine, whose hold covers the longest speech the input can make at that speed.
#include "relay/meteredendpoint.h"

namespace RelayDesk::Relay {

class SpeechEndpoint final : public MeteredEndpoint
{
public:
    static constexpr qint64 kMaxInputCharacters = 4096;

    using MeteredEndpoint::MeteredEndpoint;
    void install(Router &router) override;

private:
    void handle(HttpExchange &exchange);
};

} // namespace RelayDesk::Relay
