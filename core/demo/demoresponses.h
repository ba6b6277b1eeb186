#pragma once
// The Responses API of the demo upstream, installed by DemoUpstream on every demo server (relaydeskd serve
// --demo, relaydesk-fakeupstream, tests). Faithful to OpenAI's wire format (openai-node 6.49 types):
//
//   POST   /v1/responses                 JSON response object, or SSE (`event: <type>` + `data: {…}`, every event
//                                        with sequence_number from 0, no [DONE]); background → queued at once
//   GET    /v1/responses/{id}            the stored object; ?stream=true&starting_after=N replays the events
//                                        after N (and follows a running background response to its end)
//   DELETE /v1/responses/{id}            {id, object:"response.deleted", deleted:true}
//   POST   /v1/responses/{id}/cancel     background and not finished → status cancelled (usage so far)
//   GET    /v1/responses/{id}/input_items {object:"list", data, first_id, last_id, has_more}; order, limit, after
//   POST   /v1/responses/input_tokens    {object:"response.input_tokens", input_tokens}
//   POST   /v1/responses/compact         {id, object:"response.compaction", created_at, output, usage}
//   WS     /v1/responses                 WebSocket mode: {"type":"response.create", …} → the stream's events,
//                                        one JSON text frame each; responses run one after another
//
// Every route honours DemoUpstreamOptions::requiredKey (401 invalid_api_key; a refused WebSocket upgrade gets
// the 401 before any 101), the chunk pacing options and backgroundMs. Stored responses live in memory.
//
// Input tokens are counted with the project's tokenizer over instructions + input items (+ function tools),
// plus, with previous_response_id, the previous response's input_tokens + output_tokens (the context the
// server adds and a relay cannot see). Output tokens are the tokens of what was produced.
//
// Scenarios (X-Fake-Scenario header — on the upgrade request for WebSocket mode —, model suffix
// `<model>+<name>`, or `[[scenario:<name>]]` in input/instructions; comma-combinable):
//   default      one assistant message (the demo reply, one output_text.delta per word)
//   cached       input_tokens_details.cached_tokens = input/2, cache_write_tokens = input/4
//   reasoning    a reasoning item {id:"rs_…", type:"reasoning", summary:[]} first; its tokens are
//                output_tokens_details.reasoning_tokens and part of output_tokens
//   tools        the output is a function_call get_weather, arguments {"city":"Paris","unit":"celsius"},
//                streamed as response.function_call_arguments.delta pieces then .done
//   web_search   a web_search_call {id:"ws_…", status:"completed", action:{type:"search", query}} before the
//                message (events response.web_search_call.in_progress/searching/completed); web_search2: two
//   no_usage     usage null in the terminal response
//   failed       after 3 deltas: {type:"error", code:"server_error", message, param:null}, then response.failed
//                (status failed, usage null, error {code, message}); JSON: status failed, usage null
//   incomplete   half the reply; status incomplete, incomplete_details {reason:"max_output_tokens"}, terminal
//                event response.incomplete, with usage
//   error_500    500 server_error before any stream (WebSocket mode: an error frame with status 500)
//   error_429    429 rate_limit_exceeded, likewise
//   reset        the connection is dropped after 3 deltas (JSON: dropped without an answer)
//   hang         never answers
//   keepalive    {type:"keepalive", sequence_number} after response.in_progress and every 4 deltas
//   slow         10× the pacing (background: 10× backgroundMs)
#include "demo/demoupstream.h"
#include "demo/demoresponsestore.h"

#include <QtCore/QObject>
#include <QtCore/QPointer>

namespace RelayDesk::Relay {

struct DemoResponsePacing;
struct DemoResponseRequest;
class DemoResponseRun;
class HttpExchange;
class Router;

class DemoResponses final : public QObject
{
    Q_OBJECT

public:
    explicit DemoResponses(DemoUpstreamOptions options, QObject *parent = nullptr);
    ~DemoResponses() override;

    // Mounts the routes and the WebSocket mode on `server` (call on its thread, before it serves).
    void install(HttpServer &server);
    static QStringList scenarios();

    // For the WebSocket mode (demoresponsessocket.h).
    DemoResponseStore &store() { return m_store; }
    DemoResponsePacing pacingFor(const DemoResponseRequest &request) const;
    // A run for `request`, owned by the store when the request stores it, else by `owner`.
    DemoResponseRun *createRun(DemoResponseRequest request, QObject *owner);

private:
    bool authorized(HttpExchange &exchange) const;
    void create(HttpExchange &exchange);
    void streamRun(HttpExchange &exchange, DemoResponseRun *run, qint64 startingAfter);
    void byId(HttpExchange &exchange);
    void retrieve(HttpExchange &exchange, DemoResponseRun *run);
    void remove(HttpExchange &exchange, const QString &id);
    void cancel(HttpExchange &exchange, DemoResponseRun *run);
    void inputItems(HttpExchange &exchange, const DemoResponseRun *run);
    void inputTokens(HttpExchange &exchange);
    void compact(HttpExchange &exchange);
    // Parses the JSON body into `request`; answers the error and returns false when it is refused.
    bool parseBody(HttpExchange &exchange, QJsonObject &body, DemoResponseRequest &request,
                   const QString &defaultModel = {});
    void installWebSocket(Router &router);

    DemoUpstreamOptions m_options;
    DemoResponseStore m_store;
    QPointer<HttpServer> m_server; // holds the upgraded sockets' transports
};

} // namespace RelayDesk::Relay
