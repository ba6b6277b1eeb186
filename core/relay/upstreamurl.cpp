#include "relay/upstreamurl.h"

#include <QtCore/QUrlQuery>

namespace RelayDesk::Relay {

namespace {

// The base's path without trailing slashes and without a final "/v1": where "/v1/…" goes.
QUrl apiRoot(const QString &channelBaseUrl)
{
    QUrl url(channelBaseUrl.trimmed());
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    if (path.endsWith(u"/v1"))
        path.chop(3);
    url.setPath(path);
    return url;
}

} // namespace

QUrl upstreamApiUrl(const QString &channelBaseUrl, QStringView pathAfterV1)
{
    QUrl url = apiRoot(channelBaseUrl);
    url.setPath(url.path() + QStringLiteral("/v1/") + pathAfterV1.toString());
    return url;
}

QUrl upstreamRealtimeUrl(const QString &channelBaseUrl, const QByteArray &clientQuery, const QString &upstreamModel)
{
    QUrl url = upstreamApiUrl(channelBaseUrl, u"realtime");
    if (url.scheme() == u"https")
        url.setScheme(QStringLiteral("wss"));
    else if (url.scheme() == u"http")
        url.setScheme(QStringLiteral("ws"));
    QUrlQuery query(QString::fromUtf8(clientQuery));
    query.removeAllQueryItems(QStringLiteral("model"));
    QUrlQuery mapped;
    if (!upstreamModel.isEmpty())
        mapped.addQueryItem(QStringLiteral("model"), upstreamModel);
    for (const auto &item : query.queryItems(QUrl::FullyEncoded))
        mapped.addQueryItem(item.first, item.second);
    url.setQuery(mapped.query(QUrl::FullyEncoded), QUrl::StrictMode);
    return url;
}

} // namespace RelayDesk::Relay
