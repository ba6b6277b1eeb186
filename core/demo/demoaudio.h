#pragma once
// POST /v1/audio/transcriptions and POST /v1/audio/translations of the demo upstream (multipart/form-data: file,
// model, response_format, stream, language, prompt, timestamp_granularities[]), shaped like OpenAI's.
//
// The transcript is deterministic: "This is the RelayDesk demo transcript of <bytes> bytes of audio lasting
// <s.ss> seconds." (translation: "… demo translation …"), then " Prompt: <prompt>" when one was sent. The file
// must be audio libavformat can read (DemoMedia::probeMilliseconds), else 400 "Invalid file format. …"; shorter
// than 100 ms → 400 audio_too_short; larger than 25 MiB → 413. Usage:
//   gpt-4o-transcribe, gpt-4o-mini-transcribe (any model not starting with "whisper"): json
//     {"text","usage":{"type":"tokens","input_tokens","input_token_details":{"text_tokens","audio_tokens"},
//     "output_tokens","total_tokens"}} — audio_tokens = 1 per 100 ms of the file (floor), text_tokens = the
//     prompt's tokens, output_tokens = the transcript's tokens (ChatRelayTokens::countText for the model);
//     response_format text → text/plain body, no usage; srt, vtt, verbose_json → 400 unsupported_value;
//     stream=true → data-only SSE (no `event:` lines, like OpenAI): `transcript.text.delta` per word, then
//     `transcript.text.done` {text, usage} with the same usage.
//   whisper-1: json {"text","usage":{"type":"duration","seconds":N}} with N = the duration rounded up to whole
//     seconds; verbose_json {task, language, duration, text, segments[, words], usage}; text, srt, vtt as
//     text/plain bodies without usage; `stream` is ignored (as OpenAI does for whisper-1).
//   Translations (whisper-1 only): json {"text"}, verbose_json {task, language, duration, text, segments}, text,
//     srt, vtt — never a usage (OpenAI reports none).
//
// Scenarios (model suffix `<model>+<name>`, X-Fake-Scenario, or `[[scenario:<name>]]` in the prompt field):
//   no_usage   no usage anywhere;  bad_usage  every usage number negative
//   error_500  500 server_error;   error_429  429 rate_limit_exceeded
//   reset      streams: the connection is reset after the first event; JSON/text: reset before any answer
//   hang       never answers;      slow       streams paced at 10× the configured delay
#include "demo/demoupstream.h"

namespace RelayDesk::Relay {

class DemoAudio final
{
public:
    static void install(HttpServer &server, const DemoUpstreamOptions &options);
    // The demo transcript (or translation) of a file of `bytes` bytes lasting `milliseconds`.
    static QString transcript(qint64 bytes, qint64 milliseconds, const QString &prompt, bool translation);
};

} // namespace RelayDesk::Relay
