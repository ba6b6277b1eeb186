// The relay's server with TLS: HTTPS and WSS on the same port with the generated certificate; clients
// that trust only that certificate succeed; a plain-HTTP client on the TLS port is dropped.
#include "http/httpserver.h"
#include "http/tlsmaterial.h"

#include <QSslSocket>
#include <QTemporaryDir>
#include <QtTest>
#include <QtWebSockets/QWebSocket>

using namespace RelayDesk::Relay;

class TestHttpsServer final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QSslConfiguration m_serverTls;
    QSslConfiguration m_clientTls;
    std::unique_ptr<HttpServer> m_server;

private slots:
    void initTestCase()
    {
        if (!QSslSocket::supportsSsl())
            QSKIP("Qt has no TLS backend on this machine");
        const auto paths = TlsMaterial::defaultPaths(m_dir.path());
        QString error;
        const auto tls = TlsMaterial::loadOrCreate(paths, &error);
        QVERIFY2(tls.has_value(), qPrintable(error));
        m_serverTls = *tls;
        m_clientTls = QSslConfiguration::defaultConfiguration();
        m_clientTls.setCaCertificates(QSslCertificate::fromPath(paths.certificate));
        m_clientTls.setPeerVerifyMode(QSslSocket::VerifyPeer);

        HttpServerConfig config;
        config.port = 0;
        config.tls = m_serverTls;
        m_server = std::make_unique<HttpServer>(config);
        m_server->router().addRoute("GET", "/v1/hello", [](HttpExchange &ex) {
            ex.respond(200, "{\"hello\":\"tls\"}");
        }, Router::Access::Public);
        Router::WebSocketRoute route;
        route.path = "/v1/realtime";
        route.check = [](const HttpRequest &request) -> std::optional<OpenAiError> {
            if (request.bearerToken() != "sk-good")
                return OpenAiError::invalidApiKey(QStringLiteral("Incorrect API key provided."));
            return std::nullopt;
        };
        route.handler = [](QWebSocket *socket, const HttpRequest &) {
            QObject::connect(socket, &QWebSocket::textMessageReceived, socket,
                             [socket](const QString &m) { socket->sendTextMessage(QStringLiteral("echo:") + m); });
            QObject::connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
        };
        m_server->router().addWebSocketRoute(route);
        QVERIFY(m_server->start());
    }

    void httpsRequestIsAnswered()
    {
        QSslSocket client;
        client.setSslConfiguration(m_clientTls);
        QList<QSslError> errors;
        connect(&client, &QSslSocket::sslErrors, this, [&](const QList<QSslError> &e) { errors += e; });
        client.connectToHostEncrypted(QStringLiteral("127.0.0.1"), m_server->serverPort());
        QSignalSpy encrypted(&client, &QSslSocket::encrypted);
        QVERIFY2(encrypted.wait(10000), qPrintable(client.errorString()));
        QVERIFY(errors.isEmpty());
        client.write("GET /v1/hello HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        QByteArray response;
        connect(&client, &QSslSocket::readyRead, this, [&] { response += client.readAll(); });
        QTRY_VERIFY(response.contains("{\"hello\":\"tls\"}"));
        QVERIFY(response.startsWith("HTTP/1.1 200"));
    }

    void wssUpgradeWorksAndBadKeyIsRefusedBeforeUpgrade()
    {
        QWebSocket good;
        good.setSslConfiguration(m_clientTls);
        QNetworkRequest request(QUrl(QStringLiteral("wss://127.0.0.1:%1/v1/realtime?model=m").arg(m_server->serverPort())));
        request.setRawHeader("Authorization", "Bearer sk-good");
        QSignalSpy connected(&good, &QWebSocket::connected);
        QString echoed;
        connect(&good, &QWebSocket::textMessageReceived, this, [&](const QString &m) { echoed = m; });
        good.open(request);
        QVERIFY(connected.wait(10000));
        good.sendTextMessage(QStringLiteral("hi"));
        QTRY_COMPARE(echoed, QStringLiteral("echo:hi"));
        good.close();

        QWebSocket bad;
        bad.setSslConfiguration(m_clientTls);
        QNetworkRequest badRequest(request);
        badRequest.setRawHeader("Authorization", "Bearer sk-bad");
        QSignalSpy badConnected(&bad, &QWebSocket::connected);
        QSignalSpy badDisconnected(&bad, &QWebSocket::disconnected);
        bad.open(badRequest);
        QVERIFY(badDisconnected.wait(10000));
        QCOMPARE(badConnected.count(), 0);
    }

    void plainHttpOnTheTlsPortIsDropped()
    {
        QTcpSocket plain;
        plain.connectToHost(QHostAddress::LocalHost, m_server->serverPort());
        QVERIFY(plain.waitForConnected(10000));
        plain.write("GET /v1/hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QSignalSpy disconnected(&plain, &QTcpSocket::disconnected);
        QVERIFY(disconnected.wait(10000));
        QVERIFY(!plain.readAll().contains("hello"));
        // The server is still serving TLS clients afterwards.
        httpsRequestIsAnswered();
    }
};

QTEST_GUILESS_MAIN(TestHttpsServer)
#include "tst_httpsserver.moc"
