// Rate limits on Realtime: a session holds its reservation while it is open, so it counts toward the owner's
// concurrency limit until it closes — a second session meanwhile is refused before the upgrade with 429
// rate_limit_exceeded and Retry-After, nothing held and no upstream handshake; once the first closes, a new one opens.
// Sessions count as requests toward rpm when admitted.
#include "realtimerig.h"

#include "../relay/rawhttpclient.h"

#include "store/limitrepository.h"

#include <QtTest>

using namespace RelayDesk;
using namespace RelayDeskTest;

namespace {

// A raw upgrade to /v1/realtime with `key`, read to its (refused) answer.
std::optional<RawResponse> refusedUpgrade(quint16 port, const QByteArray &key)
{
    RawClient c;
    if (!c.connectTo(port))
        return std::nullopt;
    c.send("GET /v1/realtime?model=gpt-realtime HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
           "Authorization: Bearer " + key + "\r\n\r\n");
    if (!c.waitClosed() || c.buffer().contains("101 Switching"))
        return std::nullopt;
    return c.readResponse();
}

} // namespace

class TestRealtimeLimits final : public QObject
{
    Q_OBJECT

private slots:
    void anOpenSessionHoldsItsSlot_data()
    {
        QTest::addColumn<QString>("owner");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("says");
        QTest::newRow("key concurrency") << "key" << "concurrency" << "concurrent requests: Limit 1, Used 1";
        QTest::newRow("user concurrency") << "user" << "concurrency" << "concurrent requests: Limit 1, Used 1";
        QTest::newRow("key rpm") << "key" << "rpm" << "requests per min (RPM): Limit 1, Used 1";
    }

    void anOpenSessionHoldsItsSlot()
    {
        QFETCH(QString, owner);
        QFETCH(QString, kind);
        QFETCH(QString, says);
        RealtimeRig rig;
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        // rpm: start early in a minute so both attempts share it (a wait for the clock, not for a signal).
        if (kind == u"rpm")
            QVERIFY(spin([] { return QDateTime::currentSecsSinceEpoch() % 60 < 45; }, 20000));
        QVERIFY(Store::LimitRepository(rig.temp.db())
                    .setRates(owner, owner == u"key" ? rig.keyId : rig.userId, {{kind, 1}}));

        RtClient first;
        first.open(rig.port(), QStringLiteral("gpt-realtime"), rig.plainKey);
        QVERIFY(first.waitOpen());
        QVERIFY(first.waitFor(QStringLiteral("session.created")));
        QCOMPARE(rig.openReservations(), 1);
        const qint64 balance = rig.balance();
        const int handshakes = int(rig.demo.handshakes().size());

        const auto refused = refusedUpgrade(rig.port(), rig.plainKey);
        QVERIFY(refused);
        QCOMPARE(refused->status, 429);
        QCOMPARE(refused->error().value(QStringLiteral("code")).toString(), QStringLiteral("rate_limit_exceeded"));
        QCOMPARE(refused->error().value(QStringLiteral("type")).toString(), QStringLiteral("requests"));
        const QString message = refused->error().value(QStringLiteral("message")).toString();
        QVERIFY2(message.contains(says), qPrintable(message));
        const qint64 retryAfter = refused->header("Retry-After").toLongLong();
        QVERIFY2(kind == u"concurrency" ? retryAfter == 1 : retryAfter >= 1 && retryAfter <= 60,
                 refused->header("Retry-After").constData());
        QCOMPARE(rig.openReservations(), 1); // nothing held for the refused one
        QCOMPARE(rig.balance(), balance);
        QCOMPARE(int(rig.demo.handshakes().size()), handshakes);

        first.socket.close();
        QVERIFY(rig.waitFinished(1));
        QCOMPARE(rig.openReservations(), 0);
        if (kind == u"rpm") { // a closed session gives no request back
            QCOMPARE(refusedUpgrade(rig.port(), rig.plainKey)->status, 429);
            return;
        }
        RtClient again;
        again.open(rig.port(), QStringLiteral("gpt-realtime"), rig.plainKey);
        QVERIFY(again.waitOpen());
        QVERIFY(again.waitFor(QStringLiteral("session.created")));
        QCOMPARE(rig.openReservations(), 1);
        again.socket.close();
        QVERIFY(rig.waitFinished(2));
    }
};

QTEST_GUILESS_MAIN(TestRealtimeLimits)
#include "tst_realtimelimits.moc"
