#pragma once
// A parsed HTTP request as a plain value: cheap to move, safe to copy into a lambda, no socket inside.
#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QHostAddress>

#include <utility>

namespace RelayDesk::Relay {

// Header fields in arrival order. Names keep their spelling; lookups ignore ASCII case.
// A request has a handful of headers, so a flat list beats a hash here.
class HttpHeaders final
{
public:
    using Field = std::pair<QByteArray, QByteArray>;

    void add(QByteArray name, QByteArray value) { m_fields.emplaceBack(std::move(name), std::move(value)); }
    // Replaces every field called `name` by one field (or adds it).
    void set(const QByteArray &name, QByteArray value);
    void remove(QByteArrayView name);
    bool contains(QByteArrayView name) const;
    // First value, or a null QByteArray when absent.
    QByteArray value(QByteArrayView name) const;
    // All values joined with ", " (the list form of a repeated header).
    QByteArray combinedValue(QByteArrayView name) const;
    // True when a comma-separated header contains `token` (case-insensitive), e.g. Connection: keep-alive, Upgrade.
    bool hasToken(QByteArrayView name, QByteArrayView token) const;

    const QList<Field> &fields() const { return m_fields; }
    QList<Field> &fields() { return m_fields; }
    qsizetype size() const { return m_fields.size(); }
    bool isEmpty() const { return m_fields.isEmpty(); }
    void clear() { m_fields.clear(); }

private:
    QList<Field> m_fields;
};

struct HttpRequest final
{
    QByteArray method;  // "GET", "POST", ...
    QByteArray target;  // request-target as sent: "/v1/chat/completions?x=1"
    QByteArray path;    // target without the query, not percent-decoded (routes match exact bytes)
    QByteArray query;   // raw query string without '?'
    HttpHeaders headers;
    QByteArray body;    // de-chunked
    int versionMajor = 1;
    int versionMinor = 1;
    bool keepAlive = true; // what the client asked for (HTTP/1.0 defaults to close)
    QHostAddress peerAddress;
    quint16 peerPort = 0;

    QByteArray header(QByteArrayView name) const { return headers.value(name); }
    QUrlQuery queryItems() const { return QUrlQuery(QString::fromUtf8(query)); }
    // Decoded value of a query parameter (null when absent).
    QString queryItem(const QString &key) const;
    bool isHead() const { return method == "HEAD"; }
    bool isHttp10() const { return versionMajor == 1 && versionMinor == 0; }
    // `Upgrade: websocket` together with `Connection: upgrade`.
    bool isWebSocketUpgrade() const;
    // Subprotocols from Sec-WebSocket-Protocol, in client preference order.
    QList<QByteArray> webSocketSubprotocols() const;
    // Token from "Authorization: Bearer <token>" (empty when absent or another scheme).
    QByteArray bearerToken() const;
};

} // namespace RelayDesk::Relay
