// Realtime upstream dial refused with 401/403 (issue 10, items 5 and 7): the client gets an error event
// upstream_auth_failed naming the channel — never the upstream's body or reason phrase, which echo the channel
// key — the session's hold is refunded, and the relay reports the channel as failed (auth) for its health.
// Other dial failures report a connect failure; a dial that connects reports success.
#include "realtimerig.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

using namespace RelayDesk;
using namespace RelayDeskTest;

namespace {

// An "upstream" that answers every WebSocket handshake with one raw HTTP response.
class RefusingUpstream
{
public:
    explicit RefusingUpstream(QByteArray response) : m_response(std::move(response))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                QObject::connect(s, &QTcpSocket::readyRead, s, [this, s] {
                    m_request += s->readAll();
                    if (!m_request.contains("\r\n\r\n"))
                        return;
                    s->write(m_response);
                    s->disconnectFromHost();
                });
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()); }
    const QByteArray &request() const { return m_request; }

private:
    QTcpServer m_server;
    QByteArray m_response;
    QByteArray m_request;
};

QByteArray refusal(int status, const QByteArray &reason, const QByteArray &body)
{
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\nContent-Type: application/json\r\n"
           "Content-Length: " + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// The rig's channel key is "sk-upstream-secret"; what an upstream might echo of it.
const QByteArray kFragments[] = {"sk-upstream", "secret", "sk-", "****"};

} // namespace

