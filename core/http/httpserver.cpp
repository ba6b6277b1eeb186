#include "http/httpserver.h"

#include "http/httpconnection.h"

#include <QtNetwork/QSslSocket>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketServer>

#include <http_parser.h>

#include <atomic>
#include <chrono>

namespace RelayDesk::Relay {

namespace {

QString peerKey(const QHostAddress &address, quint16 port)
{
    return address.toString() + QLatin1Char('|') + QString::number(port);
}

constexpr int RejectingLimit = 64; // concurrent 503/429 answers before excess connections are just closed
// Polite 429 answers one address may have under way: a single flooding client cannot use up the budget of
// polite answers the others get.
constexpr int RejectingPerAddressLimit = RejectingLimit / 4;

// The key of the per-address cap: an IPv4 client is the same client whether the server listens on an IPv4 or a
// dual-stack socket (where it appears as ::ffff:a.b.c.d); the IPv6 scope is not part of the identity.
QHostAddress clientKey(const QHostAddress &peer)
{
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4);
    if (isV4)
        return QHostAddress(v4);
    QHostAddress key(peer);
    key.setScopeId(QString());
    return key;
}

qint64 steadyNowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

} // namespace

HttpServer::HttpServer(HttpServerConfig config, QObject *parent)
    : QTcpServer(parent)
    , m_config(std::move(config))
{
    // Timeouts are checked by one coarse sweep instead of a timer per connection: re-arming a timer on every
    // request costs more than scanning the connections a few times per timeout period.
    using namespace std::chrono;
    const auto shortest = std::min(m_config.headerTimeout, m_config.idleTimeout);
    const auto interval = std::clamp<milliseconds>(shortest / 4, 10ms, 1000ms);
    m_sweepTimer.setInterval(interval);
    // libhttp-parser has its own (process-wide) head limit of 80 KiB; our per-server limit must be the one
    // that triggers, so raise the library's when a larger head is configured. It is only ever raised.
    static std::atomic<qint64> libraryLimit{80 * 1024};
    const qint64 wanted = qint64(m_config.maxHeaderBytes) + 4096;
    for (qint64 current = libraryLimit.load(); wanted > current;) {
        if (libraryLimit.compare_exchange_weak(current, wanted)) {
            http_parser_set_max_header_size(uint32_t(std::min<qint64>(wanted, UINT32_MAX)));
            break;
        }
    }
    connect(&m_sweepTimer, &QTimer::timeout, this, &HttpServer::sweep);
}

HttpServer::~HttpServer()
{
    stop();
}

bool HttpServer::start()
{
    if (!listen(m_config.address, m_config.port))
        return false;
    m_sweepTimer.start();
    return true;
}

void HttpServer::stop()
{
    close();
    m_sweepTimer.stop();
    const QSet<HttpConnection *> connections = m_connections;
    for (HttpConnection *c : connections) {
        c->closeGracefully();
        if (c->socket()) {
            c->socket()->flush(); // what is buffered (a shutdown's final error event) goes out first
            c->socket()->abort();
        }
    }
    for (QWebSocketServer *ws : std::as_const(m_webSocketServers))
        ws->close();
}

void HttpServer::incomingConnection(qintptr socketDescriptor)
{
    QTcpSocket *socket = m_config.tls ? new QSslSocket() : new QTcpSocket();
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    std::optional<OpenAiError> rejection;
    if (admit(clientKey(socket->peerAddress()), &rejection) == Admission::Dropped) {
        // Under a flood, even the polite answer costs too much: drop the connection outright.
        socket->abort();
        delete socket;
        return;
    }
    if (m_config.tls)
        startTls(static_cast<QSslSocket *>(socket));
    auto *connection = new HttpConnection(socket, this, rejection);
    m_connections.insert(connection);
}

// Takes a slot for a new connection from `client`, or a short-lived rejecting slot with the error to answer
// (`refusal`), or neither when even the polite answer costs too much.
HttpServer::Admission HttpServer::admit(const QHostAddress &client, std::optional<OpenAiError> *refusal)
{
    AddressLoad &load = m_addressLoad[client];
    const int perAddress = m_config.maxConnectionsPerAddress;
    const bool overAddress = perAddress > 0 && load.active >= perAddress;
    const bool overGlobal = m_activeConnections >= m_config.maxConnections;
    if (!overAddress && !overGlobal) {
        ++load.active;
        ++m_activeConnections;
        return Admission::Accepted;
    }
    if (m_rejecting >= RejectingLimit || (overAddress && load.rejecting >= RejectingPerAddressLimit)) {
        if (load.active == 0 && load.rejecting == 0)
            m_addressLoad.remove(client);
        return Admission::Dropped;
    }
    ++m_rejecting;
    ++load.rejecting;
    *refusal = overAddress
        ? OpenAiError::rateLimited(
              QStringLiteral("Too many connections from your address (limit %1); retry later.").arg(perAddress))
        : OpenAiError::serviceUnavailable(
              QStringLiteral("Too many connections (limit %1); retry later.").arg(m_config.maxConnections),
              "too_many_connections");
    return Admission::Refused;
}

