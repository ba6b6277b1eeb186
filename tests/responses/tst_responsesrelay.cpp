// The Responses API through the relay end to end: a client on a real loopback socket → Runtime (relay thread) →
// the demo upstream's Responses routes (its own thread) → back. Every call is checked against the database: the
// log row's quota is the price book applied to the usage the upstream reported (or to the local count), the
// reservation settled once, and at the end the sum of consume logs equals what the balances lost.
#include "demoruntime.h"
#include "logfor.h"
#include "pgcluster.h"
#include "relayexchange.h"

#include "billing/pricingservice.h"
#include "billing/quotamath.h"
#include "demo/demoupstream.h"
#include "monitor/sessionregistry.h"
#include "relay/responses/responsesadapter.h"
#include "relay/sseparser.h"
#include "relay/usageparser.h"
#include "service/runtime.h"
#include "store/apikeyrepository.h"
#include "store/backgroundresponserepository.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "store/reservationrepository.h"
#include "store/responserouterepository.h"
#include "store/userrepository.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QTemporaryDir>
#include <QtSql/QSqlQuery>
#include <QtTest/QtTest>
#include <QtWebSockets/QWebSocket>

using namespace RelayDesk;
using RelayDeskTest::RawClient;
using RelayDeskTest::RawResponse;

namespace {

using Reply = RelayDeskTest::RelayReply;
using RelayDeskTest::httpRequest;

QByteArray createBody(const QString &input, bool stream, const QJsonObject &extra = {})
{
    QJsonObject body{{QStringLiteral("model"), QStringLiteral("gpt-4o-mini")},
                     {QStringLiteral("input"), input},
                     {QStringLiteral("max_output_tokens"), 300}};
    if (stream)
        body.insert(QStringLiteral("stream"), true);
    for (auto it = extra.begin(); it != extra.end(); ++it)
        body.insert(it.key(), it.value());
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

} // namespace

class TestResponsesRelay : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Service::Runtime> m_runtime;
    std::unique_ptr<Relay::DemoUpstream> m_otherUpstream; // a second upstream account: knows nothing of the first's
    std::unique_ptr<Testing::PgCluster> m_pg;             // for the PostgreSQL rows, started on first use
    QByteArray m_key;
    qint64 m_demoUserId = 0;
    QByteArray m_otherKey; // another user
    QByteArray m_pairKey;  // a user whose group has two channels on two upstream accounts
    QList<Relay::CallResult> m_results;
    qint64 m_initialBalances = 0;

    Store::Database &db() { return *m_runtime->database(); }
    qint64 balance(qint64 userId) { return Store::UserRepository(db()).byId(userId)->quota; }

    Reply call(const QByteArray &method, const QByteArray &path, const QByteArray &body, const QByteArray &key,
               bool metered)
    {
        const int before = m_results.size();
        const Reply out = RelayDeskTest::exchangeWith(m_runtime->port(), method, path, body, key);
        if (metered)
            RelayDeskTest::spinUntil([&] { return m_results.size() > before; }, 30000);
        return out;
    }

    Reply create(const QByteArray &body, const QByteArray &key, const QByteArray &path = "/v1/responses")
    {
        return call("POST", path, body, key, true);
    }

    Billing::ModelPricing pricing()
    {
        return m_runtime->pricing()->current()->pricing(QStringLiteral("gpt-4o-mini"), QStringLiteral("default"),
                                                        QStringLiteral("default")).value();
    }

    // The last call's log row, checked against its result and reservation.
    Store::LogRecord settledLog()
    {
        const Relay::CallResult result = m_results.last();
        [&] { QVERIFY(result.settled); }();
        const auto log = RelayDeskTest::logFor(db(), result.requestId);
        [&] { QVERIFY(log); }();
        if (!log)
            return {};
        const auto reservation = Store::ReservationRepository(db()).byRequestId(result.requestId);
        [&] {
            QVERIFY(reservation);
            QCOMPARE(reservation->state, Store::Reservation::State::Settled);
            QCOMPARE(reservation->finalQuota, log->quota);
            QCOMPARE(result.requestPath, log->other.value(QStringLiteral("request_path")).toString());
        }();
        return *log;
    }

    qint64 expectedQuota(const QJsonObject &usage, const QHash<QString, qint64> &tools = {})
    {
        const auto parsed = Relay::UsageParser::parse(usage);
        [&] { QVERIFY(parsed); }();
        return parsed ? Billing::QuotaMath::settle(pricing(), parsed->usage, tools).quota : -1;
    }

    QByteArray addUserKey(const QString &name, const QString &group)
    {
        auto user = Store::UserRepository(db()).create(name, group, 50'000'000);
        Store::NewApiKey spec;
        spec.userId = user->id;
        spec.name = name + QStringLiteral("-key");
        spec.unlimited = true;
        return Store::ApiKeyRepository(db()).create(spec)->plainKey.toUtf8();
    }

