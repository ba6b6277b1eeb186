// ClientAddress: which address an IP allow-list checks. The peer itself unless it is a trusted proxy; behind trusted
// proxies, the first X-Forwarded-For hop from the right that is not trusted — never a left-most entry the client
// wrote (new-api #6752). Chains of proxies, several header fields, ports and brackets, garbage and oversized headers.
#include "http/httprequest.h"
#include "relay/clientaddress.h"

#include <QtTest/QtTest>

using namespace RelayDesk;
using RelayDesk::Relay::ClientAddress;

namespace {

QList<Cidr> cidrs(const QStringList &texts)
{
    QString error;
    return Cidr::parseList(texts, &error).value_or(QList<Cidr>());
}

} // namespace

class TestClientAddress final : public QObject
{
    Q_OBJECT

private slots:
    void resolve_data()
    {
        QTest::addColumn<QString>("peer");
        QTest::addColumn<QByteArray>("forwardedFor"); // as joined from every field
        QTest::addColumn<QStringList>("trusted");
        QTest::addColumn<QString>("seen");
        const QStringList lo{"127.0.0.1"};
        const QStringList proxies{"10.0.0.0/8", "127.0.0.1"};
        QTest::newRow("no header: the peer") << "198.51.100.7" << QByteArray() << lo << "198.51.100.7";
        QTest::newRow("no trusted proxy: the header is ignored") << "127.0.0.1" << QByteArray("203.0.113.9")
                                                                 << QStringList() << "127.0.0.1";
        QTest::newRow("untrusted peer: its header is ignored") << "198.51.100.7" << QByteArray("203.0.113.9") << lo
                                                               << "198.51.100.7";
        QTest::newRow("mapped peer is trusted as IPv4") << "::ffff:127.0.0.1" << QByteArray("203.0.113.9") << lo
                                                        << "203.0.113.9";
        QTest::newRow("mapped untrusted peer is shown as IPv4") << "::ffff:198.51.100.7" << QByteArray() << lo
                                                                << "198.51.100.7";
        QTest::newRow("behind a trusted proxy: the hop it saw") << "127.0.0.1" << QByteArray("203.0.113.9") << lo
                                                                << "203.0.113.9";
        QTest::newRow("spoofed left-most entries ignored") << "127.0.0.1" << QByteArray("10.1.1.1, 1.2.3.4, 203.0.113.9")
                                                           << lo << "203.0.113.9";
        QTest::newRow("chain of trusted proxies") << "127.0.0.1" << QByteArray("6.6.6.6, 203.0.113.9, 10.0.0.2, 10.9.9.9")
                                                  << proxies << "203.0.113.9";
        QTest::newRow("spoofed entry inside the trusted range left of the client")
            << "127.0.0.1" << QByteArray("10.0.0.5, 203.0.113.9, 10.0.0.2") << proxies << "203.0.113.9";
        QTest::newRow("every hop trusted: the left-most") << "127.0.0.1" << QByteArray("10.0.0.3, 10.0.0.2") << proxies
                                                          << "10.0.0.3";
        QTest::newRow("several fields joined") << "127.0.0.1" << QByteArray("1.2.3.4, 203.0.113.9, 10.0.0.2") << proxies
                                               << "203.0.113.9";
        QTest::newRow("IPv6 hop") << "127.0.0.1" << QByteArray("2001:db8::7") << lo << "2001:db8::7";
        QTest::newRow("bracketed IPv6 with port") << "127.0.0.1" << QByteArray("[2001:db8::7]:443") << lo << "2001:db8::7";
        QTest::newRow("IPv4 with port") << "127.0.0.1" << QByteArray("203.0.113.9:5000") << lo << "203.0.113.9";
        QTest::newRow("mapped hop shown as IPv4") << "127.0.0.1" << QByteArray("::ffff:203.0.113.9") << lo << "203.0.113.9";
        QTest::newRow("garbage right-most: the proxy itself") << "127.0.0.1" << QByteArray("203.0.113.9, unknown") << lo
                                                              << "127.0.0.1";
        QTest::newRow("garbage left of the client: ignored") << "127.0.0.1" << QByteArray("<script>, 203.0.113.9") << lo
                                                             << "203.0.113.9";
        QTest::newRow("garbage behind a trusted hop: that hop") << "127.0.0.1" << QByteArray("nonsense, 10.0.0.2")
                                                                << proxies << "10.0.0.2";
        QTest::newRow("empty entry") << "127.0.0.1" << QByteArray("203.0.113.9, ") << lo << "127.0.0.1";
        QTest::newRow("a network is not an address") << "127.0.0.1" << QByteArray("10.0.0.0/8") << lo << "127.0.0.1";
        QTest::newRow("partial IPv4 is not an address") << "127.0.0.1" << QByteArray("10") << lo << "127.0.0.1";
        QTest::newRow("unclosed bracket") << "127.0.0.1" << QByteArray("[2001:db8::7") << lo << "127.0.0.1";
        QTest::newRow("spaces around") << "127.0.0.1" << QByteArray("  203.0.113.9  ") << lo << "203.0.113.9";
    }

