#include "relay/upstreampool.h"

#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QNetworkRequest>

namespace RelayDesk::Relay {

UpstreamPool::UpstreamPool(Options options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    const int n = std::max(1, m_options.managers);
    for (int i = 0; i < n; ++i) {
        auto *nam = new QNetworkAccessManager(this);
        // The relay never follows redirects to other hosts with the channel secret.
        nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        m_managers.append(nam);
    }
}

UpstreamPool::~UpstreamPool() = default;

QNetworkReply *UpstreamPool::postJson(const QUrl &url, const QByteArray &body, const QByteArray &bearer,
                                      bool expectEventStream)
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Accept", expectEventStream ? "text/event-stream" : "application/json");
    if (!bearer.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + bearer);
    request.setTransferTimeout(static_cast<int>(m_options.transferTimeout.count()));
    // Chunks must reach the client as they arrive; HTTP/2 negotiation adds nothing on loopback/plain HTTP.
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    QNetworkAccessManager *nam = m_managers.at(m_next);
    m_next = (m_next + 1) % m_managers.size();
    QNetworkReply *reply = nam->post(request, body);
    // Bounded: when the relay stops reading (slow client), QNAM stops reading the upstream socket.
    reply->setReadBufferSize(1 << 20);
    return reply;
}

QUrl UpstreamPool::endpoint(const QString &baseUrl, QByteArrayView pathAfterV1)
{
    QString base = baseUrl.trimmed();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    if (!base.endsWith(QLatin1StringView("/v1")))
        base += QLatin1StringView("/v1");
    return QUrl(base + QLatin1Char('/') + QString::fromLatin1(pathAfterV1));
}

} // namespace RelayDesk::Relay