    Store::Channel addChannel(const QString &name, const QString &baseUrl, const QString &group)
    {
        Store::Channel c;
        c.name = name;
        c.baseUrl = baseUrl;
        c.secret = QStringLiteral("demo");
        c.models = {QStringLiteral("gpt-4o-mini")};
        c.groups = {group};
        auto created = Store::ChannelRepository(db()).create(c);
        m_runtime->invalidateChannels();
        return created.value();
    }

    // The settled result of `requestId` (a background response settles in a later call of the same request).
    std::optional<Relay::CallResult> settledResult(const QString &requestId, int timeoutMs = 20000)
    {
        std::optional<Relay::CallResult> found;
        RelayDeskTest::spinUntil([&] {
            for (const Relay::CallResult &r : std::as_const(m_results))
                if (r.requestId == requestId && r.settled)
                    found = r;
            return found.has_value();
        }, timeoutMs);
        return found;
    }

    qint64 backgroundRows()
    {
        QSqlQuery q = db().query();
        return q.exec(QStringLiteral("SELECT COUNT(*) FROM background_responses")) && q.next() ? q.value(0).toLongLong() : -1;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_runtime = RelayDeskTest::recordingRuntime(this, &m_results);
        Service::RuntimeConfig config = RelayDeskTest::fastDemoConfig(m_dir.path());
        config.relay.upstream.transferTimeout = std::chrono::milliseconds(3000);
        QVERIFY2(m_runtime->start(config), qPrintable(m_runtime->errorString()));
        m_key = m_runtime->demoCredentials()->plainKey.toUtf8();
        m_demoUserId = Store::UserRepository(db()).byName(QStringLiteral("demo"))->id;
        m_otherKey = addUserKey(QStringLiteral("other"), QStringLiteral("default"));

        Relay::DemoUpstreamOptions other;
        other.chunkDelayMs = 1;
        other.firstChunkDelayMs = 1;
        m_otherUpstream = std::make_unique<Relay::DemoUpstream>(other);
        QVERIFY(m_otherUpstream->start());
        addChannel(QStringLiteral("account-a"), m_runtime->demoUpstream()->baseUrl(), QStringLiteral("pair"));
        addChannel(QStringLiteral("account-b"), m_otherUpstream->baseUrl(), QStringLiteral("pair"));
        m_pairKey = addUserKey(QStringLiteral("pairuser"), QStringLiteral("pair"));
        QVERIFY(m_runtime->pricing()->apply(QJsonObject{
            {QStringLiteral("ToolCallPrice"), QJsonObject{{QStringLiteral("web_search_call"), 10}}}}));
        for (const auto &u : Store::UserRepository(db()).list())
            m_initialBalances += u.quota;
    }

    void cleanupTestCase()
    {
        if (m_runtime)
            m_runtime->stop();
        if (m_otherUpstream)
            m_otherUpstream->stop();
    }

    void jsonCreate()
    {
        const qint64 before = balance(m_demoUserId);
        const Reply reply = create(createBody(QStringLiteral("Say hello."), false), m_key);
        QCOMPARE(reply.http.status, 200);
        const QJsonObject response = reply.json();
        QCOMPARE(response.value(QStringLiteral("object")).toString(), QStringLiteral("response"));
        const QString id = response.value(QStringLiteral("id")).toString();
        QVERIFY(id.startsWith(QStringLiteral("resp_")));
        const Store::LogRecord log = settledLog();
        const QJsonObject usage = response.value(QStringLiteral("usage")).toObject();
        QCOMPARE(log.quota, expectedQuota(usage));
        QCOMPARE(log.promptTokens, usage.value(QStringLiteral("input_tokens")).toInteger());
        QCOMPARE(log.completionTokens, usage.value(QStringLiteral("output_tokens")).toInteger());
        QCOMPARE(log.other.value(QStringLiteral("response_id")).toString(), id);
        QCOMPARE(log.other.value(QStringLiteral("request_path")).toString(), QStringLiteral("/v1/responses"));
        QCOMPARE(before - balance(m_demoUserId), log.quota);
        // The id routes to the channel that made it, for this user.
        const auto route = Store::ResponseRouteRepository(db()).find(id, QDateTime::currentMSecsSinceEpoch());
        QVERIFY(route);
        QCOMPARE(route->channelId, log.channelId);
        QCOMPARE(route->userId, m_demoUserId);
    }

