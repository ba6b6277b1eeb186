#include "http/httpconnection.h"

#include "http/httpexchange.h"
#include "http/httpserver.h"

#include <QtCore/QMetaObject>
#include <QtCore/QPointer>
#if QT_CONFIG(ssl)
#include <QtNetwork/QSslSocket>
#endif

#include <chrono>

#include <sys/socket.h>

namespace RelayDesk::Relay {

namespace {

constexpr qsizetype ReadChunk = 64 * 1024;
constexpr qint64 LingerMs = 2000;

// Bytes we wrote that have not reached the kernel yet. With TLS, plaintext leaves bytesToWrite() once it is
// encrypted, but the ciphertext can still be queued: a half-close before it is sent would truncate the response.
qint64 unsentBytes(const QTcpSocket *socket)
{
    qint64 pending = socket->bytesToWrite();
#if QT_CONFIG(ssl)
    if (const auto *ssl = qobject_cast<const QSslSocket *>(socket))
        pending += ssl->encryptedBytesToWrite();
#endif
    return pending;
}

qint64 nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Finds the blank line that ends a request head ("\r\n\r\n", or "\n\n" which libhttp-parser also accepts).
// Returns the head length including it, or -1.
qsizetype headEnd(QByteArrayView bytes, qsizetype from)
{
    for (qsizetype i = qMax<qsizetype>(from, 1); i < bytes.size(); ++i) {
        if (bytes[i] != '\n')
            continue;
        if (bytes[i - 1] == '\n')
            return i + 1;
        if (i >= 2 && bytes[i - 1] == '\r' && bytes[i - 2] == '\n')
            return i + 1;
    }
    return -1;
}

// Collects the head of one request from a scratch parser.
struct HeadCollector final : HttpRequestParser::Listener
{
    std::optional<HttpRequest> head;
    HttpRequestParser *parser = nullptr;
    void onRequestHead(const HttpRequest &h) override
    {
        head = h;
        parser->stop();
    }
    void onRequest(HttpRequest &&) override {}
    void onParseError(const OpenAiError &) override {}
};

} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, HttpServer *server, std::optional<OpenAiError> rejection)
    : QObject(server)
    , m_socket(socket)
    , m_server(server)
    , m_parser(*this, HttpRequestParser::Limits{server->config().maxHeaderBytes, server->config().maxBodyBytes})
    , m_peerAddress(socket->peerAddress())
    , m_peerPort(socket->peerPort())
    , m_lastActivityMs(nowMs())
{
    m_socket->setParent(this);
    // Bounded read buffer: while the response queue is full we stop reading and TCP pushes back on the client.
    m_socket->setReadBufferSize(qMax<qint64>(256 * 1024, 2 * server->config().maxHeaderBytes));
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &HttpConnection::onBytesWritten);
#if QT_CONFIG(ssl)
    if (auto *ssl = qobject_cast<QSslSocket *>(m_socket))
        connect(ssl, &QSslSocket::encryptedBytesWritten, this, &HttpConnection::onBytesWritten);
#endif
    if (rejection) {
        m_rejection = true;
        queueRejection(*rejection);
    }
    updateDeadline();
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection()
{
    for (HttpExchange *exchange : m_queue)
        exchange->detach(true);
}

QByteArray HttpConnection::serverName() const
{
    return m_server->config().serverName;
}

void HttpConnection::onReadyRead()
{
    processInput();
}

void HttpConnection::processInput()
{
    m_resumeScheduled = false;
    if (m_gone)
        return;
    if (m_closing) {
        // Draining what the client still sends lets our final response arrive instead of an RST.
        m_socket->skip(m_socket->bytesAvailable());
        return;
    }
    const HttpServerConfig &config = m_server->config();
    m_inBatch = true;
    while (!m_parser.isStopped() && !m_gone) {
        if (qsizetype(m_queue.size()) >= config.maxPipelinedRequests) {
            m_inputBlocked = true;
            break;
        }
        if (!m_unparsed.isEmpty()) {
            m_parser.resume();
            const QByteArray pending = std::exchange(m_unparsed, {});
            feedParser(pending);
            continue;
        }
        if (m_socket->bytesAvailable() <= 0)
            break;
        if (m_parser.phase() == HttpRequestParser::Phase::Idle) {
            if (!m_requestStarted) {
                m_requestStarted = true;
                m_headStartMs = nowMs();
            }
            const Sniff s = sniffWebSocket();
            if (s == Sniff::NeedMore || s == Sniff::Handled)
                break;
        }
        char buffer[ReadChunk];
        const qint64 n = m_socket->read(buffer, ReadChunk);
        if (n <= 0)
            break;
        m_lastActivityMs = nowMs();
        feedParser(QByteArrayView(buffer, n));
    }
    m_inBatch = false;
    if (!m_gone) {
        // One write syscall for every response produced by this batch of input (pipelining).
        if (m_socket->bytesToWrite() > 0)
            m_socket->flush();
        updateDeadline();
    }
}

