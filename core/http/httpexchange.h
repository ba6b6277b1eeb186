#pragma once
// One request and its response on a connection. Handlers receive it, answer now or later (after an upstream
// reply), completely or as a stream (SSE). Responses leave the socket in request order: an exchange that is not
// yet at the head of its connection's queue buffers what it writes.
//
// Lifetime: the connection owns the exchange and deletes it (deleteLater) once its response is on the wire or
// the client has gone. Hold it in a QPointer across asynchronous steps, and connect clientDisconnected() to abort
// upstream work.
#include "http/httpresponse.h"

#include <QtCore/QObject>

#include <any>

namespace RelayDesk::Relay {

class HttpConnection;

class HttpExchange final : public QObject
{
    Q_OBJECT

public:
    ~HttpExchange() override;

    const HttpRequest &request() const { return m_request; }
    HttpRequest &request() { return m_request; } // e.g. to move the body out

    // --- complete response (exactly one of respond*/beginStream per exchange) ---
    void respond(HttpResponse response);
    void respond(int status, QByteArray body, QByteArray contentType = "application/json");
    void respondError(const OpenAiError &error);

    // --- streaming response: chunked on HTTP/1.1, close-delimited on HTTP/1.0 ---
    void beginStream(int status, HttpHeaders headers);
    // 200 text/event-stream, Cache-Control: no-cache.
    void beginEventStream(HttpHeaders extraHeaders = {});
    void writeChunk(QByteArrayView data);
    // One SSE event "data: <data>\n\n" (a multi-line payload becomes several data: lines), flushed as one chunk.
    void writeEvent(QByteArrayView data);
    // "event: <name>\ndata: <data>\n\n"
    void writeEvent(QByteArrayView eventName, QByteArrayView data);
    void endStream();

    // Close the connection after this response (e.g. after an error that leaves the stream in doubt).
    void setCloseAfterResponse() { m_close = true; }
    // Drops the connection now, without finishing the response (the client sees a reset / truncated stream).
    // For giving up on a stream that cannot be completed correctly, and for fake upstreams in tests.
    // clientDisconnected() is emitted before this returns.
    void abortConnection();

    bool hasStarted() const { return m_state != State::Pending; }
    bool isStreaming() const { return m_state == State::Streaming; }
    bool isFinished() const { return m_state == State::Finished; }
    bool isClientGone() const { return m_clientGone; }
    // Response bytes handed to the socket layer or buffered for it (head and body), for logs and tests.
    qint64 bytesQueued() const { return m_bytesQueued; }
    // Bytes written by the handler but not yet accepted by the kernel (waiting behind earlier responses or in
    // the socket's write buffer). A streaming relay pauses its upstream while this is large and resumes on
    // outputDrained(), so a slow client cannot make the server buffer a whole response.
    qint64 pendingOutputBytes() const;

    // Free slot for the layers above (e.g. the authenticated user and key set by the auth step).
    std::any &context() { return m_context; }

Q_SIGNALS:
    // The peer closed or reset the connection before this response was finished (emitted at most once).
    void clientDisconnected();
    // The whole response has been handed to the socket.
    void finished();
    // While streaming: everything written so far has left the socket's write buffer.
    void outputDrained();

private:
    friend class HttpConnection;
    enum class State { Pending, Streaming, Finished };

    HttpExchange(HttpConnection *connection, HttpRequest request);
    void startHead(int status, HttpHeaders &headers, HttpWire::Framing framing, qint64 contentLength);
    void appendOut(QByteArrayView bytes);
    void push();
    void detach(bool clientGone);

    HttpConnection *m_connection;
    HttpRequest m_request;
    QByteArray m_out;
    State m_state = State::Pending;
    HttpWire::Framing m_framing = HttpWire::Framing::ContentLength;
    bool m_close = false;
    bool m_clientGone = false;
    qint64 m_bytesQueued = 0;
    std::any m_context;
};

} // namespace RelayDesk::Relay