    void resolve()
    {
        QFETCH(QString, peer);
        QFETCH(QByteArray, forwardedFor);
        QFETCH(QStringList, trusted);
        QFETCH(QString, seen);
        QCOMPARE(ClientAddress::resolve(QHostAddress(peer), forwardedFor, cidrs(trusted)).toString(), seen);
    }

    void anOversizedHeaderIsReadFromTheRightOnly()
    {
        // Megabytes of client-written entries before the proxy's: only the right end is read.
        QByteArray header;
        while (header.size() < 1 << 20)
            header += "1.1.1.1, ";
        header += "203.0.113.9";
        QCOMPARE(ClientAddress::resolve(QHostAddress(QStringLiteral("127.0.0.1")), header, cidrs({"127.0.0.1"})).toString(),
                 QStringLiteral("203.0.113.9"));
        // A cut header whose every complete entry is trusted ends at the left-most complete one, not at the fragment.
        QByteArray trustedChain;
        while (trustedChain.size() < ClientAddress::kMaxHeaderBytes + 100)
            trustedChain += "10.0.0.1, ";
        trustedChain += "10.0.0.2";
        QCOMPARE(ClientAddress::resolve(QHostAddress(QStringLiteral("127.0.0.1")), trustedChain,
                                        cidrs({"127.0.0.1", "10.0.0.0/8"})).toString(),
                 QStringLiteral("10.0.0.1"));
    }

    void atMostMaxHopsAreWalked()
    {
        QByteArrayList hops{"203.0.113.9"};
        for (int i = 0; i < ClientAddress::kMaxHops + 5; ++i)
            hops << "10.0.0." + QByteArray::number(i + 1);
        const QString seen = ClientAddress::resolve(QHostAddress(QStringLiteral("127.0.0.1")), hops.join(", "),
                                                    cidrs({"127.0.0.1", "10.0.0.0/8"})).toString();
        // kMaxHops entries read from the right; the walk stops at a trusted hop rather than read further.
        QCOMPARE(seen, QStringLiteral("10.0.0.%1").arg(ClientAddress::kMaxHops + 5 - ClientAddress::kMaxHops + 1));
    }

    void ofReadsEveryForwardedForField()
    {
        Relay::HttpRequest request;
        request.peerAddress = QHostAddress(QStringLiteral("127.0.0.1"));
        request.headers.add("X-Forwarded-For", "6.6.6.6");
        request.headers.add("x-forwarded-for", "203.0.113.9");
        QCOMPARE(ClientAddress::of(request, cidrs({"127.0.0.1"})).toString(), QStringLiteral("203.0.113.9"));
        QCOMPARE(ClientAddress::of(request, {}).toString(), QStringLiteral("127.0.0.1"));
    }
};

QTEST_GUILESS_MAIN(TestClientAddress)
#include "tst_clientaddress.moc"
