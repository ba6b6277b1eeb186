#include "http/httprequest.h"

namespace RelayDesk::Relay {

namespace {

bool sameName(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}

// Calls fn(trimmed part) for each comma-separated part of a header value; stops when fn returns true.
template<typename Fn>
bool anyCommaPart(QByteArrayView value, Fn fn)
{
    while (!value.isEmpty()) {
        const qsizetype comma = value.indexOf(',');
        const QByteArrayView part = comma < 0 ? value : value.first(comma);
        if (fn(part.trimmed()))
            return true;
        value = comma < 0 ? QByteArrayView() : value.sliced(comma + 1);
    }
    return false;
}

} // namespace

void HttpHeaders::set(const QByteArray &name, QByteArray value)
{
    remove(name);
    add(name, std::move(value));
}

void HttpHeaders::remove(QByteArrayView name)
{
    m_fields.removeIf([name](const Field &f) { return sameName(f.first, name); });
}

bool HttpHeaders::contains(QByteArrayView name) const
{
    for (const Field &f : m_fields) {
        if (sameName(f.first, name))
            return true;
    }
    return false;
}

QByteArray HttpHeaders::value(QByteArrayView name) const
{
    for (const Field &f : m_fields) {
        if (sameName(f.first, name))
            return f.second;
    }
    return {};
}

QByteArray HttpHeaders::combinedValue(QByteArrayView name) const
{
    QByteArray out;
    for (const Field &f : m_fields) {
        if (!sameName(f.first, name))
            continue;
        if (!out.isNull())
            out += ", ";
        out += f.second.isNull() ? QByteArray("") : f.second;
    }
    return out;
}

bool HttpHeaders::hasToken(QByteArrayView name, QByteArrayView token) const
{
    for (const Field &f : m_fields) {
        if (!sameName(f.first, name))
            continue;
        if (anyCommaPart(f.second, [token](QByteArrayView part) { return sameName(part, token); }))
            return true;
    }
    return false;
}

QString HttpRequest::queryItem(const QString &key) const
{
    const QUrlQuery q = queryItems();
    if (!q.hasQueryItem(key))
        return {};
    return q.queryItemValue(key, QUrl::FullyDecoded);
}

bool HttpRequest::isWebSocketUpgrade() const
{
    return headers.hasToken("Upgrade", "websocket") && headers.hasToken("Connection", "upgrade");
}

QList<QByteArray> HttpRequest::webSocketSubprotocols() const
{
    QList<QByteArray> out;
    for (const HttpHeaders::Field &f : headers.fields()) {
        if (!sameName(f.first, "Sec-WebSocket-Protocol"))
            continue;
        anyCommaPart(f.second, [&out](QByteArrayView part) {
            if (!part.isEmpty())
                out.append(part.toByteArray());
            return false;
        });
    }
    return out;
}

QByteArray HttpRequest::bearerToken() const
{
    const QByteArrayView v = QByteArrayView(headers.value("Authorization")).trimmed();
    if (v.size() < 7 || !sameName(v.first(7), "Bearer "))
        return {};
    return v.sliced(7).trimmed().toByteArray();
}

} // namespace RelayDesk::Relay
