#include "relay/upstreamclient.h"

#include <cstring>

#include <QtCore/QSocketNotifier>
#include <QtCore/QTimer>

#include <curl/curl.h>

#include <mutex>

namespace RelayDesk::Relay {

namespace {

CURLM *multiOf(void *p) { return static_cast<CURLM *>(p); }
CURL *easyOf(void *p) { return static_cast<CURL *>(p); }

void globalInit()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

UpstreamReply::Error errorFor(CURLcode code)
{
    switch (code) {
    case CURLE_OK: return UpstreamReply::Error::None;
    case CURLE_COULDNT_CONNECT: return UpstreamReply::Error::ConnectionRefused;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return UpstreamReply::Error::HostNotFound;
    case CURLE_OPERATION_TIMEDOUT: return UpstreamReply::Error::Timeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR: return UpstreamReply::Error::Tls;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE: return UpstreamReply::Error::RemoteClosed;
    default: return UpstreamReply::Error::Other;
    }
}

// "HTTP/1.1 200 OK" → 200; anything else → 0.
int parseStatusLine(QByteArrayView line)
{
    if (!line.startsWith("HTTP/"))
        return 0;
    const qsizetype space = line.indexOf(' ');
    if (space < 0 || line.size() < space + 4)
        return 0;
    bool ok = false;
    const int code = line.sliced(space + 1, 3).toByteArray().toInt(&ok);
    return ok ? code : 0;
}

} // namespace

struct UpstreamClient::Socket
{
    QSocketNotifier *read = nullptr;
    QSocketNotifier *write = nullptr;
};

// ---- UpstreamReply ----------------------------------------------------------------------------------------

UpstreamReply::UpstreamReply(UpstreamClient *client, void *easy)
    : m_client(client)
    , m_easy(easy)
{
    // Our own timer rather than curl's LOW_SPEED_TIME: that one counts whole seconds over a moving average
    // that the request upload itself keeps above zero, so a hung upstream took several seconds too long.
    m_idle.setSingleShot(true);
    m_idle.setInterval(client->m_options.transferTimeout);
    connect(&m_idle, &QTimer::timeout, this, [this] {
        if (m_client)
            m_client->checkIdle(this);
    });
}

UpstreamReply::~UpstreamReply()
{
    if (m_client)
        m_client->detach(this);
}

QByteArray UpstreamReply::readAll()
{
    QByteArray out = std::move(m_buffer);
    m_buffer = QByteArray();
    if (m_paused && m_client) {
        m_paused = false;
        m_client->resume(this);
    }
    return out;
}

void UpstreamReply::abort()
{
    if (m_client)
        m_client->detach(this);
    if (!m_finished) {
        m_finished = true;
        m_error = Error::Aborted;
        m_errorString = QStringLiteral("aborted");
    }
    m_notifyData = m_notifyFinished = false;
}

// ---- UpstreamClient ---------------------------------------------------------------------------------------

UpstreamClient::UpstreamClient(Options options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_timer(new QTimer(this))
{
    globalInit();
    m_multi = curl_multi_init();
    curl_multi_setopt(multiOf(m_multi), CURLMOPT_SOCKETFUNCTION, &UpstreamClient::onSocket);
    curl_multi_setopt(multiOf(m_multi), CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multiOf(m_multi), CURLMOPT_TIMERFUNCTION, &UpstreamClient::onTimer);
    curl_multi_setopt(multiOf(m_multi), CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multiOf(m_multi), CURLMOPT_MAXCONNECTS, long(m_options.maxIdleConnections));
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, [this] { drive(CURL_SOCKET_TIMEOUT, 0); });
}

UpstreamClient::~UpstreamClient()
{
    // Replies are caller-owned and may outlive the client: detach them (as aborted) before the multi goes.
    for (UpstreamReply *reply : QSet<UpstreamReply *>(m_replies))
        reply->abort();
    for (auto it = m_sockets.begin(); it != m_sockets.end(); ++it) {
        delete it.value()->read;
        delete it.value()->write;
        delete it.value();
    }
    m_sockets.clear();
    curl_multi_cleanup(multiOf(m_multi));
}

namespace {

bool isSafeHeader(const QByteArray &name, const QByteArray &value)
{
    const auto clean = [](const QByteArray &b) {
        return !b.contains('\r') && !b.contains('\n') && !b.contains('\0');
    };
    return !name.trimmed().isEmpty() && !name.contains(':') && clean(name) && clean(value);
}

} // namespace

UpstreamReply *UpstreamClient::postJson(const QUrl &url, const QByteArray &body, const QByteArray &bearer,
                                        bool expectEventStream)
{
    return send("POST", url, body, bearer, expectEventStream);
}

UpstreamReply *UpstreamClient::send(QByteArrayView method, const QUrl &url, UpstreamBody body,
                                    const QByteArray &bearer, bool expectEventStream)
{
    CURL *easy = curl_easy_init();
    auto *reply = new UpstreamReply(this, easy);
    m_replies.insert(reply);
    reply->m_body = std::move(body);
    const UpstreamBody &sent = reply->m_body;
    curl_slist *headers = nullptr;
    headers = curl_slist_append(headers, QByteArray("Content-Type: " + sent.contentType).constData());
    const QByteArray accept = !sent.accept.isEmpty() ? sent.accept
                              : expectEventStream    ? QByteArrayLiteral("text/event-stream")
                                                     : QByteArrayLiteral("application/json");
    headers = curl_slist_append(headers, QByteArray("Accept: " + accept).constData());
    headers = curl_slist_append(headers, "Expect:"); // no 100-continue round trip for large bodies
    if (!bearer.isEmpty())
        headers = curl_slist_append(headers, QByteArray("Authorization: Bearer " + bearer).constData());
    for (const auto &[name, value] : sent.headers)
        if (isSafeHeader(name, value))
            headers = curl_slist_append(headers, QByteArray(name + ": " + value).constData());
    reply->m_headers = headers;

    const QByteArray target = url.toEncoded();
    curl_easy_setopt(easy, CURLOPT_URL, target.constData());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, long(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    if (method == "POST" && sent.pieces.size() <= 1) {
        const QByteArray &bytes = sent.pieces.isEmpty() ? sent.backing : sent.pieces.constFirst();
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, bytes.constData());
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.size()));
    } else if (method == "POST") { // several pieces: read in order; seekable, so curl can resend on a dead reused connection
        curl_easy_setopt(easy, CURLOPT_POST, 1L);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(sent.size()));
        curl_easy_setopt(easy, CURLOPT_READFUNCTION, &UpstreamClient::onRead);
        curl_easy_setopt(easy, CURLOPT_READDATA, reply);
        curl_easy_setopt(easy, CURLOPT_SEEKFUNCTION, &UpstreamClient::onSeek);
        curl_easy_setopt(easy, CURLOPT_SEEKDATA, reply);
    } else if (method == "GET") {
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, QByteArray(method.data(), method.size()).constData());
    }
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, long(m_options.connectTimeout.count()));
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &UpstreamClient::onHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, reply);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &UpstreamClient::onWrite);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, reply);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, reply);
    // The relay never follows redirects (they could carry the channel secret to another host): the default.

    if (const CURLMcode rc = curl_multi_add_handle(multiOf(m_multi), easy); rc != CURLM_OK) {
        reply->m_finished = reply->m_notifyFinished = true;
        reply->m_error = UpstreamReply::Error::Other;
        reply->m_errorString = QString::fromUtf8(curl_multi_strerror(rc));
        detach(reply);
        m_toNotify.append(reply);
        scheduleNotify();
        return reply;
    }
    reply->m_lastActivity = std::chrono::steady_clock::now();
    reply->m_idle.start();
    return reply;
}

