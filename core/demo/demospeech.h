#pragma once
// POST /v1/audio/speech of the demo upstream (JSON: model, input ≤ 4096 characters, voice, response_format
// mp3|opus|aac|flac|wav|pcm, speed 0.25–4, instructions, stream_format audio|sse), shaped like OpenAI's.
//
// The speech is a real, decodable file: a 440 Hz tone lasting (60 ms × characters of input + 200 ms) / speed
// (speechMilliseconds), 24 kHz 16-bit mono, as WAV, raw PCM, or encoded through libavcodec (DemoMedia). A format
// whose encoder this FFmpeg build lacks is refused (400 unsupported_value) rather than mislabelled.
//   stream_format audio (default): the file as a chunked body (16 KiB chunks, paced) with OpenAI's Content-Type
//     (audio/mpeg, audio/opus, audio/aac, audio/flac, audio/wav, audio/pcm); no usage.
//   stream_format sse (gpt-4o-mini-tts only; tts-1 and tts-1-hd → 400): data-only SSE events
//     `speech.audio.delta` {audio: base64 of the next piece of the file}, then `speech.audio.done`
//     {usage:{input_tokens, output_tokens, total_tokens}}: input = the tokens of input + instructions
//     (ChatRelayTokens::countText for the model), output = 1 per 50 ms of audio (floor).
//
// Scenarios (model suffix `<model>+<name>`, X-Fake-Scenario, or `[[scenario:<name>]]` in the input):
//   no_usage   the done event has no usage;  bad_usage  its numbers are negative
//   error_500, error_429;  hang  never answers;  slow  paced at 10× the configured delay
//   reset      the connection is reset after the first audio chunk or the first event
#include "demo/demoupstream.h"

namespace RelayDesk::Relay {

class DemoSpeech final
{
public:
    static void install(HttpServer &server, const DemoUpstreamOptions &options);
    // The duration of the demo's speech for `input` at `speed`.
    static qint64 speechMilliseconds(const QString &input, double speed);
};

} // namespace RelayDesk::Relay
