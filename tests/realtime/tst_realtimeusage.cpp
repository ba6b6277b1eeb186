// Untrusted Realtime usage (issue 10, item 4), end to end: real QWebSocket client → HttpServer + RealtimeRelay → a
// hostile Realtime upstream whose `response.done` usage the test scripts, real SQLite ledger.
//
//  - malformed usage (negative, fractional, string, beyond 2^53) is not billed: the local meter is, exactly as
//    when the upstream reports no usage at all;
//  - well-formed but absurd usage (2^53 tokens) is charged at most the rolling hold and the log row is marked
//    `disputed`: the balance never drops by more than the hold, and never below zero.
#include "realtimerig.h"

#include <QtTest>
#include <QtWebSockets/QWebSocketServer>

using namespace RelayDesk;
using namespace RelayDeskTest;

namespace {

// Answers every response.create with one text delta and a response.done carrying `usage` (absent when undefined).
class HostileRealtime final : public QObject
{
public:
    QJsonValue usage;

    bool listen()
    {
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                send(socket, {{QStringLiteral("type"), QStringLiteral("session.created")},
                              {QStringLiteral("session"), QJsonObject{{QStringLiteral("id"), QStringLiteral("sess_hostile")}}}});
                connect(socket, &QWebSocket::textMessageReceived, this, [this, socket](const QString &message) {
                    if (QJsonDocument::fromJson(message.toUtf8()).object().value(u"type").toString() == u"response.create")
                        respond(socket);
                });
            }
        });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()); }

private:
    static void send(QWebSocket *socket, const QJsonObject &event)
    {
        socket->sendTextMessage(QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact)));
    }
    void respond(QWebSocket *socket)
    {
        const QString id = QStringLiteral("resp_%1").arg(++m_responses);
        send(socket, {{QStringLiteral("type"), QStringLiteral("response.created")},
                      {QStringLiteral("response"), QJsonObject{{QStringLiteral("id"), id}}}});
        send(socket, {{QStringLiteral("type"), QStringLiteral("response.output_text.delta")},
                      {QStringLiteral("response_id"), id},
                      {QStringLiteral("delta"), QStringLiteral("Hello there, this answer comes from a hostile upstream.")}});
        QJsonObject response{{QStringLiteral("id"), id}, {QStringLiteral("status"), QStringLiteral("completed")}};
        if (!usage.isUndefined())
            response.insert(QStringLiteral("usage"), usage);
        send(socket, {{QStringLiteral("type"), QStringLiteral("response.done")}, {QStringLiteral("response"), response}});
    }

    QWebSocketServer m_server{QStringLiteral("hostile"), QWebSocketServer::NonSecureMode};
    int m_responses = 0;
};

// gpt-realtime's first hold: one worst-case response of 4096 output tokens at the dearer (audio) price, 32 per token.
constexpr qint64 kFirstHold = 4096 * 32;

QJsonValue usageJson(const QByteArray &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(QJsonDocument::fromJson(text).object());
}

} // namespace

class TestRealtimeUsage : public QObject
{
    Q_OBJECT

private:
    // One session: a text item, one response, close. Returns the session's single log row.
    static std::optional<Store::LogRecord> runSession(RealtimeRig &rig, HostileRealtime &upstream, const QJsonValue &usage,
                                                      RtClient &client)
    {
        upstream.usage = usage;
        const qsizetype finished = rig.endReasons.size();
        client.open(rig.port(), QStringLiteral("gpt-realtime"), rig.plainKey);
        if (!client.waitOpen())
            return std::nullopt;
        client.send(textItem(QStringLiteral("Say hello")));
        client.send(rtEvent(QStringLiteral("response.create")));
        if (!client.waitFor(QStringLiteral("response.done")))
            return std::nullopt;
        client.socket.close();
        if (!rig.waitFinished(int(finished) + 1))
            return std::nullopt;
        const QList<Store::LogRecord> rows = rig.logs(); // newest first
        if (rows.isEmpty())
            return std::nullopt;
        return rows.first();
    }