    void streamForwardsEveryEventInOrder()
    {
        const Reply reply = create(createBody(QStringLiteral("Say hello. [[scenario:keepalive]]"), true), m_key);
        QCOMPARE(reply.http.status, 200);
        QVERIFY(reply.events.size() > 5);
        QCOMPARE(reply.events.first().first, QByteArray("response.created"));
        QCOMPARE(reply.events.last().first, QByteArray("response.completed"));
        qint64 sequence = -1;
        bool sawKeepalive = false;
        for (const auto &[name, payload] : reply.events) {
            QCOMPARE(name, payload.value(QStringLiteral("type")).toString().toUtf8());
            QCOMPARE(payload.value(QStringLiteral("sequence_number")).toInteger(), sequence + 1);
            sequence = payload.value(QStringLiteral("sequence_number")).toInteger();
            sawKeepalive = sawKeepalive || name == "keepalive";
        }
        QVERIFY(sawKeepalive);
        QVERIFY(!reply.http.body.contains("[DONE]"));
        const QJsonObject usage = reply.events.last().second.value(QStringLiteral("response")).toObject()
                                      .value(QStringLiteral("usage")).toObject();
        const Store::LogRecord log = settledLog();
        QCOMPARE(log.quota, expectedQuota(usage));
        QCOMPARE(log.other.value(QStringLiteral("usage_source")).toString(), QStringLiteral("upstream"));
    }