void UpstreamClient::detach(UpstreamReply *reply)
{
    if (reply->m_easy) {
        curl_multi_remove_handle(multiOf(m_multi), easyOf(reply->m_easy));
        curl_easy_cleanup(easyOf(reply->m_easy));
        reply->m_easy = nullptr;
    }
    if (reply->m_headers) {
        curl_slist_free_all(static_cast<curl_slist *>(reply->m_headers));
        reply->m_headers = nullptr;
    }
    reply->m_idle.stop();
    reply->m_client = nullptr;
    m_replies.remove(reply);
}

// The timer is armed once per transfer and re-armed here for what is left, so a chunk costs one clock read,
// not a timer re-registration.
void UpstreamClient::checkIdle(UpstreamReply *reply)
{
    using namespace std::chrono;
    const auto idle = duration_cast<milliseconds>(steady_clock::now() - reply->m_lastActivity);
    if (reply->m_paused || idle < m_options.transferTimeout) {
        reply->m_idle.start(reply->m_paused ? m_options.transferTimeout : m_options.transferTimeout - idle);
        return;
    }
    detach(reply);
    reply->m_finished = reply->m_notifyFinished = true;
    reply->m_error = UpstreamReply::Error::Timeout;
    reply->m_errorString = QStringLiteral("no data from the upstream for %1 ms").arg(m_options.transferTimeout.count());
    m_toNotify.append(reply);
    notify();
}

