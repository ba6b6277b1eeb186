// Fixed-response server on the relay's HttpServer, to measure the HTTP layer alone with wrk:
//   GET  /fixed                 → the same small JSON body nginx serves in run_bench.sh
//   POST /v1/chat/completions   → parses the JSON request, answers a fixed chat.completion
//   GET  /sse                   → 5 SSE chunks + [DONE], chunked, written at once
// Usage: bench_httpserver [--port N] (default 8791). Prints "listening <port>" when ready.
#include "http/httpserver.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

#include <cstdio>

using namespace RelayDesk::Relay;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser cli;
    cli.addOption({QStringLiteral("port"), QStringLiteral("TCP port (0 = ephemeral)."), QStringLiteral("port"),
                   QStringLiteral("8791")});
    cli.addHelpOption();
    cli.process(app);

    HttpServerConfig config;
    config.port = quint16(cli.value(QStringLiteral("port")).toUInt());
    config.maxConnections = 4096;
    HttpServer server(config);
    Router &router = server.router();

    static const QByteArray fixedBody = R"({"status":"ok","object":"bench"})";
    router.addRoute("GET", "/fixed", [](HttpExchange &ex) { ex.respond(200, fixedBody); }, Router::Access::Public);

    static const QByteArray completion =
        R"({"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini",)"
        R"("choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],)"
        R"("usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}})";
    router.addRoute("POST", "/v1/chat/completions", [](HttpExchange &ex) {
        // Parse like the relay will, so the number includes a realistic request decode.
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(ex.request().body, &err);
        if (err.error != QJsonParseError::NoError || !doc.isObject()) {
            ex.respondError(OpenAiError::invalidRequest(QStringLiteral("Invalid JSON body."), "invalid_json"));
            return;
        }
        ex.respond(200, completion);
    }, Router::Access::Public);

    router.addRoute("GET", "/sse", [](HttpExchange &ex) {
        ex.beginEventStream();
        for (int i = 0; i < 5; ++i) {
            const QByteArray event =
                R"({"id":"chatcmpl-bench","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"tok)"
                + QByteArray::number(i) + R"("}}]})";
            ex.writeEvent(event);
        }
        ex.writeEvent("[DONE]");
        ex.endStream();
    }, Router::Access::Public);

    if (!server.start()) {
        std::fprintf(stderr, "listen failed: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    std::printf("listening %u\n", unsigned(server.serverPort()));
    std::fflush(stdout);
    return app.exec();
}
