#include "relay/upstreamforward.h"

#include "http/httpexchange.h"
#include "relay/secretscrubber.h"
#include "relay/upstreamurl.h"

namespace RelayDesk::Relay {

void UpstreamForward::start(UpstreamClient &client, HttpExchange &exchange, const Store::Channel &channel,
                            QByteArrayView method, const QString &pathAfterV1, const QByteArray &query,
                            const QByteArray &body, Done done)
{
    start(client, exchange, channel, method, pathAfterV1, query, Outgoing{body, channel.secret.toUtf8(), {}},
          std::move(done));
}

void UpstreamForward::start(UpstreamClient &client, HttpExchange &exchange, const Store::Channel &channel,
                            QByteArrayView method, const QString &pathAfterV1, const QByteArray &query,
                            Outgoing outgoing, Done done)
{
    auto *forward = new UpstreamForward(exchange, channel, std::move(done));
    forward->m_writeError = std::move(outgoing.writeError);
    QUrl url = upstreamApiUrl(channel.baseUrl, pathAfterV1);
    if (!query.isEmpty())
        url.setQuery(QString::fromUtf8(query), QUrl::StrictMode);
    const bool stream = exchange.request().queryItem(QStringLiteral("stream")) == QLatin1StringView("true");
    forward->m_reply = client.send(method, url, std::move(outgoing.body), outgoing.bearer, stream);
    connect(forward->m_reply, &UpstreamReply::readyRead, forward, &UpstreamForward::onReadyRead);
    connect(forward->m_reply, &UpstreamReply::finished, forward, &UpstreamForward::onFinished);
}

UpstreamForward::UpstreamForward(HttpExchange &exchange, Store::Channel channel, Done done)
    : QObject(&exchange)
    , m_exchange(&exchange)
    , m_channel(std::move(channel))
    , m_done(std::move(done))
{
    // The exchange owns this forward: a client that leaves takes the upstream transfer with it.
    connect(&exchange, &HttpExchange::outputDrained, this, [this] {
        if (m_streaming)
            onReadyRead();
    });
}

UpstreamForward::~UpstreamForward()
{
    if (m_reply) { // the client left first
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void UpstreamForward::onReadyRead()
{
    if (!m_exchange || !m_reply || m_reply->status() != 200 ||
        !m_reply->contentType().startsWith("text/event-stream"))
        return; // a complete body is read in onFinished
    if (!m_streaming) {
        m_streaming = true;
        m_exchange->beginEventStream();
    }
    if (m_exchange->pendingOutputBytes() > kMaxClientBacklog)
        return; // resumed on outputDrained
    const QByteArray bytes = m_reply->readAll();
    if (!bytes.isEmpty())
        m_exchange->writeChunk(SecretScrubber::scrub(bytes, m_channel.secret.toUtf8()));
    if (m_upstreamFinished && m_reply->bytesAvailable() == 0)
        finish();
}

void UpstreamForward::onFinished()
{
    m_upstreamFinished = true;
    if (m_streaming)
        return onReadyRead();
    const int status = m_reply->status();
    const QByteArray body = m_reply->readAll();
    if (m_exchange) {
        if (status == 0) {
            const QString why = SecretScrubber::scrub(m_reply->errorString(), m_channel.secret);
            respondError(m_reply->error() == UpstreamReply::Error::Timeout
                             ? OpenAiError::gatewayTimeout(QStringLiteral("The upstream timed out."))
                             : OpenAiError::badGateway(QStringLiteral("The upstream is unreachable: %1").arg(why)));
        } else if (status == 401 || status == 403) {
            respondError(OpenAiError::upstreamAuthFailed(m_channel.name, status));
        } else {
            m_exchange->respond(status, SecretScrubber::scrub(body, m_channel.secret.toUtf8()));
            if (m_done)
                m_done(status, body);
        }
    }
    finish();
}

void UpstreamForward::respondError(const OpenAiError &error)
{
    if (m_writeError)
        m_writeError(*m_exchange, error);
    else
        m_exchange->respondError(error);
}

void UpstreamForward::finish()
{
    if (m_streaming && m_exchange && m_exchange->isStreaming())
        m_exchange->endStream();
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->deleteLater();
        m_reply = nullptr;
    }
    deleteLater();
}

} // namespace RelayDesk::Relay
