// A real crash during a WebRTC call: `relaydeskd serve` meters a call over its sideband to the fake upstream process
// (tools/fakeupstream: DemoRealtime + DemoRealtimeCalls) and is killed with SIGKILL mid-call. The next start must
// recover the call's reservation (settled at what was charged, books balanced) AND hang the call up upstream — the
// call id and channel are stored with the reservation (realtime_calls), and RealtimeCallReaper POSTs the hangup.
#include "../relay/rawhttpclient.h"
#include "binaries.h"
#include "formbody.h"
#include "store/apikeyrepository.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "store/realtimecallrepository.h"
#include "store/reservationrepository.h"
#include "store/userrepository.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

using namespace RelayDesk;
using RelayDeskTest::binary;
using RelayDeskTest::freePort;
using RelayDeskTest::RawClient;
using RelayDeskTest::RawResponse;

namespace {

constexpr qint64 kUserQuota = 50'000'000;

RawResponse request(quint16 port, const QByteArray &method, const QByteArray &path, const QByteArray &contentType,
                    const QByteArray &body, const QByteArray &bearer)
{
    RawClient c;
    if (!c.connectTo(port))
        return {};
    QByteArray head = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!contentType.isEmpty())
        head += "Content-Type: " + contentType + "\r\n";
    if (!bearer.isEmpty())
        head += "Authorization: Bearer " + bearer + "\r\n";
    head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
    c.send(head + body);
    return c.readResponse(false, 20000).value_or(RawResponse{});
}

// What the fake upstream knows of a call: {hung_up, actions, sidebands, responses}.
QJsonObject upstreamCall(quint16 port, const QString &callId)
{
    return QJsonDocument::fromJson(request(port, "GET", "/v1/realtime/calls/" + callId.toUtf8(), {}, {}, {}).body).object();
}

} // namespace

class TestRealtimeCallCrash final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killedMidCallIsRecoveredAndHungUp()
    {
        QProcess upstream;
        upstream.start(binary("relaydesk-fakeupstream"), {});
        QVERIFY(upstream.waitForStarted(30000));
        QVERIFY(QTest::qWaitFor([&] { return upstream.canReadLine(); }, 30000));
        const QByteArray portLine = upstream.readLine().trimmed();
        QVERIFY2(portLine.startsWith("PORT "), portLine.constData());
        const quint16 upstreamPort = quint16(portLine.mid(5).toUInt());

        QTemporaryDir data;
        auto opened = Store::Database::openDataDir(data.path());
        QVERIFY2(opened, qPrintable(opened.error()));
        const std::shared_ptr<Store::Database> db = opened.value();
        const auto user = Store::UserRepository(*db).create(QStringLiteral("caller"), QStringLiteral("default"), kUserQuota);
        QVERIFY(user);
        Store::NewApiKey spec;
        spec.userId = user->id;
        spec.name = QStringLiteral("caller-key");
        spec.unlimited = true;
        const auto key = Store::ApiKeyRepository(*db).create(spec);
        QVERIFY(key);
        Store::Channel channel;
        channel.name = QStringLiteral("fake-realtime");
        channel.baseUrl = QStringLiteral("http://127.0.0.1:%1").arg(upstreamPort);
        channel.secret = QStringLiteral("sk-fake-channel");
        channel.models = {QStringLiteral("gpt-realtime")};
        const auto createdChannel = Store::ChannelRepository(*db).create(channel);
        QVERIFY(createdChannel);

        const quint16 port = freePort();
        QByteArray output;
        QString callId;
        {
            QProcess serve;
            QVERIFY2(RelayDeskTest::startServe(serve, {QStringLiteral("--data"), data.path()}, port, &output), output.constData());
            // Two responses on the sideband, then the call stays up (no end): it is mid-call when the relay dies.
            const QJsonObject session{{QStringLiteral("type"), QStringLiteral("realtime")},
                                      {QStringLiteral("model"), QStringLiteral("gpt-realtime")},
                                      {QStringLiteral("instructions"), QStringLiteral("demo-call responses=2 interval=10")}};
            const RelayDeskTest::FormBody form = RelayDeskTest::formBody(
                {{"sdp", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", {}, {}},
                 {"session", QJsonDocument(session).toJson(QJsonDocument::Compact), {}, {}}});
            const RawResponse offer = request(port, "POST", "/v1/realtime/calls", form.contentType, form.body,
                                              key->plainKey.toUtf8());
            QVERIFY2(offer.status == 201, offer.body.constData());
            callId = QString::fromUtf8(offer.header("Location")).section(QLatin1Char('/'), -1);
            QVERIFY(callId.startsWith(QStringLiteral("rtc_")));
            QVERIFY(QTest::qWaitFor([&] { return upstreamCall(upstreamPort, callId).value(u"responses").toInt() == 2; }, 30000));
            // Both charges committed (as another connection sees them) before the kill.
            QVERIFY(QTest::qWaitFor([&] {
                const QList<Store::Reservation> open = Store::ReservationRepository(*db).openReservations();
                return open.size() == 1 && open.first().charged > 0;
            }, 30000));
            serve.kill(); // SIGKILL: no shutdown path runs, nothing hangs the call up
            QVERIFY(serve.waitForFinished(30000));
        }
        QCOMPARE(Store::ReservationRepository(*db).openReservations().size(), 1);
        const qint64 chargedBeforeCrash = Store::ReservationRepository(*db).openReservations().first().charged;
        QCOMPARE(upstreamCall(upstreamPort, callId).value(u"hung_up").toBool(), false);
        const auto stored = Store::RealtimeCallRepository(*db).byCallId(callId);
        QVERIFY(stored && !stored->ended && stored->channelId == createdChannel->id);

        output.clear();
        {
            QProcess serve;
            QVERIFY2(RelayDeskTest::startServe(serve, {QStringLiteral("--data"), data.path()}, port, &output), output.constData());
            // The reservation recovered at start, the call hung up on its channel by the reaper.
            QVERIFY(QTest::qWaitFor([&] { return upstreamCall(upstreamPort, callId).value(u"hung_up").toBool(); }, 30000));
            QVERIFY(QTest::qWaitFor([&] {
                const auto row = Store::RealtimeCallRepository(*db).byCallId(callId);
                return row && row->ended;
            }, 30000));
            serve.terminate();
            QVERIFY(serve.waitForFinished(30000));
        }
        const QJsonObject seen = upstreamCall(upstreamPort, callId);
        QCOMPARE(seen.value(u"actions").toArray().size(), 1);
        QCOMPARE(seen.value(u"actions").toArray().first().toString(), QStringLiteral("hangup"));
        QVERIFY(Store::ReservationRepository(*db).openReservations().isEmpty());

        // The books balance: what left the user's balance is what the consume logs say — the charges made before the
        // crash, no more, no less.
        const qint64 spent = kUserQuota - Store::UserRepository(*db).byId(user->id)->quota;
        Store::LogFilter filter;
        filter.userId = user->id;
        QCOMPARE(Store::LogRepository(*db).sumQuota(filter), spent);
        QCOMPARE(spent, chargedBeforeCrash);
        QVERIFY(spent > 0);

        upstream.terminate();
        QVERIFY(upstream.waitForFinished(30000));
    }
};

QTEST_MAIN(TestRealtimeCallCrash)
#include "tst_realtimecallcrash.moc"