    static bool redirect(RealtimeRig &rig, const HostileRealtime &upstream)
    {
        auto channel = Store::ChannelRepository(rig.temp.db()).byId(rig.channelId);
        if (!channel)
            return false;
        channel->baseUrl = upstream.baseUrl();
        return bool(Store::ChannelRepository(rig.temp.db()).update(*channel));
    }

private Q_SLOTS:
    void malformedUsageIsBilledFromTheMeter_data()
    {
        QTest::addColumn<QByteArray>("usage");
        QTest::newRow("negative") << QByteArray(R"({"input_tokens":-50,"output_tokens":-12,"input_token_details":{"text_tokens":-50},"output_token_details":{"text_tokens":-12}})");
        QTest::newRow("negative output only") << QByteArray(R"({"input_tokens":8,"output_tokens":-12,"input_token_details":{"text_tokens":8},"output_token_details":{"text_tokens":-12}})");
        QTest::newRow("string") << QByteArray(R"({"input_tokens":"8","output_tokens":"12","input_token_details":{"text_tokens":"8"},"output_token_details":{"text_tokens":"12"}})");
        QTest::newRow("float") << QByteArray(R"({"input_tokens":8.5,"output_tokens":12.5,"input_token_details":{"text_tokens":8.5},"output_token_details":{"text_tokens":12.5}})");
        QTest::newRow("beyond 2^53") << QByteArray(R"({"input_tokens":8,"output_tokens":9007199254740993,"output_token_details":{"audio_tokens":9007199254740993}})");
        QTest::newRow("1e300") << QByteArray(R"({"input_tokens":8,"output_tokens":1e300,"output_token_details":{"audio_tokens":1e300}})");
        QTest::newRow("details not an object") << QByteArray(R"({"input_tokens":8,"output_tokens":12,"output_token_details":"many"})");
    }

    void malformedUsageIsBilledFromTheMeter()
    {
        QFETCH(QByteArray, usage);
        RealtimeRig rig;
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        HostileRealtime upstream;
        QVERIFY(upstream.listen());
        QVERIFY(redirect(rig, upstream));

        // The same conversation without any usage: what the local meter bills.
        RtClient baselineClient;
        const auto baseline = runSession(rig, upstream, QJsonValue(QJsonValue::Undefined), baselineClient);
        QVERIFY(baseline);
        QVERIFY(baseline->quota > 0);
        QCOMPARE(baseline->other.value(u"estimated_responses").toInt(), 1);

        RtClient client;
        const auto row = runSession(rig, upstream, usageJson(usage), client);
        QVERIFY(row);
        QCOMPARE(row->quota, baseline->quota);
        QCOMPARE(row->promptTokens, baseline->promptTokens);
        QCOMPARE(row->completionTokens, baseline->completionTokens);
        QCOMPARE(row->other.value(u"estimated_responses").toInt(), 1);
        QCOMPARE(row->other.value(u"upstream_usage_rejected").toObject().value(u"responses").toInt(), 1);
        QVERIFY(!row->other.contains(u"disputed"));
        QCOMPARE(rig.initialBalance - rig.balance(), rig.loggedQuota());
        QCOMPARE(rig.openReservations(), 0);
    }

    void absurdUsageIsCappedAtTheHold_data()
    {
        QTest::addColumn<QByteArray>("usage");
        QTest::newRow("2^53 audio out") << QByteArray(R"({"input_tokens":8,"output_tokens":9007199254740992,"input_token_details":{"text_tokens":8},"output_token_details":{"audio_tokens":9007199254740992}})");
        QTest::newRow("2^53 text in") << QByteArray(R"({"input_tokens":9007199254740992,"output_tokens":12,"input_token_details":{"text_tokens":9007199254740992},"output_token_details":{"text_tokens":12}})");
        QTest::newRow("2^53, no details") << QByteArray(R"({"input_tokens":9007199254740992,"output_tokens":9007199254740992})");
        QTest::newRow("a million output tokens") << QByteArray(R"({"input_tokens":8,"output_tokens":1000000,"output_token_details":{"text_tokens":1000000}})");
    }

