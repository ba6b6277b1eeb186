// Upstream auth failures and error bodies that echo the channel key (issue 10, items 5 and 7), end to end: a client
// on a loopback socket → Runtime (relay thread) → the demo upstream, which also serves routes that answer like an
// upstream refusing the channel's key. The client must never be told its own key is wrong, never see a piece of the
// channel key, the next channel must serve the call (billed once), and the failing channel must show as unhealthy.
#include "demoruntime.h"
#include "../relay/rawhttpclient.h"

#include "http/httpexchange.h"
#include "http/httpserver.h"
#include "http/router.h"
#include "service/runtime.h"
#include "store/apikeyrepository.h"
#include "store/channelhealthrepository.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "store/reservationrepository.h"
#include "store/userrepository.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

using namespace RelayDesk;
using RelayDeskTest::RawClient;
using RelayDeskTest::RawResponse;

namespace {

// The channel key the failing channels hold, and the pieces of it an upstream may echo.
const QString kChannelKey = QStringLiteral("sk-proj-FAKEchannelKEY1234567890WXYZ");
const QByteArray kFragments[] = {"sk-proj", "WXYZ", "FAKEchannelKEY", "1234567890"};

// What api.openai.com answers for a revoked key: the key's masked fragment in the message.
QByteArray openAiAuthBody(int status)
{
    const QString message = status == 401
        ? QStringLiteral("Incorrect API key provided: sk-proj-****WXYZ. You can find your API key at "
                         "https://platform.openai.com/account/api-keys.")
        : QStringLiteral("Project key %1 does not have access to this model.").arg(kChannelKey);
    return QJsonDocument(QJsonObject{{QStringLiteral("error"),
                                      QJsonObject{{QStringLiteral("message"), message},
                                                  {QStringLiteral("type"), QStringLiteral("invalid_request_error")},
                                                  {QStringLiteral("code"), status == 401 ? QStringLiteral("invalid_api_key")
                                                                                         : QStringLiteral("permission_denied")},
                                                  {QStringLiteral("param"), QJsonValue::Null}}}})
        .toJson(QJsonDocument::Compact);
}

QByteArray chatBody(bool stream)
{
    QJsonObject body{{QStringLiteral("model"), QStringLiteral("gpt-4o-mini")},
                     {QStringLiteral("messages"), QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                                                         {QStringLiteral("content"), QStringLiteral("hello")}}}},
                     {QStringLiteral("max_tokens"), 50}};
    if (stream)
        body.insert(QStringLiteral("stream"), true);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QByteArray post(const QByteArray &body, const QByteArray &key)
{
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Authorization: Bearer " + key + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

} // namespace

