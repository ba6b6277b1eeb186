#pragma once
// The demo upstream's image endpoints, shaped like OpenAI's: POST /v1/images/generations (JSON),
// POST /v1/images/edits and POST /v1/images/variations (multipart/form-data), plus GET /demo/images/… serving
// the pictures its `url` replies point to (stateless: the URL names the size and the seed). Every picture is a
// real file of the reported size (DemoImageFile).
//
// GPT image models (model starting with "gpt-image": gpt-image-1, gpt-image-1-mini): size auto|1024x1024|
//   1536x1024|1024x1536 (auto → 1024x1024), quality auto|low|medium|high (auto → high), output_format
//   png|jpeg|webp, background auto|transparent|opaque (auto → opaque; transparent needs png or webp), n 1–10,
//   stream, partial_images 0–3; response_format is refused. Reply {"created","background","data":[{"b64_json"}…],
//   "output_format","quality","size","usage"} with usage {"total_tokens","input_tokens","output_tokens",
//   "input_tokens_details":{"text_tokens","image_tokens"}}:
//     text_tokens  = the prompt's tokens (ChatRelayTokens::countText for the model)
//     image_tokens = edits: Σ Tokenize::imageTokensForSize(model, w, h, High) over the input images (not the
//                    mask); generations: 0
//     output       = n × (outputTokens(size, quality) + 100 × partial_images when streaming); outputTokens is
//                    OpenAI's table: 1024x1024 low 272, medium 1056, high 4160; 1024x1536 and 1536x1024 low
//                    408, medium 1584, high 6240.
//   stream=true → SSE with `event:` lines (as OpenAI): per image, partial_images × `image_generation.partial_image`
//   (`image_edit.partial_image` for edits) {b64_json, partial_image_index, created_at, size, quality, background,
//   output_format}, then `image_generation.completed` / `image_edit.completed` with the same fields and that
//   image's usage (the prompt's and input images' tokens on the first image only, so the completed events' usages
//   add up to the JSON reply's).
// dall-e-2 (the default model) / dall-e-3: {"created","data":[{"url"|"b64_json"[, "revised_prompt" (dall-e-3)]}]},
//   never a usage; response_format url|b64_json (default url); dall-e-2 sizes 256x256|512x512|1024x1024, quality
//   standard; dall-e-3 sizes 1024x1024|1792x1024|1024x1792, quality standard|hd, n = 1. Edits take dall-e-2 and
//   the GPT image models (dall-e-2: one square PNG; GPT: image or image[] × 1–16, PNG/JPEG/WebP); variations
//   only dall-e-2 (one square PNG, no prompt).
//
// Scenarios (model suffix `<model>+<name>`, X-Fake-Scenario, or `[[scenario:<name>]]` in the prompt):
//   no_usage   no usage anywhere;  bad_usage  every usage number negative
//   error_500, error_429;  hang  never answers;  slow  streams paced at 10× the configured delay
//   reset      streams: the connection is reset after the first event; JSON: reset before any answer
#include "demo/demoupstream.h"

namespace RelayDesk::Relay {

class DemoImages final
{
public:
    static void install(HttpServer &server, const DemoUpstreamOptions &options);
    // OpenAI's output tokens for one GPT image of `size` ("1024x1024", …) and `quality` (low|medium|high);
    // 0 for an unknown pair.
    static qint64 outputTokens(const QString &size, const QString &quality);
    static constexpr qint64 kPartialImageTokens = 100;
};

} // namespace RelayDesk::Relay
