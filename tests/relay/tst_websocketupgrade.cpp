// WebSocket upgrades on the HTTP port: decided on peeked bytes, refused with plain HTTP errors before any 101,
// accepted ones completed by QWebSocketServer (echo with a real QWebSocket client, subprotocol negotiation).
#include "rawhttpclient.h"
#include "http/httpserver.h"

#include <QtTest/QtTest>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketHandshakeOptions>
#include <QtWebSockets/QWebSocketServer>

using namespace RelayDesk::Relay;
using namespace RelayDeskTest;

namespace {

QByteArray upgradeRequest(const QByteArray &target, const QByteArray &extra = {})
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extra + "\r\n";
}

} // namespace

class TestWebSocketUpgrade : public QObject
{
    Q_OBJECT

    struct Seen
    {
        int checks = 0;
        int accepted = 0;
        HttpRequest lastRequest;
        QList<QWebSocket *> sockets;
    };

    std::unique_ptr<HttpServer> makeServer(Seen &seen)
    {
        HttpServerConfig config;
        config.port = 0;
        auto server = std::make_unique<HttpServer>(config);
        Router::WebSocketRoute route;
        route.path = "/v1/realtime";
        route.subprotocols = {QStringLiteral("realtime")};
        route.check = [&seen](const HttpRequest &request) -> std::optional<OpenAiError> {
            ++seen.checks;
            if (request.bearerToken() != "sk-good")
                return OpenAiError::invalidApiKey(QStringLiteral("Incorrect API key provided."));
            if (request.queryItem(QStringLiteral("model")) == QStringLiteral("forbidden"))
                return OpenAiError::modelNotAllowed(QStringLiteral("forbidden"));
            return std::nullopt;
        };
        route.handler = [&seen](QWebSocket *socket, const HttpRequest &request) {
            ++seen.accepted;
            seen.lastRequest = request;
            seen.sockets.append(socket);
            QObject::connect(socket, &QWebSocket::textMessageReceived, socket,
                             [socket](const QString &m) { socket->sendTextMessage(QStringLiteral("echo:") + m); });
            QObject::connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
        };
        server->router().addWebSocketRoute(route);
        server->router().addRoute("GET", "/v1/fast", [](HttpExchange &ex) { ex.respond(200, "fast", "text/plain"); },
                                  Router::Access::Public);
        if (!server->start())
            qFatal("listen failed");
        return server;
    }

private Q_SLOTS:
    void subprotocolApiIsAvailable()
    {
        // Qt 6.4 has QWebSocketServer::setSupportedSubprotocols (the server picks the first client-offered
        // protocol it supports) and QWebSocketHandshakeOptions on the client side.
        QWebSocketServer server(QStringLiteral("t"), QWebSocketServer::NonSecureMode);
        server.setSupportedSubprotocols({QStringLiteral("realtime")});
        QCOMPARE(server.supportedSubprotocols(), QStringList{QStringLiteral("realtime")});
    }

    void badAuthGetsClean401BeforeAnyUpgrade_data()
    {
        QTest::addColumn<QByteArray>("extra");
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::newRow("no key") << QByteArray() << QByteArray("/v1/realtime?model=gpt-realtime") << 401
                                << "invalid_api_key";
        QTest::newRow("bad key") << QByteArray("Authorization: Bearer sk-bad\r\n")
                                 << QByteArray("/v1/realtime?model=gpt-realtime") << 401 << "invalid_api_key";
        QTest::newRow("model refused") << QByteArray("Authorization: Bearer sk-good\r\n")
                                       << QByteArray("/v1/realtime?model=forbidden") << 403 << "model_not_allowed";
    }