void UpstreamClient::resume(UpstreamReply *reply)
{
    reply->m_lastActivity = std::chrono::steady_clock::now();
    if (reply->m_easy)
        curl_easy_pause(easyOf(reply->m_easy), CURLPAUSE_CONT); // may deliver held data right away (onWrite)
}

void UpstreamClient::drive(qintptr fd, int events)
{
    int running = 0;
    m_driving = true;
    curl_multi_socket_action(multiOf(m_multi), static_cast<curl_socket_t>(fd), events, &running);
    m_driving = false;
    collectFinished();
    notify();
}

void UpstreamClient::collectFinished()
{
    int left = 0;
    while (CURLMsg *msg = curl_multi_info_read(multiOf(m_multi), &left)) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        UpstreamReply *reply = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &reply);
        const CURLcode code = msg->data.result;
        if (!reply)
            continue;
        reply->m_error = errorFor(code);
        if (code != CURLE_OK)
            reply->m_errorString = QString::fromUtf8(curl_easy_strerror(code));
        reply->m_finished = true;
        reply->m_notifyFinished = true;
        m_toNotify.append(reply);
        detach(reply); // the connection stays in the multi handle's pool for reuse
    }
}

void UpstreamClient::scheduleNotify()
{
    if (m_notifyScheduled)
        return;
    m_notifyScheduled = true;
    QMetaObject::invokeMethod(this, [this] { notify(); }, Qt::QueuedConnection);
}

// Signals are emitted only here, never from inside a curl callback: a slot may abort or delete its reply,
// or start another request, none of which curl allows from its own callbacks.
void UpstreamClient::notify()
{
    m_notifyScheduled = false;
    const QList<QPointer<UpstreamReply>> batch = std::exchange(m_toNotify, {});
    for (const QPointer<UpstreamReply> &reply : batch) {
        if (reply && std::exchange(reply->m_notifyData, false))
            Q_EMIT reply->readyRead();
        if (reply && std::exchange(reply->m_notifyFinished, false))
            Q_EMIT reply->finished();
    }
}

int UpstreamClient::onSocket(void *, qintptr fd, int what, void *clientp, void *)
{
    auto *self = static_cast<UpstreamClient *>(clientp);
    Socket *s = self->m_sockets.value(fd);
    if (what == CURL_POLL_REMOVE) {
        if (s) {
            // Possibly inside this very notifier's activation: disable now, delete later.
            for (QSocketNotifier *n : {s->read, s->write}) {
                n->setEnabled(false);
                n->deleteLater();
            }
            self->m_sockets.remove(fd);
            delete s;
        }
        return 0;
    }
    if (!s) {
        s = new Socket;
        s->read = new QSocketNotifier(fd, QSocketNotifier::Read, self);
        s->write = new QSocketNotifier(fd, QSocketNotifier::Write, self);
        connect(s->read, &QSocketNotifier::activated, self, [self, fd] { self->drive(fd, CURL_CSELECT_IN); });
        connect(s->write, &QSocketNotifier::activated, self, [self, fd] { self->drive(fd, CURL_CSELECT_OUT); });
        self->m_sockets.insert(fd, s);
    }
    s->read->setEnabled(what == CURL_POLL_IN || what == CURL_POLL_INOUT);
    s->write->setEnabled(what == CURL_POLL_OUT || what == CURL_POLL_INOUT);
    return 0;
}

