#pragma once
// One client socket: feeds libhttp-parser, enforces limits and timeouts, dispatches complete requests to the
// router and writes responses in request order (keep-alive, pipelining, Connection: close, HTTP/1.0).
// WebSocket upgrades on registered paths are decided on peeked bytes and handed to QWebSocketServer with the
// handshake still unread.
#include "http/httprequestparser.h"

#include <QtCore/QObject>
#include <QtNetwork/QTcpSocket>

#include <deque>

namespace RelayDesk::Relay {

class HttpExchange;
class HttpServer;

class HttpConnection final : public QObject, private HttpRequestParser::Listener
{
    Q_OBJECT

public:
    // Takes ownership of the socket. With `rejection` set, the connection only answers that error (with
    // Retry-After) and closes: 503 when the server is at its connection limit, 429 over the per-address cap.
    HttpConnection(QTcpSocket *socket, HttpServer *server, std::optional<OpenAiError> rejection = {});
    ~HttpConnection() override;

    QTcpSocket *socket() const { return m_socket; }
    bool isClosing() const { return m_closing; }
    bool isLastInQueue(const HttpExchange *exchange) const { return !m_queue.empty() && m_queue.back() == exchange; }
    bool isHeadOfQueue(const HttpExchange *exchange) const { return !m_queue.empty() && m_queue.front() == exchange; }
    bool isRejection() const { return m_rejection; }
    const QHostAddress &peerAddress() const { return m_peerAddress; }
    QByteArray serverName() const;

    // Called by the server's sweep timer with the current steady time.
    void checkTimeouts(qint64 nowMs);
    // Server shutdown: stop reading and close once pending responses are written.
    void closeGracefully();

Q_SIGNALS:
    void closed(RelayDesk::Relay::HttpConnection *connection);

private:
    friend class HttpExchange;
    enum class Sniff { NotWebSocket, NeedMore, Handled };
    enum class Deadline { None, Header, Body, Idle, Linger };

    void onReadyRead();
    void onDisconnected();
    void onBytesWritten();
    void processInput();
    void feedParser(QByteArrayView data);
    Sniff sniffWebSocket();
    void handOver(qsizetype headLength, HttpRequest request);
    // The upgrade decided: answer the refusal (plain HTTP, then close) or hand the socket to the WebSocket server.
    void completeHandOver(qsizetype headLength, HttpRequest request, const std::optional<OpenAiError> &refusal);
    void exchangeUpdated(HttpExchange *exchange);
    void drain();
    void queueError(const OpenAiError &error);
    void queueRejection(const OpenAiError &error);
    void beginClose();
    void shutdownWrite();
    void updateDeadline();
    void finish();

    // HttpRequestParser::Listener
    void onRequestHead(const HttpRequest &head) override;
    void onRequest(HttpRequest &&request) override;
    void onParseError(const OpenAiError &error) override;

    QTcpSocket *m_socket;
    HttpServer *m_server;
    HttpRequestParser m_parser;
    std::deque<HttpExchange *> m_queue;
    QByteArray m_unparsed;       // read but not parsed yet (parser paused for backpressure)
    QHostAddress m_peerAddress;
    quint16 m_peerPort = 0;
    qint64 m_headStartMs = 0;    // when the current request's first byte arrived
    qint64 m_lastActivityMs = 0;
    qint64 m_deadlineMs = 0;
    qint64 m_lingerUntilMs = 0;
    qsizetype m_sniffScanned = 0; // bytes of a WebSocket candidate head already searched for its end
    Deadline m_deadline = Deadline::None;
    bool m_sniffCandidate = false;
    bool m_requestStarted = false;
    bool m_inputBlocked = false; // stopped reading until the response queue drains
    bool m_resumeScheduled = false;
    bool m_inBatch = false;
    bool m_continuePending = false;
    bool m_closing = false;      // no further requests; close once the queue is written
    bool m_writeShut = false;
    bool m_gone = false;
    bool m_rejection = false;
    bool m_deciding = false;     // an upgrade waits for its route's asynchronous check
};

} // namespace RelayDesk::Relay
