// Hostile numbers and untrusted usage on the chat relay (issue 10, items 2–4), end to end: a client on a real
// loopback socket → Runtime (relay thread) → an upstream that answers whatever usage the test scripts.
//
//  - every number that sizes a hold (max_tokens, max_completion_tokens, n, best_of) is a checked integer:
//    anything else is a 400 invalid_value naming the field, before any reservation;
//  - the hold scales with the number of choices;
//  - malformed upstream usage (negative, fractional, string, beyond 2^53) bills the local count;
//  - well-formed but implausible usage is charged at most the hold and the log row is marked `disputed`.
#include "logfor.h"
#include "../relay/rawhttpclient.h"

#include "billing/pricingservice.h"
#include "billing/quotamath.h"
#include "relay/chat/chatrelaytokens.h"
#include "demo/demoupstream.h"
#include "http/httpexchange.h"
#include "relay/usageparser.h"
#include "service/runtime.h"
#include "store/apikeyrepository.h"
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

const QString kModel = QStringLiteral("gpt-4o-mini");
const QString kReply = QStringLiteral("Hello from the scripted upstream, with a few words to count.");

// The scripted upstream: answers every chat call with kReply and, as `usage`, whatever JSON the request carries
// in "x_test_usage" (the relay forwards unknown fields untouched) — JSON or SSE as asked.
void scriptedChat(Relay::HttpExchange &exchange)
{
    const QJsonObject body = QJsonDocument::fromJson(exchange.request().body).object();
    const QJsonValue usage = body.value(QStringLiteral("x_test_usage"));
    const QString id = QStringLiteral("chatcmpl-scripted");
    if (!body.value(QStringLiteral("stream")).toBool()) {
        QJsonObject reply{{QStringLiteral("id"), id},
                          {QStringLiteral("object"), QStringLiteral("chat.completion")},
                          {QStringLiteral("model"), body.value(QStringLiteral("model"))},
                          {QStringLiteral("choices"),
                           QJsonArray{QJsonObject{{QStringLiteral("index"), 0},
                                                  {QStringLiteral("finish_reason"), QStringLiteral("stop")},
                                                  {QStringLiteral("message"),
                                                   QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                                                               {QStringLiteral("content"), kReply}}}}}}};
        if (!usage.isUndefined())
            reply.insert(QStringLiteral("usage"), usage);
        return exchange.respond(200, QJsonDocument(reply).toJson(QJsonDocument::Compact));
    }
    exchange.beginEventStream();
    const auto chunk = [&](const QJsonArray &choices, const QJsonValue &u) {
        QJsonObject c{{QStringLiteral("id"), id},
                      {QStringLiteral("object"), QStringLiteral("chat.completion.chunk")},
                      {QStringLiteral("choices"), choices}};
        if (!u.isUndefined())
            c.insert(QStringLiteral("usage"), u);
        exchange.writeEvent(QJsonDocument(c).toJson(QJsonDocument::Compact));
    };
    for (const QString &word : kReply.split(QLatin1Char(' '))) {
        chunk(QJsonArray{QJsonObject{{QStringLiteral("index"), 0},
                                     {QStringLiteral("delta"), QJsonObject{{QStringLiteral("content"), QString(word + u' ')}}}}},
              QJsonValue::Null);
    }
    chunk(QJsonArray{QJsonObject{{QStringLiteral("index"), 0},
                                 {QStringLiteral("delta"), QJsonObject()},
                                 {QStringLiteral("finish_reason"), QStringLiteral("stop")}}},
          QJsonValue::Null);
    if (!usage.isUndefined())
        chunk(QJsonArray(), usage);
    exchange.writeEvent("[DONE]");
    exchange.endStream();
}

QByteArray post(const QByteArray &body, const QByteArray &key)
{
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Authorization: Bearer " + key + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

QJsonObject chatRequest(bool stream = false)
{
    QJsonObject body{{QStringLiteral("model"), kModel},
                     {QStringLiteral("messages"),
                      QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                             {QStringLiteral("content"), QStringLiteral("Say something short.")}}}},
                     {QStringLiteral("max_tokens"), 200}};
    if (stream)
        body.insert(QStringLiteral("stream"), true);
    return body;
}