void HttpConnection::feedParser(QByteArrayView data)
{
    const qsizetype used = m_parser.feed(data);
    if (used < data.size() && m_parser.isPaused())
        m_unparsed = data.sliced(used).toByteArray();
}

HttpConnection::Sniff HttpConnection::sniffWebSocket()
{
    const Router &router = m_server->router();
    if (router.webSocketRoutes().isEmpty())
        return Sniff::NotWebSocket;
    const qint64 available = m_socket->bytesAvailable();
    if (!m_sniffCandidate) {
        // Cheap test on the request line: "GET <websocket path>" followed by ' ' or '?'.
        qsizetype longest = 0;
        for (const Router::WebSocketRoute &r : router.webSocketRoutes())
            longest = qMax(longest, r.path.size());
        const QByteArray prefix = m_socket->peek(qMin<qint64>(available, 4 + longest + 1));
        bool possible = false;
        for (const Router::WebSocketRoute &r : router.webSocketRoutes()) {
            const QByteArray want = "GET " + r.path;
            const qsizetype common = qMin(prefix.size(), want.size());
            if (QByteArrayView(prefix).first(common) != QByteArrayView(want).first(common))
                continue;
            if (prefix.size() <= want.size()) {
                possible = true; // not enough bytes to tell yet
                continue;
            }
            const char next = prefix[want.size()];
            if (next == ' ' || next == '?') {
                m_sniffCandidate = true;
                m_sniffScanned = 0;
                break;
            }
        }
        if (!m_sniffCandidate)
            return possible ? Sniff::NeedMore : Sniff::NotWebSocket;
    }
    // An upgrade replaces the connection, so earlier pipelined responses must be written first.
    if (!m_queue.empty()) {
        m_inputBlocked = true;
        return Sniff::NeedMore;
    }
    const qsizetype limit = m_server->config().maxHeaderBytes;
    const QByteArray bytes = m_socket->peek(qMin<qint64>(available, limit + 4));
    const qsizetype end = headEnd(bytes, qMax<qsizetype>(0, m_sniffScanned - 3));
    m_sniffScanned = bytes.size();
    if (end < 0) {
        if (bytes.size() > limit) {
            m_sniffCandidate = false; // the regular parser answers 431
            return Sniff::NotWebSocket;
        }
        return Sniff::NeedMore;
    }
    m_sniffCandidate = false;
    HeadCollector collector;
    HttpRequestParser scratch(collector, m_parser.limits());
    collector.parser = &scratch;
    scratch.feed(QByteArrayView(bytes).first(end));
    if (!collector.head || !collector.head->isWebSocketUpgrade()
        || !m_server->router().webSocketRoute(collector.head->path))
        return Sniff::NotWebSocket; // plain HTTP (or malformed): the regular parser takes it from here
    HttpRequest request = std::move(*collector.head);
    request.peerAddress = m_peerAddress;
    request.peerPort = m_peerPort;
    handOver(end, std::move(request));
    return Sniff::Handled;
}

void HttpConnection::handOver(qsizetype headLength, HttpRequest request)
{
    const Router::WebSocketRoute *route = m_server->router().webSocketRoute(request.path);
    std::optional<OpenAiError> refusal;
    // QWebSocketServer drops a broken handshake without a word; refuse it here with a readable error instead.
    if (request.isHttp10()) {
        refusal = OpenAiError::invalidRequest(QStringLiteral("WebSocket upgrades need HTTP/1.1."),
                                              "bad_websocket_handshake");
    } else if (request.header("Sec-WebSocket-Key").isEmpty()
               || request.header("Sec-WebSocket-Version").trimmed() != "13") {
        refusal = OpenAiError::invalidRequest(
            QStringLiteral("Invalid WebSocket handshake: Sec-WebSocket-Key and Sec-WebSocket-Version: 13 are required."),
            "bad_websocket_handshake");
    } else if (route && route->asyncCheck) {
        m_parser.stop();
        m_deciding = true;
        m_deadline = Deadline::None;
        route->asyncCheck(request, [self = QPointer<HttpConnection>(this), headLength,
                                    request](std::optional<OpenAiError> decided) {
            if (!self || self->m_gone || self->m_closing || !self->m_deciding
                || self->m_socket->state() != QAbstractSocket::ConnectedState)
                return false; // a client that leaves after this is the route's to notice (an upgrade never made)
            self->m_deciding = false;
            self->completeHandOver(headLength, request, decided);
            return true;
        });
        return;
    } else if (route && route->check) {
        refusal = route->check(request);
    }
    completeHandOver(headLength, std::move(request), refusal);
}

