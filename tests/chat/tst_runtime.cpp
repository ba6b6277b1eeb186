// Runtime wiring: first-run bootstrap (demo channel, user, key — once), the demo channel following the
// demo upstream's port across restarts, a Realtime session through the relay to the demo upstream, and finished
// calls announced on the Runtime's thread only while something listens.
#include "../relay/rawhttpclient.h"

#include "http/httpexchange.h"
#include "http/router.h"
#include "service/adminservice.h"
#include "service/runtime.h"
#include "store/apikeyrepository.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "store/reservationrepository.h"
#include "store/userrepository.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QSemaphore>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QNetworkRequest>
#include <QtTest/QtTest>
#include <QtWebSockets/QWebSocket>

using namespace RelayDesk;

namespace {

// Counts the events of one type an object receives, and lets them through.
class EventCounter final : public QObject
{
public:
    EventCounter(QEvent::Type type, int *count) : m_type(type), m_count(count) {}

    bool eventFilter(QObject *, QEvent *event) override
    {
        if (event->type() == m_type)
            ++*m_count;
        return false;
    }

private:
    QEvent::Type m_type;
    int *m_count;
};

// The configuration of a Runtime on a fresh data dir in `dir`, listening on a port the system picks.
Service::RuntimeConfig freshConfig(const QTemporaryDir &dir)
{
    Service::RuntimeConfig config;
    config.dataDir = dir.path();
    config.listenPort = 0;
    return config;
}

// An Anthropic Messages call to the runtime's relay with the demo key (the demo-claude channel answers it).
std::optional<RelayDeskTest::RawResponse> postMessages(const Service::Runtime &runtime, const QByteArray &body)
{
    RelayDeskTest::RawClient c;
    if (!c.connectTo(runtime.port()))
        return std::nullopt;
    c.send("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: " + runtime.demoCredentials()->plainKey.toUtf8() +
           "\r\nanthropic-version: 2023-06-01\r\nContent-Type: application/json\r\nContent-Length: " +
           QByteArray::number(body.size()) + "\r\n\r\n" + body);
    return c.readResponse();
}

} // namespace