QJsonValue json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray("[") + text + "]").array().first();
}

} // namespace

class TestHostileNumbers : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Relay::DemoUpstream> m_scripted;
    std::unique_ptr<Service::Runtime> m_runtime;
    QList<Relay::CallResult> m_results;
    qint64 m_userId = 0;
    QByteArray m_key;

    Store::Database &db() { return *m_runtime->database(); }
    qint64 balance() { return Store::UserRepository(db()).byId(m_userId)->quota; }

    Billing::ModelPricing pricing()
    {
        return m_runtime->pricing()->current()->pricing(kModel, QStringLiteral("hostile"), QStringLiteral("hostile")).value();
    }

    // One call; waits for its result when it reached the relay's ledger (anything but a refusal).
    RawResponse call(const QJsonObject &body)
    {
        const int before = m_results.size();
        RawClient client;
        RawResponse out;
        if (!client.connectTo(m_runtime->port()))
            return out;
        client.send(post(QJsonDocument(body).toJson(QJsonDocument::Compact), m_key));
        if (auto r = client.readResponse(false, 30000))
            out = *r;
        if (out.status == 200)
            RelayDeskTest::spinUntil([&] { return m_results.size() > before; }, 30000);
        return out;
    }

    std::optional<Store::LogRecord> logFor(const QString &requestId) { return RelayDeskTest::logFor(db(), requestId); }

    // What the relay counts locally for kReply against `body`'s prompt (UsageParser::local, as the relay does).
    Relay::ParsedUsage localUsage(const QJsonObject &body)
    {
        const auto estimate = Relay::ChatRelayTokens::estimatePrompt(body, kModel);
        // The stream sends the reply word by word, each followed by a space.
        const QString streamed = body.value(QStringLiteral("stream")).toBool() ? kReply + u' ' : kReply;
        const qint64 completion = Relay::ChatRelayTokens::countText(streamed, kModel);
        return Relay::UsageParser::local(estimate.textTokens + estimate.audioTokens, estimate.imageTokens, completion, 0);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_scripted = std::make_unique<Relay::DemoUpstream>();
        m_scripted->addRoutes([](Relay::HttpServer &server) {
            server.router().addRoute("POST", "/v1/chat/completions", [](Relay::HttpExchange &e) { scriptedChat(e); },
                                     Relay::Router::Access::Public);
        });
        QVERIFY2(m_scripted->start(), qPrintable(m_scripted->errorString()));

        m_runtime = std::make_unique<Service::Runtime>();
        connect(m_runtime.get(), &Service::Runtime::callFinished, this,
                [this](const Relay::CallResult &r) { m_results.append(r); });
        Service::RuntimeConfig config;
        config.dataDir = m_dir.path();
        config.listenPort = 0;
        config.demo = true;
        QVERIFY2(m_runtime->start(config), qPrintable(m_runtime->errorString()));

        Store::Channel channel;
        channel.name = QStringLiteral("scripted");
        channel.baseUrl = m_scripted->baseUrl();
        channel.secret = QStringLiteral("scripted");
        channel.models = {kModel};
        channel.groups = {QStringLiteral("hostile")};
        QVERIFY(Store::ChannelRepository(db()).create(channel));
        m_runtime->invalidateChannels();
        auto user = Store::UserRepository(db()).create(QStringLiteral("hostile"), QStringLiteral("hostile"), 5'000'000);
        QVERIFY(user);
        m_userId = user->id;
        Store::NewApiKey spec;
        spec.userId = m_userId;
        spec.name = QStringLiteral("hostile-key");
        spec.unlimited = true;
        m_key = Store::ApiKeyRepository(db()).create(spec)->plainKey.toUtf8();
    }

    void cleanupTestCase()
    {
        if (m_runtime)
            m_runtime->stop();
        if (m_scripted)
            m_scripted->stop();
    }

    // Item 2: a number that sizes the hold and is not a sane integer is refused before anything is held.
    void holdSizingNumbersAreChecked_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QByteArray>("value");
        QTest::newRow("max_tokens 1e300") << "max_tokens" << QByteArray("1e300");
        QTest::newRow("max_tokens 2^63") << "max_tokens" << QByteArray("9223372036854775808");
        QTest::newRow("max_tokens 2^62") << "max_tokens" << QByteArray("4611686018427387904");
        QTest::newRow("max_tokens -1") << "max_tokens" << QByteArray("-1");
        QTest::newRow("max_tokens 1.5") << "max_tokens" << QByteArray("1.5");
        QTest::newRow("max_tokens \"100\"") << "max_tokens" << QByteArray("\"100\"");
        QTest::newRow("max_completion_tokens 1e300") << "max_completion_tokens" << QByteArray("1e300");
        QTest::newRow("max_completion_tokens -5") << "max_completion_tokens" << QByteArray("-5");
        QTest::newRow("n 1e300") << "n" << QByteArray("1e300");
        QTest::newRow("n 0") << "n" << QByteArray("0");
        QTest::newRow("n 129") << "n" << QByteArray("129");
        QTest::newRow("n 2.5") << "n" << QByteArray("2.5");
        QTest::newRow("n \"4\"") << "n" << QByteArray("\"4\"");
        QTest::newRow("best_of -3") << "best_of" << QByteArray("-3");
        QTest::newRow("best_of 1e18") << "best_of" << QByteArray("1e18");
    }

    void holdSizingNumbersAreChecked()
    {
        QFETCH(QString, field);
        QFETCH(QByteArray, value);
        QJsonObject body = chatRequest();
        body.insert(field, json(value.constData()));
        const qint64 before = balance();
        const int results = m_results.size();
        const RawResponse r = call(body);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.error().value(u"type").toString(), QStringLiteral("invalid_request_error"));
        QCOMPARE(r.error().value(u"code").toString(), QStringLiteral("invalid_value"));
        QCOMPARE(r.error().value(u"param").toString(), field);
        QCOMPARE(balance(), before);
        QCOMPARE(m_results.size(), results); // refused before any reservation: no call ran
        QVERIFY(Store::ReservationRepository(db()).openReservations().isEmpty());
    }

    // Item 2, the reported case: 100 quota, refused a normal call, must not be served with max_tokens 1e300.
    void poorUserIsNotServedByAHugeMaxTokens()
    {
        auto poor = Store::UserRepository(db()).create(QStringLiteral("poor"), QStringLiteral("hostile"), 100);
        QVERIFY(poor);
        Store::NewApiKey spec;
        spec.userId = poor->id;
        spec.name = QStringLiteral("poor-key");
        spec.unlimited = true;
        const QByteArray key = Store::ApiKeyRepository(db()).create(spec)->plainKey.toUtf8();
        QJsonObject body = chatRequest();
        body.insert(QStringLiteral("max_tokens"), 4096);
        for (const QJsonValue &max : {QJsonValue(4096), json("1e300"), json("9223372036854775807")}) {
            body.insert(QStringLiteral("max_tokens"), max);
            RawClient client;
            QVERIFY(client.connectTo(m_runtime->port()));
            client.send(post(QJsonDocument(body).toJson(QJsonDocument::Compact), key));
            const auto r = client.readResponse(false, 30000);
            QVERIFY(r);
            QVERIFY2(r->status == 403 || r->status == 400, r->body.constData());
        }
        QCOMPARE(Store::UserRepository(db()).byId(poor->id)->quota, 100);
    }

    // Item 3: each choice may use max_tokens, so the completion part of the hold is scaled by max(n, best_of).
    void holdScalesWithChoices_data()
    {
        QTest::addColumn<int>("n");       // 0 = not sent
        QTest::addColumn<int>("bestOf");  // 0 = not sent
        QTest::addColumn<int>("choices");
        QTest::newRow("default") << 0 << 0 << 1;
        QTest::newRow("n 1") << 1 << 0 << 1;
        QTest::newRow("n 2") << 2 << 0 << 2;
        QTest::newRow("n 128") << 128 << 0 << 128;
        QTest::newRow("best_of 3") << 0 << 3 << 3;
        QTest::newRow("n 2, best_of 5") << 2 << 5 << 5;
    }

    void holdScalesWithChoices()
    {
        QFETCH(int, n);
        QFETCH(int, bestOf);
        QFETCH(int, choices);
        QJsonObject body = chatRequest();
        body.insert(QStringLiteral("x_test_usage"), QJsonObject{{QStringLiteral("prompt_tokens"), 10},
                                                                {QStringLiteral("completion_tokens"), 5}});
        if (n > 0)
            body.insert(QStringLiteral("n"), n);
        if (bestOf > 0)
            body.insert(QStringLiteral("best_of"), bestOf);
        const RawResponse r = call(body);
        QCOMPARE(r.status, 200);
        const auto estimate = Relay::ChatRelayTokens::estimatePrompt(body, kModel);
        // (prompt + max_tokens × choices × CR) × MR × GR: the same as max_tokens × choices completion tokens.
        const qint64 expected = Billing::QuotaMath::reserve(pricing(), estimate.total(), qint64(200) * choices, 4096).quota;
        QCOMPARE(m_results.last().reserved, expected);
        if (choices > 1) {
            const qint64 single = Billing::QuotaMath::reserve(pricing(), estimate.total(), 200, 4096).quota;
            QVERIFY(m_results.last().reserved > single);
        }
    }

    // Item 4: usage that is not made of non-negative integers ≤ 2^53 is not billed; the local count is.
    void malformedUsageIsCountedLocally_data()
    {
        QTest::addColumn<bool>("stream");
        QTest::addColumn<QByteArray>("usage");
        const QList<std::pair<const char *, QByteArray>> shapes{
            {"negative", R"({"prompt_tokens":-5,"completion_tokens":2})"},
            {"negative completion", R"({"prompt_tokens":12,"completion_tokens":-40})"},
            {"string", R"({"prompt_tokens":"12","completion_tokens":"9"})"},
            {"float", R"({"prompt_tokens":12.5,"completion_tokens":9})"},
            {"beyond 2^53", R"({"prompt_tokens":9007199254740993,"completion_tokens":9})"},
            {"1e300", R"({"prompt_tokens":12,"completion_tokens":1e300})"},
            {"detail negative", R"({"prompt_tokens":12,"completion_tokens":9,"prompt_tokens_details":{"cached_tokens":-100}})"},
            {"detail string", R"({"prompt_tokens":12,"completion_tokens":9,"completion_tokens_details":"lots"})"},
        };
        for (const bool stream : {false, true}) {
            for (const auto &[name, usage] : shapes)
                QTest::addRow("%s, %s", stream ? "sse" : "json", name) << stream << usage;
        }
    }

    void malformedUsageIsCountedLocally()
    {
        QFETCH(bool, stream);
        QFETCH(QByteArray, usage);
        QJsonObject body = chatRequest(stream);
        body.insert(QStringLiteral("x_test_usage"), QJsonDocument::fromJson(usage).object());
        const qint64 before = balance();
        const RawResponse r = call(body);
        QCOMPARE(r.status, 200);
        const auto result = m_results.last();
        QVERIFY(result.settled);
        const auto log = logFor(result.requestId);
        QVERIFY(log);
        const Relay::ParsedUsage local = localUsage(body);
        QCOMPARE(log->other.value(u"usage_source").toString(), QStringLiteral("local"));
        QCOMPARE(log->promptTokens, local.promptTokens);
        QCOMPARE(log->completionTokens, local.completionTokens);
        const qint64 expected = Billing::QuotaMath::settle(pricing(), local.usage).quota;
        QVERIFY(expected > 0);
        QCOMPARE(log->quota, expected);
        QCOMPARE(balance(), before - expected);
        QVERIFY(log->other.value(u"upstream_usage_rejected").toObject().contains(u"problem"));
    }

    // Item 4: well-formed but beyond what the model can produce → at most the hold, marked disputed.
    void absurdUsageIsCappedAtTheHold_data()
    {
        QTest::addColumn<bool>("stream");
        QTest::addColumn<QByteArray>("usage");
        const QList<std::pair<const char *, QByteArray>> shapes{
            {"2^53 prompt", R"({"prompt_tokens":9007199254740992,"completion_tokens":9})"},
            {"2^53 completion", R"({"prompt_tokens":12,"completion_tokens":9007199254740992})"},
            {"a million completion tokens", R"({"prompt_tokens":12,"completion_tokens":1000000})"},
        };
        for (const bool stream : {false, true}) {
            for (const auto &[name, usage] : shapes)
                QTest::addRow("%s, %s", stream ? "sse" : "json", name) << stream << usage;
        }
    }

    void absurdUsageIsCappedAtTheHold()
    {
        QFETCH(bool, stream);
        QFETCH(QByteArray, usage);
        QJsonObject body = chatRequest(stream);
        const QJsonObject reported = QJsonDocument::fromJson(usage).object();
        body.insert(QStringLiteral("x_test_usage"), reported);
        const qint64 before = balance();
        const RawResponse r = call(body);
        QCOMPARE(r.status, 200);
        const auto result = m_results.last();
        QVERIFY(result.settled);
        QVERIFY(result.reserved > 0);
        const auto log = logFor(result.requestId);
        QVERIFY(log);
        QCOMPARE(log->quota, result.reserved);
        QCOMPARE(balance(), before - result.reserved); // never more than the hold
        QVERIFY(!log->other.contains(u"overage"));
        const QJsonObject disputed = log->other.value(u"disputed").toObject();
        QCOMPARE(disputed.value(u"capped_at").toInteger(), result.reserved);
        QCOMPARE(disputed.value(u"prompt_tokens").toInteger(), reported.value(u"prompt_tokens").toInteger());
        QCOMPARE(disputed.value(u"completion_tokens").toInteger(), reported.value(u"completion_tokens").toInteger());
        QVERIFY(disputed.value(u"claimed_quota").toInteger() > result.reserved);
        // The token columns keep what the relay could verify, not the absurd figure.
        QCOMPARE(log->completionTokens, localUsage(body).completionTokens);
    }

    // Plausible usage is billed as reported, even when it exceeds the hold (honest overage is not disputed).
    void plausibleUsageIsBilledAsReported()
    {
        QJsonObject body = chatRequest();
        const QJsonObject reported{{QStringLiteral("prompt_tokens"), 12}, {QStringLiteral("completion_tokens"), 900}};
        body.insert(QStringLiteral("x_test_usage"), reported);
        const RawResponse r = call(body);
        QCOMPARE(r.status, 200);
        const auto log = logFor(m_results.last().requestId);
        QVERIFY(log);
        QVERIFY(!log->other.contains(u"disputed"));
        QCOMPARE(log->completionTokens, 900);
        QCOMPARE(log->quota, Billing::QuotaMath::settle(pricing(), Relay::UsageParser::parse(reported)->usage).quota);
    }

    void ledgerInvariant()
    {
        QVERIFY(RelayDeskTest::spinUntil([&] { return Store::ReservationRepository(db()).openReservations().isEmpty(); }, 30000));
        Store::LogFilter consume;
        consume.type = Store::LogType::Consume;
        consume.userId = m_userId;
        QCOMPARE(Store::LogRepository(db()).sumQuota(consume), 5'000'000 - balance());
    }
};

QTEST_GUILESS_MAIN(TestHostileNumbers)
#include "tst_hostilenumbers.moc"
