#pragma once
// One entry of an IP list (allow-lists of keys and users, trusted proxies): an IPv4 or IPv6 network and its prefix
// length. A bare address is a /32 or /128. IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address it maps, on both
// sides: a mapped network with a prefix of 96 or more is stored as the IPv4 network, and an IPv4 address is also
// matched as its mapped form against IPv6 networks (so ::/0 is everything, ::ffff:0:0/96 every IPv4 address).
// Pure, no I/O.
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtNetwork/QHostAddress>

#include <optional>

namespace RelayDesk {

class Cidr final
{
public:
    static constexpr int kMaxListEntries = 256; // entries one list may hold

    Cidr() = default; // matches nothing (a stored entry that no longer parses keeps its list closed)

    // "10.0.0.0/8", "2001:db8::/32", "192.0.2.7", "10.0.0.0/255.0.0.0"; host bits are cleared. nullopt when the
    // address part is not a complete address or the prefix is out of range.
    static std::optional<Cidr> parse(const QString &text);
    // The entries of `texts` (each trimmed), in order and without duplicates; nullopt with *error naming the bad one.
    static std::optional<QList<Cidr>> parseList(const QStringList &texts, QString *error);
    // The address as compared: IPv4-mapped IPv6 as IPv4, without a scope id.
    static QHostAddress normalized(const QHostAddress &address);

    bool isValid() const { return m_prefix >= 0; }
    bool contains(const QHostAddress &address) const;
    static bool anyContains(const QList<Cidr> &list, const QHostAddress &address);
    // The canonical text: "10.0.0.0/8", "2001:db8::/32" (a single address too keeps its prefix).
    QString toString() const;
    static QStringList toStrings(const QList<Cidr> &list);

    bool operator==(const Cidr &other) const { return m_prefix == other.m_prefix && m_network == other.m_network; }

private:
    Cidr(QHostAddress network, int prefix) : m_network(std::move(network)), m_prefix(prefix) {}

    QHostAddress m_network;
    int m_prefix = -1;
};

} // namespace RelayDesk