class TestRuntime : public QObject
{
    Q_OBJECT

private slots:
    // The console's wiring: its own edits reach its relay at once (written) and its pages (changed); an edit of
    // another process (the CLI: another AdminService on the same database) reaches its pages through the relay's
    // change feed (Runtime::storeChanged → AdminService::announce), and its relay without passing through it.
    void consoleFollowsEditsOfOtherProcesses()
    {
        QTemporaryDir dir;
        Service::RuntimeConfig config = freshConfig(dir);
        config.changePollMs = 50;
        Service::Runtime runtime;
        QVERIFY2(runtime.start(config), qPrintable(runtime.errorString()));
        Service::AdminService console(runtime.database(), Service::AdminService::Actor::Console);
        runtime.follow(&console);
        connect(&runtime, &Service::Runtime::storeChanged, &console, &Service::AdminService::announce);
        QSignalSpy changed(&console, &Service::AdminService::changed);
        QSignalSpy written(&console, &Service::AdminService::written);

        const auto opened = Store::Database::openDataDir(dir.path()); // the CLI's own connection and service
        QVERIFY(opened);
        Service::AdminService cli(opened.value(), Service::AdminService::Actor::Cli);
        const auto bob = cli.addUser(QStringLiteral("bob"), QStringLiteral("default"), 1000);
        QVERIFY2(bob, qPrintable(bob.error()));
        QTRY_VERIFY_WITH_TIMEOUT(changed.contains({QVariant::fromValue(Store::ChangeKind::User), bob->id}), 10'000);
        QCOMPARE(written.size(), 0); // not this console's write: its relay has it from the feed already

        changed.clear();
        QVERIFY(console.setUserQuota(bob->id, 5000));
        QCOMPARE(written.size(), 1);
        QCOMPARE(changed.size(), 1); // at once; the feed announces it again a moment later
        QTRY_VERIFY_WITH_TIMEOUT(changed.size() == 2, 10'000);
        runtime.stop();
    }

    void firstRunAndRestart()
    {
        QTemporaryDir dir;
        Service::RuntimeConfig config = freshConfig(dir);
        QString firstKey;
        QString firstUrl;
        {
            Service::Runtime runtime;
            QVERIFY2(runtime.start(config), qPrintable(runtime.errorString()));
            const auto creds = runtime.demoCredentials();
            QVERIFY(creds);
            QVERIFY(Store::ApiKeyRepository::looksLikeKey(creds->plainKey));
            firstKey = creds->plainKey;
            QVERIFY(runtime.demoUpstream());
            firstUrl = runtime.demoUpstream()->baseUrl();
            const auto channel = Store::ChannelRepository(*runtime.database()).byName(QStringLiteral("demo"));
            QVERIFY(channel);
            QCOMPARE(channel->baseUrl, firstUrl);
            runtime.forgetDemoKey();
            QVERIFY(runtime.demoCredentials()->plainKey.isEmpty());
            runtime.stop();
            QVERIFY(!runtime.isRunning());
        }
        // Second run: nothing new is created, the key is not shown again, the channel follows the new port.
        Service::Runtime runtime;
        QVERIFY2(runtime.start(config), qPrintable(runtime.errorString()));
        QVERIFY(!runtime.demoCredentials()); // not fresh, not --demo
        QVERIFY(runtime.demoUpstream());     // but the demo channel keeps its upstream
        auto &db = *runtime.database();
        QCOMPARE(Store::UserRepository(db).count(), 1);
        QCOMPARE(Store::ApiKeyRepository(db).list().size(), 1);
        QCOMPARE(Store::ChannelRepository(db).byName(QStringLiteral("demo"))->baseUrl, runtime.demoUpstream()->baseUrl());

        // --demo on an existing database: the key exists, only its hint is available.
        runtime.stop();
        config.demo = true;
        Service::Runtime again;
        QVERIFY2(again.start(config), qPrintable(again.errorString()));
        QVERIFY(again.demoCredentials());
        QVERIFY(again.demoCredentials()->plainKey.isEmpty());
        QVERIFY(!again.demoCredentials()->keyHint.isEmpty());

        // The first key still works against the restarted relay.
        RelayDeskTest::RawClient c;
        QVERIFY(c.connectTo(again.port()));
        c.send("GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + firstKey.toUtf8() + "\r\n\r\n");
        const auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 200);
    }

    // A fresh install also gets demo-claude: type anthropic on the demo upstream, serving two Claude models, so a
    // Messages call with the demo key works at once (billed with its cache reads and 5m / 1h writes). Later starts
    // move it to the new port; an install without it does not gain it; one the admin made their own is left alone.
    void demoClaudeChannel()
    {
        QTemporaryDir dir;
        const Service::RuntimeConfig config = freshConfig(dir);
        const QString name = QString::fromLatin1(Service::Runtime::kDemoClaudeChannelName);
        {
            Service::Runtime runtime;
            QVERIFY2(runtime.start(config), qPrintable(runtime.errorString()));
            const auto channel = Store::ChannelRepository(*runtime.database()).byName(name);
            QVERIFY(channel);
            QCOMPARE(channel->type, QStringLiteral("anthropic"));
            QCOMPARE(channel->baseUrl, runtime.demoUpstream()->baseUrl());
            QCOMPARE(channel->models, Service::Runtime::demoClaudeModels());
            QCOMPARE(channel->groups, QStringList{QStringLiteral("default")});

            const QByteArray body = R"({"model":"claude-haiku-4-5","max_tokens":64,"messages":[{"role":"user",)"
                                    R"("content":"hi [[scenario:cache_read,cache_write_1h]]"}]})";
            const auto r = postMessages(runtime, body);
            QVERIFY(r);
            QCOMPARE(r->status, 200);
            QCOMPARE(QJsonDocument::fromJson(r->body).object().value("type").toString(), QStringLiteral("message"));
            auto &db = *runtime.database();
            Store::LogFilter f;
            f.type = Store::LogType::Consume;
            f.model = QStringLiteral("claude-haiku-4-5");
            QVERIFY(RelayDeskTest::spinUntil([&] { return Store::LogRepository(db).count(f) == 1; }, 30000));
            const auto rows = Store::LogRepository(db).page(f, 1).rows;
            QCOMPARE(rows.size(), 1);
            QCOMPARE(rows.first().channelId, channel->id);
            QVERIFY(rows.first().quota > 0);
            const QJsonObject usage = rows.first().other.value("usage").toObject();
            QVERIFY(usage.value("cached_text").toInteger() > 0);
            QVERIFY(usage.value("cache_write").toInteger() > usage.value("cache_write_1h").toInteger());
            QVERIFY(usage.value("cache_write_1h").toInteger() > 0);
            runtime.stop();
        }
        qint64 id = 0;
        {
            Service::Runtime runtime; // not fresh: the channel follows the new port (the admin removes "demo")
            QVERIFY2(runtime.start(config), qPrintable(runtime.errorString()));
            const Store::ChannelRepository channels(*runtime.database());
            QCOMPARE(channels.byName(name)->baseUrl, runtime.demoUpstream()->baseUrl());
            QVERIFY(channels.remove(channels.byName(QStringLiteral("demo"))->id));
            runtime.stop();
        }
        {
            Service::Runtime runtime; // demo-claude alone keeps the demo upstream; "demo" does not come back
            QVERIFY2(runtime.start(config), qPrintable(runtime.errorString()));
            const Store::ChannelRepository channels(*runtime.database());
            auto channel = channels.byName(name);
            QVERIFY(channel);
            QCOMPARE(channel->baseUrl, runtime.demoUpstream()->baseUrl());
            id = channel->id;
            QVERIFY(!channels.byName(QStringLiteral("demo")));
            // The admin points it at Anthropic with their own key: it is theirs now.
            channel->baseUrl = QStringLiteral("https://api.anthropic.com");
            channel->secret = QStringLiteral("sk-ant-admins-own-key");
            QVERIFY(channels.update(*channel));
            runtime.stop();
        }
        {
            Service::Runtime runtime;
            QVERIFY2(runtime.start(config), qPrintable(runtime.errorString()));
            const Store::ChannelRepository channels(*runtime.database());
            QCOMPARE(channels.byName(name)->baseUrl, QStringLiteral("https://api.anthropic.com"));
            QVERIFY(channels.remove(id));
            runtime.stop();
        }
        Service::Runtime runtime; // an install without the channel (older, or removed) does not gain it
        QVERIFY2(runtime.start(config), qPrintable(runtime.errorString()));
        QVERIFY(!Store::ChannelRepository(*runtime.database()).byName(name));
        QVERIFY(Store::ChannelRepository(*runtime.database()).list().isEmpty());
    }

    // A finished call reaches the Runtime's thread (callFinished, queued) only while something listens: nothing in
    // the console or relaydeskd does, and their main thread is not woken once per call for nothing.
    void callFinishedWakesTheRuntimesThreadOnlyWhenListenedTo()
    {
        QTemporaryDir dir;
        const Service::RuntimeConfig config = freshConfig(dir);
        Service::Runtime runtime;
        QVERIFY2(runtime.start(config), qPrintable(runtime.errorString()));
        int metaCalls = 0;
        EventCounter counter(QEvent::MetaCall, &metaCalls);
        runtime.installEventFilter(&counter);
        const auto call = [&runtime] {
            const auto r = postMessages(runtime, R"({"model":"claude-haiku-4-5","max_tokens":16,)"
                                                 R"("messages":[{"role":"user","content":"hi"}]})");
            return r ? r->status : 0;
        };
        QCOMPARE(call(), 200);
        QCOMPARE(call(), 200);
        QSignalSpy finished(&runtime, &Service::Runtime::callFinished);
        QCOMPARE(call(), 200);
        // Posted events to one receiver arrive in order: once the third result is here, the first two would be.
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10'000);
        QCOMPARE(metaCalls, 1);
        runtime.stop();
    }

    void busyPortFailsCleanly()
    {
        QTemporaryDir dir;
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
        Service::RuntimeConfig config;
        config.dataDir = dir.path();
        config.listenPort = squatter.serverPort();
        Service::Runtime runtime;
        QVERIFY(!runtime.start(config));
        QVERIFY(!runtime.errorString().isEmpty());
        QVERIFY(!runtime.isRunning());
    }

    // stop() is bounded: a relay thread stuck in a handler (a store that does not answer) does not hold the
    // caller (the console's quit, relaydeskd's SIGTERM) forever. The handler here blocks until the test lets it
    // go, which it does only after stop() returned: an unbounded stop() would deadlock and time out.
    void stopIsBoundedWhenTheRelayThreadIsStuck()
    {
        QTemporaryDir dir;
        QSemaphore entered, release;
        Service::RuntimeConfig config = freshConfig(dir);
        config.stopTimeoutMs = 300;
        config.installRelayRoutes = [&](Relay::HttpServer &server) {
            server.router().addRoute("GET", "/test/stuck", [&](Relay::HttpExchange &exchange) {
                entered.release();
                release.acquire(); // the relay thread is stuck here
                exchange.respond(200, "late", "text/plain");
            }, Relay::Router::Access::Public);
        };
        Service::Runtime runtime;
        QVERIFY2(runtime.start(config), qPrintable(runtime.errorString()));
        RelayDeskTest::RawClient client;
        QVERIFY(client.connectTo(runtime.port()));
        client.send("GET /test/stuck HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(entered.tryAcquire(1, 30000));
        runtime.stop();
        QVERIFY(!runtime.isRunning());
        release.release(); // now the thread may finish, on its own
    }

    void realtimeThroughTheRelay()
    {
        QTemporaryDir dir;
        const Service::RuntimeConfig config = freshConfig(dir);
        Service::Runtime runtime;
        QVERIFY2(runtime.start(config), qPrintable(runtime.errorString()));
        const QByteArray key = runtime.demoCredentials()->plainKey.toUtf8();

        // Bad key: refused before any upgrade.
        {
            QWebSocket ws;
            QNetworkRequest req(QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/realtime?model=gpt-realtime").arg(runtime.port())));
            req.setRawHeader("Authorization", "Bearer sk-nope");
            ws.open(req);
            QVERIFY(RelayDeskTest::spinUntil([&] { return ws.state() == QAbstractSocket::UnconnectedState; }));
        }

        QWebSocket ws;
        QStringList types;
        connect(&ws, &QWebSocket::textMessageReceived, this, [&](const QString &m) {
            types << QJsonDocument::fromJson(m.toUtf8()).object().value("type").toString();
        });
        QNetworkRequest req(QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/realtime?model=gpt-realtime").arg(runtime.port())));
        req.setRawHeader("Authorization", "Bearer " + key);
        ws.open(req);
        QVERIFY(RelayDeskTest::spinUntil([&] { return ws.state() == QAbstractSocket::ConnectedState; }));
        ws.sendTextMessage(QStringLiteral(R"({"type":"response.create"})"));
        QVERIFY(RelayDeskTest::spinUntil([&] { return types.contains(QStringLiteral("response.done")); }, 30000));
        ws.close();
        auto &db = *runtime.database();
        QVERIFY(RelayDeskTest::spinUntil([&] { return Store::ReservationRepository(db).openReservations().isEmpty(); }, 30000));
        Store::LogFilter f;
        f.type = Store::LogType::Consume;
        f.model = QStringLiteral("gpt-realtime");
        QVERIFY(RelayDeskTest::spinUntil([&] { return Store::LogRepository(db).count(f) == 1; }, 30000));
        QVERIFY(Store::LogRepository(db).sumQuota(f) > 0);
        const auto demoUser = Store::UserRepository(db).byName(QStringLiteral("demo"));
        QCOMPARE(demoUser->quota, Service::Runtime::kDemoUserQuota - Store::LogRepository(db).sumQuota(f));
        runtime.stop();
    }
};

QTEST_GUILESS_MAIN(TestRuntime)
#include "tst_runtime.moc"
