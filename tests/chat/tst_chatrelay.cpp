// The chat relay end to end: a client on a real loopback socket → Runtime (relay thread) → DemoUpstream
// (its own thread) → back, with the database checked after every call and the ledger invariant at the end.
#include "demoruntime.h"
#include "logfor.h"
#include "../relay/rawhttpclient.h"
#include "deadinstance.h"
#include "heldlock.h"

#include "billing/ledger.h"
#include "billing/pricingservice.h"
#include "billing/quotamath.h"
#include "monitor/sessionregistry.h"
#include "relay/channelselector.h"
#include "relay/chat/chatrelaytokens.h"
#include "relay/sseparser.h"
#include "relay/usageparser.h"
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
#include <QtCore/QSemaphore>
#include <QtCore/QTemporaryDir>
#include <QtCore/QThread>
#include <QtSql/QSqlQuery>
#include <QtNetwork/QTcpServer>
#include <QtTest/QtTest>

using namespace RelayDesk;
using RelayDeskTest::RawClient;
using RelayDeskTest::RawResponse;

namespace {

struct Reply
{
    RawResponse http;
    QList<QJsonObject> chunks; // SSE JSON payloads
    QList<QByteArray> events;  // every SSE data payload
    bool sawDone = false;
};

// The names of a JSON object's own members, in the order written, repeats included (QJsonDocument keeps one).
QStringList topLevelKeys(const QByteArray &json)
{
    QStringList keys;
    int depth = 0;
    bool expectKey = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json.at(i);
        if (c == '"') {
            const qsizetype start = ++i;
            while (i < json.size() && json.at(i) != '"')
                i += json.at(i) == '\\' ? 2 : 1;
            if (depth == 1 && expectKey)
                keys << QString::fromUtf8(json.mid(start, i - start));
            expectKey = false;
        } else if (c == '{' || c == '[') {
            ++depth;
            expectKey = c == '{' && depth == 1;
        } else if (c == '}' || c == ']') {
            --depth;
        } else if (c == ',' && depth == 1) {
            expectKey = true;
        }
    }
    return keys;
}

QByteArray chatBody(const QString &model, const QString &text, bool stream, bool includeUsage = false,
                    const QJsonObject &extra = {})
{
    QJsonObject body{{QStringLiteral("model"), model},
                     {QStringLiteral("messages"),
                      QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("system")},
                                             {QStringLiteral("content"), QStringLiteral("You are terse.")}},
                                 QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                             {QStringLiteral("content"), text}}}},
                     {QStringLiteral("max_tokens"), 200}};
    if (stream)
        body.insert(QStringLiteral("stream"), true);
    if (includeUsage)
        body.insert(QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}});
    for (auto it = extra.begin(); it != extra.end(); ++it)
        body.insert(it.key(), it.value());
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QByteArray post(const QByteArray &path, const QByteArray &body, const QByteArray &key)
{
    QByteArray r = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
    if (!key.isEmpty())
        r += "Authorization: Bearer " + key + "\r\n";
    r += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    return r;
}

} // namespace

