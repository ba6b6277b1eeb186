#include "relay/clientaddress.h"

#include "http/httprequest.h"

namespace RelayDesk::Relay {

QHostAddress ClientAddress::parseHop(QByteArrayView raw)
{
    QByteArrayView entry = raw.trimmed();
    if (entry.startsWith('[')) {
        const qsizetype close = entry.indexOf(']');
        if (close < 0 || (close + 1 < entry.size() && entry[close + 1] != ':'))
            return {};
        entry = entry.sliced(1, close - 1);
    } else if (entry.count(':') == 1) {
        entry = entry.first(entry.indexOf(':')); // IPv4 with a port
    }
    if (entry.isEmpty() || entry.size() > 64 || entry.contains('/'))
        return {}; // a network is not an address
    const QString text = QString::fromLatin1(entry);
    QHostAddress address;
    if (!Cidr::parse(text) || !address.setAddress(text))
        return {};
    return Cidr::normalized(address);
}

QHostAddress ClientAddress::resolve(const QHostAddress &peer, const QByteArray &forwardedFor,
                                    const QList<Cidr> &trustedProxies)
{
    QHostAddress hop = Cidr::normalized(peer);
    if (forwardedFor.isEmpty() || !Cidr::anyContains(trustedProxies, hop))
        return hop;
    QByteArrayView header(forwardedFor);
    bool cut = false;
    if (header.size() > kMaxHeaderBytes) {
        header = header.last(kMaxHeaderBytes);
        cut = true;
    }
    int hops = 0;
    qsizetype end = header.size();
    while (end >= 0 && hops < kMaxHops) {
        const qsizetype comma = header.first(end).lastIndexOf(',');
        if (comma < 0 && cut)
            break; // the left-most piece of a cut header may be a fragment
        const QHostAddress next = parseHop(header.sliced(comma + 1, end - comma - 1));
        if (next.isNull())
            break; // garbage: what `hop` said cannot be read, so `hop` is the caller
        hop = next;
        ++hops;
        if (!Cidr::anyContains(trustedProxies, hop))
            break;
        end = comma;
    }
    return hop;
}

QHostAddress ClientAddress::of(const HttpRequest &request, const QList<Cidr> &trustedProxies)
{
    return resolve(request.peerAddress, request.headers.combinedValue("x-forwarded-for"), trustedProxies);
}

} // namespace RelayDesk::Relay
