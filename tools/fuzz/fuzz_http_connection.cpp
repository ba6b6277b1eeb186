// libFuzzer target for the whole connection logic: each input is written, in fuzzer-chosen pieces, by a
// loopback client to a real HttpServer in the same process (keep-alive, pipelining with async handlers,
// streaming, 100-continue, limits, WebSocket sniffing and hand-over, error responses and closes).
// Slower than fuzz_http_request (real sockets), but it covers HttpConnection's queue and state handling.
#include "http/httpserver.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <QtNetwork/QTcpSocket>
#include <QtWebSockets/QWebSocket>

#include <cstddef>
#include <cstdint>

using namespace RelayDesk::Relay;

namespace {

HttpServer *makeServer()
{
    static int argc = 1;
    static char name[] = "fuzz_http_connection";
    static char *argv[] = {name, nullptr};
    static QCoreApplication app(argc, argv);
    HttpServerConfig config;
    config.port = 0;
    config.maxHeaderBytes = 2048;
    config.maxBodyBytes = 4096;
    config.maxPipelinedRequests = 4;
    auto *server = new HttpServer(config);
    Router &r = server->router();
    r.addRoute("POST", "/e", [](HttpExchange &ex) { ex.respond(200, ex.request().body); }, Router::Access::Public);
    r.addRoute("GET", "/a", [](HttpExchange &ex) {
        QPointer<HttpExchange> p(&ex);
        QTimer::singleShot(0, [p] {
            if (p)
                p->respond(200, "later", "text/plain");
        });
    }, Router::Access::Public);
    r.addRoute("GET", "/s", [](HttpExchange &ex) {
        ex.beginEventStream();
        ex.writeEvent(ex.request().query);
        QPointer<HttpExchange> p(&ex);
        QTimer::singleShot(0, [p] {
            if (p) {
                p->writeEvent("x\ny");
                p->endStream();
            }
        });
    }, Router::Access::Public);
    r.setAuthenticator([](HttpExchange &ex) {
        if (ex.request().bearerToken() == "bad") {
            ex.respondError(OpenAiError::invalidApiKey(QStringLiteral("bad key")));
            return false;
        }
        return true;
    });
    r.addRoute("GET", "/k", [](HttpExchange &ex) { ex.respond(200, "{}"); });
    Router::WebSocketRoute ws;
    ws.path = "/w";
    ws.subprotocols = {QStringLiteral("realtime")};
    ws.check = [](const HttpRequest &req) -> std::optional<OpenAiError> {
        if (req.bearerToken() == "bad")
            return OpenAiError::invalidApiKey(QStringLiteral("bad key"));
        return std::nullopt;
    };
    ws.handler = [](QWebSocket *socket, const HttpRequest &) {
        QObject::connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
        socket->close();
    };
    r.addWebSocketRoute(ws);
    if (!server->start())
        qFatal("listen failed");
    return server;
}

// Runs the event loop until nothing happens for a few rounds.
void settle(QTcpSocket &client, int quietRounds)
{
    int quiet = 0;
    for (int i = 0; i < 2000 && quiet < quietRounds; ++i) {
        const qint64 before = client.bytesAvailable();
        QCoreApplication::processEvents(QEventLoop::AllEvents);
        if (client.bytesAvailable() > 0)
            client.readAll();
        quiet = (client.bytesAvailable() == before && client.bytesToWrite() == 0) ? quiet + 1 : 0;
        if (client.state() == QAbstractSocket::UnconnectedState)
            break;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static HttpServer *server = makeServer();
    if (size < 1)
        return 0;
    const size_t step = 1 + data[0] % 96;
    data += 1;
    size -= 1;
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, server->serverPort());
    if (!client.waitForConnected(2000))
        return 0;
    for (size_t pos = 0; pos < size; pos += step) {
        client.write(reinterpret_cast<const char *>(data + pos), qint64(std::min(step, size - pos)));
        client.flush();
        settle(client, 2);
    }
    settle(client, 4);
    client.abort();
    // Let the server see the close and release the connection before the next input.
    for (int i = 0; i < 200 && server->connectionCount() > 0; ++i)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    return 0;
}
