#include "cidr.h"

namespace RelayDesk {
namespace {

constexpr int kMappedPrefix = 96; // ::ffff:0:0/96 holds the IPv4-mapped addresses

bool isMapped(const QHostAddress &address)
{
    bool ok = false;
    address.toIPv4Address(&ok);
    return ok && address.protocol() == QAbstractSocket::IPv6Protocol;
}

QHostAddress mappedForm(const QHostAddress &ipv4)
{
    const quint32 v4 = ipv4.toIPv4Address();
    Q_IPV6ADDR v6{};
    v6[10] = v6[11] = 0xff;
    for (int i = 0; i < 4; ++i)
        v6[12 + i] = quint8(v4 >> (24 - 8 * i));
    return QHostAddress(v6);
}

// A complete address (not Qt's partial IPv4 forms like "10" or "10.1").
std::optional<QHostAddress> parseAddress(const QString &text)
{
    if (text.contains(u'%'))
        return std::nullopt; // a scope id names an interface of one host, never a network
    if (!text.contains(u':') && text.count(u'.') != 3)
        return std::nullopt;
    QHostAddress address;
    if (!address.setAddress(text))
        return std::nullopt;
    return address;
}

} // namespace

QHostAddress Cidr::normalized(const QHostAddress &address)
{
    if (isMapped(address))
        return QHostAddress(address.toIPv4Address());
    QHostAddress out = address;
    out.setScopeId(QString());
    return out;
}

std::optional<Cidr> Cidr::parse(const QString &input)
{
    const QString text = input.trimmed();
    const qsizetype slash = text.indexOf(u'/');
    const auto address = parseAddress(slash < 0 ? text : text.left(slash));
    if (!address)
        return std::nullopt;
    const bool v4 = address->protocol() == QAbstractSocket::IPv4Protocol;
    std::pair<QHostAddress, int> subnet{*address, v4 ? 32 : 128};
    if (slash >= 0) {
        const QString mask = text.mid(slash + 1);
        // Digits (a prefix length) or, for IPv4, a dotted netmask; parseSubnet checks the range and clears host bits.
        if (mask.isEmpty() || (mask.contains(u'.') ? !v4 || mask.count(u'.') != 3 : mask.size() > 3))
            return std::nullopt;
        subnet = QHostAddress::parseSubnet(text);
        if (subnet.second < 0 || subnet.first.isNull())
            return std::nullopt;
    }
    auto [network, prefix] = subnet;
    if (isMapped(network) && prefix >= kMappedPrefix)
        return Cidr(QHostAddress(network.toIPv4Address()), prefix - kMappedPrefix);
    // Host bits cleared here too: a bare address has none, and this keeps the canonical text independent of Qt.
    return Cidr(QHostAddress::parseSubnet(network.toString() + u'/' + QString::number(prefix)).first, prefix);
}

std::optional<QList<Cidr>> Cidr::parseList(const QStringList &texts, QString *error)
{
    QList<Cidr> out;
    for (const QString &text : texts) {
        const auto cidr = parse(text);
        if (!cidr) {
            *error = QStringLiteral("'%1' is not an IP address or CIDR (like 203.0.113.7, 10.0.0.0/8 or 2001:db8::/32)")
                         .arg(text.trimmed());
            return std::nullopt;
        }
        if (!out.contains(*cidr))
            out << *cidr;
    }
    if (out.size() > kMaxListEntries) {
        *error = QStringLiteral("an IP list holds at most %1 entries (got %2)").arg(kMaxListEntries).arg(out.size());
        return std::nullopt;
    }
    return out;
}

bool Cidr::contains(const QHostAddress &input) const
{
    if (!isValid() || input.isNull())
        return false;
    const QHostAddress address = normalized(input);
    const bool networkV4 = m_network.protocol() == QAbstractSocket::IPv4Protocol;
    const bool addressV4 = address.protocol() == QAbstractSocket::IPv4Protocol;
    if (networkV4 != addressV4) {
        if (networkV4)
            return false; // an IPv6 address is in no IPv4 network
        return mappedForm(address).isInSubnet(m_network, m_prefix);
    }
    return address.isInSubnet(m_network, m_prefix);
}

bool Cidr::anyContains(const QList<Cidr> &list, const QHostAddress &address)
{
    for (const Cidr &c : list)
        if (c.contains(address))
            return true;
    return false;
}

QString Cidr::toString() const
{
    return isValid() ? m_network.toString() + u'/' + QString::number(m_prefix) : QString();
}

QStringList Cidr::toStrings(const QList<Cidr> &list)
{
    QStringList out;
    for (const Cidr &c : list)
        out << c.toString();
    return out;
}

} // namespace RelayDesk