void HttpConnection::completeHandOver(qsizetype headLength, HttpRequest request,
                                      const std::optional<OpenAiError> &refusal)
{
    const Router::WebSocketRoute *route = m_server->router().webSocketRoute(request.path);
    m_parser.stop();
    if (refusal || !route) {
        // Consume the handshake we only peeked, answer plain HTTP and close: no 101 is ever sent.
        m_socket->skip(headLength);
        m_lastActivityMs = nowMs();
        queueError(refusal ? *refusal : OpenAiError::internal(QStringLiteral("the WebSocket route is gone")));
        updateDeadline();
        if (m_socket->bytesToWrite() > 0)
            m_socket->flush();
        return;
    }
    m_gone = true;
    m_deadline = Deadline::None;
    disconnect(m_socket, nullptr, this, nullptr);
    QTcpSocket *socket = std::exchange(m_socket, nullptr);
    socket->setReadBufferSize(0);
    socket->setParent(nullptr);
    m_server->handOverWebSocket(socket, *route, std::move(request));
    finish();
}

void HttpConnection::onRequestHead(const HttpRequest &head)
{
    if (head.headers.value("Expect").isNull() || head.isHttp10())
        return;
    // The body is within limits (the parser refused it otherwise): invite the client to send it.
    if (m_queue.empty())
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    else
        m_continuePending = true;
}

void HttpConnection::onRequest(HttpRequest &&request)
{
    m_continuePending = false;
    m_requestStarted = false;
    m_headStartMs = nowMs(); // a pipelined request may already be under way in the same read
    request.peerAddress = m_peerAddress;
    request.peerPort = m_peerPort;
    auto *exchange = new HttpExchange(this, std::move(request));
    m_queue.push_back(exchange);
    if (!exchange->request().keepAlive) {
        m_parser.stop(); // the response closes the connection; later bytes are not requests
        m_closing = true;
    } else if (qsizetype(m_queue.size()) >= m_server->config().maxPipelinedRequests) {
        m_parser.pause();
    }
    m_server->router().dispatch(*exchange);
}

void HttpConnection::onParseError(const OpenAiError &error)
{
    queueError(error);
}

void HttpConnection::queueError(const OpenAiError &error)
{
    m_parser.stop();
    m_closing = true;
    HttpRequest request;
    request.keepAlive = false;
    auto *exchange = new HttpExchange(this, std::move(request));
    m_queue.push_back(exchange);
    exchange->respondError(error);
}

void HttpConnection::queueRejection(const OpenAiError &error)
{
    m_parser.stop();
    m_closing = true;
    HttpRequest request;
    request.keepAlive = false;
    auto *exchange = new HttpExchange(this, std::move(request));
    m_queue.push_back(exchange);
    // A load refusal, not a fault of the request: tell clients (the OpenAI SDKs honour it) when to come back.
    HttpResponse response = HttpResponse::error(error);
    response.headers.add("Retry-After", "1");
    exchange->respond(std::move(response));
}

void HttpConnection::exchangeUpdated(HttpExchange *exchange)
{
    if (!m_gone && !m_queue.empty() && m_queue.front() == exchange)
        drain();
}

void HttpConnection::drain()
{
    while (!m_queue.empty() && !m_gone) {
        HttpExchange *head = m_queue.front();
        if (!head->m_out.isEmpty())
            m_socket->write(std::exchange(head->m_out, {}));
        if (!head->isFinished())
            break;
        m_queue.pop_front();
        const bool close = head->m_close;
        head->detach(false);
        Q_EMIT head->finished();
        head->deleteLater();
        m_lastActivityMs = nowMs();
        // A request that started while we were busy answering gets a full header timeout from now on.
        if (m_queue.empty())
            m_headStartMs = m_lastActivityMs;
        if (close) {
            beginClose();
            return;
        }
    }
    if (m_gone)
        return;
    if (m_closing && m_queue.empty() && !m_writeShut) {
        beginClose();
        return;
    }
    if (m_queue.empty() && m_continuePending && m_parser.phase() == HttpRequestParser::Phase::Body) {
        m_continuePending = false;
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    }
    if (m_inputBlocked && qsizetype(m_queue.size()) < m_server->config().maxPipelinedRequests
        && !m_resumeScheduled) {
        // Resume outside the handler's call stack.
        m_inputBlocked = false;
        m_resumeScheduled = true;
        QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
    }
    if (!m_inBatch)
        updateDeadline();
}

