#pragma once
// The relay's HTTP/1.1 + WebSocket listener on one port. Lives on one thread (see RelayServerThread); every
// connection, exchange and handler call happens on that thread.
#include "http/router.h"

#include <QtCore/QHash>
#include <QtCore/QSet>
#include <QtCore/QTimer>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QTcpServer>

#include <chrono>

QT_BEGIN_NAMESPACE
class QSslSocket;
class QWebSocketServer;
QT_END_NAMESPACE

namespace RelayDesk::Relay {

class HttpConnection;

struct HttpServerConfig final
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 8790;                              // 0 → ephemeral, see HttpServer::serverPort()
    int maxConnections = 1024;                        // beyond → 503 and close
    // HTTP connections from one client address (IPv4-mapped IPv6 counts as IPv4); beyond → 429 with
    // Retry-After and close, so one client cannot take every slot. 0 = no per-address cap. WebSocket sessions
    // no longer hold an HTTP slot once upgraded.
    int maxConnectionsPerAddress = 64;
    qsizetype maxHeaderBytes = 64 * 1024;             // → 431 (libhttp-parser also caps the head at 80 KiB)
    qint64 maxBodyBytes = 32 * 1024 * 1024;           // → 413
    std::chrono::milliseconds headerTimeout{10'000};  // first byte → end of headers (slowloris) → 408 + close
    std::chrono::milliseconds idleTimeout{60'000};    // keep-alive idle, or a stalled body → close
    int maxPipelinedRequests = 32;                    // unanswered requests per connection before reading pauses
    QByteArray serverName = "RelayDesk";
    // When set, every connection is TLS: HTTPS and WSS on the same port (see TlsMaterial).
    std::optional<QSslConfiguration> tls;
};

class HttpServer final : public QTcpServer
{
    Q_OBJECT

public:
    explicit HttpServer(HttpServerConfig config = {}, QObject *parent = nullptr);
    ~HttpServer() override;

    Router &router() { return m_router; }
    const Router &router() const { return m_router; }
    const HttpServerConfig &config() const { return m_config; }

    // listen() on the configured address and port; false with errorString() on failure.
    bool start();
    // Stops listening and closes every connection (pending responses are still written).
    void stop();
    int connectionCount() const { return m_activeConnections; }
    // Connections that hold a slot for this client address (normalised as the cap counts them).
    int connectionCount(const QHostAddress &address) const;

Q_SIGNALS:
    // A WebSocket upgrade completed and was given to its route handler.
    void webSocketAccepted(const QByteArray &path);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    friend class HttpConnection;
    void connectionClosed(HttpConnection *connection);
    enum class Admission { Accepted, Refused, Dropped };
    Admission admit(const QHostAddress &client, std::optional<OpenAiError> *refusal);
    void startTls(QSslSocket *socket);
    void sweep();
    // The socket's handshake is still unread; QWebSocketServer reads it and answers 101 itself.
    void handOverWebSocket(QTcpSocket *socket, const Router::WebSocketRoute &route, HttpRequest request);
    void webSocketReady(QWebSocketServer *server);

    struct PendingUpgrade
    {
        HttpRequest request;
        QByteArray path;
        const QTcpSocket *socket = nullptr; // identity only, never dereferenced
    };

    // Per client address: connections holding a slot, and connections only answering 429.
    struct AddressLoad
    {
        int active = 0;
        int rejecting = 0;
    };

    HttpServerConfig m_config;
    Router m_router;
    QSet<HttpConnection *> m_connections;
    QHash<QHostAddress, AddressLoad> m_addressLoad; // only addresses with a connection open
    int m_activeConnections = 0;
    int m_rejecting = 0; // connections only answering 503 or 429
    QTimer m_sweepTimer;
    QHash<QByteArray, QWebSocketServer *> m_webSocketServers;       // path → server
    QHash<QString, PendingUpgrade> m_pendingUpgrades; // "peer-address|port" → request (until 101)
};

} // namespace RelayDesk::Relay