    void usageScenarios_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<bool>("stream");
        for (const char *s : {"cached", "reasoning", "tools", "web_search2", "incomplete"}) {
            QTest::addRow("%s json", s) << QString::fromLatin1(s) << false;
            QTest::addRow("%s sse", s) << QString::fromLatin1(s) << true;
        }
    }
    void usageScenarios()
    {
        QFETCH(QString, scenario);
        QFETCH(bool, stream);
        const Reply reply = create(createBody(QStringLiteral("Weather in Paris? [[scenario:%1]]").arg(scenario), stream), m_key);
        QCOMPARE(reply.http.status, 200);
        const QJsonObject response = stream ? reply.events.last().second.value(QStringLiteral("response")).toObject()
                                            : reply.json();
        QHash<QString, qint64> tools;
        for (const QJsonValue &item : response.value(QStringLiteral("output")).toArray()) {
            const QString type = item.toObject().value(QStringLiteral("type")).toString();
            if (type != QLatin1StringView("message") && type != QLatin1StringView("reasoning"))
                ++tools[type];
        }
        const Store::LogRecord log = settledLog();
        const QJsonObject usage = response.value(QStringLiteral("usage")).toObject();
        QCOMPARE(log.quota, expectedQuota(usage, tools));
        const QJsonObject details = usage.value(QStringLiteral("input_tokens_details")).toObject();
        QCOMPARE(log.other.value(QStringLiteral("cache_tokens")).toInteger(), details.value(QStringLiteral("cached_tokens")).toInteger());
        QCOMPARE(log.other.value(QStringLiteral("cache_write_tokens")).toInteger(), details.value(QStringLiteral("cache_write_tokens")).toInteger());
        QCOMPARE(log.other.value(QStringLiteral("reasoning_tokens")).toInteger(),
                 usage.value(QStringLiteral("output_tokens_details")).toObject().value(QStringLiteral("reasoning_tokens")).toInteger());
        if (scenario == QLatin1StringView("web_search2")) {
            QCOMPARE(tools.value(QStringLiteral("web_search_call")), 2);
            QCOMPARE(log.other.value(QStringLiteral("tool_calls")).toObject().value(QStringLiteral("web_search_call")).toInteger(), 2);
            QCOMPARE(log.other.value(QStringLiteral("tool_quota")).toInteger(), 10000); // 2 × $10/1,000 calls
        }
        if (scenario == QLatin1StringView("cached"))
            QVERIFY(details.value(QStringLiteral("cache_write_tokens")).toInteger() > 0);
    }

    void noUsageIsCountedLocally_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<bool>("stream");
        QTest::newRow("no_usage json") << QStringLiteral("no_usage") << false;
        QTest::newRow("no_usage sse") << QStringLiteral("no_usage") << true;
        QTest::newRow("failed sse") << QStringLiteral("failed") << true;
    }
    void noUsageIsCountedLocally()
    {
        QFETCH(QString, scenario);
        QFETCH(bool, stream);
        const Reply reply = create(createBody(QStringLiteral("Hello [[scenario:%1]]").arg(scenario), stream), m_key);
        QCOMPARE(reply.http.status, 200);
        const Store::LogRecord log = settledLog();
        QCOMPARE(log.other.value(QStringLiteral("usage_source")).toString(), QStringLiteral("local"));
        QVERIFY(log.promptTokens > 0);
        QVERIFY(log.completionTokens > 0); // what was delivered before the failure, or the whole reply
        QVERIFY(log.quota > 0);
        if (!stream) // the client is told what it is billed for
            QCOMPARE(reply.json().value(QStringLiteral("usage")).toObject().value(QStringLiteral("output_tokens")).toInteger(),
                     log.completionTokens);
    }

    void upstreamErrorsAreRefunded()
    {
        const qint64 before = balance(m_demoUserId);
        const Reply reply = create(createBody(QStringLiteral("Hello [[scenario:error_500]]"), false), m_key);
        QCOMPARE(reply.http.status, 500);
        QVERIFY(!m_results.last().settled);
        QCOMPARE(balance(m_demoUserId), before);
    }

    void previousResponseSticksToItsChannel()
    {
        // Two channels on two upstream accounts: a follow-up sent to the wrong one would get
        // previous_response_not_found from it. Ten follow-ups all land on the channel that made the first.
        const Reply first = create(createBody(QStringLiteral("Remember: blue."), false), m_pairKey);
        QCOMPARE(first.http.status, 200);
        const qint64 owner = settledLog().channelId;
        QString previous = first.json().value(QStringLiteral("id")).toString();
        for (int i = 0; i < 10; ++i) {
            const Reply next = create(createBody(QStringLiteral("And now?"), i % 2 == 0,
                                                 {{QStringLiteral("previous_response_id"), previous}}), m_pairKey);
            QCOMPARE(next.http.status, 200);
            QCOMPARE(settledLog().channelId, owner);
            previous = i % 2 == 0 ? next.events.last().second.value(QStringLiteral("response")).toObject()
                                        .value(QStringLiteral("id")).toString()
                                  : next.json().value(QStringLiteral("id")).toString();
        }
    }

    void anotherUsersIdDoesNotExist()
    {
        const Reply mine = create(createBody(QStringLiteral("Private."), false), m_key);
        const QString id = mine.json().value(QStringLiteral("id")).toString();
        const qint64 before = m_results.size();
        const Reply theirs = call("POST", "/v1/responses",
                                  createBody(QStringLiteral("Peek"), false, {{QStringLiteral("previous_response_id"), id}}),
                                  m_otherKey, false);
        QCOMPARE(theirs.http.status, 400);
        QCOMPARE(theirs.http.error().value(QStringLiteral("code")).toString(), QStringLiteral("previous_response_not_found"));
        const QByteArray base = QByteArray("/v1/responses/") + id.toUtf8();
        for (const QByteArray &path : QList<QByteArray>{base, base + "/input_items"}) {
            const Reply get = call("GET", path, {}, m_otherKey, false);
            QCOMPARE(get.http.status, 404);
        }
        QCOMPARE(call("DELETE", "/v1/responses/" + id.toUtf8(), {}, m_otherKey, false).http.status, 404);
        QCOMPARE(m_results.size(), before); // nothing was reserved
        // The owner still has it.
        QCOMPARE(call("GET", "/v1/responses/" + id.toUtf8(), {}, m_key, false).http.status, 200);
    }

    void storedResponseCalls()
    {
        const Reply made = create(createBody(QStringLiteral("Keep this."), false), m_key);
        const QByteArray id = made.json().value(QStringLiteral("id")).toString().toUtf8();
        const qint64 before = balance(m_demoUserId);
        const qint64 logsBefore = Store::LogRepository(db()).count({});

        const Reply got = call("GET", "/v1/responses/" + id, {}, m_key, false);
        QCOMPARE(got.http.status, 200);
        QCOMPARE(got.json().value(QStringLiteral("id")).toString().toUtf8(), id);
        const Reply items = call("GET", "/v1/responses/" + id + "/input_items?order=asc", {}, m_key, false);
        QCOMPARE(items.http.status, 200);
        QCOMPARE(items.json().value(QStringLiteral("object")).toString(), QStringLiteral("list"));
        QVERIFY(!items.json().value(QStringLiteral("data")).toArray().isEmpty());
        const Reply tokens = call("POST", "/v1/responses/input_tokens", createBody(QStringLiteral("Count me."), false),
                                  m_key, false);
        QCOMPARE(tokens.http.status, 200);
        QCOMPARE(tokens.json().value(QStringLiteral("object")).toString(), QStringLiteral("response.input_tokens"));
        QVERIFY(tokens.json().value(QStringLiteral("input_tokens")).toInteger() > 0);
        const Reply cancel = call("POST", "/v1/responses/" + id + "/cancel", {}, m_key, false);
        QCOMPARE(cancel.http.status, 400); // not a background response: the upstream's answer, relayed
        // None of these is charged or logged.
        QCOMPARE(balance(m_demoUserId), before);
        QCOMPARE(Store::LogRepository(db()).count({}), logsBefore);

        const Reply deleted = call("DELETE", "/v1/responses/" + id, {}, m_key, false);
        QCOMPARE(deleted.http.status, 200);
        QCOMPARE(deleted.json().value(QStringLiteral("deleted")).toBool(), true);
        QCOMPARE(call("GET", "/v1/responses/" + id, {}, m_key, false).http.status, 404);
    }

    void compactIsBilledFromItsUsage()
    {
        const Reply reply = create(createBody(QStringLiteral("A long conversation to compact."), false),
                                   m_key, "/v1/responses/compact");
        QCOMPARE(reply.http.status, 200);
        QCOMPARE(reply.json().value(QStringLiteral("object")).toString(), QStringLiteral("response.compaction"));
        const Store::LogRecord log = settledLog();
        QCOMPARE(log.quota, expectedQuota(reply.json().value(QStringLiteral("usage")).toObject()));
        QCOMPARE(log.other.value(QStringLiteral("request_path")).toString(), QStringLiteral("/v1/responses/compact"));
    }

    void badRequestsAreRefusedBeforeAnyHold_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("param");
        QTest::newRow("not json") << QByteArray("{nope") << 400 << QString();
        QTest::newRow("no model") << QByteArray(R"({"input":"hi"})") << 400 << QStringLiteral("model");
        QTest::newRow("huge max_output_tokens") << QByteArray(R"({"model":"gpt-4o-mini","input":"hi","max_output_tokens":1e300})")
                                                << 400 << QStringLiteral("max_output_tokens");
        QTest::newRow("unknown model") << QByteArray(R"({"model":"nope-1","input":"hi"})") << 404 << QString();
    }
    void badRequestsAreRefusedBeforeAnyHold()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, param);
        const qint64 before = m_results.size();
        const Reply reply = call("POST", "/v1/responses", body, m_key, false);
        QCOMPARE(reply.http.status, status);
        QVERIFY(reply.http.error().contains(QStringLiteral("message")));
        if (!param.isEmpty())
            QCOMPARE(reply.http.error().value(QStringLiteral("param")).toString(), param);
        QCOMPARE(m_results.size(), before);
    }

    void webSocketModeCarriesManyResponses()
    {
        QWebSocket socket;
        QNetworkRequest upgrade(QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/responses").arg(m_runtime->port())));
        upgrade.setRawHeader("Authorization", "Bearer " + m_key);
        QList<QJsonObject> frames;
        connect(&socket, &QWebSocket::textMessageReceived, this,
                [&](const QString &m) { frames.append(QJsonDocument::fromJson(m.toUtf8()).object()); });
        QSignalSpy connected(&socket, &QWebSocket::connected);
        socket.open(upgrade);
        QVERIFY(connected.wait(10000));
        const int resultsBefore = m_results.size();
        auto completed = [&] {
            int n = 0;
            for (const QJsonObject &f : frames)
                n += f.value(QStringLiteral("type")).toString() == QLatin1StringView("response.completed");
            return n;
        };
        for (const char *text : {"First question.", "Second question."}) {
            QJsonObject create = QJsonDocument::fromJson(createBody(QString::fromUtf8(text), false)).object();
            create.insert(QStringLiteral("type"), QStringLiteral("response.create"));
            socket.sendTextMessage(QString::fromUtf8(QJsonDocument(create).toJson(QJsonDocument::Compact)));
        }
        QTRY_COMPARE_WITH_TIMEOUT(completed(), 2, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(m_results.size(), resultsBefore + 2, 10000);
        // Each response is its own reservation, settled from its own usage.
        QList<QJsonObject> usages;
        for (const QJsonObject &f : frames)
            if (f.value(QStringLiteral("type")).toString() == QLatin1StringView("response.completed"))
                usages.append(f.value(QStringLiteral("response")).toObject().value(QStringLiteral("usage")).toObject());
        qint64 charged = 0;
        qint64 tokens = 0;
        for (int i = 0; i < 2; ++i) {
            const Relay::CallResult result = m_results.at(resultsBefore + i);
            QVERIFY(result.settled);
            const auto log = RelayDeskTest::logFor(db(), result.requestId);
            QVERIFY(log);
            QCOMPARE(log->quota, expectedQuota(usages.at(i)));
            charged += log->quota;
            tokens += log->promptTokens + log->completionTokens;
        }
        // The connection is one live session; each response a turn whose usage and charge add up.
        auto connectionSession = [this] {
            std::optional<Monitor::SessionInfo> found;
            for (const Monitor::SessionInfo &info : m_runtime->sessions()->sessions())
                if (info.kind == Monitor::SessionKind::ResponsesWebSocket && info.user == QLatin1StringView("demo"))
                    found = info;
            return found;
        };
        QTRY_VERIFY_WITH_TIMEOUT(connectionSession() && connectionSession()->chargedQuota == charged, 5000);
        QCOMPARE(connectionSession()->usage.total(), tokens);
        QVERIFY(connectionSession()->isLive());
        // The console's per-turn view: one turn per response, each with its own log row's charge and tokens.
        QTRY_COMPARE_WITH_TIMEOUT(connectionSession()->turnCount, qint64(2), 5000);
        const QList<Monitor::SessionTurn> turns = m_runtime->sessions()->turns(connectionSession()->id);
        QCOMPARE(turns.size(), 2);
        for (int i = 0; i < 2; ++i) {
            const auto log = RelayDeskTest::logFor(db(), m_results.at(resultsBefore + i).requestId);
            QCOMPARE(turns[i].id, m_results.at(resultsBefore + i).requestId);
            QCOMPARE(turns[i].quota, log->quota);
            QCOMPARE(turns[i].usage.total(), log->promptTokens + log->completionTokens);
        }
        // A bad event gets an error frame and the connection stays usable.
        socket.sendTextMessage(QStringLiteral("{\"type\":\"session.update\"}"));
        QTRY_VERIFY_WITH_TIMEOUT(frames.last().value(QStringLiteral("type")).toString() == QLatin1StringView("error"), 10000);
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
        socket.close();
        QTRY_VERIFY_WITH_TIMEOUT(!connectionSession()->isLive(), 5000);
    }

    void webSocketModeRefusesBadKeysBeforeUpgrade()
    {
        QWebSocket socket;
        QNetworkRequest upgrade(QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/responses").arg(m_runtime->port())));
        upgrade.setRawHeader("Authorization", "Bearer sk-not-a-key");
        QSignalSpy failed(&socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error));
        QSignalSpy connected(&socket, &QWebSocket::connected);
        socket.open(upgrade);
        QVERIFY(failed.wait(10000));
        QCOMPARE(connected.size(), 0);
    }

    void backgroundSettlesWhenTheResponseEnds_data()
    {
        QTest::addColumn<bool>("stream");
        QTest::newRow("json") << false;
        QTest::newRow("stream, client leaves") << true;
    }
    void backgroundSettlesWhenTheResponseEnds()
    {
        QFETCH(bool, stream);
        const qint64 before = balance(m_demoUserId);
        const int results = m_results.size();
        QString requestId;
        QString id;
        if (!stream) {
            const Reply reply = create(createBody(QStringLiteral("Work on this in the background."), false,
                                                  {{QStringLiteral("background"), true}}), m_key);
            QCOMPARE(reply.http.status, 200);
            QCOMPARE(reply.json().value(QStringLiteral("status")).toString(), QStringLiteral("queued"));
            id = reply.json().value(QStringLiteral("id")).toString();
        } else {
            // The client reads the first events of a slow background stream and leaves: the upstream goes on.
            RawClient client;
            QVERIFY(client.connectTo(m_runtime->port()));
            client.send(httpRequest("POST", "/v1/responses",
                                createBody(QStringLiteral("Long work [[scenario:slow]]"), true,
                                           {{QStringLiteral("background"), true}}), m_key));
            QVERIFY(client.waitFor("response.in_progress"));
            const QByteArray head = client.buffer();
            const qsizetype at = head.indexOf("\"id\":\"resp_");
            QVERIFY(at > 0);
            id = QString::fromUtf8(head.mid(at + 6, head.indexOf('"', at + 6) - at - 6));
            client.close();
        }
        QTRY_VERIFY_WITH_TIMEOUT(m_results.size() > results, 10000);
        const Relay::CallResult first = m_results.at(results);
        QVERIFY(first.deferred);
        QVERIFY(!first.settled);
        requestId = first.requestId;
        // Held, not refunded, while the response runs.
        const auto held = Store::ReservationRepository(db()).byRequestId(requestId);
        QVERIFY(held);
        QCOMPARE(held->kind, Store::kBackgroundResponseKind);
        const auto settled = settledResult(requestId);
        QVERIFY(settled);
        // Settled once, from the finished response's usage.
        const Reply done = call("GET", "/v1/responses/" + id.toUtf8(), {}, m_key, false);
        QCOMPARE(done.json().value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
        const auto log = RelayDeskTest::logFor(db(), requestId);
        QVERIFY(log);
        QCOMPARE(log->quota, expectedQuota(done.json().value(QStringLiteral("usage")).toObject()));
        QCOMPARE(log->other.value(QStringLiteral("response_id")).toString(), id);
        QCOMPARE(Store::ReservationRepository(db()).byRequestId(requestId)->state, Store::Reservation::State::Settled);
        QCOMPARE(before - balance(m_demoUserId), log->quota);
        QCOMPARE(backgroundRows(), 0);
    }

    void cancelledBackgroundSettlesOnItsUsage()
    {
        const int results = m_results.size();
        const Reply reply = create(createBody(QStringLiteral("Long work [[scenario:slow]]"), false,
                                              {{QStringLiteral("background"), true}}), m_key);
        const QByteArray id = reply.json().value(QStringLiteral("id")).toString().toUtf8();
        QTRY_VERIFY_WITH_TIMEOUT(m_results.size() > results, 10000);
        const QString requestId = m_results.at(results).requestId;
        const Reply cancelled = call("POST", "/v1/responses/" + id + "/cancel", {}, m_key, false);
        QCOMPARE(cancelled.http.status, 200);
        QCOMPARE(cancelled.json().value(QStringLiteral("status")).toString(), QStringLiteral("cancelled"));
        QVERIFY(settledResult(requestId));
        const auto log = RelayDeskTest::logFor(db(), requestId);
        QVERIFY(log);
        QCOMPARE(log->other.value(QStringLiteral("response_status")).toString(), QStringLiteral("cancelled"));
        const QJsonObject usage = cancelled.json().value(QStringLiteral("usage")).toObject();
        if (!usage.isEmpty())
            QCOMPARE(log->quota, expectedQuota(usage));
        QVERIFY(log->quota > 0);
    }

    void backgroundSurvivesARestart_data()
    {
        QTest::addColumn<bool>("postgres");
        QTest::newRow("sqlite") << false;
        QTest::newRow("postgres") << true;
    }
    void backgroundSurvivesARestart()
    {
        // A relay stops while a background response runs; the next relay on the same database adopts the
        // reservation, polls the upstream and settles it once.
        QFETCH(bool, postgres);
        QTemporaryDir dir;
        Service::RuntimeConfig config;
        config.dataDir = dir.path();
        if (postgres) {
            if (!m_pg)
                m_pg = std::make_unique<Testing::PgCluster>();
            if (!m_pg->isAvailable())
                QSKIP(qPrintable(m_pg->skipReason()));
            QVERIFY2(m_pg->isRunning(), qPrintable(m_pg->error()));
            config.dbUrl = m_pg->createDatabase();
        }
        config.listenPort = 0;
        config.instanceLeaseMs = 1000;
        QList<Relay::CallResult> results;
        auto first = std::make_unique<Service::Runtime>();
        connect(first.get(), &Service::Runtime::callFinished, this, [&](const Relay::CallResult &r) { results.append(r); });
        QVERIFY2(first->start(config), qPrintable(first->errorString()));
        Store::Database &store = *first->database();
        // Its own group: the channel to the upstream outside both relays (a fresh database also has the demo
        // channel, whose upstream stops with the first relay).
        auto user = Store::UserRepository(store).create(QStringLiteral("bg"), QStringLiteral("bg"), 10'000'000);
        Store::NewApiKey spec;
        spec.userId = user->id;
        spec.name = QStringLiteral("bg-key");
        spec.unlimited = true;
        const QByteArray key = Store::ApiKeyRepository(store).create(spec)->plainKey.toUtf8();
        Store::Channel c;
        c.name = QStringLiteral("external");
        c.baseUrl = m_otherUpstream->baseUrl();
        c.secret = QStringLiteral("demo");
        c.models = {QStringLiteral("gpt-4o-mini")};
        c.groups = {QStringLiteral("bg")};
        QVERIFY(Store::ChannelRepository(store).create(c));
        first->invalidateChannels();

        RawClient client;
        QVERIFY(client.connectTo(first->port()));
        client.send(httpRequest("POST", "/v1/responses", createBody(QStringLiteral("Slow job [[scenario:slow]]"), false,
                                                                 {{QStringLiteral("background"), true}}), key));
        const auto reply = client.readResponse(false, 10000);
        QVERIFY(reply);
        QCOMPARE(reply->json().value(QStringLiteral("status")).toString(), QStringLiteral("queued"));
        QTRY_COMPARE_WITH_TIMEOUT(results.size(), 1, 10000);
        QVERIFY(results.first().deferred);
        const QString requestId = results.first().requestId;
        first->stop();
        first.reset();

        results.clear();
        auto second = std::make_unique<Service::Runtime>();
        connect(second.get(), &Service::Runtime::callFinished, this, [&](const Relay::CallResult &r) { results.append(r); });
        QVERIFY2(second->start(config), qPrintable(second->errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(!results.isEmpty() && results.last().settled, 30000);
        QCOMPARE(results.last().requestId, requestId);
        const auto reservation = Store::ReservationRepository(*second->database()).byRequestId(requestId);
        QCOMPARE(reservation->state, Store::Reservation::State::Settled);
        const auto log = RelayDeskTest::logFor(*second->database(), requestId);
        QVERIFY(log);
        QVERIFY2(log->completionTokens > 0, qPrintable(log->content + QString::fromUtf8(QJsonDocument(log->other).toJson(QJsonDocument::Compact))));
        QCOMPARE(log->other.value(QStringLiteral("usage_source")).toString(), QStringLiteral("upstream"));
        QCOMPARE(10'000'000 - Store::UserRepository(*second->database()).byId(user->id)->quota, log->quota);
        second->stop();
    }

    void itemReferencesStickToTheirChannel()
    {
        // Items replayed by id (as the Vercel AI SDK does with store: true) live in the account that made them.
        const Reply first = create(createBody(QStringLiteral("Remember: green."), false), m_pairKey);
        QCOMPARE(first.http.status, 200);
        const qint64 owner = settledLog().channelId;
        const QString itemId = first.json().value(QStringLiteral("output")).toArray().first().toObject()
                                   .value(QStringLiteral("id")).toString();
        QVERIFY(!itemId.isEmpty());
        const QJsonArray input{QJsonObject{{QStringLiteral("type"), QStringLiteral("item_reference")},
                                           {QStringLiteral("id"), itemId}},
                               QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                           {QStringLiteral("content"), QStringLiteral("Which colour?")}}};
        for (int i = 0; i < 6; ++i) {
            QJsonObject body = QJsonDocument::fromJson(createBody(QString(), false)).object();
            body.insert(QStringLiteral("input"), input);
            const Reply next = create(QJsonDocument(body).toJson(QJsonDocument::Compact), m_pairKey);
            QCOMPARE(next.http.status, 200);
            QCOMPARE(settledLog().channelId, owner);
        }
    }

    void errorsAfterTheUpstreamMayHaveBilledAreNotRetried_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("retry");
        QTest::newRow("connection cut after the request") << QStringLiteral("reset") << 502 << QByteArray("false");
        QTest::newRow("upstream timeout") << QStringLiteral("hang") << 504 << QByteArray("false");
        QTest::newRow("upstream 429 (not billed)") << QStringLiteral("error_429") << 429 << QByteArray();
    }
    void errorsAfterTheUpstreamMayHaveBilledAreNotRetried()
    {
        QFETCH(QString, scenario);
        QFETCH(int, status);
        QFETCH(QByteArray, retry);
        const qint64 before = balance(m_demoUserId);
        const Reply reply = create(createBody(QStringLiteral("Hi [[scenario:%1]]").arg(scenario), false), m_key);
        QCOMPARE(reply.http.status, status);
        QCOMPARE(reply.http.header("x-should-retry"), retry);
        QVERIFY(!m_results.last().settled);
        QCOMPARE(balance(m_demoUserId), before); // refunded
    }

    void backgroundIsFollowedByItsLiveOwnerOnly()
    {
        // Two relays on one database: the one that made the background response follows it; the other, whose
        // peer is alive, leaves it alone. One settlement, one consume log.
        QTemporaryDir dir;
        Service::RuntimeConfig config;
        config.dataDir = dir.path();
        config.listenPort = 0;
        config.instanceLeaseMs = 1000;
        QList<Relay::CallResult> ownerResults;
        QList<Relay::CallResult> peerResults;
        auto owner = RelayDeskTest::recordingRuntime(this, &ownerResults);
        QVERIFY2(owner->start(config), qPrintable(owner->errorString()));
        Store::Database &store = *owner->database();
        auto user = Store::UserRepository(store).create(QStringLiteral("bg2"), QStringLiteral("bg"), 10'000'000);
        Store::NewApiKey spec;
        spec.userId = user->id;
        spec.name = QStringLiteral("bg2-key");
        spec.unlimited = true;
        const QByteArray key = Store::ApiKeyRepository(store).create(spec)->plainKey.toUtf8();
        Store::Channel c;
        c.name = QStringLiteral("external");
        c.baseUrl = m_otherUpstream->baseUrl();
        c.secret = QStringLiteral("demo");
        c.models = {QStringLiteral("gpt-4o-mini")};
        c.groups = {QStringLiteral("bg")};
        QVERIFY(Store::ChannelRepository(store).create(c));
        owner->invalidateChannels();
        auto peer = RelayDeskTest::recordingRuntime(this, &peerResults);
        QVERIFY2(peer->start(config), qPrintable(peer->errorString()));

        RawClient client;
        QVERIFY(client.connectTo(owner->port()));
        client.send(httpRequest("POST", "/v1/responses", createBody(QStringLiteral("Slow job [[scenario:slow]]"), false,
                                                                     {{QStringLiteral("background"), true}}), key));
        QVERIFY(client.readResponse(false, 10000));
        QTRY_VERIFY_WITH_TIMEOUT(!ownerResults.isEmpty() && ownerResults.last().settled, 30000);
        const QString requestId = ownerResults.first().requestId;
        QCOMPARE(ownerResults.last().requestId, requestId);
        QVERIFY(peerResults.isEmpty());
        Store::LogFilter consume;
        consume.type = Store::LogType::Consume;
        consume.requestId = requestId;
        QCOMPARE(Store::LogRepository(*peer->database()).count(consume), 1);
        peer->stop();
        owner->stop();
    }

    void logsEqualDebits()
    {
        qint64 balances = 0;
        for (const auto &u : Store::UserRepository(db()).list())
            balances += u.quota;
        Store::LogFilter consume;
        consume.type = Store::LogType::Consume;
        QCOMPARE(m_initialBalances - balances, Store::LogRepository(db()).sumQuota(consume));
    }
};

QTEST_GUILESS_MAIN(TestResponsesRelay)
#include "tst_responsesrelay.moc"