    void absurdUsageIsCappedAtTheHold()
    {
        QFETCH(QByteArray, usage);
        RealtimeRig rig;
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        HostileRealtime upstream;
        QVERIFY(upstream.listen());
        QVERIFY(redirect(rig, upstream));

        RtClient client;
        const auto row = runSession(rig, upstream, usageJson(usage), client);
        QVERIFY(row);
        // The first response ran under the first hold; it is charged at most that, whatever the upstream says.
        QCOMPARE(row->quota, kFirstHold);
        QCOMPARE(rig.initialBalance - rig.balance(), kFirstHold);
        QCOMPARE(rig.initialBalance - rig.balance(), rig.loggedQuota());
        QCOMPARE(rig.openReservations(), 0);
        QVERIFY(!row->other.contains(u"overage"));
        const QJsonObject disputed = row->other.value(u"disputed").toObject();
        QCOMPARE(disputed.value(u"capped_at").toInteger(), kFirstHold);
        QVERIFY(disputed.value(u"claimed_quota").toDouble() > double(kFirstHold));
        const QJsonArray entries = disputed.value(u"entries").toArray();
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries.first().toObject().value(u"id").toString(), QStringLiteral("resp_1"));
        // The token columns are the meter's, not the absurd figure.
        QVERIFY(row->completionTokens < 1000);
        QVERIFY(row->promptTokens < 1000);
    }

    // The reported case: 2^53 tokens once drove a user's and a key's balance to −1e13. With a balance of one hold
    // (plus a little), the balance and the key's quota end at what the hold left, never below zero.
    void absurdUsageNeverOverdraws()
    {
        RealtimeRig::Options options;
        options.userQuota = kFirstHold + 10;
        options.keyQuota = kFirstHold + 10;
        RealtimeRig rig(options);
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        HostileRealtime upstream;
        QVERIFY(upstream.listen());
        QVERIFY(redirect(rig, upstream));

        RtClient client;
        upstream.usage = usageJson(R"({"input_tokens":8,"output_tokens":9007199254740992,"output_token_details":{"audio_tokens":9007199254740992}})");
        client.open(rig.port(), QStringLiteral("gpt-realtime"), rig.plainKey);
        QVERIFY(client.waitOpen());
        client.send(textItem(QStringLiteral("Say hello")));
        client.send(rtEvent(QStringLiteral("response.create")));
        QVERIFY(client.waitFor(QStringLiteral("response.done")));
        // Nothing is left to hold another response: the session is told and closed (as any exhausted session).
        QVERIFY(spin([&] { return client.closed; }));
        QVERIFY(rig.waitFinished());
        QCOMPARE(rig.balance(), 10);
        QCOMPARE(rig.key().remainQuota, 10);
        const Store::LogRecord row = rig.logs().value(0);
        QCOMPARE(row.quota, kFirstHold);
        QVERIFY(!row.other.contains(u"overage"));
        QVERIFY(row.other.contains(u"disputed"));
        QCOMPARE(rig.openReservations(), 0);
    }

    // Honest usage under the ceiling is billed as reported (the ceiling only flags absurd figures).
    void plausibleUsageIsBilledAsReported()
    {
        RealtimeRig rig;
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        HostileRealtime upstream;
        QVERIFY(upstream.listen());
        QVERIFY(redirect(rig, upstream));
        const QByteArray usage = R"({"input_tokens":8,"output_tokens":2000,"input_token_details":{"text_tokens":8},"output_token_details":{"audio_tokens":2000}})";
        RtClient client;
        const auto row = runSession(rig, upstream, usageJson(usage), client);
        QVERIFY(row);
        QVERIFY(!row->other.contains(u"disputed"));
        QCOMPARE(row->quota, roundTenths(tenthsOf(QJsonDocument::fromJson(usage).object())));
        QCOMPARE(rig.initialBalance - rig.balance(), rig.loggedQuota());
    }
};

QTEST_GUILESS_MAIN(TestRealtimeUsage)
#include "tst_realtimeusage.moc"