    void badAuthGetsClean401BeforeAnyUpgrade()
    {
        QFETCH(QByteArray, extra);
        QFETCH(QByteArray, target);
        QFETCH(int, status);
        QFETCH(QString, code);
        Seen seen;
        auto server = makeServer(seen);
        RawClient c;
        QVERIFY(c.connectTo(server->serverPort()));
        c.send(upgradeRequest(target, extra));
        QVERIFY(c.waitClosed());
        QVERIFY(!c.buffer().contains("101")); // never switched protocols
        const auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, status);
        QCOMPARE(r->header("Connection"), QByteArray("close"));
        QCOMPARE(r->error().value("code").toString(), code);
        QVERIFY(c.buffer().isEmpty()); // nothing after the error response
        QCOMPARE(seen.checks, 1);
        QCOMPARE(seen.accepted, 0);
    }

    void goodUpgradeEchoesWithQWebSocket()
    {
        Seen seen;
        auto server = makeServer(seen);
        QWebSocket client;
        QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/realtime?model=gpt-realtime")
                                         .arg(server->serverPort())));
        request.setRawHeader("Authorization", "Bearer sk-good");
        request.setRawHeader("OpenAI-Beta", "realtime=v1");
        QWebSocketHandshakeOptions options;
        options.setSubprotocols({QStringLiteral("unknown-proto"), QStringLiteral("realtime")});
        QStringList received;
        connect(&client, &QWebSocket::textMessageReceived, this, [&](const QString &m) { received.append(m); });
        client.open(request, options);
        QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
        QCOMPARE(client.subprotocol(), QStringLiteral("realtime"));
        QTRY_COMPARE(seen.accepted, 1);
        QCOMPARE(seen.sockets.first()->subprotocol(), QStringLiteral("realtime"));
        // The handler sees the parsed upgrade request: headers, query, offered subprotocols, peer.
        QCOMPARE(seen.lastRequest.header("openai-beta"), QByteArray("realtime=v1"));
        QCOMPARE(seen.lastRequest.queryItem(QStringLiteral("model")), QStringLiteral("gpt-realtime"));
        QCOMPARE(seen.lastRequest.webSocketSubprotocols(), (QList<QByteArray>{"unknown-proto", "realtime"}));
        QCOMPARE(seen.lastRequest.peerAddress, QHostAddress(QHostAddress::LocalHost));
        QCOMPARE(seen.lastRequest.peerPort, client.localPort());
        client.sendTextMessage(QStringLiteral("hello"));
        client.sendTextMessage(QStringLiteral("world"));
        QTRY_COMPARE(received, (QStringList{QStringLiteral("echo:hello"), QStringLiteral("echo:world")}));
        // A WebSocket session does not hold an HTTP connection slot.
        QTRY_COMPARE(server->connectionCount(), 0);
        client.close();
        QTRY_COMPARE(client.state(), QAbstractSocket::UnconnectedState);
        // Once the handler has deleted its QWebSocket, nothing of the session is left behind in the server.
        QTRY_COMPARE(server->findChildren<QWebSocket *>().size(), 0);
        QTRY_COMPARE(server->findChildren<QTcpSocket *>().size(), 0);
    }

    void upgradeWithoutMatchingSubprotocolStillConnects()
    {
        Seen seen;
        auto server = makeServer(seen);
        QWebSocket client;
        QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/realtime").arg(server->serverPort())));
        request.setRawHeader("Authorization", "Bearer sk-good");
        client.open(request);
        QTRY_COMPARE(client.state(), QAbstractSocket::ConnectedState);
        QVERIFY(client.subprotocol().isEmpty());
        QTRY_COMPARE(seen.accepted, 1);
    }

    void upgradeAfterKeepAliveRequestOnSameConnection()
    {
        Seen seen;
        auto server = makeServer(seen);
        RawClient c;
        QVERIFY(c.connectTo(server->serverPort()));
        c.send("GET /v1/fast HTTP/1.1\r\nHost: x\r\n\r\n");
        const auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->body, QByteArray("fast"));
        c.send(upgradeRequest("/v1/realtime", "Authorization: Bearer sk-good\r\n"));
        QVERIFY(c.waitFor("\r\n\r\n"));
        QVERIFY(c.buffer().startsWith("HTTP/1.1 101 Switching Protocols\r\n"));
        QVERIFY(c.buffer().contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")); // RFC 6455 sample accept key
        QTRY_COMPARE(seen.accepted, 1);
    }

    void handshakeSplitAcrossWritesIsStillPeeked()
    {
        Seen seen;
        auto server = makeServer(seen);
        RawClient c;
        QVERIFY(c.connectTo(server->serverPort()));
        const QByteArray req = upgradeRequest("/v1/realtime", "Authorization: Bearer sk-good\r\n");
        c.send(req.first(6)); // "GET /v"
        QTest::qWait(30);
        c.send(req.sliced(6, 30));
        QTest::qWait(30);
        c.send(req.sliced(36));
        QVERIFY(c.waitFor("\r\n\r\n"));
        QVERIFY(c.buffer().startsWith("HTTP/1.1 101 Switching Protocols\r\n"));
        QTRY_COMPARE(seen.accepted, 1);
    }

    void brokenHandshakeGets400BeforeTheCheck_data()
    {
        QTest::addColumn<QByteArray>("request");
        const QByteArray base = "GET /v1/realtime HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Authorization: Bearer sk-good\r\n";
        QTest::newRow("no key, no version") << base + "\r\n";
        QTest::newRow("old version") << base + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n";
        QTest::newRow("http/1.0") << upgradeRequest("/v1/realtime", "Authorization: Bearer sk-good\r\n").replace("HTTP/1.1", "HTTP/1.0");
    }

    void brokenHandshakeGets400BeforeTheCheck()
    {
        QFETCH(QByteArray, request);
        Seen seen;
        auto server = makeServer(seen);
        RawClient c;
        QVERIFY(c.connectTo(server->serverPort()));
        c.send(request);
        QVERIFY(c.waitClosed());
        const auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 400);
        QCOMPARE(r->error().value("code").toString(), QStringLiteral("bad_websocket_handshake"));
        QCOMPARE(seen.checks, 0);
        QCOMPARE(seen.accepted, 0);
        QTRY_COMPARE(server->findChildren<QTcpSocket *>().size(), 0);
    }

    void plainGetOnWebSocketPathIs426()
    {
        Seen seen;
        auto server = makeServer(seen);
        RawClient c;
        QVERIFY(c.connectTo(server->serverPort()));
        c.send("GET /v1/realtime HTTP/1.1\r\nHost: x\r\n\r\n");
        const auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 426);
        QCOMPARE(r->error().value("code").toString(), QStringLiteral("upgrade_required"));
        QCOMPARE(seen.checks, 0);
    }

    void upgradeOnUnknownPathIs404()
    {
        Seen seen;
        auto server = makeServer(seen);
        RawClient c;
        QVERIFY(c.connectTo(server->serverPort()));
        c.send(upgradeRequest("/v1/other", "Authorization: Bearer sk-good\r\n"));
        const auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 404);
        QCOMPARE(seen.checks, 0);
    }
};

QTEST_GUILESS_MAIN(TestWebSocketUpgrade)
#include "tst_websocketupgrade.moc"
