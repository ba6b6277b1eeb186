#pragma once
// Anthropic's Messages API on the demo upstream: POST /v1/messages (JSON, or SSE message_start → content_block_start
// → ping → content_block_delta… → content_block_stop → message_delta → message_stop) and
// POST /v1/messages/count_tokens ({"input_tokens": n}), with Anthropic's error shape and status codes. Requests
// must carry `x-api-key` (DemoUpstreamOptions::requiredKey when set) and `anthropic-version`, as the real API
// demands; max_tokens is required and caps the reply.
//
// input_tokens is the Claude estimate of the prompt (MessagesAdapter::estimate), output_tokens the estimate of the
// reply text. Scenarios (the marker `[[scenario:<name>]]` in the messages, or X-Fake-Scenario):
//   cache_read     usage adds cache_read_input_tokens 2048
//   cache_write_5m usage adds cache_creation_input_tokens 1024 with cache_creation {5m: 1024, 1h: 0}
//   cache_write_1h usage adds cache_creation_input_tokens 1536 with cache_creation {5m: 512, 1h: 1024}
//   web_search     usage adds server_tool_use {web_search_requests: 2}
//   no_usage       no usage anywhere
//   stream_error   SSE: an `event: error` (overloaded_error) after two deltas, then the stream ends
//   reset          SSE: the connection is reset after message_start
//   stall          SSE: message_start, content_block_start, ping and three deltas, then the stream stays open
//   error_500 (api_error), error_529 (overloaded_error), error_429 (rate_limit_error), before any stream
//   dense_prompt   the prompt counts kDensePromptExtra tokens more than the estimate, in count_tokens and in the
//                  usage (a tokenizer denser than the estimator's)
//   count_malformed count_tokens answers 200 {"input_tokens":"many"}
#include "demo/demoupstream.h"

namespace RelayDesk::Relay {

class DemoMessages final
{
public:
    static constexpr qint64 kDensePromptExtra = 1000;

    static void install(HttpServer &server, const DemoUpstreamOptions &options);
    // The usage object the demo reports for a scenario (output_tokens as given).
    static QJsonObject usage(const QString &scenario, qint64 inputTokens, qint64 outputTokens);
    // Anthropic's error body {"type":"error","error":{"type":…,"message":…}}.
    static QByteArray errorBody(const QByteArray &type, const QString &message);
};

} // namespace RelayDesk::Relay
