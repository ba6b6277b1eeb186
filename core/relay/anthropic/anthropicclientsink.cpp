#include "relay/anthropic/anthropicclientsink.h"

#include "relay/anthropic/anthropicerror.h"
#include "relay/httpclientsink.h"

namespace RelayDesk::Relay {

AnthropicClientSink::AnthropicClientSink(HttpExchange &exchange, QObject *parent)
    : ClientSink(parent)
    , m_http(new HttpClientSink(exchange, this))
{
    connect(m_http, &ClientSink::gone, this, &ClientSink::gone);
    connect(m_http, &ClientSink::drained, this, &ClientSink::drained);
}

void AnthropicClientSink::writeStreamError(ClientSink &client, const OpenAiError &error)
{
    client.writeEvent("error", AnthropicError::toJson(error));
}

bool AnthropicClientSink::hasStarted() const
{
    return m_http->hasStarted();
}

bool AnthropicClientSink::isStreaming() const
{
    return m_http->isStreaming();
}

bool AnthropicClientSink::isGone() const
{
    return m_http->isGone();
}

void AnthropicClientSink::respond(int status, const QByteArray &body, Retry retry)
{
    m_http->respond(status, body, retry);
}

void AnthropicClientSink::respondError(const OpenAiError &error, Retry retry)
{
    if (m_http->isStreaming())
        return writeStreamError(*m_http, error);
    m_http->respond(AnthropicError::response(error), retry);
}

void AnthropicClientSink::addResponseHeader(const QByteArray &name, const QByteArray &value)
{
    m_http->addResponseHeader(name, value);
}

void AnthropicClientSink::beginEventStream()
{
    m_http->beginEventStream();
}

void AnthropicClientSink::writeEvent(QByteArrayView name, QByteArrayView data)
{
    m_http->writeEvent(name, data);
}

void AnthropicClientSink::endStream()
{
    m_http->endStream();
}

qint64 AnthropicClientSink::pendingOutputBytes() const
{
    return m_http->pendingOutputBytes();
}

} // namespace RelayDesk::Relay
