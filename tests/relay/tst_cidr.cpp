// Cidr: parsing IP list entries (IPv4, IPv6, bare addresses, netmasks, IPv4-mapped IPv6) into canonical networks,
// refusing what is not one, and matching addresses — mapped addresses as the IPv4 they carry, /0 as everything.
#include "common/cidr.h"

#include <QtTest/QtTest>

using namespace RelayDesk;

class TestCidr final : public QObject
{
    Q_OBJECT

private slots:
    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("canonical"); // empty: refused
        QTest::newRow("IPv4 network") << "10.0.0.0/8" << "10.0.0.0/8";
        QTest::newRow("IPv4 host bits cleared") << "192.168.1.77/24" << "192.168.1.0/24";
        QTest::newRow("bare IPv4 is /32") << "203.0.113.7" << "203.0.113.7/32";
        QTest::newRow("spaces trimmed") << "  203.0.113.7/32 " << "203.0.113.7/32";
        QTest::newRow("IPv4 netmask") << "172.16.0.0/255.240.0.0" << "172.16.0.0/12";
        QTest::newRow("IPv4 /0") << "0.0.0.0/0" << "0.0.0.0/0";
        QTest::newRow("IPv6 network") << "2001:db8::/32" << "2001:db8::/32";
        QTest::newRow("IPv6 host bits cleared") << "2001:db8:1:2::99/64" << "2001:db8:1:2::/64";
        QTest::newRow("bare IPv6 is /128") << "::1" << "::1/128";
        QTest::newRow("IPv6 upper case") << "2001:DB8::1" << "2001:db8::1/128";
        QTest::newRow("IPv6 /0") << "::/0" << "::/0";
        QTest::newRow("mapped address is IPv4") << "::ffff:127.0.0.1" << "127.0.0.1/32";
        QTest::newRow("mapped network is IPv4") << "::ffff:10.0.0.0/104" << "10.0.0.0/8";
        QTest::newRow("all mapped = all IPv4") << "::ffff:0:0/96" << "0.0.0.0/0";
        QTest::newRow("bad: empty") << "" << "";
        QTest::newRow("bad: word") << "localhost" << "";
        QTest::newRow("bad: partial IPv4") << "10" << "";
        QTest::newRow("bad: partial IPv4 network") << "10.1/16" << "";
        QTest::newRow("bad: octet out of range") << "256.1.1.1" << "";
        QTest::newRow("bad: IPv4 prefix 33") << "10.0.0.0/33" << "";
        QTest::newRow("bad: IPv6 prefix 129") << "2001:db8::/129" << "";
        QTest::newRow("bad: negative prefix") << "10.0.0.0/-1" << "";
        QTest::newRow("bad: empty prefix") << "10.0.0.0/" << "";
        QTest::newRow("bad: prefix not a number") << "10.0.0.0/eight" << "";
        QTest::newRow("bad: IPv6 with a netmask") << "2001:db8::/255.0.0.0" << "";
        QTest::newRow("bad: non-contiguous netmask") << "10.0.0.0/255.0.255.0" << "";
        QTest::newRow("bad: scope id") << "fe80::1%eth0" << "";
        QTest::newRow("bad: two slashes") << "10.0.0.0/8/8" << "";
        QTest::newRow("bad: huge prefix digits") << "10.0.0.0/0008" << "";
    }

    void parse()
    {
        QFETCH(QString, text);
        QFETCH(QString, canonical);
        const auto cidr = Cidr::parse(text);
        QCOMPARE(cidr ? cidr->toString() : QString(), canonical);
        if (cidr) // canonical text parses to itself
            QCOMPARE(Cidr::parse(cidr->toString())->toString(), canonical);
    }

    void contains_data()
    {
        QTest::addColumn<QString>("cidr");
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("in");
        QTest::newRow("v4 inside") << "10.0.0.0/8" << "10.200.3.4" << true;
        QTest::newRow("v4 first") << "10.0.0.0/8" << "10.0.0.0" << true;
        QTest::newRow("v4 last") << "10.0.0.0/8" << "10.255.255.255" << true;
        QTest::newRow("v4 just outside") << "10.0.0.0/8" << "11.0.0.0" << false;
        QTest::newRow("v4 /32 itself") << "127.0.0.1" << "127.0.0.1" << true;
        QTest::newRow("v4 /32 neighbour") << "127.0.0.1" << "127.0.0.2" << false;
        QTest::newRow("v4 /0 everything v4") << "0.0.0.0/0" << "198.51.100.1" << true;
        QTest::newRow("v4 /0 not v6") << "0.0.0.0/0" << "2001:db8::1" << false;
        QTest::newRow("v4 /0 mapped peer") << "0.0.0.0/0" << "::ffff:198.51.100.1" << true;
        QTest::newRow("mapped peer in v4 list") << "127.0.0.1" << "::ffff:127.0.0.1" << true;
        QTest::newRow("mapped peer outside v4 list") << "10.0.0.0/8" << "::ffff:127.0.0.1" << false;
        QTest::newRow("v4 peer in mapped entry") << "::ffff:127.0.0.1" << "127.0.0.1" << true;
        QTest::newRow("v6 inside") << "2001:db8::/32" << "2001:db8:ffff::1" << true;
        QTest::newRow("v6 outside") << "2001:db8::/32" << "2001:db9::1" << false;
        QTest::newRow("v6 /128") << "::1" << "::1" << true;
        QTest::newRow("v6 /128 not v4 loopback") << "::1" << "127.0.0.1" << false;
        QTest::newRow("v6 scope id ignored") << "fe80::/10" << "fe80::1%lo" << true;
        QTest::newRow("v6 /0 everything") << "::/0" << "2001:db8::1" << true;
        QTest::newRow("v6 /0 holds v4 as mapped") << "::/0" << "127.0.0.1" << true;
        QTest::newRow("v6 entry not v4 outside the mapped range") << "2001:db8::/32" << "127.0.0.1" << false;
        QTest::newRow("v4 list not v6 peer") << "127.0.0.0/8" << "::1" << false;
    }

    void contains()
    {
        QFETCH(QString, cidr);
        QFETCH(QString, address);
        QFETCH(bool, in);
        const auto c = Cidr::parse(cidr);
        QVERIFY(c);
        QCOMPARE(c->contains(QHostAddress(address)), in);
    }

    void nothingIsInAnInvalidEntryOrANullAddress()
    {
        QVERIFY(!Cidr().isValid());
        QVERIFY(!Cidr().contains(QHostAddress(QStringLiteral("127.0.0.1"))));
        QVERIFY(!Cidr::parse(QStringLiteral("0.0.0.0/0"))->contains(QHostAddress()));
        QVERIFY(!Cidr::anyContains({}, QHostAddress(QStringLiteral("127.0.0.1"))));
    }

    void parseList_data()
    {
        QTest::addColumn<QStringList>("texts");
        QTest::addColumn<QStringList>("canonical");
        QTest::addColumn<QString>("error"); // part of the message; empty: accepted
        QTest::newRow("empty") << QStringList() << QStringList() << "";
        QTest::newRow("in order") << QStringList{"10.0.0.0/8", "::1"} << QStringList{"10.0.0.0/8", "::1/128"} << "";
        QTest::newRow("duplicates dropped") << QStringList{"10.1.2.3/8", "10.0.0.0/8", "::ffff:10.0.0.0/104"}
                                            << QStringList{"10.0.0.0/8"} << "";
        QTest::newRow("one bad refuses all") << QStringList{"10.0.0.0/8", "10.0.0.300"} << QStringList()
                                             << "'10.0.0.300' is not an IP address or CIDR";
    }

    void parseList()
    {
        QFETCH(QStringList, texts);
        QFETCH(QStringList, canonical);
        QFETCH(QString, error);
        QString message;
        const auto list = Cidr::parseList(texts, &message);
        QCOMPARE(bool(list), error.isEmpty());
        if (list)
            QCOMPARE(Cidr::toStrings(*list), canonical);
        else
            QVERIFY2(message.contains(error), qPrintable(message));
    }

    void aListIsBounded()
    {
        QStringList many;
        for (int i = 0; i <= Cidr::kMaxListEntries; ++i)
            many << QStringLiteral("10.0.%1.%2").arg(i / 256).arg(i % 256);
        QString error;
        QVERIFY(!Cidr::parseList(many, &error));
        QVERIFY2(error.contains(QStringLiteral("at most")), qPrintable(error));
        many.removeLast();
        QVERIFY(Cidr::parseList(many, &error));
    }
};

QTEST_GUILESS_MAIN(TestCidr)
#include "tst_cidr.moc"
