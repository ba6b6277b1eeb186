#pragma once
// The legacy POST /v1/completions of the demo upstream (JSON and SSE). Each prompt (string, strings, token ids)
// gets `n` choices of the demo reply, cut to max_tokens (default 16, finish_reason "length" when cut); `echo`
// puts a string prompt before its choice's text, `suffix` is counted as prompt, `logprobs` answers null. usage
// {prompt_tokens, completion_tokens, total_tokens} with the model's tokenizer (a token array counts its length).
// SSE: one `text_completion` chunk per word and choice, each with "usage":null when stream_options.include_usage
// is set, then a usage chunk (empty choices), then [DONE]; written at once (no pacing).
//
// Scenarios (model suffix `<model>+<name>`, X-Fake-Scenario, or `[[scenario:<name>]]` in the prompt):
//   no_usage   no usage (JSON: no member; SSE: no usage chunk)
//   error_500  500 server_error;  error_429  429 rate_limit_exceeded
#include "demo/demoupstream.h"

namespace RelayDesk::Relay {

class DemoCompletions final
{
public:
    static void install(HttpServer &server, const DemoUpstreamOptions &options);
};

} // namespace RelayDesk::Relay