class TestRealtimeUpstreamAuth final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void dialRefused_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::addColumn<int>("failure"); // -1: none reported
        QTest::newRow("401") << 401 << "upstream_auth_failed" << int(Relay::ChannelFailure::Auth);
        QTest::newRow("403") << 403 << "upstream_auth_failed" << int(Relay::ChannelFailure::Auth);
        QTest::newRow("503") << 503 << "bad_gateway" << int(Relay::ChannelFailure::Connect);
    }

    void dialRefused()
    {
        QFETCH(int, status);
        QFETCH(QString, code);
        QFETCH(int, failure);
        RealtimeRig rig;
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        const QByteArray body = R"x({"error":{"message":"Incorrect API key provided: sk-upstream-secret (sk-up****cret)",)x"
                                R"x("type":"invalid_request_error","code":"invalid_api_key","param":null}})x";
        RefusingUpstream upstream(refusal(status, "Bad key sk-up****cret", body));
        QVERIFY(upstream.listen());
        Store::Channel channel = *Store::ChannelRepository(rig.temp.db()).byId(rig.channelId);
        channel.baseUrl = upstream.baseUrl();
        QVERIFY(Store::ChannelRepository(rig.temp.db()).update(channel));

        QList<std::pair<qint64, Relay::ChannelFailure>> failures;
        QString failureDetail;
        int successes = 0;
        QObject::connect(rig.relay.get(), &Relay::RealtimeRelay::channelFailed,
                         [&](qint64 id, Relay::ChannelFailure kind, const QString &detail) {
                             failures.append({id, kind});
                             failureDetail = detail;
                         });
        QObject::connect(rig.relay.get(), &Relay::RealtimeRelay::channelSucceeded, [&](qint64) { ++successes; });

        RtClient client;
        client.open(rig.port(), QStringLiteral("gpt-realtime"), rig.plainKey);
        QVERIFY(client.waitFor(QStringLiteral("error")));
        QVERIFY(spin([&] { return client.closed; }));
        QVERIFY(rig.waitFinished());
        QVERIFY(upstream.request().contains("Bearer sk-upstream-secret")); // the dial did reach it

        const QJsonObject error = client.all(QStringLiteral("error")).first().value(u"error").toObject();
        QCOMPARE(error.value(u"code").toString(), code);
        QVERIFY(error.value(u"code").toString() != QStringLiteral("invalid_api_key"));
        if (code == QLatin1String("upstream_auth_failed"))
            QVERIFY2(error.value(u"message").toString().contains(QStringLiteral("'demo'")),
                     qPrintable(error.value(u"message").toString()));
        for (const QJsonObject &e : client.events)
            for (const QByteArray &fragment : kFragments)
                QVERIFY2(!QJsonDocument(e).toJson().contains(fragment), QJsonDocument(e).toJson().constData());
        for (const QByteArray &fragment : kFragments)
            QVERIFY2(!client.socket.closeReason().toUtf8().contains(fragment), qPrintable(client.socket.closeReason()));

        // Nothing was delivered: the hold came back.
        QCOMPARE(rig.balance(), rig.initialBalance);
        QCOMPARE(rig.openReservations(), 0);

        QCOMPARE(successes, 0);
        QCOMPARE(failures.size(), 1);
        QCOMPARE(failures.first().first, rig.channelId);
        QCOMPARE(int(failures.first().second), failure);
        QVERIFY2(failureDetail.contains(QString::number(status)), qPrintable(failureDetail));
        for (const QByteArray &fragment : kFragments)
            QVERIFY2(!failureDetail.toUtf8().contains(fragment), qPrintable(failureDetail));
    }

    // A channel that refuses its key (or cannot be reached) before the session opened is not the end of the
    // session: the relay dials the next channel serving the model once, the client never sees the first
    // failure, and the session is billed and logged under the channel that served it.
    void dialFallsThroughToTheNextChannel_data()
    {
        QTest::addColumn<int>("status"); // 0: connection refused
        QTest::addColumn<int>("failure");
        QTest::newRow("401") << 401 << int(Relay::ChannelFailure::Auth);
        QTest::newRow("403") << 403 << int(Relay::ChannelFailure::Auth);
        QTest::newRow("connection refused") << 0 << int(Relay::ChannelFailure::Connect);
    }

    void dialFallsThroughToTheNextChannel()
    {
        QFETCH(int, status);
        QFETCH(int, failure);
        RealtimeRig rig;
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        RefusingUpstream refusing(refusal(status, "Unauthorized", R"({"error":{"message":"Incorrect API key sk-up****cret"}})"));
        QVERIFY(refusing.listen());
        QTcpServer closed; // a port nobody listens on once this is closed
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const QString refusedUrl = QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort());
        closed.close();

        Store::ChannelRepository channels(rig.temp.db());
        Store::Channel first = *channels.byId(rig.channelId);
        const QString demoUrl = first.baseUrl;
        first.baseUrl = status == 0 ? refusedUrl : refusing.baseUrl();
        QVERIFY(channels.update(first));
        Store::Channel second = first;
        second.id = 0;
        second.name = QStringLiteral("backup");
        second.baseUrl = demoUrl;
        second.secret = QStringLiteral("sk-backup-secret");
        const auto created = channels.create(second);
        QVERIFY2(created, qPrintable(created.error()));

        QList<std::pair<qint64, int>> failures;
        QList<qint64> successes;
        QObject::connect(rig.relay.get(), &Relay::RealtimeRelay::channelFailed,
                         [&](qint64 id, Relay::ChannelFailure kind, const QString &) { failures.append({id, int(kind)}); });
        QObject::connect(rig.relay.get(), &Relay::RealtimeRelay::channelSucceeded, [&](qint64 id) { successes.append(id); });

        RtClient client;
        client.open(rig.port(), QStringLiteral("gpt-realtime"), rig.plainKey);
        QVERIFY(client.waitOpen());
        QVERIFY(client.waitFor(QStringLiteral("session.created")));
        client.send(textItem(QStringLiteral("Hello")));
        client.send(rtEvent(QStringLiteral("response.create")));
        QVERIFY(client.waitFor(QStringLiteral("response.done")));
        client.socket.close();
        QVERIFY(rig.waitFinished());

        QVERIFY(client.all(QStringLiteral("error")).isEmpty());
        QCOMPARE(failures, (QList<std::pair<qint64, int>>{{rig.channelId, failure}}));
        QCOMPARE(successes, QList<qint64>{created.value().id});
        const QList<Store::LogRecord> logs = rig.logs();
        QCOMPARE(logs.size(), 1);
        QCOMPARE(logs.first().channelId, created.value().id);
        QVERIFY(logs.first().quota > 0);
        QCOMPARE(rig.initialBalance - rig.balance(), logs.first().quota);
        QCOMPARE(rig.openReservations(), 0);
    }

    // A dial that connects closes the channel's circuit (reports success), nothing else.
    void dialSucceedsAndReportsSuccess()
    {
        RealtimeRig rig;
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        int successes = 0, failures = 0;
        QObject::connect(rig.relay.get(), &Relay::RealtimeRelay::channelSucceeded, [&](qint64 id) {
            successes += id == rig.channelId;
        });
        QObject::connect(rig.relay.get(), &Relay::RealtimeRelay::channelFailed,
                         [&](qint64, Relay::ChannelFailure, const QString &) { ++failures; });
        RtClient client;
        client.open(rig.port(), QStringLiteral("gpt-realtime"), rig.plainKey);
        QVERIFY(client.waitOpen());
        QVERIFY(client.waitFor(QStringLiteral("session.created")));
        QCOMPARE(successes, 1);
        QCOMPARE(failures, 0);
        client.socket.close();
        QVERIFY(rig.waitFinished());
    }
};

QTEST_MAIN(TestRealtimeUpstreamAuth)
#include "tst_realtimeupstreamauth.moc"
