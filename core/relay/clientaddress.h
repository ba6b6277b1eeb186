#pragma once
// The address a caller is checked by (IP allow-lists): the socket's peer, unless the peer is a trusted proxy —
// then the first untrusted hop of X-Forwarded-For, read from the right. Each proxy appends the address it saw, so
// only the right end of the header is written by hops we trust; the left end is whatever the client sent (taking
// it, as new-api's #6752 did, lets any client name its own address). Parsing is bounded: only the last
// kMaxHeaderBytes of the header and kMaxHops entries are read. An entry that is not an address ends the walk at the
// trusted hop that passed it on (never further left).
#include "common/cidr.h"

#include <QtCore/QByteArray>
#include <QtNetwork/QHostAddress>

namespace RelayDesk::Relay {

struct HttpRequest;

class ClientAddress final
{
public:
    static constexpr qsizetype kMaxHeaderBytes = 4096;
    static constexpr int kMaxHops = 32;

    // `forwardedFor`: every X-Forwarded-For field of the request, joined with ", " in arrival order.
    static QHostAddress resolve(const QHostAddress &peer, const QByteArray &forwardedFor,
                                const QList<Cidr> &trustedProxies);
    static QHostAddress of(const HttpRequest &request, const QList<Cidr> &trustedProxies);
    // One X-Forwarded-For entry: "203.0.113.7", "203.0.113.7:5000", "2001:db8::1", "[2001:db8::1]:443"; null else.
    static QHostAddress parseHop(QByteArrayView entry);
};

} // namespace RelayDesk::Relay