class TestUpstreamAuth final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Service::Runtime> m_runtime;
    QList<Relay::CallResult> m_results;
    QHash<QString, QByteArray> m_keys; // group → a key of a user in that group

    Store::Database &db() { return *m_runtime->database(); }

    RawResponse call(const QByteArray &body, const QByteArray &key)
    {
        const int before = m_results.size();
        RawClient client;
        RawResponse out;
        if (!client.connectTo(m_runtime->port()))
            return out;
        client.send(post(body, key));
        if (auto r = client.readResponse(false, 30000))
            out = *r;
        RelayDeskTest::spinUntil([&] { return m_results.size() > before; }, 30000);
        return out;
    }

    qint64 addChannel(const QString &name, const QString &path, const QString &group, int priority)
    {
        Store::Channel c;
        c.name = name;
        c.baseUrl = m_runtime->demoUpstream()->baseUrl() + path;
        c.secret = path.isEmpty() ? QStringLiteral("demo") : kChannelKey;
        c.models = {QStringLiteral("gpt-4o-mini")};
        c.groups = {group};
        c.priority = priority;
        const auto created = Store::ChannelRepository(db()).create(c);
        m_runtime->invalidateChannels();
        return created.value().id;
    }

    QByteArray addUser(const QString &group)
    {
        const auto user = Store::UserRepository(db()).create(group + QStringLiteral("-user"), group, 5'000'000);
        Store::NewApiKey spec;
        spec.userId = user->id;
        spec.name = group + QStringLiteral("-key");
        spec.unlimited = true;
        return Store::ApiKeyRepository(db()).create(spec)->plainKey.toUtf8();
    }

    qint64 userId(const QString &group) { return Store::UserRepository(db()).byName(group + QStringLiteral("-user"))->id; }
    qint64 balance(const QString &group) { return Store::UserRepository(db()).byId(userId(group))->quota; }

    QList<Store::LogRecord> logsOf(const QString &group, Store::LogType type)
    {
        Store::LogFilter f;
        f.userId = userId(group);
        f.type = type;
        return Store::LogRepository(db()).page(f, 100).rows;
    }

    static void checkNoKey(const QByteArray &text)
    {
        for (const QByteArray &fragment : kFragments)
            QVERIFY2(!text.contains(fragment), text.constData());
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_runtime = RelayDeskTest::recordingRuntime(this, &m_results);
        Service::RuntimeConfig config = RelayDeskTest::fastDemoConfig(m_dir.path());
        // Upstreams that refuse the channel key (or echo it in another error) under /deny401, /deny403, /echo400.
        config.installDemoRoutes = [](Relay::HttpServer &server) {
            for (int status : {401, 403, 400}) {
                const QByteArray prefix = status == 400 ? QByteArray("/echo400") : "/deny" + QByteArray::number(status);
                server.router().addRoute(
                    "POST", prefix + "/v1/chat/completions",
                    [status](Relay::HttpExchange &e) { e.respond(status, openAiAuthBody(status == 400 ? 403 : status)); },
                    Relay::Router::Access::Public);
            }
        };
        QVERIFY2(m_runtime->start(config), qPrintable(m_runtime->errorString()));
        for (int status : {401, 403}) {
            const QString n = QString::number(status);
            // A failing channel first (higher priority), a good one behind it.
            addChannel(QStringLiteral("deny") + n, QStringLiteral("/deny") + n, QStringLiteral("g") + n, 10);
            addChannel(QStringLiteral("good") + n, QString(), QStringLiteral("g") + n, 0);
            m_keys.insert(QStringLiteral("g") + n, addUser(QStringLiteral("g") + n));
            // Only a failing channel.
            addChannel(QStringLiteral("alone") + n, QStringLiteral("/deny") + n, QStringLiteral("solo") + n, 0);
            m_keys.insert(QStringLiteral("solo") + n, addUser(QStringLiteral("solo") + n));
        }
        addChannel(QStringLiteral("echo400"), QStringLiteral("/echo400"), QStringLiteral("echo"), 0);
        m_keys.insert(QStringLiteral("echo"), addUser(QStringLiteral("echo")));
    }

    void cleanupTestCase()
    {
        if (m_runtime)
            m_runtime->stop();
    }

    // The next channel serves the call under the same reservation; one consume row; the failing channel is
    // marked unhealthy with a last error that holds no piece of its key.
    void authFailureFallsThroughToTheNextChannel_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("stream");
        QTest::newRow("401 json") << 401 << false;
        QTest::newRow("403 stream") << 403 << true;
    }

    void authFailureFallsThroughToTheNextChannel()
    {
        QFETCH(int, status);
        QFETCH(bool, stream);
        const QString group = QStringLiteral("g%1").arg(status);
        const qint64 before = balance(group);
        const RawResponse r = call(chatBody(stream), m_keys.value(group));
        QCOMPARE(r.status, 200);
        checkNoKey(r.body);
        QVERIFY(m_results.last().settled);

        const auto consumed = logsOf(group, Store::LogType::Consume);
        QCOMPARE(consumed.size(), 1);
        QCOMPARE(consumed.first().channelId, Store::ChannelRepository(db()).byName(QStringLiteral("good%1").arg(status))->id);
        QCOMPARE(consumed.first().other.value("admin_info").toObject().value("use_channel").toArray().size(), 2);
        QCOMPARE(before - balance(group), consumed.first().quota);
        QVERIFY(consumed.first().quota > 0);

        const qint64 deny = Store::ChannelRepository(db()).byName(QStringLiteral("deny%1").arg(status))->id;
        const auto health = Store::ChannelHealthRepository(db()).byChannel(deny);
        QVERIFY(health);
        QCOMPARE(health->state, Store::ChannelHealth::State::Unhealthy);
        QCOMPARE(health->failures, 1);
        QVERIFY(health->retryAtMs > QDateTime::currentMSecsSinceEpoch());
        QVERIFY2(health->lastError.contains(QString::number(status)), qPrintable(health->lastError));
        checkNoKey(health->lastError.toUtf8());

        // While it backs off, the failing channel is not tried again: the good one serves at once.
        const RawResponse again = call(chatBody(stream), m_keys.value(group));
        QCOMPARE(again.status, 200);
        QCOMPARE(logsOf(group, Store::LogType::Consume).first().other.value("admin_info").toObject()
                     .value("use_channel").toArray().size(), 1);
    }

    // With no other channel: 502 upstream_auth_failed naming the channel, the hold refunded, nothing of the
    // upstream's text (which echoes the channel key) in the answer or in the error log row.
    void authFailureWithoutAnotherChannelIs502_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("stream");
        QTest::newRow("401 json") << 401 << false;
        QTest::newRow("401 stream") << 401 << true;
        QTest::newRow("403 json") << 403 << false;
    }

    void authFailureWithoutAnotherChannelIs502()
    {
        QFETCH(int, status);
        QFETCH(bool, stream);
        const QString group = QStringLiteral("solo%1").arg(status);
        const qint64 before = balance(group);
        const RawResponse r = call(chatBody(stream), m_keys.value(group));
        QCOMPARE(r.status, 502);
        QCOMPARE(r.error().value("code").toString(), QStringLiteral("upstream_auth_failed"));
        QVERIFY(r.error().value("code").toString() != QStringLiteral("invalid_api_key"));
        QVERIFY2(r.error().value("message").toString().contains(QStringLiteral("alone%1").arg(status)), r.body.constData());
        checkNoKey(r.body);
        QVERIFY(!m_results.last().settled);
        QCOMPARE(balance(group), before);
        QCOMPARE(Store::ReservationRepository(db()).byRequestId(m_results.last().requestId)->state,
                 Store::Reservation::State::Refunded);
        const auto errors = logsOf(group, Store::LogType::Error);
        QVERIFY(!errors.isEmpty());
        checkNoKey(errors.first().content.toUtf8());
        QVERIFY(logsOf(group, Store::LogType::Consume).isEmpty());
        // Still answered (the only channel is tried although it backs off), never "no channel".
    }

    // Other upstream errors are relayed with their status, but scrubbed of the channel key.
    void relayedUpstreamErrorsAreScrubbed()
    {
        const RawResponse r = call(chatBody(false), m_keys.value(QStringLiteral("echo")));
        QCOMPARE(r.status, 400);
        QVERIFY(r.error().contains("message"));
        checkNoKey(r.body);
        const auto errors = logsOf(QStringLiteral("echo"), Store::LogType::Error);
        QVERIFY(!errors.isEmpty());
        checkNoKey(errors.first().content.toUtf8());
    }
};

QTEST_GUILESS_MAIN(TestUpstreamAuth)
#include "tst_upstreamauth.moc"
