// Anthropic's Messages API through the relay end to end (loopback client → Runtime → the demo upstream's
// /v1/messages): JSON and SSE billed by Anthropic's additive usage (input, cache reads, 5-minute and 1-hour cache
// writes, output, web searches), count_tokens forwarded without charge, every refusal in Anthropic's error shape,
// x-api-key and Bearer auth, and channel types keeping each wire to its own channels. Every call is checked
// against the ledger: the hold from the request, one settlement, and the consume logs add up to what the
// balances lost. A prior count_tokens of the same prompt by the same key sizes the hold when it counts more than
// the estimate. GET /v1/models and /v1/models/{id} in Anthropic's shape when the request carries anthropic-version.
#include "demoruntime.h"
#include "logfor.h"
#include "relayexchange.h"

#include "billing/pricingservice.h"
#include "billing/quotamath.h"
#include "demo/demomessages.h"
#include "http/httprequest.h"
#include "relay/anthropic/anthropicerror.h"
#include "relay/anthropic/anthropicheaders.h"
#include "relay/anthropic/anthropicmodellist.h"
#include "relay/anthropic/messagesadapter.h"
#include "relay/anthropic/messagesusage.h"
#include "relay/callcontext.h"
#include "relay/usageceilings.h"
#include "service/runtime.h"
#include "store/apikeyrepository.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "store/reservationrepository.h"
#include "store/userrepository.h"
#include "tokenize/estimator.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QTemporaryDir>
#include <QtSql/QSqlQuery>
#include <QtTest/QtTest>

using namespace RelayDesk;
using Reply = RelayDeskTest::RelayReply;

namespace {

const QString kSonnet = QStringLiteral("claude-sonnet-4-5");
const QString kHouse = QStringLiteral("claude-house"); // only the anthropic channel lists it (mapped to Sonnet)
const QByteArray kChannelKey = "sk-ant-demo-channel-key";

enum class Auth { XApiKey, Bearer, None };

QByteArray request(const QByteArray &path, const QByteArray &body, const QByteArray &key, Auth auth,
                   const QList<QByteArray> &extraHeaders = {})
{
    QByteArray r = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (auth == Auth::XApiKey)
        r += "x-api-key: " + key + "\r\nanthropic-version: 2023-06-01\r\n";
    else if (auth == Auth::Bearer)
        r += "Authorization: Bearer " + key + "\r\n";
    for (const QByteArray &h : extraHeaders)
        r += h + "\r\n";
    r += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
    return r + body;
}

QJsonObject messagesBody(const QString &model, const QString &text, qint64 maxTokens, bool stream)
{
    QJsonObject body{{QStringLiteral("model"), model},
                     {QStringLiteral("system"), QStringLiteral("You are terse.")},
                     {QStringLiteral("messages"),
                      QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                             {QStringLiteral("content"), text}}}}};
    if (maxTokens > 0)
        body.insert(QStringLiteral("max_tokens"), maxTokens);
    if (stream)
        body.insert(QStringLiteral("stream"), true);
    return body;
}

// Anthropic's usage by the additive rule, written out here independently of MessagesUsage.
Billing::Usage additive(qint64 input, qint64 read, qint64 write5m, qint64 write1h, qint64 output)
{
    Billing::Usage u;
    u.inputText = input + read + write5m + write1h;
    u.cachedText = read;
    u.cacheWrite = write5m + write1h;
    u.cacheWrite1h = write1h;
    u.outputText = output;
    return u;
}

Billing::ModelPricing sonnetLikePricing()
{
    // MR 1.5 ($3 in), CR 5 ($15 out), reads 0.1, 5-minute writes 1.25, 1-hour writes 2 (the default).
    Billing::ModelPricing p;
    p.model = QStringLiteral("x");
    p.modelRatio = *Billing::Ratio::parse(QStringLiteral("1.5"));
    p.completionRatio = Billing::Ratio::fromInteger(5);
    p.cacheRatio = *Billing::Ratio::parse(QStringLiteral("0.1"));
    p.createCacheRatio = *Billing::Ratio::parse(QStringLiteral("1.25"));
    p.toolCallPrices.insert(Relay::MessagesUsage::kWebSearchTool, Billing::Ratio::fromInteger(10));
    return p;
}

} // namespace