int UpstreamClient::onTimer(void *, long timeoutMs, void *clientp)
{
    auto *self = static_cast<UpstreamClient *>(clientp);
    if (timeoutMs < 0)
        self->m_timer->stop();
    else
        self->m_timer->start(static_cast<int>(timeoutMs));
    return 0;
}

size_t UpstreamClient::onHeader(char *data, size_t size, size_t n, void *replyp)
{
    auto *reply = static_cast<UpstreamReply *>(replyp);
    reply->m_lastActivity = std::chrono::steady_clock::now();
    const QByteArrayView line = QByteArrayView(data, qsizetype(size * n)).trimmed();
    if (const int status = parseStatusLine(line)) {
        reply->m_status = status; // a later status line (after 1xx) replaces an earlier one
        reply->m_contentType.clear();
        reply->m_location.clear();
    } else if (line.size() > 13 && qstrnicmp(line.data(), "content-type:", 13) == 0) {
        reply->m_contentType = line.sliced(13).trimmed().toByteArray();
    } else if (line.size() > 9 && qstrnicmp(line.data(), "location:", 9) == 0) {
        reply->m_location = line.sliced(9).trimmed().toByteArray();
    }
    return size * n;
}

size_t UpstreamClient::onRead(char *buffer, size_t size, size_t n, void *replyp)
{
    auto *reply = static_cast<UpstreamReply *>(replyp);
    const QList<QByteArray> &pieces = reply->m_body.pieces;
    const size_t room = size * n;
    size_t written = 0;
    while (written < room && reply->m_piece < pieces.size()) {
        const QByteArray &piece = pieces.at(reply->m_piece);
        const size_t take = std::min(room - written, size_t(piece.size() - reply->m_pieceOffset));
        std::memcpy(buffer + written, piece.constData() + reply->m_pieceOffset, take);
        written += take;
        reply->m_pieceOffset += qsizetype(take);
        if (reply->m_pieceOffset == piece.size()) {
            ++reply->m_piece;
            reply->m_pieceOffset = 0;
        }
    }
    return written;
}

static_assert(std::is_same_v<curl_off_t, std::int64_t>, "onSeek takes a curl_off_t");

int UpstreamClient::onSeek(void *replyp, std::int64_t offset, int origin)
{
    auto *reply = static_cast<UpstreamReply *>(replyp);
    if (origin != SEEK_SET || offset < 0)
        return CURL_SEEKFUNC_CANTSEEK;
    reply->m_piece = 0;
    reply->m_pieceOffset = 0;
    const QList<QByteArray> &pieces = reply->m_body.pieces;
    while (reply->m_piece < pieces.size() && offset >= pieces.at(reply->m_piece).size()) {
        offset -= pieces.at(reply->m_piece).size();
        ++reply->m_piece;
    }
    if (reply->m_piece == pieces.size() && offset > 0)
        return CURL_SEEKFUNC_FAIL;
    reply->m_pieceOffset = qsizetype(offset);
    return CURL_SEEKFUNC_OK;
}

size_t UpstreamClient::onWrite(char *data, size_t size, size_t n, void *replyp)
{
    auto *reply = static_cast<UpstreamReply *>(replyp);
    UpstreamClient *self = reply->m_client;
    if (!self)
        return 0; // detached: fail the transfer
    if (reply->m_buffer.size() >= self->m_options.readBufferSize) {
        reply->m_paused = true; // curl keeps this chunk and offers it again after curl_easy_pause(CONT)
        return CURL_WRITEFUNC_PAUSE; // while paused our consumer is slow, not the upstream: no timeout
    }
    reply->m_lastActivity = std::chrono::steady_clock::now();
    reply->m_buffer.append(data, qsizetype(size * n));
    if (!std::exchange(reply->m_notifyData, true)) {
        self->m_toNotify.append(reply);
        if (!self->m_driving) // drive() notifies when curl returns; resume() delivers outside it
            self->scheduleNotify();
    }
    return size * n;
}

} // namespace RelayDesk::Relay
