// The chat relay's pure parts: SSE framing, usage parsing, channel choice, upstream URLs.
#include "relay/channelselector.h"
#include "relay/sseparser.h"
#include "relay/upstreamclient.h"
#include "relay/usageparser.h"
#include "store/channelrepository.h"
#include "tempdatabase.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtTest/QtTest>

using namespace RelayDesk;

class TestChatParts : public QObject
{
    Q_OBJECT

private slots:
    void sseSplitAnywhere_data()
    {
        QTest::addColumn<QByteArray>("stream");
        QTest::newRow("lf") << QByteArray("data: {\"a\":1}\n\n: ping\n\ndata: [DONE]\n\n");
        QTest::newRow("crlf") << QByteArray("data: {\"a\":1}\r\n\r\n: ping\r\n\r\ndata: [DONE]\r\n\r\n");
        QTest::newRow("cr") << QByteArray("data: {\"a\":1}\r\r: ping\r\rdata: [DONE]\r\r");
        QTest::newRow("no space") << QByteArray("data:{\"a\":1}\n\ndata:[DONE]\n\n");
    }

    void sseSplitAnywhere()
    {
        QFETCH(QByteArray, stream);
        // Every split point gives the same two events.
        for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
            Relay::SseParser p;
            auto events = p.feed(QByteArrayView(stream).first(cut));
            events += p.feed(QByteArrayView(stream).sliced(cut));
            QCOMPARE(events.size(), 2);
            QCOMPARE(events[0].data, QByteArray("{\"a\":1}"));
            QCOMPARE(events[1].data, QByteArray("[DONE]"));
        }
    }

    void sseMultiLineAndLimit()
    {
        Relay::SseParser p;
        const auto events = p.feed("event: x\ndata: a\ndata: b\n\n");
        QCOMPARE(events.size(), 1);
        QCOMPARE(events[0].event, QByteArray("x"));
        QCOMPARE(events[0].data, QByteArray("a\nb"));
        Relay::SseParser small(16);
        QVERIFY(small.feed("data: 0123456789012345678901234567890\n\n").isEmpty());
        QVERIFY(small.overflowed());
    }

    void usage_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<bool>("present");
        QTest::addColumn<qint64>("text");
        QTest::addColumn<qint64>("cached");
        QTest::addColumn<qint64>("image");
        QTest::addColumn<qint64>("out");
        QTest::addColumn<qint64>("reasoning");
        QTest::newRow("null") << QByteArray("null") << false << 0LL << 0LL << 0LL << 0LL << 0LL;
        QTest::newRow("zeros") << QByteArray(R"({"prompt_tokens":0,"completion_tokens":0})") << false << 0LL << 0LL << 0LL << 0LL << 0LL;
        QTest::newRow("plain") << QByteArray(R"({"prompt_tokens":10,"completion_tokens":5})") << true << 10LL << 0LL << 0LL << 5LL << 0LL;
        QTest::newRow("details")
            << QByteArray(R"({"prompt_tokens":2000,"completion_tokens":300,"prompt_tokens_details":{"cached_tokens":1024,"image_tokens":765},"completion_tokens_details":{"reasoning_tokens":100}})")
            << true << 1235LL << 1024LL << 765LL << 300LL << 100LL;
        QTest::newRow("deepseek") << QByteArray(R"({"prompt_tokens":100,"completion_tokens":1,"prompt_cache_hit_tokens":64})") << true << 100LL << 64LL << 0LL << 1LL << 0LL;
        QTest::newRow("responses names") << QByteArray(R"({"input_tokens":7,"output_tokens":3})") << true << 7LL << 0LL << 0LL << 3LL << 0LL;
        // Strict (issue 10 item 4): a bad count makes the whole usage malformed → counted locally, never "bad → 0".
        QTest::newRow("negative is malformed") << QByteArray(R"({"prompt_tokens":-5,"completion_tokens":2})") << false << 0LL << 0LL << 0LL << 0LL << 0LL;
        QTest::newRow("string is malformed") << QByteArray(R"({"prompt_tokens":"5","completion_tokens":2})") << false << 0LL << 0LL << 0LL << 0LL << 0LL;
        QTest::newRow("float is malformed") << QByteArray(R"({"prompt_tokens":5,"completion_tokens":2.5})") << false << 0LL << 0LL << 0LL << 0LL << 0LL;
        QTest::newRow("beyond 2^53 is malformed") << QByteArray(R"({"prompt_tokens":9007199254740993,"completion_tokens":2})") << false << 0LL << 0LL << 0LL << 0LL << 0LL;
        QTest::newRow("bad detail is malformed") << QByteArray(R"({"prompt_tokens":5,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":-1}})") << false << 0LL << 0LL << 0LL << 0LL << 0LL;
        QTest::newRow("details not an object") << QByteArray(R"({"prompt_tokens":5,"completion_tokens":2,"completion_tokens_details":[1]})") << false << 0LL << 0LL << 0LL << 0LL << 0LL;
        QTest::newRow("null details are absent") << QByteArray(R"({"prompt_tokens":5,"completion_tokens":2,"prompt_tokens_details":null})") << true << 5LL << 0LL << 0LL << 2LL << 0LL;
        QTest::newRow("2^53 is a count") << QByteArray(R"({"prompt_tokens":9007199254740992,"completion_tokens":2})") << true << 9007199254740992LL << 0LL << 0LL << 2LL << 0LL;
        QTest::newRow("cached > prompt clamps") << QByteArray(R"({"prompt_tokens":10,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":50}})") << true << 10LL << 10LL << 0LL << 1LL << 0LL;
    }

    void usage()
    {
        QFETCH(QByteArray, json);
        QFETCH(bool, present);
        const QJsonValue v = json == "null" ? QJsonValue(QJsonValue::Null) : QJsonValue(QJsonDocument::fromJson(json).object());
        const auto u = Relay::UsageParser::parse(v);
        QCOMPARE(u.has_value(), present);
        if (!u)
            return;
        QTEST(u->usage.inputText, "text");
        QTEST(u->usage.cachedText, "cached");
        QTEST(u->usage.inputImage, "image");
        QTEST(u->usage.outputText, "out");
        QTEST(u->usage.outputReasoning, "reasoning");
        // Round trip through the OpenAI shape.
        const auto again = Relay::UsageParser::parse(Relay::UsageParser::toJson(*u));
        QVERIFY(again);
        QCOMPARE(again->usage, u->usage);
    }

    void usageReadingSaysWhyItWasRejected_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("problemMentions");
        QTest::newRow("absent") << QByteArray("null") << int(Relay::UsageReading::Status::Absent) << QString();
        QTest::newRow("valid") << QByteArray(R"({"prompt_tokens":1,"completion_tokens":1})") << int(Relay::UsageReading::Status::Valid) << QString();
        QTest::newRow("negative") << QByteArray(R"({"prompt_tokens":-1,"completion_tokens":1})") << int(Relay::UsageReading::Status::Malformed) << "prompt_tokens";
        QTest::newRow("not an object") << QByteArray(R"("12")") << int(Relay::UsageReading::Status::Malformed) << "not an object";
    }

    void usageReadingSaysWhyItWasRejected()
    {
        QFETCH(QByteArray, json);
        QFETCH(int, status);
        QFETCH(QString, problemMentions);
        const QJsonValue v = QJsonDocument::fromJson("[" + json + "]").array().first();
        const Relay::UsageReading reading = Relay::UsageParser::read(v);
        QCOMPARE(int(reading.status), status);
        QCOMPARE(reading.usage.has_value(), reading.status == Relay::UsageReading::Status::Valid);
        QVERIFY2(reading.problem.contains(problemMentions), qPrintable(reading.problem));
    }

    void channelSelection()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        Store::ChannelRepository repo(tmp.db());
        auto make = [&](const QString &name, int priority, int weight, const QStringList &groups,
                        Store::RowStatus status = Store::RowStatus::Enabled) {
            Store::Channel c;
            c.name = name;
            c.baseUrl = QStringLiteral("http://127.0.0.1:1");
            c.models = {QStringLiteral("m")};
            c.groups = groups;
            c.priority = priority;
            c.weight = weight;
            c.status = status;
            c.modelMapping = {{QStringLiteral("m"), QStringLiteral("m-upstream")}};
            return repo.create(c).value().id;
        };
        const qint64 high1 = make(QStringLiteral("high1"), 5, 3, {QStringLiteral("default")});
        const qint64 high2 = make(QStringLiteral("high2"), 5, 1, {QStringLiteral("default")});
        const qint64 low = make(QStringLiteral("low"), 0, 100, {QStringLiteral("default")});
        make(QStringLiteral("off"), 9, 1, {QStringLiteral("default")}, Store::RowStatus::Disabled);
        make(QStringLiteral("vip"), 9, 1, {QStringLiteral("vip")});

        Relay::ChannelSelector selector(tmp.shared());
        selector.seed(42);
        QHash<qint64, int> picks;
        for (int i = 0; i < 4000; ++i)
            ++picks[selector.select(QStringLiteral("m"), QStringLiteral("default"))->id];
        // Only the highest enabled priority of the group, split by weight (3:1).
        QCOMPARE(picks.size(), 2);
        QVERIFY(picks.value(high1) > 2 * picks.value(high2));
        QVERIFY(picks.value(high2) > 0);
        // A retry excludes what was tried and falls to the next priority.
        QCOMPARE(selector.select(QStringLiteral("m"), QStringLiteral("default"), {high1, high2})->id, low);
        QVERIFY(!selector.select(QStringLiteral("m"), QStringLiteral("default"), {high1, high2, low}));
        QVERIFY(!selector.select(QStringLiteral("other"), QStringLiteral("default")));
        QVERIFY(selector.serves(QStringLiteral("m"), QStringLiteral("vip")));
        QCOMPARE(Relay::ChannelSelector::upstreamModel(*repo.byId(low), QStringLiteral("m")), QStringLiteral("m-upstream"));
        QCOMPARE(Relay::ChannelSelector::upstreamModel(*repo.byId(low), QStringLiteral("x")), QStringLiteral("x"));

        // Edits are seen after invalidate().
        QVERIFY(repo.setStatus(high1, Store::RowStatus::Disabled));
        QVERIFY(repo.setStatus(high2, Store::RowStatus::Disabled));
        // Still cached: the disabled channels are picked until the hook runs.
        QVERIFY(selector.select(QStringLiteral("m"), QStringLiteral("default"))->id != low);
        selector.invalidate();
        QCOMPARE(selector.select(QStringLiteral("m"), QStringLiteral("default"))->id, low);
    }
};

QTEST_GUILESS_MAIN(TestChatParts)
#include "tst_chatparts.moc"