class TestMessagesRelay : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Service::Runtime> m_runtime;
    QByteArray m_key;
    qint64 m_userId = 0;
    QList<Relay::CallResult> m_results;
    qint64 m_initialBalances = 0;

    Store::Database &db() { return *m_runtime->database(); }
    qint64 balance(qint64 userId) { return Store::UserRepository(db()).byId(userId)->quota; }
    qint64 reservations()
    {
        QSqlQuery q = db().query();
        return q.exec(QStringLiteral("SELECT COUNT(*) FROM reservations")) && q.next() ? q.value(0).toLongLong() : -1;
    }
    Billing::ModelPricing pricing(const QString &model)
    {
        return m_runtime->pricing()->current()->pricing(model, QStringLiteral("default"), QStringLiteral("default")).value();
    }

    Reply send(const QByteArray &raw, bool metered)
    {
        const int before = m_results.size();
        RelayDeskTest::RawClient client;
        Reply out;
        if (!client.connectTo(m_runtime->port()))
            return out;
        client.send(raw);
        if (auto r = client.readResponse(false, 30000))
            out.http = *r;
        if (out.http.header("Content-Type").startsWith("text/event-stream")) {
            Relay::SseParser parser;
            for (const auto &e : parser.feed(out.http.body)) {
                out.data.append(e.data);
                out.events.append({e.event, QJsonDocument::fromJson(e.data).object()});
            }
        }
        if (metered)
            RelayDeskTest::spinUntil([&] { return m_results.size() > before; }, 30000);
        return out;
    }
    Reply post(const QJsonObject &body, bool metered = true, Auth auth = Auth::XApiKey, QByteArray key = {},
               const QByteArray &path = "/v1/messages")
    {
        return send(request(path, QJsonDocument(body).toJson(QJsonDocument::Compact), key.isEmpty() ? m_key : key, auth),
                    metered);
    }

    // The settled call's log row, checked against its reservation and hold.
    Store::LogRecord settledLog(qint64 expectedHold)
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
            QCOMPARE(result.reserved, expectedHold);
            QCOMPARE(log->other.value(QStringLiteral("request_path")).toString(), QStringLiteral("/v1/messages"));
        }();
        return *log;
    }
    qint64 hold(const QString &model, const QJsonObject &body)
    {
        return Billing::QuotaMath::reserve(pricing(model), Relay::MessagesAdapter::estimate(body).total(),
                                           body.value(QStringLiteral("max_tokens")).toInteger(), 4096, 1)
            .quota;
    }
    qint64 holdFor(const QString &model, qint64 promptTokens, qint64 maxTokens)
    {
        return Billing::QuotaMath::reserve(pricing(model), promptTokens, maxTokens, 4096, 1).quota;
    }
    Reply get(const QByteArray &target, const QList<QByteArray> &headers)
    {
        QByteArray raw = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        for (const QByteArray &h : headers)
            raw += h + "\r\n";
        return send(raw + "\r\n", false);
    }
    static void checkAnthropicError(const Reply &reply, int status, const QString &type)
    {
        QCOMPARE(reply.http.status, status);
        const QJsonObject body = reply.json();
        QCOMPARE(body.value(QStringLiteral("type")).toString(), QStringLiteral("error"));
        QCOMPARE(body.value(QStringLiteral("error")).toObject().value(QStringLiteral("type")).toString(), type);
        QVERIFY(!body.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString().isEmpty());
    }
    qint64 addUser(const QString &name, qint64 quota, QByteArray *key)
    {
        auto user = Store::UserRepository(db()).create(name, QStringLiteral("default"), quota);
        Store::NewApiKey spec;
        spec.userId = user->id;
        spec.name = name + QStringLiteral("-key");
        spec.unlimited = true;
        *key = Store::ApiKeyRepository(db()).create(spec)->plainKey.toUtf8();
        return user->id;
    }
    qint64 addChannel(const QString &name, const QString &secret, const QStringList &models)
    {
        Store::Channel c;
        c.name = name;
        c.type = QStringLiteral("anthropic");
        c.baseUrl = m_runtime->demoUpstream()->baseUrl();
        c.secret = secret;
        c.models = models;
        c.modelMapping = QJsonObject{{kHouse, kSonnet}};
        const auto created = Store::ChannelRepository(db()).create(c);
        m_runtime->invalidateChannels();
        return created ? created->id : 0;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_runtime = RelayDeskTest::recordingRuntime(this, &m_results);
        Service::RuntimeConfig config = RelayDeskTest::fastDemoConfig(m_dir.path());
        config.demoOptions.requiredKey = "demo"; // the demo channel's key; the Messages routes check x-api-key
        QVERIFY2(m_runtime->start(config), qPrintable(m_runtime->errorString()));
        // The first run's demo-claude serves Sonnet too; this suite's own channel is to be the only Anthropic one
        // (a refused channel key must not fail over to it).
        const auto seeded = Store::ChannelRepository(db()).byName(QString::fromLatin1(Service::Runtime::kDemoClaudeChannelName));
        QVERIFY(seeded && Store::ChannelRepository(db()).remove(seeded->id));
        m_userId = addUser(QStringLiteral("claude"), 500'000'000, &m_key);
        QVERIFY(addChannel(QStringLiteral("claude"), QStringLiteral("demo"), {kSonnet, kHouse}));
        // claude-house: Sonnet's prices with its own 1-hour write ratio (3), read from the CreateCacheRatio1h map.
        const QJsonObject book = m_runtime->pricing()->current()->toJson();
        QJsonObject edit;
        for (const char *map : {"ModelRatio", "CompletionRatio", "CacheRatio", "CreateCacheRatio"}) {
            QJsonObject m = book.value(QLatin1StringView(map)).toObject();
            m.insert(kHouse, m.value(kSonnet));
            edit.insert(QLatin1StringView(map), m);
        }
        edit.insert(QStringLiteral("CreateCacheRatio1h"), QJsonObject{{kHouse, 3}});
        QVERIFY(m_runtime->pricing()->apply(edit));
        for (const auto &u : Store::UserRepository(db()).list())
            m_initialBalances += u.quota;
    }

    void cleanupTestCase()
    {
        if (m_runtime)
            m_runtime->stop();
    }

    // ---- the additive usage rules, without the network ----

    void usageRules_data()
    {
        QTest::addColumn<QByteArray>("usage");
        QTest::addColumn<qint64>("prompt");   // input + reads + writes
        QTest::addColumn<qint64>("cached");
        QTest::addColumn<qint64>("write");
        QTest::addColumn<qint64>("write1h");
        QTest::addColumn<qint64>("output");
        QTest::addColumn<qint64>("quota");    // at MR 1.5, CR 5, reads 0.1, 5m 1.25, 1h 2; web search $10/1k

        // 1.5 × (1000 + 100×5) = 2250
        QTest::newRow("input and output") << QByteArray(R"({"input_tokens":1000,"output_tokens":100})")
                                          << 1000LL << 0LL << 0LL << 0LL << 100LL << 2250LL;
        // 1.5 × (1000 + 2048×0.1 + 500) = 2557.2
        QTest::newRow("cache read") << QByteArray(R"({"input_tokens":1000,"cache_read_input_tokens":2048,"output_tokens":100})")
                                    << 3048LL << 2048LL << 0LL << 0LL << 100LL << 2557LL;
        // 1.5 × (1000 + 1024×1.25 + 500) = 4170
        QTest::newRow("5m write") << QByteArray(R"({"input_tokens":1000,"cache_creation_input_tokens":1024,"output_tokens":100})")
                                  << 2024LL << 0LL << 1024LL << 0LL << 100LL << 4170LL;
        // 1.5 × (1000 + 512×1.25 + 1024×2 + 500) = 6282
        QTest::newRow("5m and 1h writes")
            << QByteArray(R"({"input_tokens":1000,"cache_creation_input_tokens":1536,"cache_creation":{"ephemeral_5m_input_tokens":512,"ephemeral_1h_input_tokens":1024},"output_tokens":100})")
            << 2536LL << 0LL << 1536LL << 1024LL << 100LL << 6282LL;
        // the breakdown alone gives the total: 1.5 × (100×1.25 + 100×2) = 487.5 → 488
        QTest::newRow("breakdown without total")
            << QByteArray(R"({"input_tokens":0,"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":100},"output_tokens":0})")
            << 200LL << 0LL << 200LL << 100LL << 0LL << 488LL;
        // everything: 1.5 × (10 + 20×0.1 + 10×1.25 + 20×2 + 40×5) = 396.75 → 397
        QTest::newRow("every part")
            << QByteArray(R"({"input_tokens":10,"cache_read_input_tokens":20,"cache_creation_input_tokens":30,"cache_creation":{"ephemeral_5m_input_tokens":10,"ephemeral_1h_input_tokens":20},"output_tokens":40})")
            << 60LL << 20LL << 30LL << 20LL << 40LL << 397LL;
        // 2 searches at $10 per 1,000 = $0.02 = 10 000, plus 1.5 × (100 + 10×5) = 225
        QTest::newRow("web search")
            << QByteArray(R"({"input_tokens":100,"output_tokens":10,"server_tool_use":{"web_search_requests":2}})")
            << 100LL << 0LL << 0LL << 0LL << 10LL << 10225LL;
        // nulls are zeros
        QTest::newRow("nulls") << QByteArray(R"({"input_tokens":1000,"cache_read_input_tokens":null,"cache_creation":null,"output_tokens":100})")
                               << 1000LL << 0LL << 0LL << 0LL << 100LL << 2250LL;
    }

    void usageRules()
    {
        QFETCH(QByteArray, usage);
        QFETCH(qint64, prompt);
        QFETCH(qint64, cached);
        QFETCH(qint64, write);
        QFETCH(qint64, write1h);
        QFETCH(qint64, output);
        QFETCH(qint64, quota);
        const QJsonObject value = QJsonDocument::fromJson(usage).object();
        const Relay::UsageReading reading = Relay::MessagesUsage::read(value);
        QCOMPARE(reading.status, Relay::UsageReading::Status::Valid);
        const Relay::ParsedUsage &u = *reading.usage;
        QCOMPARE(u.promptTokens, prompt);
        QCOMPARE(u.usage.inputText, prompt);
        QCOMPARE(u.usage.cachedText, cached);
        QCOMPARE(u.usage.cacheWrite, write);
        QCOMPARE(u.usage.cacheWrite1h, write1h);
        QCOMPARE(u.usage.outputText, output);
        QCOMPARE(u.completionTokens, output);
        const auto tools = Relay::MessagesUsage::toolCalls(value);
        QCOMPARE(Billing::QuotaMath::settle(sonnetLikePricing(), u.usage, tools).quota, quota);
    }

    void badUsage_data()
    {
        QTest::addColumn<QByteArray>("usage");
        QTest::addColumn<bool>("malformed"); // else absent
        QTest::newRow("null") << QByteArray("null") << false;
        QTest::newRow("empty object") << QByteArray("{}") << false;
        QTest::newRow("negative input") << QByteArray(R"({"input_tokens":-1,"output_tokens":1})") << true;
        QTest::newRow("fractional output") << QByteArray(R"({"input_tokens":1,"output_tokens":1.5})") << true;
        QTest::newRow("string read") << QByteArray(R"({"input_tokens":1,"cache_read_input_tokens":"9"})") << true;
        QTest::newRow("1h not a count")
            << QByteArray(R"({"input_tokens":1,"cache_creation":{"ephemeral_1h_input_tokens":true}})") << true;
        QTest::newRow("cache_creation not an object") << QByteArray(R"({"input_tokens":1,"cache_creation":3})") << true;
        QTest::newRow("searches not a count")
            << QByteArray(R"({"input_tokens":1,"server_tool_use":{"web_search_requests":-2}})") << true;
        QTest::newRow("beyond 2^53") << QByteArray(R"({"input_tokens":1e300,"output_tokens":1})") << true;
    }

    void badUsage()
    {
        QFETCH(QByteArray, usage);
        QFETCH(bool, malformed);
        const QJsonValue value = QJsonDocument::fromJson("[" + usage + "]").array().at(0);
        const Relay::UsageReading reading = Relay::MessagesUsage::read(value);
        QCOMPARE(reading.status, malformed ? Relay::UsageReading::Status::Malformed : Relay::UsageReading::Status::Absent);
        QCOMPARE(reading.problem.isEmpty(), !malformed);
        QVERIFY(!reading.usage);
    }

    void streamUsageMerges()
    {
        // message_start's input side, then message_delta's cumulative output (and a later input update).
        QJsonObject start = QJsonDocument::fromJson(
            R"({"input_tokens":10,"cache_creation":{"ephemeral_5m_input_tokens":5,"ephemeral_1h_input_tokens":0},"output_tokens":1})").object();
        QJsonObject merged = Relay::MessagesUsage::merged(start, QJsonDocument::fromJson(
            R"({"output_tokens":50,"cache_creation":{"ephemeral_1h_input_tokens":7},"cache_read_input_tokens":null})").object());
        const auto u = Relay::MessagesUsage::read(merged).usage;
        QVERIFY(u);
        QCOMPARE(u->usage.outputText, 50);
        QCOMPARE(u->usage.cacheWrite, 12);
        QCOMPARE(u->usage.cacheWrite1h, 7);
        QCOMPARE(u->usage.inputText, 22);
    }

    void ceilings()
    {
        // Sonnet 4.x prompts (input + cache reads + writes) may reach 1M tokens with the context-1m beta.
        const auto &table = Relay::UsageCeilings::defaults();
        QVERIFY(table.forModel(kSonnet).admits(1'000'000, 64'000));
        QVERIFY(!table.forModel(kSonnet).admits(1'000'001, 1));
        QVERIFY(!table.forModel(QStringLiteral("claude-opus-4-1")).admits(200'001, 1));
    }

    void errorMapping_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("anthropicStatus");
        QTest::addColumn<QByteArray>("type");
        QTest::newRow("400") << 400 << 400 << QByteArray("invalid_request_error");
        QTest::newRow("401") << 401 << 401 << QByteArray("authentication_error");
        QTest::newRow("403") << 403 << 403 << QByteArray("permission_error");
        QTest::newRow("404") << 404 << 404 << QByteArray("not_found_error");
        QTest::newRow("405") << 405 << 400 << QByteArray("invalid_request_error");
        QTest::newRow("413") << 413 << 413 << QByteArray("request_too_large");
        QTest::newRow("429") << 429 << 429 << QByteArray("rate_limit_error");
        QTest::newRow("500") << 500 << 500 << QByteArray("api_error");
        QTest::newRow("502") << 502 << 500 << QByteArray("api_error");
        QTest::newRow("503") << 503 << 529 << QByteArray("overloaded_error");
        QTest::newRow("504") << 504 << 500 << QByteArray("api_error");
        QTest::newRow("529") << 529 << 529 << QByteArray("overloaded_error");
    }

    void errorMapping()
    {
        QFETCH(int, status);
        QFETCH(int, anthropicStatus);
        QFETCH(QByteArray, type);
        Relay::OpenAiError e;
        e.httpStatus = status;
        e.message = QStringLiteral("why");
        const auto mapped = Relay::AnthropicError::map(e);
        QCOMPARE(mapped.status, anthropicStatus);
        QCOMPARE(mapped.type, type);
        const QJsonObject body = QJsonDocument::fromJson(Relay::AnthropicError::toJson(e)).object();
        QCOMPARE(body, (QJsonObject{{QStringLiteral("type"), QStringLiteral("error")},
                                    {QStringLiteral("error"), QJsonObject{{QStringLiteral("type"), QString::fromLatin1(type)},
                                                                          {QStringLiteral("message"), QStringLiteral("why")}}}}));
    }

    void upstreamHeaders()
    {
        Relay::HttpRequest client;
        client.headers.add("Anthropic-Beta", "prompt-caching-2024-07-31");
        client.headers.add("x-api-key", "sk-client-key-never-forwarded");
        client.headers.add("Authorization", "Bearer sk-client");
        client.headers.add("anthropic-dangerous-direct-browser-access", "true");
        Store::Channel channel;
        channel.secret = QString::fromLatin1(kChannelKey);
        Relay::UpstreamBody body(QByteArray("{}"));
        QCOMPARE(Relay::AnthropicHeaders::fromRequest(client).apply(channel, body), QByteArray()); // no Bearer
        const QList<std::pair<QByteArray, QByteArray>> expected{
            {"x-api-key", kChannelKey},
            {"anthropic-beta", "prompt-caching-2024-07-31"},
            {"anthropic-dangerous-direct-browser-access", "true"},
            {"anthropic-version", "2023-06-01"}};
        QCOMPARE(body.headers, expected);

        // The client's version goes through instead of the default; beyond the bounds, headers are dropped.
        client.headers.add("anthropic-version", "2099-01-01");
        for (int i = 0; i < 40; ++i)
            client.headers.add("anthropic-x" + QByteArray::number(i), "v");
        client.headers.add("anthropic-long", QByteArray(Relay::AnthropicHeaders::kMaxValueBytes + 1, 'a'));
        Relay::UpstreamBody again(QByteArray("{}"));
        Relay::AnthropicHeaders::fromRequest(client).apply(channel, again);
        QCOMPARE(again.headers.size(), 1 + Relay::AnthropicHeaders::kMaxHeaders);
        int versions = 0;
        for (const auto &[name, value] : again.headers)
            if (name == "anthropic-version") {
                ++versions;
                QCOMPARE(value, QByteArray("2099-01-01"));
            }
        QCOMPARE(versions, 1);
    }

    // ---- through the relay ----

    void json_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("model");
        QTest::addColumn<bool>("stream");
        for (bool stream : {false, true}) {
            const char *kind = stream ? "sse" : "json";
            for (const char *s : {"default", "cache_read", "cache_write_5m", "cache_write_1h", "web_search",
                                  "cache_read,cache_write_1h,web_search"})
                QTest::addRow("%s %s", kind, s) << QString::fromLatin1(s) << kSonnet << stream;
            QTest::addRow("%s 1h at the house ratio", kind) << QStringLiteral("cache_write_1h") << kHouse << stream;
        }
    }

    void json()
    {
        QFETCH(QString, scenario);
        QFETCH(QString, model);
        QFETCH(bool, stream);
        const QJsonObject body = messagesBody(model, QStringLiteral("Say hello. [[scenario:%1]]").arg(scenario), 300, stream);
        const qint64 before = balance(m_userId);
        const Reply reply = post(body);
        QCOMPARE(reply.http.status, 200);

        QJsonObject usage;
        QString text;
        if (!stream) {
            const QJsonObject message = reply.json();
            QCOMPARE(message.value(QStringLiteral("type")).toString(), QStringLiteral("message"));
            QCOMPARE(message.value(QStringLiteral("model")).toString(), kSonnet); // what the channel maps to
            text = message.value(QStringLiteral("content")).toArray().at(0).toObject().value(QStringLiteral("text")).toString();
            usage = message.value(QStringLiteral("usage")).toObject();
        } else {
            QStringList names;
            for (const auto &[name, data] : reply.events)
                names << QString::fromUtf8(name);
            QCOMPARE(names.first(), QStringLiteral("message_start"));
            QCOMPARE(names.last(), QStringLiteral("message_stop"));
            QVERIFY(names.contains(QStringLiteral("ping")));
            QCOMPARE(names.at(names.size() - 2), QStringLiteral("message_delta"));
            for (const auto &[name, data] : reply.events) {
                if (name == "message_start")
                    usage = data.value(QStringLiteral("message")).toObject().value(QStringLiteral("usage")).toObject();
                if (name == "message_delta")
                    usage.insert(QStringLiteral("output_tokens"),
                                 data.value(QStringLiteral("usage")).toObject().value(QStringLiteral("output_tokens")));
                if (name == "content_block_delta")
                    text += data.value(QStringLiteral("delta")).toObject().value(QStringLiteral("text")).toString();
            }
        }
        QVERIFY(text.startsWith(QStringLiteral("Hello!")));
        const QJsonObject expectedUsage =
            Relay::DemoMessages::usage(scenario, Relay::MessagesAdapter::estimate(body).total(),
                                       Tokenize::estimateTokens(text, Tokenize::EstimatorProvider::Claude));
        QJsonObject seen = usage;
        seen.remove(QStringLiteral("server_tool_use"));
        QJsonObject want = expectedUsage;
        want.remove(QStringLiteral("server_tool_use"));
        QCOMPARE(seen, want);

        auto count = [&](const char *key) { return expectedUsage.value(QLatin1StringView(key)).toInteger(); };
        const QJsonObject creation = expectedUsage.value(QStringLiteral("cache_creation")).toObject();
        const Billing::Usage billed = additive(count("input_tokens"), count("cache_read_input_tokens"),
                                               creation.value(QStringLiteral("ephemeral_5m_input_tokens")).toInteger(),
                                               creation.value(QStringLiteral("ephemeral_1h_input_tokens")).toInteger(),
                                               count("output_tokens"));
        QHash<QString, qint64> tools;
        if (scenario.contains(QStringLiteral("web_search")))
            tools.insert(QStringLiteral("web_search_requests"), 2);
        const qint64 expected = Billing::QuotaMath::settle(pricing(model), billed, tools).quota;
        const Store::LogRecord log = settledLog(hold(model, body));
        QCOMPARE(log.quota, expected);
        QCOMPARE(balance(m_userId), before - expected);
        QCOMPARE(log.promptTokens, billed.inputText);
        QCOMPARE(log.completionTokens, billed.outputText);
        QVERIFY(log.content.isEmpty()); // the upstream's usage, not a local count
        if (scenario.contains(QStringLiteral("1h")))
            QCOMPARE(log.other.value(QStringLiteral("cache_write_tokens")).toInteger(), billed.cacheWrite);
        // A JSON reply tells the caller its charge, as on OpenAI's routes; a stream has no place for it.
        QCOMPARE(reply.http.header("X-RelayDesk-Quota"), stream ? QByteArray() : QByteArray::number(expected));
    }

    void houseRatioDiffers()
    {
        // The same 1-hour writes cost 3× input at claude-house and 2× (the default) at Sonnet.
        const Billing::Usage u = additive(0, 0, 0, 1000, 0);
        QCOMPARE(Billing::QuotaMath::settle(pricing(kSonnet), u).quota, 3000); // 1.5 × 1000 × 2
        QCOMPARE(Billing::QuotaMath::settle(pricing(kHouse), u).quota, 4500);  // 1.5 × 1000 × 3
    }

    void bearerAuth()
    {
        const qint64 before = balance(m_userId);
        const Reply reply = post(messagesBody(kSonnet, QStringLiteral("Hi"), 50, false), true, Auth::Bearer);
        QCOMPARE(reply.http.status, 200);
        QVERIFY(balance(m_userId) < before);
    }

    void noUsageCountsLocally()
    {
        const QJsonObject body = messagesBody(kSonnet, QStringLiteral("Hi [[scenario:no_usage]]"), 300, false);
        const Reply reply = post(body);
        QCOMPARE(reply.http.status, 200);
        const Store::LogRecord log = settledLog(hold(kSonnet, body));
        QCOMPARE(log.content, QStringLiteral("usage counted locally"));
        // The client is told what it is billed for, in Anthropic's usage shape.
        const QJsonObject usage = reply.json().value(QStringLiteral("usage")).toObject();
        QCOMPARE(usage.value(QStringLiteral("input_tokens")).toInteger(), Relay::MessagesAdapter::estimate(body).total());
        QVERIFY(usage.value(QStringLiteral("output_tokens")).toInteger() > 0);
    }

    void streamCutSettlesOnDelivered_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<QString>("lastEvent");
        QTest::newRow("upstream error event") << QStringLiteral("stream_error") << QStringLiteral("error");
        QTest::newRow("connection reset") << QStringLiteral("reset") << QStringLiteral("error");
    }

    void streamCutSettlesOnDelivered()
    {
        QFETCH(QString, scenario);
        QFETCH(QString, lastEvent);
        const QJsonObject body = messagesBody(kSonnet, QStringLiteral("Hi [[scenario:%1]]").arg(scenario), 300, true);
        const Reply reply = post(body);
        QCOMPARE(reply.http.status, 200);
        QVERIFY(!reply.events.isEmpty());
        QCOMPARE(QString::fromUtf8(reply.events.last().first), lastEvent);
        const QJsonObject error = reply.events.last().second;
        QCOMPARE(error.value(QStringLiteral("type")).toString(), QStringLiteral("error"));
        QVERIFY(!error.value(QStringLiteral("error")).toObject().value(QStringLiteral("type")).toString().isEmpty());
        QString delivered;
        qint64 input = -1;
        for (const auto &[name, data] : reply.events) {
            if (name == "message_start")
                input = data.value(QStringLiteral("message")).toObject().value(QStringLiteral("usage")).toObject()
                            .value(QStringLiteral("input_tokens")).toInteger();
            if (name == "content_block_delta")
                delivered += data.value(QStringLiteral("delta")).toObject().value(QStringLiteral("text")).toString();
        }
        QVERIFY(input > 0);
        // Input as message_start said; output as delivered (message_start's 1 when nothing was), counted per delta.
        qint64 output = 0;
        for (const auto &[name, data] : reply.events)
            if (name == "content_block_delta")
                output += Tokenize::estimateTokens(data.value(QStringLiteral("delta")).toObject()
                                                       .value(QStringLiteral("text")).toString(),
                                                   Tokenize::EstimatorProvider::Claude);
        output = std::max<qint64>(output, 1);
        const Store::LogRecord log = settledLog(hold(kSonnet, body));
        QCOMPARE(log.quota, Billing::QuotaMath::settle(pricing(kSonnet), additive(input, 0, 0, 0, output)).quota);
        QCOMPARE(log.other.value(QStringLiteral("output_counted_locally")).toBool(), true);
    }

    void clientGoneSettlesOnDelivered()
    {
        // The client reads three deltas and leaves while the upstream is still streaming.
        const QJsonObject body = messagesBody(kSonnet, QStringLiteral("Hi [[scenario:stall]]"), 300, true);
        const int before = m_results.size();
        RelayDeskTest::RawClient client;
        QVERIFY(client.connectTo(m_runtime->port()));
        client.send(request("/v1/messages", QJsonDocument(body).toJson(QJsonDocument::Compact), m_key, Auth::XApiKey));
        QVERIFY(client.waitFor(R"("text":" is")"));
        client.close();
        QVERIFY(RelayDeskTest::spinUntil([&] { return m_results.size() > before; }, 30000));
        const Relay::CallResult result = m_results.last();
        QVERIFY(result.settled);
        QCOMPARE(result.endReason, QStringLiteral("client_gone"));
        const qint64 input = Relay::MessagesAdapter::estimate(body).total();
        // "Hello!", " This", " is": what the client was sent, counted per delta.
        const qint64 output = Tokenize::estimateTokens(u"Hello!", Tokenize::EstimatorProvider::Claude) +
                              Tokenize::estimateTokens(u" This", Tokenize::EstimatorProvider::Claude) +
                              Tokenize::estimateTokens(u" is", Tokenize::EstimatorProvider::Claude);
        const auto log = RelayDeskTest::logFor(db(), result.requestId);
        QVERIFY(log);
        QCOMPARE(log->quota, Billing::QuotaMath::settle(pricing(kSonnet), additive(input, 0, 0, 0, output)).quota);
        QCOMPARE(log->completionTokens, output);
    }

    void countTokensIsFree()
    {
        const QJsonObject body = messagesBody(kHouse, QStringLiteral("How many tokens is this?"), 0, false);
        const qint64 before = balance(m_userId);
        const qint64 holds = reservations();
        const int calls = m_results.size();
        const Reply reply = post(body, false, Auth::XApiKey, {}, "/v1/messages/count_tokens");
        QCOMPARE(reply.http.status, 200);
        QCOMPARE(reply.json().value(QStringLiteral("input_tokens")).toInteger(),
                 Relay::MessagesAdapter::estimate(body).total());
        QCOMPARE(balance(m_userId), before);
        QCOMPARE(reservations(), holds);
        QCOMPARE(m_results.size(), calls);
        // Bearer works there too; an unknown model is Anthropic's 404.
        QCOMPARE(post(body, false, Auth::Bearer, {}, "/v1/messages/count_tokens").http.status, 200);
        checkAnthropicError(post(messagesBody(QStringLiteral("claude-nope"), QStringLiteral("x"), 0, false), false,
                                 Auth::XApiKey, {}, "/v1/messages/count_tokens"),
                            404, QStringLiteral("not_found_error"));
        checkAnthropicError(post(body, false, Auth::XApiKey, "sk-wrong", "/v1/messages/count_tokens"), 401,
                            QStringLiteral("authentication_error"));
    }

    // ---- a prior count_tokens sizes the hold ----

    // max(estimate, count): a count replaces text and media when larger, and never lowers the hold.
    void countedEstimate_data()
    {
        QTest::addColumn<qint64>("counted"); // -1: none
        QTest::addColumn<qint64>("text");
        QTest::addColumn<qint64>("image");
        QTest::newRow("no count") << -1LL << 100LL << 1600LL;
        QTest::newRow("count below the estimate") << 500LL << 100LL << 1600LL;
        QTest::newRow("count equal to the estimate") << 1700LL << 100LL << 1600LL;
        QTest::newRow("count above the estimate, images in it") << 5000LL << 5000LL << 0LL;
    }

    void countedEstimate()
    {
        QFETCH(qint64, counted);
        QFETCH(qint64, text);
        QFETCH(qint64, image);
        Relay::PromptEstimate estimate;
        estimate.textTokens = 100;
        estimate.imageTokens = 1600;
        const Relay::PromptEstimate held = Relay::MessagesAdapter::withCount(
            estimate, counted < 0 ? std::nullopt : std::optional<qint64>(counted));
        QCOMPARE(held.textTokens, text);
        QCOMPARE(held.imageTokens, image);
        QCOMPARE(held.total(), std::max(counted, estimate.total()));
    }

    void holdFromPriorCount_data()
    {
        QTest::addColumn<QString>("scenario");  // of the counted prompt (dense_prompt: the upstream counts 1000 more)
        QTest::addColumn<bool>("counted");      // count_tokens first
        QTest::addColumn<bool>("otherKey");     // counted with another key
        QTest::addColumn<bool>("otherText");    // the messages call changes the prompt
        QTest::addColumn<bool>("stream");
        QTest::addColumn<bool>("countUsed");    // the hold is the count, not the estimate

        QTest::newRow("counted first") << "dense_prompt" << true << false << false << false << true;
        QTest::newRow("counted first, stream") << "dense_prompt" << true << false << false << true << true;
        QTest::newRow("not counted") << "dense_prompt" << false << false << false << false << false;
        QTest::newRow("counted by another key") << "dense_prompt" << true << true << false << false << false;
        QTest::newRow("counted with other messages") << "dense_prompt" << true << false << true << false << false;
        QTest::newRow("malformed count ignored") << "dense_prompt,count_malformed" << true << false << false << false
                                                 << false;
        QTest::newRow("count equal to the estimate") << "default" << true << false << false << false << false;
    }

    void holdFromPriorCount()
    {
        QFETCH(QString, scenario);
        QFETCH(bool, counted);
        QFETCH(bool, otherKey);
        QFETCH(bool, otherText);
        QFETCH(bool, stream);
        QFETCH(bool, countUsed);
        // A prompt of its own per row (no row finds another's count), with an image the estimator holds flat.
        const QString text = QStringLiteral("Describe %1 [[scenario:%2]]").arg(QString::fromLatin1(QTest::currentDataTag()), scenario);
        auto withImage = [](QJsonObject body) {
            QJsonArray messages = body.value(QStringLiteral("messages")).toArray();
            QJsonObject user = messages.at(0).toObject();
            user.insert(QStringLiteral("content"),
                        QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("image")},
                                               {QStringLiteral("source"),
                                                QJsonObject{{QStringLiteral("type"), QStringLiteral("base64")},
                                                            {QStringLiteral("media_type"), QStringLiteral("image/png")},
                                                            {QStringLiteral("data"), QStringLiteral("iVBORw0KGgo=")}}}},
                                   QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                               {QStringLiteral("text"), user.value(QStringLiteral("content"))}}});
            messages.replace(0, user);
            body.insert(QStringLiteral("messages"), messages);
            return body;
        };
        const QJsonObject countBody = withImage(messagesBody(kSonnet, text, 0, false));
        QJsonObject body = withImage(messagesBody(kSonnet, otherText ? text + QStringLiteral(" again") : text, 300, stream));
        const qint64 estimate = Relay::MessagesAdapter::estimate(body).total();
        QVERIFY(estimate > Relay::MessagesAdapter::kMediaBlockTokens); // the image is in the estimate

        qint64 count = -1;
        if (counted) {
            QByteArray otherKeyValue;
            if (otherKey) {
                addUser(QStringLiteral("counter"), 0, &otherKeyValue); // counting is free
                QVERIFY(!otherKeyValue.isEmpty() && otherKeyValue != m_key);
            }
            const Reply reply = post(countBody, false, Auth::XApiKey, otherKeyValue, "/v1/messages/count_tokens");
            QCOMPARE(reply.http.status, 200);
            const QJsonValue n = reply.json().value(QStringLiteral("input_tokens"));
            if (n.isDouble())
                count = n.toInteger();
        }
        if (countUsed)
            QCOMPARE(count, Relay::MessagesAdapter::estimate(countBody).total() + Relay::DemoMessages::kDensePromptExtra);

        const qint64 before = balance(m_userId);
        const Reply reply = post(body);
        QCOMPARE(reply.http.status, 200);
        const qint64 heldPrompt = countUsed ? count : estimate;
        const Store::LogRecord log = settledLog(holdFor(kSonnet, heldPrompt, 300));
        QCOMPARE(log.other.contains(QStringLiteral("counted_input_tokens")), countUsed || (counted && !otherKey && !otherText && count >= 0));
        if (countUsed)
            QVERIFY(m_results.last().reserved > holdFor(kSonnet, estimate, 300)); // the count raised the hold
        // Settled on the reply's usage all the same: the demo reports the dense count as input_tokens.
        const qint64 input = estimate + (scenario.contains(QStringLiteral("dense_prompt")) ? Relay::DemoMessages::kDensePromptExtra : 0);
        QCOMPARE(log.promptTokens, input);
        QCOMPARE(balance(m_userId), before - log.quota);
        QCOMPARE(log.quota, Billing::QuotaMath::settle(pricing(kSonnet), additive(input, 0, 0, 0, log.completionTokens)).quota);
    }

    // ---- GET /v1/models in Anthropic's shape ----

    void models_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QList<QByteArray>>("headers"); // KEY stands for the test key
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("shape");  // anthropic, openai, anthropic_error, openai_error
        QTest::addColumn<QString>("errorType");

        const QByteArray version = "anthropic-version: 2023-06-01";
        QTest::newRow("x-api-key") << QByteArray("/v1/models") << QList<QByteArray>{"x-api-key: KEY", version} << 200
                                   << "anthropic" << QString();
        QTest::newRow("bearer") << QByteArray("/v1/models") << QList<QByteArray>{"Authorization: Bearer KEY", version}
                                << 200 << "anthropic" << QString();
        QTest::newRow("paged") << QByteArray("/v1/models?limit=1&after_id=claude-haiku-4-5")
                               << QList<QByteArray>{"x-api-key: KEY", version} << 200 << "anthropic" << QString();
        QTest::newRow("no version: OpenAI's") << QByteArray("/v1/models") << QList<QByteArray>{"x-api-key: KEY"} << 200
                                              << "openai" << QString();
        QTest::newRow("bad limit") << QByteArray("/v1/models?limit=1001") << QList<QByteArray>{"x-api-key: KEY", version}
                                   << 400 << "anthropic_error" << "invalid_request_error";
        QTest::newRow("both cursors") << QByteArray("/v1/models?after_id=a&before_id=b")
                                      << QList<QByteArray>{"x-api-key: KEY", version} << 400 << "anthropic_error"
                                      << "invalid_request_error";
        QTest::newRow("no key") << QByteArray("/v1/models") << QList<QByteArray>{version} << 401 << "anthropic_error"
                                << "authentication_error";
        QTest::newRow("unknown key") << QByteArray("/v1/models")
                                     << QList<QByteArray>{"x-api-key: sk-unknownkeyunknownkeyunknownkey01", version}
                                     << 401 << "anthropic_error" << "authentication_error";
        QTest::newRow("unknown key, OpenAI's") << QByteArray("/v1/models")
                                               << QList<QByteArray>{"Authorization: Bearer sk-unknownkeyunknownkey01"}
                                               << 401 << "openai_error" << "invalid_request_error";
        QTest::newRow("one model") << QByteArray("/v1/models/claude-house") << QList<QByteArray>{"x-api-key: KEY", version}
                                   << 200 << "anthropic" << QString();
        QTest::newRow("one model, OpenAI's") << QByteArray("/v1/models/claude-house")
                                             << QList<QByteArray>{"Authorization: Bearer KEY"} << 200 << "openai"
                                             << QString();
        QTest::newRow("unknown model") << QByteArray("/v1/models/claude-nope")
                                       << QList<QByteArray>{"x-api-key: KEY", version} << 404 << "anthropic_error"
                                       << "not_found_error";
        QTest::newRow("unknown model, OpenAI's") << QByteArray("/v1/models/claude-nope")
                                                 << QList<QByteArray>{"Authorization: Bearer KEY"} << 404
                                                 << "openai_error" << "invalid_request_error";
        QTest::newRow("one model, unknown key") << QByteArray("/v1/models/claude-house")
                                                << QList<QByteArray>{"x-api-key: sk-nope", version} << 401
                                                << "anthropic_error" << "authentication_error";
    }

    void models()
    {
        QFETCH(QByteArray, target);
        QFETCH(QList<QByteArray>, headers);
        QFETCH(int, status);
        QFETCH(QString, shape);
        QFETCH(QString, errorType);
        for (QByteArray &h : headers)
            h.replace("KEY", m_key);
        const Reply reply = get(target, headers);
        if (shape == u"anthropic_error")
            return checkAnthropicError(reply, status, errorType);
        QCOMPARE(reply.http.status, status);
        const QJsonObject body = reply.json();
        if (shape == u"openai_error") {
            QCOMPARE(body.value(QStringLiteral("error")).toObject().value(QStringLiteral("type")).toString(), errorType);
            return;
        }
        // What the key may use: the enabled channels' models for its group, in id order.
        QStringList all;
        for (const Store::Channel &c : Store::ChannelRepository(db()).list())
            if (c.status == Store::RowStatus::Enabled && c.groups.contains(QStringLiteral("default")))
                all += c.models;
        all.removeDuplicates();
        all.sort();
        const QUrlQuery query(QString::fromUtf8(target.mid(target.indexOf('?') + 1)));
        if (target.startsWith("/v1/models/")) {
            const QString id = QString::fromUtf8(target.mid(11));
            const QJsonObject openAi{{QStringLiteral("id"), id},
                                     {QStringLiteral("object"), QStringLiteral("model")},
                                     {QStringLiteral("created"), 0},
                                     {QStringLiteral("owned_by"), QStringLiteral("relaydesk")}};
            QCOMPARE(body, shape == u"anthropic" ? Relay::AnthropicModelList::model(id) : openAi);
            return;
        }
        QStringList ids;
        for (const QJsonValue &m : body.value(QStringLiteral("data")).toArray())
            ids.append(m.toObject().value(QStringLiteral("id")).toString());
        if (shape == u"openai") {
            QCOMPARE(body.value(QStringLiteral("object")).toString(), QStringLiteral("list"));
            QCOMPARE(ids, all);
            return;
        }
        QVERIFY(body.contains(QStringLiteral("has_more")) && body.contains(QStringLiteral("first_id")) &&
                body.contains(QStringLiteral("last_id")));
        if (target.contains("limit=1&after_id=claude-haiku-4-5")) {
            const qsizetype at = all.indexOf(QStringLiteral("claude-haiku-4-5"));
            QVERIFY(at >= 0 && at + 2 < all.size());
            QCOMPARE(ids, QStringList{all.at(at + 1)});
            QCOMPARE(body.value(QStringLiteral("has_more")).toBool(), true);
            return;
        }
        QCOMPARE(ids, all.mid(0, Relay::AnthropicModelList::kDefaultLimit));
        QVERIFY(ids.contains(kSonnet) && ids.contains(kHouse));
        QCOMPARE(body.value(QStringLiteral("has_more")).toBool(), all.size() > Relay::AnthropicModelList::kDefaultLimit);
        QCOMPARE(body.value(QStringLiteral("first_id")).toString(), ids.first());
        QCOMPARE(body.value(QStringLiteral("last_id")).toString(), ids.last());
        const QJsonObject sonnet = body.value(QStringLiteral("data")).toArray().at(ids.indexOf(kSonnet)).toObject();
        QCOMPARE(sonnet.value(QStringLiteral("display_name")).toString(), QStringLiteral("Claude Sonnet 4.5"));
        QCOMPARE(sonnet.value(QStringLiteral("type")).toString(), QStringLiteral("model"));
    }

    // A key limited to some models lists only those, in either shape, and cannot look the others up.
    void modelsOfALimitedKey()
    {
        Store::NewApiKey spec;
        spec.userId = m_userId;
        spec.name = QStringLiteral("sonnet-only");
        spec.unlimited = true;
        spec.modelLimits = {kSonnet};
        const QByteArray key = Store::ApiKeyRepository(db()).create(spec)->plainKey.toUtf8();
        const Reply list = get("/v1/models", {"x-api-key: " + key, "anthropic-version: 2023-06-01"});
        QCOMPARE(list.http.status, 200);
        const QJsonArray data = list.json().value(QStringLiteral("data")).toArray();
        QCOMPARE(data.size(), 1);
        QCOMPARE(data.at(0).toObject(), Relay::AnthropicModelList::model(kSonnet));
        QCOMPARE(list.json().value(QStringLiteral("has_more")).toBool(true), false);
        const Reply openai = get("/v1/models", {"Authorization: Bearer " + key});
        QCOMPARE(openai.json().value(QStringLiteral("data")).toArray().size(), 1);
        checkAnthropicError(get("/v1/models/" + kHouse.toUtf8(), {"x-api-key: " + key, "anthropic-version: 2023-06-01"}),
                            404, QStringLiteral("not_found_error"));
        QCOMPARE(get("/v1/models/" + kSonnet.toUtf8(), {"x-api-key: " + key, "anthropic-version: 2023-06-01"}).http.status, 200);
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("auth"); // Auth
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("type");
        QTest::addColumn<bool>("metered"); // reaches the engine (a hold, then a refund)
        auto body = [](const QString &model, qint64 maxTokens, const QString &text = QStringLiteral("Hi")) {
            return QJsonDocument(messagesBody(model, text, maxTokens, false)).toJson(QJsonDocument::Compact);
        };
        const int x = int(Auth::XApiKey);
        QTest::newRow("no key") << body(kSonnet, 10) << int(Auth::None) << QByteArray() << 401
                                << QStringLiteral("authentication_error") << false;
        QTest::newRow("unknown key") << body(kSonnet, 10) << x << QByteArray("sk-unknownkeyunknownkeyunknownkey01")
                                     << 401 << QStringLiteral("authentication_error") << false;
        QTest::newRow("not json") << QByteArray("{oops") << x << QByteArray() << 400
                                  << QStringLiteral("invalid_request_error") << false;
        QTest::newRow("no max_tokens") << body(kSonnet, 0) << x << QByteArray() << 400
                                       << QStringLiteral("invalid_request_error") << false;
        QTest::newRow("max_tokens 0")
            << QByteArray(R"({"model":"claude-sonnet-4-5","max_tokens":0,"messages":[]})") << x << QByteArray() << 400
            << QStringLiteral("invalid_request_error") << false;
        QTest::newRow("max_tokens fraction")
            << QByteArray(R"({"model":"claude-sonnet-4-5","max_tokens":1.5,"messages":[]})") << x << QByteArray() << 400
            << QStringLiteral("invalid_request_error") << false;
        QTest::newRow("no messages") << QByteArray(R"({"model":"claude-sonnet-4-5","max_tokens":5})") << x
                                     << QByteArray() << 400 << QStringLiteral("invalid_request_error") << false;
        QTest::newRow("unknown model") << body(QStringLiteral("claude-nope"), 10) << x << QByteArray() << 404
                                       << QStringLiteral("not_found_error") << false;
        // gpt-4o-mini is served, but only by the OpenAI-wire demo channel: not for a Messages body.
        QTest::newRow("openai model") << body(QStringLiteral("gpt-4o-mini"), 10) << x << QByteArray() << 404
                                      << QStringLiteral("not_found_error") << false;
        QTest::newRow("upstream 500") << body(kSonnet, 10, QStringLiteral("[[scenario:error_500]]")) << x
                                      << QByteArray() << 500 << QStringLiteral("api_error") << true;
        QTest::newRow("upstream 529") << body(kSonnet, 10, QStringLiteral("[[scenario:error_529]]")) << x
                                      << QByteArray() << 529 << QStringLiteral("overloaded_error") << true;
        QTest::newRow("upstream 429") << body(kSonnet, 10, QStringLiteral("[[scenario:error_429]]")) << x
                                      << QByteArray() << 429 << QStringLiteral("rate_limit_error") << true;
        QTest::newRow("hold beyond the balance") << body(kSonnet, 2000000000) << x << QByteArray() << 403
                                                 << QStringLiteral("permission_error") << true;
    }

    void errors()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, auth);
        QFETCH(QByteArray, key);
        QFETCH(int, status);
        QFETCH(QString, type);
        QFETCH(bool, metered);
        const qint64 before = balance(m_userId);
        const Reply reply = send(request("/v1/messages", body, key.isEmpty() ? m_key : key, Auth(auth)), metered);
        checkAnthropicError(reply, status, type);
        if (metered)
            QVERIFY(!m_results.last().settled);
        QCOMPARE(balance(m_userId), before);
    }

    void noQuota()
    {
        QByteArray poorKey;
        const qint64 poor = addUser(QStringLiteral("poor"), 0, &poorKey);
        const Reply reply = post(messagesBody(kSonnet, QStringLiteral("Hi"), 10, true), true, Auth::XApiKey, poorKey);
        checkAnthropicError(reply, 403, QStringLiteral("permission_error"));
        QCOMPARE(balance(poor), 0);
    }

    void refusedChannelKey()
    {
        // A channel whose key the upstream refuses: the relay's 502 becomes Anthropic's api_error, the client's key
        // is not blamed, nothing is charged.
        Store::Channel c = *Store::ChannelRepository(db()).byName(QStringLiteral("claude"));
        c.secret = QStringLiteral("wrong-channel-key");
        QVERIFY(Store::ChannelRepository(db()).update(c));
        m_runtime->invalidateChannels();
        const qint64 before = balance(m_userId);
        const Reply reply = post(messagesBody(kSonnet, QStringLiteral("Hi"), 10, false));
        c.secret = QStringLiteral("demo");
        QVERIFY(Store::ChannelRepository(db()).update(c));
        m_runtime->invalidateChannels();
        checkAnthropicError(reply, 500, QStringLiteral("api_error"));
        QVERIFY(!reply.http.body.contains("wrong-channel-key"));
        QCOMPARE(balance(m_userId), before);
    }

    void typeRouting()
    {
        // claude-house is listed only by the anthropic channel: a chat body never goes there as it is — it is
        // converted to a Messages request (ClaudeChatAdapter) and answered in chat's shape.
        const QByteArray chat = QJsonDocument(QJsonObject{
            {QStringLiteral("model"), kHouse},
            {QStringLiteral("messages"), QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                                                {QStringLiteral("content"), QStringLiteral("Hi")}}}}})
                                    .toJson(QJsonDocument::Compact);
        const Reply reply = RelayDeskTest::exchangeWith(m_runtime->port(), "POST", "/v1/chat/completions", chat, m_key);
        QCOMPARE(reply.http.status, 200);
        QCOMPARE(reply.json().value(QStringLiteral("object")).toString(), QStringLiteral("chat.completion"));
        QVERIFY(reply.json().value(QStringLiteral("id")).toString().startsWith(QStringLiteral("msg_demo_")));
        // An unknown channel type is refused, not routed as OpenAI.
        Store::Channel typo;
        typo.name = QStringLiteral("typo");
        typo.type = QStringLiteral("antropic");
        typo.baseUrl = QStringLiteral("http://127.0.0.1:1");
        typo.secret = QStringLiteral("k");
        typo.models = {kSonnet};
        const auto refused = Store::ChannelRepository(db()).create(typo);
        QVERIFY(!refused);
        QVERIFY(refused.error().contains(QStringLiteral("unknown channel type")));
    }

    void ledgerInvariant()
    {
        qint64 consumed = 0;
        Store::LogFilter f;
        f.type = Store::LogType::Consume;
        for (const auto &row : Store::LogRepository(db()).page(f, 10000).rows)
            consumed += row.quota;
        qint64 balances = 0;
        for (const auto &u : Store::UserRepository(db()).list())
            balances += u.quota;
        QVERIFY(consumed > 0);
        QCOMPARE(m_initialBalances - balances, consumed);
        QSqlQuery q = db().query();
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM reservations WHERE state = 0")) && q.next());
        QCOMPARE(q.value(0).toLongLong(), 0); // no hold left open
    }
};

QTEST_MAIN(TestMessagesRelay)
#include "tst_messagesrelay.moc"