void HttpConnection::beginClose()
{
    m_closing = true;
    m_parser.stop();
    // Responses queued behind a closing one are never written (the parser stopped before them, except for
    // handlers that asked to close mid-pipeline).
    for (HttpExchange *exchange : m_queue) {
        exchange->detach(true);
        exchange->deleteLater();
    }
    m_queue.clear();
    m_socket->skip(m_socket->bytesAvailable());
    if (unsentBytes(m_socket) == 0)
        shutdownWrite();
    updateDeadline();
}

void HttpConnection::onBytesWritten()
{
    if (m_gone || unsentBytes(m_socket) > 0)
        return;
    if (m_closing && !m_writeShut && m_queue.empty()) {
        shutdownWrite();
        return;
    }
    if (!m_queue.empty() && m_queue.front()->isStreaming())
        Q_EMIT m_queue.front()->outputDrained();
}

void HttpConnection::shutdownWrite()
{
    // Half-close: the client sees the end of our response, and we keep reading (discarding) until it closes,
    // so a client still sending a refused body does not get an RST that would destroy our error response.
    m_writeShut = true;
#if QT_CONFIG(ssl)
    if (auto *ssl = qobject_cast<QSslSocket *>(m_socket)) {
        // Qt's TLS backend reports plaintext as written before the ciphertext reaches the socket, so a raw
        // half-close here can cut the response. disconnectFromHost() flushes both, sends close_notify, then
        // closes; the idle timeout bounds a client that never reads.
        ssl->disconnectFromHost();
        m_lingerUntilMs = nowMs() + m_server->config().idleTimeout.count();
        updateDeadline();
        return;
    }
#endif
    const qintptr fd = m_socket->socketDescriptor();
    if (fd < 0 || ::shutdown(int(fd), SHUT_WR) != 0) {
        m_socket->abort();
        return;
    }
    m_lingerUntilMs = nowMs() + LingerMs;
    updateDeadline();
}

void HttpConnection::closeGracefully()
{
    if (m_gone)
        return;
    m_parser.stop();
    m_closing = true;
    if (m_queue.empty())
        beginClose();
}

void HttpConnection::updateDeadline()
{
    const HttpServerConfig &config = m_server->config();
    m_deadline = Deadline::None;
    if (m_gone)
        return;
    if (m_writeShut) {
        m_deadline = Deadline::Linger;
        m_deadlineMs = m_lingerUntilMs;
        return;
    }
    if (m_closing)
        return; // waiting for our own responses to be written
    if (m_deciding)
        return; // the route's check decides (bounded by it), not the header timeout
    if (!m_queue.empty())
        return; // we owe the client a response; whatever it pipelines meanwhile may wait for it
    const auto phase = m_parser.phase();
    if (phase == HttpRequestParser::Phase::Head || m_sniffCandidate
        || (phase == HttpRequestParser::Phase::Idle && m_socket->bytesAvailable() > 0)) {
        m_deadline = Deadline::Header;
        m_deadlineMs = m_headStartMs + config.headerTimeout.count();
    } else if (phase == HttpRequestParser::Phase::Body) {
        m_deadline = Deadline::Body;
        m_deadlineMs = m_lastActivityMs + config.idleTimeout.count();
    } else if (m_queue.empty()) {
        m_deadline = Deadline::Idle;
        m_deadlineMs = m_lastActivityMs + config.idleTimeout.count();
    }
}

void HttpConnection::checkTimeouts(qint64 now)
{
    if (m_gone || m_deadline == Deadline::None || now < m_deadlineMs)
        return;
    switch (m_deadline) {
    case Deadline::Header:
    case Deadline::Body:
        if (m_queue.empty()) {
            queueError(OpenAiError::requestTimeout(m_deadline == Deadline::Header
                                                       ? QStringLiteral("Timed out waiting for request headers.")
                                                       : QStringLiteral("Timed out waiting for the request body.")));
        } else {
            beginClose();
        }
        break;
    case Deadline::Idle:
        closeGracefully();
        break;
    case Deadline::Linger:
    case Deadline::None:
        m_socket->abort();
        break;
    }
}

void HttpConnection::onDisconnected()
{
    if (m_gone)
        return;
    m_gone = true;
    m_deadline = Deadline::None;
    // Copy: a clientDisconnected() slot may respond, which must not touch the queue we iterate.
    const std::deque<HttpExchange *> queue = std::exchange(m_queue, {});
    for (HttpExchange *exchange : queue) {
        exchange->detach(true);
        exchange->deleteLater();
    }
    finish();
}

void HttpConnection::finish()
{
    m_server->connectionClosed(this);
    Q_EMIT closed(this);
    deleteLater();
}

} // namespace RelayDesk::Relay
