#pragma once
// POST /v1/embeddings of the demo upstream: one deterministic unit vector per input, derived from a hash of the
// input (its text, or its token ids), so the same input always embeds the same. `dimensions` is honoured
// (default: 3072 for text-embedding-3-large, else 1536); `encoding_format` "float" (JSON numbers) or "base64"
// (little-endian float32, as OpenAI). usage {prompt_tokens, total_tokens}: the inputs' tokens for the model
// (a token array counts its length).
//
// Scenarios (model suffix `<model>+<name>`, X-Fake-Scenario, or `[[scenario:<name>]]` in the input):
//   no_usage   the reply has no usage
//   error_500  500 server_error;  error_429  429 rate_limit_exceeded
#include "demo/demoupstream.h"

namespace RelayDesk::Relay {

class DemoEmbeddings final
{
public:
    static void install(HttpServer &server, const DemoUpstreamOptions &options);
    // The demo's vector for `seed` (its text or its token ids as JSON), unit length.
    static QList<float> vector(const QByteArray &seed, int dimensions);
};

} // namespace RelayDesk::Relay
