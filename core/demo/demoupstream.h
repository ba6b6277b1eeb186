#pragma once
// A simulated OpenAI server on loopback (ephemeral port, its own thread): POST /v1/chat/completions
// (JSON and SSE with realistic pacing and a usage object) and GET /v1/models. First run points the `demo`
// channel at it, so RelayDesk works with no API key and no internet; tests, benches and the
// `relaydesk-fakeupstream` process use the same code with scripted scenarios.
//
// Scenario, chosen per request by the header `X-Fake-Scenario: <name>`, a model suffix `<model>+<name>`, or
// a marker `[[scenario:<name>]]` anywhere in the messages (the only one that survives a relay untouched);
// names combine with commas (demoscenario.h). Chat scenarios:
//   default      JSON, or SSE whose usage (when asked with stream_options.include_usage) is in the last chunk
//   usage_early  SSE: the usage chunk comes before the finish chunk
//   no_usage     never reports usage
//   tools        the reply is a tool call (get_weather with JSON arguments)
//   cached       usage reports half the prompt as cached_tokens
//   reasoning    SSE/JSON with reasoning_content and completion_tokens_details.reasoning_tokens
//   error_500    500 with an OpenAI error body, before any stream
//   error_429    429 rate_limit_exceeded, before any stream
//   reset        SSE: the connection is reset after three content chunks
//   slow         SSE paced at 10× the configured delay
//   large        SSE with ~8 MB of whitespace content after the reply (not in usage): backpressure tests
//   hang         accepts the request and never answers (timeout tests)
//
// The Responses API (/v1/responses and its WebSocket mode) is always installed too: see demoresponses.h for
// its scenarios; so are /v1/embeddings, the legacy /v1/completions and /v1/moderations (demoembeddings.h,
// democompletions.h, demomoderations.h), /v1/audio/transcriptions and /v1/audio/translations (demoaudio.h),
// /v1/audio/speech (demospeech.h), /v1/images/generations, /edits and /variations (demoimages.h), and
// Anthropic's /v1/messages and /v1/messages/count_tokens (demomessages.h); those
// add the scenarios bad_usage (negative usage numbers) and, for their streams, reset after the first event.
//
// Extension point: addRoutes() installs more handlers on the demo's router before start() (the Realtime
// helper adds its WebSocket route there).
#include "http/httpserver.h"

#include <QtCore/QObject>

#include <functional>
#include <memory>

namespace RelayDesk::Relay {

class RelayServerThread;

struct DemoUpstreamOptions
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 0;              // 0 = ephemeral
    int chunkDelayMs = 25;         // SSE pacing between chunks (0 = write everything at once)
    int firstChunkDelayMs = 120;   // "time to first token"
    int jsonDelayMs = 0;           // extra latency of a JSON reply
    QByteArray requiredKey;        // when set, requests must carry "Authorization: Bearer <key>"
    int backgroundMs = 200;        // Responses `background: true`: queued → completed in about this long
    QStringList models = {QStringLiteral("gpt-4o-mini"), QStringLiteral("gpt-4o"), QStringLiteral("gpt-4.1-mini"),
                          QStringLiteral("gpt-realtime"), QStringLiteral("gpt-realtime-mini"),
                          QStringLiteral("text-embedding-3-small"), QStringLiteral("text-embedding-3-large"),
                          QStringLiteral("gpt-3.5-turbo-instruct"), QStringLiteral("omni-moderation-latest"),
                          QStringLiteral("whisper-1"), QStringLiteral("gpt-4o-transcribe"),
                          QStringLiteral("gpt-4o-mini-transcribe"), QStringLiteral("gpt-4o-mini-tts"),
                          QStringLiteral("tts-1"), QStringLiteral("tts-1-hd"), QStringLiteral("gpt-image-1"),
                          QStringLiteral("dall-e-2"), QStringLiteral("dall-e-3"),
                          QStringLiteral("claude-sonnet-4-5"), QStringLiteral("claude-haiku-4-5"),
                          QStringLiteral("claude-opus-4-1")};
};

class DemoUpstream final : public QObject
{
    Q_OBJECT

public:
    using RouteInstaller = std::function<void(HttpServer &server)>;

    explicit DemoUpstream(DemoUpstreamOptions options = {}, QObject *parent = nullptr);
    ~DemoUpstream() override;

    // Must be called before start(); runs on the demo thread.
    void addRoutes(RouteInstaller installer);
    // Starts the demo thread and waits (up to timeoutMs) until it listens. False on failure (errorString()).
    bool start(int timeoutMs = 10'000);
    void stop();
    quint16 port() const;
    // "http://127.0.0.1:<port>" — what a channel's base URL should be.
    QString baseUrl() const;
    QString errorString() const { return m_error; }
    const DemoUpstreamOptions &options() const { return m_options; }

    // The chat routes on any router (used by start(); exposed for in-thread servers in tests).
    static void installChatRoutes(HttpServer &server, const DemoUpstreamOptions &options);
    static QStringList scenarios();

private:
    DemoUpstreamOptions m_options;
    QList<RouteInstaller> m_installers;
    std::unique_ptr<RelayServerThread> m_thread;
    QString m_error;
};

} // namespace RelayDesk::Relay
