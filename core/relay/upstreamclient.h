#pragma once
// Upstream HTTP for the relay thread, on libcurl's multi interface driven by the thread's Qt event loop
// (QSocketNotifier + one QTimer). Everything happens on the thread that owns the client: no HTTP thread,
// no cross-thread hand-off per chunk (QNetworkAccessManager's cost), keep-alive connections pooled per host
// without QNAM's 6-per-host cap, proxies from the usual environment variables, TLS with the system CAs.
//
// A reply buffers at most Options::readBufferSize bytes; past that the transfer is paused (the upstream
// socket is no longer read) until the consumer reads, so a slow client never grows memory without bound.
#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QSet>
#include <QtCore/QTimer>
#include <QtCore/QUrl>

#include <chrono>
#include <cstdint>

namespace RelayDesk::Relay {

class UpstreamClient;

// What a POST sends upstream: its content type and its bytes, in one piece (a JSON body) or in several sent in
// order (a multipart upload whose model field was mapped for the channel: views into the client's body around
// the new value, so a 25 MB file is not copied). `backing` keeps the memory of such views alive.
struct UpstreamBody
{
    UpstreamBody() = default;
    UpstreamBody(QByteArray json) : pieces{std::move(json)} {} // NOLINT: a JSON body converts implicitly
    UpstreamBody(QByteArray type, QList<QByteArray> parts, QByteArray keep = {})
        : contentType(std::move(type)), pieces(std::move(parts)), backing(std::move(keep)) {}

    QByteArray contentType = "application/json";
    QList<QByteArray> pieces;
    QByteArray backing;
    // The Accept header (empty: text/event-stream for a stream, else application/json).
    QByteArray accept;
    // Further request headers, name and value (an Anthropic channel's x-api-key and anthropic-version, the
    // client's anthropic-beta). A pair whose name or value holds CR, LF or NUL, or whose name is empty or holds
    // ':', is not sent (no header injection).
    QList<std::pair<QByteArray, QByteArray>> headers;

    qint64 size() const
    {
        qint64 n = 0;
        for (const QByteArray &p : pieces)
            n += p.size();
        return n;
    }
};

class UpstreamReply final : public QObject
{
    Q_OBJECT

public:
    enum class Error {
        None,
        ConnectionRefused, // nothing listens, or the connect attempt failed
        HostNotFound,
        RemoteClosed,      // the connection broke before the response was complete
        Tls,               // handshake or certificate verification failed
        Timeout,           // connect timeout, or no byte for Options::transferTimeout
        Aborted,           // abort() was called
        Other,
    };

    ~UpstreamReply() override;

    int status() const { return m_status; }                 // 0 until the status line arrived
    const QByteArray &contentType() const { return m_contentType; }
    const QByteArray &location() const { return m_location; } // the Location header (a created object's URL)
    qint64 bytesAvailable() const { return m_buffer.size(); }
    QByteArray readAll();
    bool isFinished() const { return m_finished; }
    Error error() const { return m_error; }
    QString errorString() const { return m_errorString; }
    // Connect-phase failures: the request certainly did not reach the upstream, so another channel may be tried.
    bool isConnectError() const
    {
        return m_error == Error::ConnectionRefused || m_error == Error::HostNotFound || m_error == Error::Tls;
    }
    // Stops the transfer; finished() is not emitted afterwards.
    void abort();

Q_SIGNALS:
    void readyRead();
    void finished();

private:
    friend class UpstreamClient;
    UpstreamReply(UpstreamClient *client, void *easy);

    QPointer<UpstreamClient> m_client;
    QTimer m_idle; // no byte for Options::transferTimeout while we are reading → Error::Timeout
    std::chrono::steady_clock::time_point m_lastActivity;
    void *m_easy = nullptr; // CURL *, owned by the client while the transfer runs
    void *m_headers = nullptr; // curl_slist *
    UpstreamBody m_body;
    qsizetype m_piece = 0;      // the piece being sent, and the offset in it (a body in several pieces)
    qsizetype m_pieceOffset = 0;
    QByteArray m_buffer;
    QByteArray m_contentType;
    QByteArray m_location;
    QString m_errorString;
    int m_status = 0;
    Error m_error = Error::None;
    bool m_paused = false;
    bool m_finished = false;
    bool m_notifyData = false;
    bool m_notifyFinished = false;
};

class UpstreamClient final : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        std::chrono::milliseconds connectTimeout{15'000};
        std::chrono::milliseconds transferTimeout{120'000}; // no byte for this long → Error::Timeout (→ 504)
        qsizetype readBufferSize = 1 << 20;                 // per reply, before the transfer pauses
        int maxIdleConnections = 256;                       // keep-alive connections kept for reuse
    };

    explicit UpstreamClient(Options options, QObject *parent = nullptr);
    explicit UpstreamClient(QObject *parent = nullptr) : UpstreamClient(Options{}, parent) {}
    ~UpstreamClient() override;

    // POSTs a JSON body over HTTP/1.1. The caller owns the reply (delete or deleteLater it); deleting a
    // running reply aborts its transfer. `bearer` may be empty.
    UpstreamReply *postJson(const QUrl &url, const QByteArray &body, const QByteArray &bearer,
                            bool expectEventStream);
    // Any method: GET and DELETE send no body; POST sends `body` with its content type. Same ownership as postJson.
    UpstreamReply *send(QByteArrayView method, const QUrl &url, UpstreamBody body, const QByteArray &bearer,
                        bool expectEventStream);
    const Options &options() const { return m_options; }


private:
    friend class UpstreamReply;
    struct Socket;

    void detach(UpstreamReply *reply);
    void resume(UpstreamReply *reply);
    void checkIdle(UpstreamReply *reply);
    void drive(qintptr fd, int events);
    void collectFinished();
    void scheduleNotify();
    void notify();

    static int onSocket(void *easy, qintptr fd, int what, void *clientp, void *socketp);
    static int onTimer(void *multi, long timeoutMs, void *clientp);
    static size_t onHeader(char *data, size_t size, size_t n, void *replyp);
    static size_t onWrite(char *data, size_t size, size_t n, void *replyp);
    static size_t onRead(char *buffer, size_t size, size_t n, void *replyp);
    static int onSeek(void *replyp, std::int64_t offset, int origin); // offset: curl_off_t

    Options m_options;
    void *m_multi = nullptr; // CURLM *
    QTimer *m_timer = nullptr;
    QHash<qintptr, Socket *> m_sockets;
    QSet<UpstreamReply *> m_replies; // attached to a curl transfer
    QList<QPointer<UpstreamReply>> m_toNotify;
    bool m_notifyScheduled = false;
    bool m_driving = false;
};

} // namespace RelayDesk::Relay
