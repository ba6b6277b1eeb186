#pragma once
// POST /v1/moderations of the demo upstream: {id:"modr-…", model, results:[…]} with one result per input (a
// string, each string of an array, or one result for an array of multi-modal parts), each {flagged,
// categories{…}, category_scores{…}, category_applied_input_types{…}} over OpenAI's 13 categories. Scores are
// small and deterministic (a hash of the text); nothing is flagged. The model defaults to
// omni-moderation-latest. No usage (OpenAI sends none).
//
// Scenarios (model suffix `<model>+<name>`, X-Fake-Scenario, or `[[scenario:<name>]]` in the input):
//   flagged    every result flagged for violence (score 0.91)
//   error_500  500 server_error;  error_429  429 rate_limit_exceeded
#include "demo/demoupstream.h"

namespace RelayDesk::Relay {

class DemoModerations final
{
public:
    static void install(HttpServer &server, const DemoUpstreamOptions &options);
};

} // namespace RelayDesk::Relay