int HttpServer::connectionCount(const QHostAddress &address) const
{
    return m_addressLoad.value(clientKey(address)).active;
}

// The connection reads decrypted bytes as usual; the handshake runs first. A client that fails it (plain
// HTTP on the TLS port, an untrusted certificate) is dropped; the header timeout covers one that stalls.
void HttpServer::startTls(QSslSocket *socket)
{
    socket->setSslConfiguration(*m_config.tls);
    connect(socket, &QSslSocket::errorOccurred, socket, [socket](QAbstractSocket::SocketError error) {
        if (error == QAbstractSocket::SslHandshakeFailedError || error == QAbstractSocket::SslInternalError)
            socket->abort();
    });
    connect(socket, &QSslSocket::sslErrors, socket, [socket](const QList<QSslError> &) { socket->abort(); });
    socket->startServerEncryption();
}

void HttpServer::connectionClosed(HttpConnection *connection)
{
    if (!m_connections.remove(connection))
        return;
    const auto load = m_addressLoad.find(clientKey(connection->peerAddress()));
    if (connection->isRejection()) {
        --m_rejecting;
        if (load != m_addressLoad.end())
            --load->rejecting;
    } else {
        --m_activeConnections;
        if (load != m_addressLoad.end())
            --load->active;
    }
    if (load != m_addressLoad.end() && load->active <= 0 && load->rejecting <= 0)
        m_addressLoad.erase(load);
}

void HttpServer::sweep()
{
    const qint64 now = steadyNowMs();
    const QSet<HttpConnection *> connections = m_connections; // checkTimeouts may close some
    for (HttpConnection *c : connections)
        c->checkTimeouts(now);
}

void HttpServer::handOverWebSocket(QTcpSocket *socket, const Router::WebSocketRoute &route, HttpRequest request)
{
    // The connection slot is released: a WebSocket session is not an HTTP connection any more.
    QWebSocketServer *&ws = m_webSocketServers[route.path];
    if (!ws) {
        ws = new QWebSocketServer(QString::fromUtf8(m_config.serverName), QWebSocketServer::NonSecureMode, this);
        ws->setSupportedSubprotocols(route.subprotocols);
        ws->setHandshakeTimeout(int(m_config.headerTimeout.count()));
        QWebSocketServer *server = ws;
        connect(ws, &QWebSocketServer::newConnection, this, [this, server] { webSocketReady(server); });
    }
    const QString key = peerKey(socket->peerAddress(), socket->peerPort());
    m_pendingUpgrades.insert(key, PendingUpgrade{std::move(request), route.path, socket});
    // If the handshake fails, QWebSocketServer drops the socket and the pending entry must go too.
    connect(socket, &QObject::destroyed, this, [this, key, socket](QObject *) {
        const auto it = m_pendingUpgrades.constFind(key);
        if (it != m_pendingUpgrades.cend() && it->socket == socket)
            m_pendingUpgrades.erase(it);
    });
    socket->setParent(ws);
    ws->handleConnection(socket);
}

void HttpServer::webSocketReady(QWebSocketServer *server)
{
    while (server->hasPendingConnections()) {
        QWebSocket *socket = server->nextPendingConnection();
        if (!socket)
            continue;
        const auto it = m_pendingUpgrades.find(peerKey(socket->peerAddress(), socket->peerPort()));
        if (it == m_pendingUpgrades.end()) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        PendingUpgrade pending = std::move(it.value());
        m_pendingUpgrades.erase(it);
        const Router::WebSocketRoute *route = m_router.webSocketRoute(pending.path);
        if (!route || !route->handler) {
            socket->close(QWebSocketProtocol::CloseCodeGoingAway);
            socket->deleteLater();
            continue;
        }
        Q_EMIT webSocketAccepted(pending.path);
        route->handler(socket, pending.request);
    }
}

} // namespace RelayDesk::Relay
