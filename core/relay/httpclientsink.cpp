#include "relay/httpclientsink.h"

#include "http/httpexchange.h"

namespace RelayDesk::Relay {

HttpClientSink::HttpClientSink(HttpExchange &exchange, QObject *parent)
    : ClientSink(parent)
    , m_exchange(&exchange)
{
    connect(&exchange, &HttpExchange::clientDisconnected, this, &ClientSink::gone);
    connect(&exchange, &HttpExchange::outputDrained, this, &ClientSink::drained);
}

bool HttpClientSink::hasStarted() const
{
    return m_exchange && m_exchange->hasStarted();
}

bool HttpClientSink::isStreaming() const
{
    return m_exchange && m_exchange->isStreaming();
}

bool HttpClientSink::isGone() const
{
    return !m_exchange || m_exchange->isClientGone();
}

HttpResponse HttpClientSink::complete(HttpResponse response, Retry retry)
{
    for (const auto &[name, value] : m_headers.fields())
        response.headers.set(name, value);
    if (retry == ClientSink::Retry::Never)
        response.headers.set(QByteArrayLiteral("x-should-retry"), QByteArrayLiteral("false"));
    return response;
}

void HttpClientSink::addResponseHeader(const QByteArray &name, const QByteArray &value)
{
    m_headers.set(name, value);
}

void HttpClientSink::respond(int status, const QByteArray &body, Retry retry)
{
    if (m_exchange && !m_exchange->hasStarted())
        m_exchange->respond(complete(HttpResponse::json(status, body), retry));
}

void HttpClientSink::respond(HttpResponse response, Retry retry)
{
    if (m_exchange && !m_exchange->hasStarted())
        m_exchange->respond(complete(std::move(response), retry));
}

void HttpClientSink::respondError(const OpenAiError &error, Retry retry)
{
    if (m_exchange && !m_exchange->hasStarted())
        m_exchange->respond(complete(HttpResponse::error(error), retry));
}

void HttpClientSink::beginEventStream()
{
    if (m_exchange)
        m_exchange->beginEventStream();
}

void HttpClientSink::writeEvent(QByteArrayView name, QByteArrayView data)
{
    if (!m_exchange)
        return;
    if (name.isEmpty())
        m_exchange->writeEvent(data);
    else
        m_exchange->writeEvent(name, data);
}

void HttpClientSink::endStream()
{
    if (m_exchange)
        m_exchange->endStream();
}

void HttpClientSink::beginRawStream(const QByteArray &contentType)
{
    if (!m_exchange)
        return;
    HttpHeaders headers;
    headers.set("Content-Type", contentType.isEmpty() ? QByteArrayLiteral("application/octet-stream") : contentType);
    m_exchange->beginStream(200, std::move(headers));
}

void HttpClientSink::writeRaw(QByteArrayView data)
{
    if (m_exchange && !data.isEmpty())
        m_exchange->writeChunk(data);
}

void HttpClientSink::abortRawStream()
{
    if (m_exchange)
        m_exchange->abortConnection();
}

qint64 HttpClientSink::pendingOutputBytes() const
{
    return m_exchange ? m_exchange->pendingOutputBytes() : 0;
}

} // namespace RelayDesk::Relay
