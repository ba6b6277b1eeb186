#include "http/httpexchange.h"

#include "http/httpconnection.h"

namespace RelayDesk::Relay {

namespace {

bool statusHasBody(int status)
{
    return status >= 200 && status != 204 && status != 304;
}

// Framing headers are the server's job; a handler's copy would contradict them.
void dropFramingHeaders(HttpHeaders &h, bool &close)
{
    if (h.hasToken("Connection", "close"))
        close = true;
    h.remove("Connection");
    h.remove("Content-Length");
    h.remove("Transfer-Encoding");
}

} // namespace

HttpExchange::HttpExchange(HttpConnection *connection, HttpRequest request)
    : QObject(connection)
    , m_connection(connection)
    , m_request(std::move(request))
    , m_close(!m_request.keepAlive)
{
}

HttpExchange::~HttpExchange() = default;

void HttpExchange::startHead(int status, HttpHeaders &headers, HttpWire::Framing framing, qint64 contentLength)
{
    dropFramingHeaders(headers, m_close);
    if (framing == HttpWire::Framing::UntilClose)
        m_close = true;
    // The connection is going away (error, shutdown): the last queued response says so.
    if (m_connection && m_connection->isClosing() && m_connection->isLastInQueue(this))
        m_close = true;
    m_framing = framing;
    const QByteArray serverName = m_connection ? m_connection->serverName() : QByteArray();
    QByteArray head;
    head.reserve(256);
    HttpWire::appendHead(head, status, headers, framing, contentLength, m_close,
                         m_request.isHttp10() && !m_close, serverName);
    appendOut(head);
}

void HttpExchange::appendOut(QByteArrayView bytes)
{
    m_bytesQueued += bytes.size();
    if (m_clientGone)
        return;
    m_out.append(bytes);
}

void HttpExchange::push()
{
    if (m_connection)
        m_connection->exchangeUpdated(this);
}

void HttpExchange::respond(HttpResponse response)
{
    if (m_state != State::Pending) {
        qWarning("RelayDesk::Relay::HttpExchange: response already started for %s %s", m_request.method.constData(),
                 m_request.path.constData());
        return;
    }
    const bool hasBody = statusHasBody(response.status);
    startHead(response.status, response.headers,
              hasBody ? HttpWire::Framing::ContentLength : HttpWire::Framing::None, response.body.size());
    // HEAD gets the headers GET would get (Content-Length included) and no body.
    if (hasBody && !m_request.isHead() && !response.body.isEmpty()) {
        if (m_out.isEmpty() && !m_clientGone) {
            m_bytesQueued += response.body.size();
            m_out = std::move(response.body);
        } else {
            appendOut(response.body);
        }
    }
    m_state = State::Finished;
    push();
}

void HttpExchange::respond(int status, QByteArray body, QByteArray contentType)
{
    HttpResponse r;
    r.status = status;
    r.headers.add("Content-Type", std::move(contentType));
    r.body = std::move(body);
    respond(std::move(r));
}

void HttpExchange::respondError(const OpenAiError &error)
{
    respond(HttpResponse::error(error));
}

void HttpExchange::beginStream(int status, HttpHeaders headers)
{
    if (m_state != State::Pending) {
        qWarning("RelayDesk::Relay::HttpExchange: response already started for %s %s", m_request.method.constData(),
                 m_request.path.constData());
        return;
    }
    // HTTP/1.0 has no chunked encoding: the end of the body is the end of the connection.
    const auto framing = m_request.isHttp10() ? HttpWire::Framing::UntilClose : HttpWire::Framing::Chunked;
    startHead(status, headers, framing, 0);
    m_state = m_request.isHead() ? State::Finished : State::Streaming;
    push();
}

void HttpExchange::beginEventStream(HttpHeaders extraHeaders)
{
    HttpHeaders h;
    h.add("Content-Type", "text/event-stream");
    h.add("Cache-Control", "no-cache");
    for (HttpHeaders::Field &f : extraHeaders.fields())
        h.set(f.first, std::move(f.second));
    beginStream(200, std::move(h));
}

void HttpExchange::writeChunk(QByteArrayView data)
{
    if (m_state != State::Streaming || data.isEmpty())
        return;
    if (m_framing == HttpWire::Framing::Chunked) {
        QByteArray chunk;
        chunk.reserve(data.size() + 16);
        HttpWire::appendChunk(chunk, data);
        appendOut(chunk);
    } else {
        appendOut(data);
    }
    push();
}

void HttpExchange::writeEvent(QByteArrayView data)
{
    writeEvent(QByteArrayView(), data);
}

void HttpExchange::writeEvent(QByteArrayView eventName, QByteArrayView data)
{
    if (m_state != State::Streaming)
        return;
    QByteArray event;
    event.reserve(data.size() + eventName.size() + 16);
    if (!eventName.isEmpty()) {
        event += "event: ";
        event += eventName;
        event += '\n';
    }
    // Each line of the payload becomes its own data: line, so embedded newlines cannot end the event early.
    qsizetype from = 0;
    do {
        qsizetype nl = data.indexOf('\n', from);
        if (nl < 0)
            nl = data.size();
        QByteArrayView line = data.sliced(from, nl - from);
        if (line.endsWith('\r'))
            line.chop(1);
        event += "data: ";
        event += line;
        event += '\n';
        from = nl + 1;
    } while (from < data.size());
    event += '\n';
    writeChunk(event);
}

void HttpExchange::endStream()
{
    if (m_state != State::Streaming)
        return;
    if (m_framing == HttpWire::Framing::Chunked)
        appendOut(HttpWire::lastChunk);
    m_state = State::Finished;
    push();
}

void HttpExchange::abortConnection()
{
    if (m_connection && m_connection->socket())
        m_connection->socket()->abort();
}

qint64 HttpExchange::pendingOutputBytes() const
{
    qint64 pending = m_out.size();
    if (m_connection && m_connection->isHeadOfQueue(this) && m_connection->socket())
        pending += m_connection->socket()->bytesToWrite();
    return pending;
}

void HttpExchange::detach(bool clientGone)
{
    m_connection = nullptr;
    if (!clientGone)
        return;
    const bool wasOpen = m_state != State::Finished;
    m_clientGone = true;
    m_out.clear();
    if (wasOpen)
        Q_EMIT clientDisconnected();
}

} // namespace RelayDesk::Relay