class TestChatRelay : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Service::Runtime> m_runtime;
    QByteArray m_key;        // the demo key (unlimited, user "demo")
    qint64 m_demoUserId = 0;
    QList<Relay::CallResult> m_results;
    qint64 m_initialBalances = 0;
    bool m_ready = false;
    qint64 m_limitedKeyId = 0;
    QByteArray m_limitedKey;

    Store::Database &db() { return *m_runtime->database(); }
    QByteArray rawOtherJson(qint64 logId)
    {
        QSqlQuery q(db().connection());
        q.prepare(QStringLiteral("SELECT other_json FROM logs WHERE id = ?"));
        q.addBindValue(logId);
        return q.exec() && q.next() ? q.value(0).toString().toUtf8() : QByteArray();
    }

    Reply call(const QByteArray &body, const QByteArray &key, const QByteArray &path = "/v1/chat/completions")
    {
        const int before = m_results.size();
        RawClient client;
        Reply out;
        if (!client.connectTo(m_runtime->port()))
            return out;
        client.send(post(path, body, key));
        auto r = client.readResponse(false, 30000);
        if (r)
            out.http = *r;
        if (out.http.header("Content-Type").startsWith("text/event-stream")) {
            Relay::SseParser parser;
            for (const auto &e : parser.feed(out.http.body)) {
                out.events.append(e.data);
                if (e.data == "[DONE]")
                    out.sawDone = true;
                else
                    out.chunks.append(QJsonDocument::fromJson(e.data).object());
            }
        }
        // The settlement is committed right after the last byte; wait for it before checking the DB. Refusals
        // (other 4xx) happen before any reservation and report no result; an upstream 429 is refunded.
        const bool reachedUpstream = out.http.status == 200 || out.http.status == 429 || out.http.status >= 500;
        if (path == "/v1/chat/completions" && reachedUpstream)
            RelayDeskTest::spinUntil([&] { return m_results.size() > before; }, 30000);
        return out;
    }

    std::optional<Store::LogRecord> logFor(const QString &requestId) { return RelayDeskTest::logFor(db(), requestId); }

    qint64 balance(qint64 userId) { return Store::UserRepository(db()).byId(userId)->quota; }

    Billing::ModelPricing pricing(const QString &model)
    {
        return m_runtime->pricing()->current()->pricing(model, QStringLiteral("default"), QStringLiteral("default")).value();
    }

    Store::Channel addChannel(const QString &name, const QString &baseUrl, const QStringList &groups, int priority,
                              const QJsonObject &mapping = {}, const QStringList &models = {QStringLiteral("gpt-4o-mini")})
    {
        Store::Channel c;
        c.name = name;
        c.baseUrl = baseUrl;
        c.secret = QStringLiteral("demo");
        c.models = models;
        c.groups = groups;
        c.priority = priority;
        c.modelMapping = mapping;
        auto created = Store::ChannelRepository(db()).create(c);
        m_runtime->invalidateChannels();
        return created.value();
    }

    QByteArray addUserKey(const QString &name, const QString &group, qint64 quota, Store::NewApiKey spec = {},
                          qint64 *keyId = nullptr)
    {
        auto user = Store::UserRepository(db()).create(name, group, quota);
        if (m_ready) // money that arrived after the starting balances were recorded
            m_initialBalances += quota;
        spec.userId = user->id;
        spec.name = name + QStringLiteral("-key");
        if (spec.quota == 0 && !spec.unlimited)
            spec.unlimited = true;
        auto key = Store::ApiKeyRepository(db()).create(spec);
        if (keyId)
            *keyId = key->key.id;
        return key->plainKey.toUtf8();
    }

    void checkSettled(const Relay::CallResult &result, const Store::LogRecord &log)
    {
        QVERIFY(result.settled);
        QCOMPARE(log.quota, result.quota);
        const auto reservation = Store::ReservationRepository(db()).byRequestId(result.requestId);
        QVERIFY(reservation);
        QCOMPARE(reservation->state, Store::Reservation::State::Settled);
        QCOMPARE(reservation->finalQuota, log.quota);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_runtime = RelayDeskTest::recordingRuntime(this, &m_results);
        Service::RuntimeConfig config = RelayDeskTest::fastDemoConfig(m_dir.path());
        config.server.maxBodyBytes = 256 * 1024;
        config.relay.upstream.transferTimeout = std::chrono::milliseconds(1500);
        QVERIFY2(m_runtime->start(config), qPrintable(m_runtime->errorString()));
        QVERIFY(m_runtime->port() > 0);
        const auto creds = m_runtime->demoCredentials();
        QVERIFY(creds && creds->plainKey.startsWith(QStringLiteral("sk-")));
        m_key = creds->plainKey.toUtf8();
        m_demoUserId = Store::UserRepository(db()).byName(QStringLiteral("demo"))->id;

        // Extra fixtures, created before the balances are recorded for the invariant.
        const QString demo = m_runtime->demoUpstream()->baseUrl();
        QTcpServer closed; // a port nobody listens on: connection refused
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const QString deadUrl = QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort());
        closed.close();
        addChannel(QStringLiteral("dead"), deadUrl, {QStringLiteral("retry")}, 10);
        addChannel(QStringLiteral("good-r"), demo, {QStringLiteral("retry")}, 0);
        addChannel(QStringLiteral("fail500"), demo, {QStringLiteral("retry500")}, 10,
                   {{QStringLiteral("gpt-4o-mini"), QStringLiteral("gpt-4o-mini+error_500")}});
        addChannel(QStringLiteral("good-500"), demo, {QStringLiteral("retry500")}, 0);
        addChannel(QStringLiteral("only500"), demo, {QStringLiteral("solo500")}, 0,
                   {{QStringLiteral("gpt-4o-mini"), QStringLiteral("gpt-4o-mini+error_500")}});
        addChannel(QStringLiteral("mapped"), demo, {QStringLiteral("mapgrp")}, 0,
                   {{QStringLiteral("gpt-4o"), QStringLiteral("gpt-4o-mini")}}, {QStringLiteral("gpt-4o")});
        addUserKey(QStringLiteral("retry"), QStringLiteral("retry"), 5'000'000);
        addUserKey(QStringLiteral("retry500"), QStringLiteral("retry500"), 5'000'000);
        addUserKey(QStringLiteral("solo500"), QStringLiteral("solo500"), 5'000'000);
        addUserKey(QStringLiteral("mapper"), QStringLiteral("mapgrp"), 5'000'000);
        addUserKey(QStringLiteral("poor"), QStringLiteral("default"), 10);
        Store::NewApiKey limited;
        limited.quota = 200'000;
        limited.modelLimits = {QStringLiteral("gpt-4o-mini")};
        m_limitedKey = addUserKey(QStringLiteral("limited"), QStringLiteral("default"), 5'000'000, limited, &m_limitedKeyId);

        for (const auto &u : Store::UserRepository(db()).list())
            m_initialBalances += u.quota;
        m_ready = true;
    }

    void cleanupTestCase()
    {
        if (m_runtime)
            m_runtime->stop();
    }

    void healthAndModels()
    {
        RawClient c;
        QVERIFY(c.connectTo(m_runtime->port()));
        c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        auto r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 200);

        c.send("GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + m_key + "\r\n\r\n");
        r = c.readResponse();
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->json().value("object").toString(), QStringLiteral("list"));
        QStringList ids;
        for (const auto &m : r->json().value("data").toArray())
            ids << m.toObject().value("id").toString();
        QVERIFY(ids.contains(QStringLiteral("gpt-4o-mini")));
        QVERIFY(ids.contains(QStringLiteral("gpt-4o")));

        // A key limited to one model lists only that model.
        c.send("GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + m_limitedKey + "\r\n\r\n");
        r = c.readResponse();
        QVERIFY(r);
        ids.clear();
        for (const auto &m : r->json().value("data").toArray())
            ids << m.toObject().value("id").toString();
        QCOMPARE(ids, QStringList{QStringLiteral("gpt-4o-mini")});
    }

    void jsonCompletion()
    {
        const qint64 before = balance(m_demoUserId);
        const Reply reply = call(chatBody(QStringLiteral("gpt-4o-mini"), QStringLiteral("Hello there"), false), m_key);
        QCOMPARE(reply.http.status, 200);
        const QJsonObject body = reply.http.json();
        QCOMPARE(body.value("object").toString(), QStringLiteral("chat.completion"));
        QVERIFY(!body.value("choices").toArray().first().toObject().value("message").toObject().value("content").toString().isEmpty());
        const auto usage = Relay::UsageParser::parse(body.value("usage"));
        QVERIFY(usage);

        const auto result = m_results.last();
        const auto log = logFor(result.requestId);
        QVERIFY(log);
        checkSettled(result, *log);
        QCOMPARE(log->promptTokens, usage->promptTokens);
        QCOMPARE(log->completionTokens, usage->completionTokens);
        QCOMPARE(log->quota, Billing::QuotaMath::settle(pricing(QStringLiteral("gpt-4o-mini")), usage->usage).quota);
        QCOMPARE(log->other.value("usage_source").toString(), QStringLiteral("upstream"));
        QCOMPARE(log->other.value("admin_info").toObject().value("usage_billing_path").toString(), QStringLiteral("upstream"));
        QCOMPARE(log->other.value("request_path").toString(), QStringLiteral("/v1/chat/completions"));
        QVERIFY(log->other.contains("model_ratio"));
        QVERIFY(log->other.contains("group_ratio"));
        QCOMPARE(log->other.value("frt").toDouble(), -1000.0);
        QCOMPARE(log->other.value("reservation_id").toInteger(),
                 Store::ReservationRepository(db()).byRequestId(result.requestId)->id);
        QCOMPARE(log->other.value("price_snapshot_id").toInteger(), pricing(QStringLiteral("gpt-4o-mini")).snapshotId);
        QCOMPARE(log->other.value("end_reason").toString(), QStringLiteral("done"));
        QCOMPARE(log->other.value("usage").toObject().value("text_input").toInteger(), usage->usage.inputText);
        QVERIFY(log->other.contains("reserved"));
        QVERIFY(!log->isStream);
        QCOMPARE(balance(m_demoUserId), before - log->quota);
        // The row's text names each member once (part of it is written as text, part as an object).
        const QStringList keys = topLevelKeys(rawOtherJson(log->id));
        QCOMPARE(keys.size(), log->other.size());
        QCOMPARE(QSet<QString>(keys.cbegin(), keys.cend()).size(), keys.size());
    }

    // A non-stream reply is sent only once its settlement is committed: the log row is there, for any
    // connection, the moment the client has the response (no waiting for the relay's result signal).
    void jsonReplyFollowsItsCommittedSettlement()
    {
        Store::LogFilter consume;
        consume.type = Store::LogType::Consume;
        const qint64 before = Store::LogRepository(db()).count(consume);
        RawClient client;
        QVERIFY(client.connectTo(m_runtime->port()));
        client.send(post("/v1/chat/completions", chatBody(QStringLiteral("gpt-4o-mini"), QStringLiteral("hi"), false), m_key));
        const auto response = client.readResponse(false, 30000);
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(Store::LogRepository(db()).count(consume), before + 1);
        QVERIFY(RelayDeskTest::spinUntil([&] { return Store::ReservationRepository(db()).openReservations().isEmpty(); }, 30000));
    }

    void jsonWithoutUpstreamUsage()
    {
        const Reply reply = call(chatBody(QStringLiteral("gpt-4o-mini"), QStringLiteral("hi [[scenario:no_usage]]"), false), m_key);
        QCOMPARE(reply.http.status, 200);
        const QString content = reply.http.json().value("choices").toArray().first().toObject()
                                    .value("message").toObject().value("content").toString();
        const auto log = logFor(m_results.last().requestId);
        QVERIFY(log);
        checkSettled(m_results.last(), *log);
        QCOMPARE(log->other.value("usage_source").toString(), QStringLiteral("local"));
        QCOMPARE(log->other.value("admin_info").toObject().value("local_count_tokens").toBool(), true);
        QCOMPARE(log->completionTokens, Relay::ChatRelayTokens::countText(content, QStringLiteral("gpt-4o-mini")));
        // The client is told what it is billed for.
        QCOMPARE(reply.http.json().value("usage").toObject().value("completion_tokens").toInteger(), log->completionTokens);
    }

    void streamUsage_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<bool>("includeUsage");
        QTest::addColumn<QString>("source");
        QTest::newRow("usage last, shown") << "default" << true << "upstream";
        QTest::newRow("usage last, hidden") << "default" << false << "upstream";
        QTest::newRow("usage early, shown") << "usage_early" << true << "upstream";
        QTest::newRow("usage early, hidden") << "usage_early" << false << "upstream";
        QTest::newRow("no usage") << "no_usage" << false << "local";
        QTest::newRow("no usage, asked") << "no_usage" << true << "local";
        QTest::newRow("reasoning") << "reasoning" << false << "upstream";
        QTest::newRow("cached") << "cached" << true << "upstream";
    }

    void streamUsage()
    {
        QFETCH(QString, scenario);
        QFETCH(bool, includeUsage);
        QFETCH(QString, source);
        const QString text = QStringLiteral("Tell me something [[scenario:%1]]").arg(scenario);
        const Reply reply = call(chatBody(QStringLiteral("gpt-4o-mini"), text, true, includeUsage), m_key);
        QCOMPARE(reply.http.status, 200);
        QVERIFY(reply.sawDone);
        QString content;
        std::optional<Relay::ParsedUsage> clientUsage;
        for (const QJsonObject &c : reply.chunks) {
            for (const auto &ch : c.value("choices").toArray())
                content += ch.toObject().value("delta").toObject().value("content").toString();
            if (auto u = Relay::UsageParser::parse(c.value("usage")))
                clientUsage = u;
        }
        QVERIFY(!content.isEmpty());
        const auto log = logFor(m_results.last().requestId);
        QVERIFY(log);
        checkSettled(m_results.last(), *log);
        QVERIFY(log->isStream);
        QCOMPARE(log->other.value("usage_source").toString(), source);
        QCOMPARE(log->other.value("stream_status").toObject().value("end_reason").toString(), QStringLiteral("done"));
        QVERIFY(log->other.value("frt").toDouble() >= 0);
        // The usage chunk reaches only clients that asked for it (and only when the upstream sent one).
        QCOMPARE(clientUsage.has_value(), includeUsage && source == QLatin1String("upstream"));
        if (!includeUsage) {
            for (const QByteArray &e : reply.events)
                QVERIFY2(!e.contains("\"usage\""), e.constData());
        }
        if (clientUsage) {
            QCOMPARE(log->promptTokens, clientUsage->promptTokens);
            QCOMPARE(log->completionTokens, clientUsage->completionTokens);
            QCOMPARE(log->quota, Billing::QuotaMath::settle(pricing(QStringLiteral("gpt-4o-mini")), clientUsage->usage).quota);
        }
        if (source == QLatin1String("local"))
            QCOMPARE(log->completionTokens, Relay::ChatRelayTokens::countText(content, QStringLiteral("gpt-4o-mini")));
        if (scenario == QLatin1String("cached"))
            QVERIFY(log->other.value("cache_tokens").toInteger() > 0);
        if (scenario == QLatin1String("reasoning"))
            QVERIFY(log->other.value("usage").toObject().value("reasoning_output").toInteger() > 0);
    }

    void streamToolCalls_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::newRow("upstream usage") << "tools";
        QTest::newRow("counted locally") << "tools,no_usage";
    }

    void streamToolCalls()
    {
        QFETCH(QString, scenario);
        const Reply reply = call(chatBody(QStringLiteral("gpt-4o-mini"),
                                          QStringLiteral("Weather in Paris? [[scenario:%1]]").arg(scenario), true),
                                 m_key);
        QCOMPARE(reply.http.status, 200);
        QString name, arguments, finish;
        for (const QJsonObject &c : reply.chunks) {
            const QJsonObject choice = c.value("choices").toArray().first().toObject();
            for (const auto &tc : choice.value("delta").toObject().value("tool_calls").toArray()) {
                name += tc.toObject().value("function").toObject().value("name").toString();
                arguments += tc.toObject().value("function").toObject().value("arguments").toString();
            }
            if (choice.value("finish_reason").isString())
                finish = choice.value("finish_reason").toString();
        }
        QCOMPARE(name, QStringLiteral("get_weather"));
        QVERIFY(QJsonDocument::fromJson(arguments.toUtf8()).isObject());
        QCOMPARE(finish, QStringLiteral("tool_calls"));
        const auto log = logFor(m_results.last().requestId);
        QVERIFY(log);
        checkSettled(m_results.last(), *log);
        // Locally or upstream, the tool call's name and arguments are what is billed as completion.
        QCOMPARE(log->completionTokens, Relay::ChatRelayTokens::countText(QString(name + arguments), QStringLiteral("gpt-4o-mini")));
    }

    void imagesInPrompt()
    {
        QJsonArray parts{QJsonObject{{"type", "text"}, {"text", "What is in this picture?"}},
                         QJsonObject{{"type", "image_url"},
                                     {"image_url", QJsonObject{{"url", "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="}}}},
                         QJsonObject{{"type", "image_url"},
                                     {"image_url", QJsonObject{{"url", "https://example.com/a.png"}, {"detail", "low"}}}}};
        QJsonObject body{{"model", "gpt-4o-mini"},
                         {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", parts}}}}};
        const Reply reply = call(QJsonDocument(body).toJson(QJsonDocument::Compact), m_key);
        QCOMPARE(reply.http.status, 200);
        const auto log = logFor(m_results.last().requestId);
        QVERIFY(log);
        checkSettled(m_results.last(), *log);
        const auto estimate = Relay::ChatRelayTokens::estimatePrompt(body, QStringLiteral("gpt-4o-mini"));
        QVERIFY(estimate.imageTokens > 0);
        // The demo reports the image part of the prompt as image_tokens; billed at the image ratio.
        QCOMPARE(log->other.value("usage").toObject().value("image_input").toInteger(), estimate.imageTokens);
        QCOMPARE(log->promptTokens, estimate.total());
    }

    void retryOnConnectError()
    {
        const QByteArray key = Store::ApiKeyRepository::generatePlainKey().toUtf8(); // unknown: must be 401
        QCOMPARE(call(chatBody("gpt-4o-mini", "x", false), key).http.status, 401);

        auto user = Store::UserRepository(db()).byName(QStringLiteral("retry"));
        QVERIFY(user);
        const QByteArray retryKey = keyFor(QStringLiteral("retry"));
        const Reply reply = call(chatBody(QStringLiteral("gpt-4o-mini"), QStringLiteral("hello"), true), retryKey);
        QCOMPARE(reply.http.status, 200);
        QVERIFY(reply.sawDone);
        const auto log = logFor(m_results.last().requestId);
        QVERIFY(log);
        checkSettled(m_results.last(), *log);
        QCOMPARE(log->other.value("admin_info").toObject().value("use_channel").toArray().size(), 2);
        QCOMPARE(log->channelId, Store::ChannelRepository(db()).byName(QStringLiteral("good-r"))->id);
    }

    void retryOn500()
    {
        const Reply reply = call(chatBody(QStringLiteral("gpt-4o-mini"), QStringLiteral("hello"), false),
                                 keyFor(QStringLiteral("retry500")));
        QCOMPARE(reply.http.status, 200);
        const auto log = logFor(m_results.last().requestId);
        QVERIFY(log);
        checkSettled(m_results.last(), *log);
        QCOMPARE(log->channelId, Store::ChannelRepository(db()).byName(QStringLiteral("good-500"))->id);
    }

    void upstreamErrorIsRelayedAndRefunded_data()
    {
        QTest::addColumn<QString>("who");
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("status");
        QTest::newRow("500, no other channel") << "solo500" << "hi" << 500;
        QTest::newRow("429") << "demo" << "hi [[scenario:error_429]]" << 429;
    }

    void upstreamErrorIsRelayedAndRefunded()
    {
        QFETCH(QString, who);
        QFETCH(QString, text);
        QFETCH(int, status);
        const QByteArray key = who == QLatin1String("demo") ? m_key : keyFor(who);
        const qint64 userId = Store::UserRepository(db()).byName(who)->id;
        const qint64 before = balance(userId);
        const Reply reply = call(chatBody(QStringLiteral("gpt-4o-mini"), text, true), key);
        QCOMPARE(reply.http.status, status);
        QVERIFY(reply.http.error().contains("message"));
        QVERIFY(!m_results.last().settled);
        // No consume row; an error row (quota 0) says what went wrong.
        const auto log = logFor(m_results.last().requestId);
        QVERIFY(log);
        QCOMPARE(log->type, Store::LogType::Error);
        QCOMPARE(log->quota, 0);
        QVERIFY2(log->content.contains(QString::number(status)), qPrintable(log->content));
        QCOMPARE(log->other.value("status_code").toInt(), status);
        QCOMPARE(log->other.value("end_reason").toString(), QStringLiteral("refunded:upstream_http_%1").arg(status));
        QCOMPARE(Store::ReservationRepository(db()).byRequestId(m_results.last().requestId)->state,
                 Store::Reservation::State::Refunded);
        QCOMPARE(balance(userId), before);
    }

    void upstreamTimeout()
    {
        const qint64 before = balance(m_demoUserId);
        const Reply reply = call(chatBody(QStringLiteral("gpt-4o-mini"), QStringLiteral("[[scenario:hang]]"), false), m_key);
        QCOMPARE(reply.http.status, 504);
        QCOMPARE(balance(m_demoUserId), before);
    }

    void modelMapping()
    {
        const Reply reply = call(chatBody(QStringLiteral("gpt-4o"), QStringLiteral("hello"), false), keyFor(QStringLiteral("mapper")));
        QCOMPARE(reply.http.status, 200);
        QCOMPARE(reply.http.json().value("model").toString(), QStringLiteral("gpt-4o-mini")); // what the upstream ran
        const auto log = logFor(m_results.last().requestId);
        QVERIFY(log);
        checkSettled(m_results.last(), *log);
        QCOMPARE(log->model, QStringLiteral("gpt-4o"));
        QCOMPARE(log->upstreamModel, QStringLiteral("gpt-4o-mini"));
        QCOMPARE(log->other.value("is_model_mapped").toBool(), true);
        // Priced as the requested model.
        const auto usage = Relay::UsageParser::parse(reply.http.json().value("usage"));
        QCOMPARE(log->quota, Billing::QuotaMath::settle(pricing(QStringLiteral("gpt-4o")), usage->usage).quota);
    }

    void clientDisconnectMidStream()
    {
        const int before = m_results.size();
        RawClient client;
        QVERIFY(client.connectTo(m_runtime->port()));
        client.send(post("/v1/chat/completions",
                         chatBody(QStringLiteral("gpt-4o-mini"), QStringLiteral("long story [[scenario:slow]]"), true),
                         m_key));
        QVERIFY(client.waitFor("\"content\":\"Hello!\""));
        client.close();
        QVERIFY(RelayDeskTest::spinUntil([&] { return m_results.size() > before; }, 30000));
        const auto result = m_results.last();
        QCOMPARE(result.endReason, QStringLiteral("client_gone"));
        const auto log = logFor(result.requestId);
        QVERIFY(log);
        checkSettled(result, *log);
        QCOMPARE(log->other.value("usage_source").toString(), QStringLiteral("local"));
        QCOMPARE(log->other.value("stream_status").toObject().value("end_reason").toString(), QStringLiteral("client_gone"));
        // Billed for what was delivered: fewer tokens than the whole reply.
        QVERIFY(log->completionTokens >= 1);
        QVERIFY(log->completionTokens < 40);
    }

    // The hold is taken off the relay thread: while another connection holds the database's write lock (a console
    // edit), the call waits for its hold and the relay goes on. A client that leaves meanwhile is refunded once the
    // hold lands — nothing charged, nothing sent upstream — and the reply-less call is logged as such.
    void clientGoneWhileTheHoldWaits()
    {
        const int before = m_results.size();
        const qint64 balanceBefore = balance(m_demoUserId);
        const int live = m_runtime->sessions()->liveCount();
        RelayDeskTest::HeldLock lock(db(), {QStringLiteral("BEGIN IMMEDIATE")}); // a console's write
        QVERIFY(lock.isLocked());

        RawClient client;
        QVERIFY(client.connectTo(m_runtime->port()));
        client.send(post("/v1/chat/completions", chatBody(QStringLiteral("gpt-4o-mini"), QStringLiteral("hello"), false), m_key));
        QVERIFY(RelayDeskTest::spinUntil([&] { return m_runtime->sessions()->liveCount() > live; }, 30000)); // reserving
        const quint64 session = m_runtime->sessions()->sessions().last().id; // the newest
        const auto sawClientGone = [&] {
            const auto events = m_runtime->sessions()->recentEvents(session);
            return std::any_of(events.begin(), events.end(),
                               [](const Monitor::SessionEvent &e) { return e.type == QLatin1StringView("client.gone"); });
        };
        // The relay thread is free meanwhile: another client is answered (a read, which the lock does not stop).
        RawClient models;
        QVERIFY(models.connectTo(m_runtime->port()));
        models.send(QByteArray("GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ") + m_key + "\r\n\r\n");
        QVERIFY(models.waitFor("\"object\":\"list\""));
        client.close();
        // The relay must have seen the client leave before the hold lands; otherwise the call rightly goes upstream
        // and ends as an ordinary client_gone.
        QVERIFY(RelayDeskTest::spinUntil([&] { return sawClientGone(); }, 30000));
        QCOMPARE(m_results.size(), before); // nothing ends before the hold has landed
        lock.release();

        QVERIFY(RelayDeskTest::spinUntil([&] { return m_results.size() > before; }, 30000));
        const auto result = m_results.last();
        QCOMPARE(result.endReason, QStringLiteral("refunded:client_gone"));
        QVERIFY(!result.settled);
        QCOMPARE(result.quota, 0);
        QVERIFY(result.reserved > 0);
        const auto reservation = Store::ReservationRepository(db()).byRequestId(result.requestId);
        QVERIFY(reservation);
        QCOMPARE(reservation->state, Store::Reservation::State::Refunded);
        QCOMPARE(balance(m_demoUserId), balanceBefore);
    }

    // A channel's health, recorded while another connection holds the database's write lock, waits on the store
    // lane and not on the relay thread: the relay keeps answering meanwhile, and the row lands once the lock goes.
    void channelHealthWaitsOffTheRelayThread()
    {
        QTcpServer upstream; // answers when told to
        QVERIFY(upstream.listen(QHostAddress::LocalHost, 0));
        const Store::Channel channel = addChannel(QStringLiteral("held"),
                                                  QStringLiteral("http://127.0.0.1:%1").arg(upstream.serverPort()),
                                                  {QStringLiteral("heldgrp")}, 0);
        const QByteArray key = addUserKey(QStringLiteral("held"), QStringLiteral("heldgrp"), 5'000'000);
        const int before = m_results.size();
        RawClient client;
        QVERIFY(client.connectTo(m_runtime->port()));
        client.send(post("/v1/chat/completions", chatBody(QStringLiteral("gpt-4o-mini"), QStringLiteral("hello"), false), key));
        QVERIFY(upstream.waitForNewConnection(30000));
        QTcpSocket *asked = upstream.nextPendingConnection();
        QVERIFY(asked->bytesAvailable() > 0 || asked->waitForReadyRead(30000)); // the hold is durable: it was called

        RelayDeskTest::HeldLock lock(db(), {QStringLiteral("BEGIN IMMEDIATE")}); // a console's write
        QVERIFY(lock.isLocked());
        const QByteArray body = R"({"error":{"message":"overloaded","type":"server_error"}})";
        asked->write("HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: " +
                     QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
        QVERIFY(asked->waitForBytesWritten(10000));
        // The relay thread set the health in memory and is on to recording it.
        QVERIFY(RelayDeskTest::spinUntil([&] {
            return m_runtime->channels()->health(channel.id).state == Store::ChannelHealth::State::Unhealthy;
        }, 30000));
        RawClient models;
        QVERIFY(models.connectTo(m_runtime->port()));
        models.send(QByteArray("GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ") + m_key + "\r\n\r\n");
        QVERIFY(models.waitFor("\"object\":\"list\"")); // within 10 s; the busy timeout the write waits on is 15 s
        QVERIFY(m_results.size() == before); // the call's refund waits for the lock too
        lock.release();

        QVERIFY(RelayDeskTest::spinUntil([&] { return m_results.size() > before; }, 30000));
        QVERIFY(!m_results.last().settled);
        const auto recorded = [&] {
            for (const Store::ChannelHealth &row : Store::ChannelHealthRepository(db()).list())
                if (row.channelId == channel.id)
                    return row.state == Store::ChannelHealth::State::Unhealthy;
            return false;
        };
        QVERIFY(RelayDeskTest::spinUntil(recorded, 30000));
        Store::ChannelRepository(db()).remove(channel.id);
        m_runtime->invalidateChannels();
    }

    // A client that stops reading while the upstream sends ~8 MB at once: the relay stops writing to it
    // (the upstream finishes meanwhile) and, once the client reads again, delivers everything in order,
    // then ends the stream and settles.
    void slowClientBackpressure()
    {
        const int before = m_results.size();
        QTcpSocket socket;
        socket.setReadBufferSize(4096);
        socket.connectToHost(QHostAddress::LocalHost, m_runtime->port());
        QVERIFY(socket.waitForConnected(10000));
        const QByteArray request = post("/v1/chat/completions",
                                        chatBody(QStringLiteral("gpt-4o-mini"), QStringLiteral("[[scenario:large]]"), true), m_key);
        socket.write(request);
        socket.flush();
        // Do not read for a while.
        QTest::qWait(700);
        QVERIFY(m_results.size() == before); // still streaming: the relay is waiting for us
        QByteArray received;
        QVERIFY(RelayDeskTest::spinUntil([&] {
            received += socket.readAll();
            return received.contains("data: [DONE]");
        }, 60000));
        QVERIFY(RelayDeskTest::spinUntil([&] { return m_results.size() > before; }, 30000));
        QCOMPARE(m_results.last().endReason, QStringLiteral("done"));
        QVERIFY(received.size() > 8'000'000);
        const QByteArray padChunk = "\"content\":\"" + QByteArray(2000, ' ') + "\"";
        QCOMPARE(received.count(padChunk), 4000);
        const auto log = logFor(m_results.last().requestId);
        QVERIFY(log);
        checkSettled(m_results.last(), *log);
    }

    void upstreamResetMidStream()
    {
        const Reply reply = call(chatBody(QStringLiteral("gpt-4o-mini"), QStringLiteral("hi [[scenario:reset]]"), true), m_key);
        QCOMPARE(reply.http.status, 200);
        QVERIFY(!reply.sawDone);
        QVERIFY(!reply.chunks.isEmpty());
        QVERIFY(reply.chunks.last().value("error").isObject()); // the SSE error event
        const auto result = m_results.last();
        QCOMPARE(result.endReason, QStringLiteral("upstream_error"));
        const auto log = logFor(result.requestId);
        QVERIFY(log);
        checkSettled(result, *log);
        QCOMPARE(log->other.value("stream_status").toObject().value("status").toString(), QStringLiteral("error"));
        QVERIFY(log->completionTokens >= 1);
    }

    void authErrors()
    {
        Reply r = call(chatBody("gpt-4o-mini", "x", false), {});
        QCOMPARE(r.http.status, 401);
        QCOMPARE(r.http.error().value("code").toString(), QStringLiteral("invalid_api_key"));
        r = call(chatBody("gpt-4o-mini", "x", false), "sk-not-a-real-key");
        QCOMPARE(r.http.status, 401);
        QVERIFY(!r.http.body.contains("sk-not-a-real-key")); // never echo a key

        // Model limits: 403 model_not_allowed.
        r = call(chatBody("gpt-4o", "x", false), m_limitedKey);
        QCOMPARE(r.http.status, 403);
        QCOMPARE(r.http.error().value("code").toString(), QStringLiteral("model_not_allowed"));

        // Unknown model: 404.
        r = call(chatBody("no-such-model", "x", false), m_key);
        QCOMPARE(r.http.status, 404);

        // Disabled key: 403, after the invalidate hook.
        qint64 keyId = 0;
        const QByteArray key = addUserKey(QStringLiteral("disabled"), QStringLiteral("default"), 1'000'000, {}, &keyId);
        QCOMPARE(call(chatBody("gpt-4o-mini", "x", false), key).http.status, 200);
        QVERIFY(Store::ApiKeyRepository(db()).setStatus(keyId, Store::RowStatus::Disabled));
        m_runtime->invalidateKey(keyId);
        r = call(chatBody("gpt-4o-mini", "x", false), key);
        QCOMPARE(r.http.status, 403);
        QCOMPARE(r.http.error().value("code").toString(), QStringLiteral("key_disabled"));
    }

    void payloadTooLarge()
    {
        const QString big(300 * 1024, QLatin1Char('a'));
        const Reply r = call(chatBody("gpt-4o-mini", big, false), m_key);
        QCOMPARE(r.http.status, 413);
        QVERIFY(r.http.error().contains("message"));
    }

    void quotaExhaustion()
    {
        // A user whose balance cannot cover the reservation is refused before any upstream call.
        const qint64 poorId = Store::UserRepository(db()).byName(QStringLiteral("poor"))->id;
        Reply r = call(chatBody("gpt-4o-mini", "hello", false), keyFor(QStringLiteral("poor")));
        QCOMPARE(r.http.status, 403);
        QCOMPARE(r.http.error().value("code").toString(), QStringLiteral("insufficient_quota"));
        QCOMPARE(balance(poorId), 10);
        Store::LogFilter poorErrors;
        poorErrors.userId = poorId;
        poorErrors.type = Store::LogType::Error;
        QVERIFY(RelayDeskTest::spinUntil([&] { return Store::LogRepository(db()).count(poorErrors) == 1; }, 30000));
        const auto refusal = Store::LogRepository(db()).page(poorErrors, 1).rows.value(0);
        QCOMPARE(refusal.quota, 0);
        QCOMPARE(refusal.other.value("end_reason").toString(), QStringLiteral("refused:user_quota"));
        QVERIFY(refusal.content.contains(QStringLiteral("quota")));

        // A key with its own quota: requests succeed until what is left cannot cover a reservation.
        const QByteArray body = chatBody("gpt-4o-mini", "hello", false, false, {{"max_tokens", 5000}});
        r = call(body, m_key); // learn the exact cost of this request
        QCOMPARE(r.http.status, 200);
        const qint64 cost = logFor(m_results.last().requestId)->quota;
        const qint64 reserve = m_results.last().reserved;
        QVERIFY(cost > 0 && reserve > cost);
        // Room for the first reservation plus 1.5 costs: two calls fit, the third is refused.
        const qint64 start = reserve + cost + cost / 2;
        QVERIFY(Store::ApiKeyRepository(db()).setRemainQuota(m_limitedKeyId, start, false));
        m_runtime->invalidateKey(m_limitedKeyId);
        const qint64 fromMs = QDateTime::currentMSecsSinceEpoch() - 1;
        QList<int> statuses;
        for (int i = 0; i < 3; ++i)
            statuses << call(body, m_limitedKey).http.status;
        QCOMPARE(statuses, (QList<int>{200, 200, 403}));
        QCOMPARE(r.http.status, 200);
        const qint64 left = Store::ApiKeyRepository(db()).byId(m_limitedKeyId)->remainQuota;
        QCOMPARE(left, start - 2 * cost);
        Store::LogFilter keyLogs;
        keyLogs.type = Store::LogType::Consume;
        keyLogs.keyId = m_limitedKeyId;
        keyLogs.fromMs = fromMs;
        QCOMPARE(Store::LogRepository(db()).sumQuota(keyLogs), start - left);
    }

    void ledgerInvariant()
    {
        // Wait for anything still settling.
        QVERIFY(RelayDeskTest::spinUntil([&] { return Store::ReservationRepository(db()).openReservations().isEmpty(); }, 30000));
        qint64 finalBalances = 0;
        for (const auto &u : Store::UserRepository(db()).list())
            finalBalances += u.quota;
        Store::LogFilter consume;
        consume.type = Store::LogType::Consume;
        const qint64 logged = Store::LogRepository(db()).sumQuota(consume);
        QVERIFY(logged > 0);
        QCOMPARE(logged, m_initialBalances - finalBalances);
        // One consume row per settled call, none for refunds.
        int settled = 0;
        for (const auto &r : m_results)
            settled += r.settled ? 1 : 0;
        QCOMPARE(Store::LogRepository(db()).count(consume), qint64(settled));
    }

    // Stopping the runtime (SIGINT/SIGTERM, console quit) ends in-flight streams with an error event and
    // settles them on what was delivered.
    void shutdownSettlesInFlight()
    {
        const int before = m_results.size();
        RawClient client;
        QVERIFY(client.connectTo(m_runtime->port()));
        client.send(post("/v1/chat/completions",
                         chatBody(QStringLiteral("gpt-4o-mini"), QStringLiteral("story [[scenario:slow]]"), true), m_key));
        QVERIFY(client.waitFor("\"content\":\"Hello!\""));
        m_runtime->stop();
        QVERIFY(RelayDeskTest::spinUntil([&] { return m_results.size() > before; }, 30000));
        const auto result = m_results.last();
        QCOMPARE(result.endReason, QStringLiteral("shutdown"));
        const auto log = logFor(result.requestId);
        QVERIFY(log);
        checkSettled(result, *log);
        QVERIFY(log->completionTokens >= 1);
        QVERIFY(client.waitFor("service_unavailable"));
        QVERIFY(Store::ReservationRepository(db()).openReservations().isEmpty());
    }

    // A reservation a crash left open is settled (at what it had charged) when the next run starts; one that a
    // live instance holds (another relaying process, a call in flight) is not: it is that instance's to settle.
    // (The fixture's own runtime was stopped by shutdownSettlesInFlight: its instance is marked stopped.)
    void recoveryAtNextStart()
    {
        const qint64 before = balance(m_demoUserId);
        auto crashed = Store::Database::openDataDir(m_dir.path()); // another process, which then crashed
        QVERIFY2(crashed, qPrintable(crashed.error()));
        QVERIFY(!RelayDeskTest::registerDeadInstance(*crashed.value()).isEmpty());
        const auto open = Billing::Ledger(*crashed.value()).reserve(m_demoUserId, 0, 1234, QStringLiteral("crashed-1"));
        QVERIFY2(open.ok(), qPrintable(open.message));
        auto alive = Store::Database::openDataDir(m_dir.path()); // another process, alive and heartbeating
        QVERIFY2(alive, qPrintable(alive.error()));
        const Store::Instance aliveInstance = Store::InstanceRepository::describeSelf(QStringLiteral("alive"));
        QVERIFY(Store::InstanceRepository(*alive.value()).add(aliveInstance));
        alive.value()->setInstanceId(aliveInstance.id);
        const auto live = Billing::Ledger(*alive.value()).reserve(m_demoUserId, 0, 766, QStringLiteral("in-flight-1"));
        QVERIFY2(live.ok(), qPrintable(live.message));
        QCOMPARE(live.reservation.instanceId, aliveInstance.id);
        QCOMPARE(balance(m_demoUserId), before - 2000);
        Service::Runtime next;
        Service::RuntimeConfig config;
        config.dataDir = m_dir.path();
        config.listenPort = 0;
        QVERIFY2(next.start(config), qPrintable(next.errorString()));
        QCOMPARE(next.recoveredReservations(), 1);
        QCOMPARE(Store::ReservationRepository(db()).byRequestId(QStringLiteral("crashed-1"))->state,
                 Store::Reservation::State::Recovered);
        QCOMPARE(Store::ReservationRepository(db()).byRequestId(QStringLiteral("in-flight-1"))->state,
                 Store::Reservation::State::Open);
        QCOMPARE(balance(m_demoUserId), before - 766); // nothing was charged: the crashed hold came back
        next.stop();
        QVERIFY(Billing::Ledger(*alive.value()).refund(live.reservation.id));
        QCOMPARE(balance(m_demoUserId), before);
    }

private:
    QHash<QString, QByteArray> m_keys;
    QByteArray keyFor(const QString &user)
    {
        // addUserKey stored the plain key nowhere; re-create a second key for the user on demand.
        if (!m_keys.contains(user)) {
            Store::NewApiKey spec;
            spec.userId = Store::UserRepository(db()).byName(user)->id;
            spec.name = user + QStringLiteral("-k2");
            spec.unlimited = true;
            m_keys.insert(user, Store::ApiKeyRepository(db()).create(spec)->plainKey.toUtf8());
        }
        return m_keys.value(user);
    }
};

QTEST_GUILESS_MAIN(TestChatRelay)
#include "tst_chatrelay.moc"
