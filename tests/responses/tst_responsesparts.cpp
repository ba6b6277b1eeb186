// The Responses adapter's pieces without sockets: usage extraction (cached, cache writes, reasoning, missing
// fields), tool-call counting from output items and events, the local count of a cut stream, the prompt
// estimate of input items, and the tool-call price.
#include "billing/pricebook.h"
#include "billing/quotamath.h"
#include "relay/clientsink.h"
#include "relay/responses/responsesadapter.h"
#include "relay/responses/responsestokens.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtTest/QtTest>

using namespace RelayDesk;
using namespace RelayDesk::Relay;

namespace {

// Records what the adapter writes to the client.
class RecordingSink final : public ClientSink
{
public:
    QList<std::pair<QByteArray, QByteArray>> events;
    bool hasStarted() const override { return !events.isEmpty(); }
    bool isStreaming() const override { return true; }
    bool isGone() const override { return false; }
    void respond(int, const QByteArray &, Retry) override {}
    void respondError(const OpenAiError &, Retry) override {}
    void beginEventStream() override {}
    void writeEvent(QByteArrayView name, QByteArrayView data) override
    {
        events.append({name.toByteArray(), data.toByteArray()});
    }
    void endStream() override {}
    qint64 pendingOutputBytes() const override { return 0; }
};

QJsonObject obj(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}

SseEvent sseEvent(const QByteArray &type, const QJsonObject &payload)
{
    return SseEvent{type, QJsonDocument(payload).toJson(QJsonDocument::Compact)};
}

HoldParameters noHold()
{
    return std::get<HoldParameters>(HoldParameters::fromResponsesRequest({}));
}

} // namespace

class TestResponsesParts : public QObject
{
    Q_OBJECT

private slots:
    void usageFromTerminalEvent_data()
    {
        QTest::addColumn<QByteArray>("usage");
        QTest::addColumn<qint64>("inputText");
        QTest::addColumn<qint64>("cached");
        QTest::addColumn<qint64>("cacheWrite");
        QTest::addColumn<qint64>("output");
        QTest::addColumn<qint64>("reasoning");
        QTest::newRow("plain") << QByteArray(R"({"input_tokens":100,"output_tokens":20,"total_tokens":120})")
                               << 100LL << 0LL << 0LL << 20LL << 0LL;
        QTest::newRow("cached") << QByteArray(R"({"input_tokens":100,"input_tokens_details":{"cached_tokens":40},"output_tokens":20})")
                                << 100LL << 40LL << 0LL << 20LL << 0LL;
        QTest::newRow("cache write") << QByteArray(R"({"input_tokens":100,"input_tokens_details":{"cached_tokens":40,"cache_write_tokens":30},"output_tokens":20})")
                                     << 100LL << 40LL << 30LL << 20LL << 0LL;
        QTest::newRow("reasoning") << QByteArray(R"({"input_tokens":10,"output_tokens":50,"output_tokens_details":{"reasoning_tokens":35}})")
                                   << 10LL << 0LL << 0LL << 50LL << 35LL;
        QTest::newRow("details null") << QByteArray(R"({"input_tokens":10,"input_tokens_details":null,"output_tokens":5,"output_tokens_details":null})")
                                      << 10LL << 0LL << 0LL << 5LL << 0LL;
    }
    void usageFromTerminalEvent()
    {
        QFETCH(QByteArray, usage);
        QFETCH(qint64, inputText);
        QFETCH(qint64, cached);
        QFETCH(qint64, cacheWrite);
        QFETCH(qint64, output);
        QFETCH(qint64, reasoning);
        ResponsesAdapter adapter(ResponsesAdapter::Mode::Create, obj(R"({"model":"gpt-4o-mini","input":"hi","stream":true})"), noHold());
        RecordingSink sink;
        QJsonObject response = obj(R"({"id":"resp_1","status":"completed","output":[]})");
        response.insert(QStringLiteral("usage"), QJsonDocument::fromJson(usage).object());
        const EventReport report = adapter.onEvent(sseEvent("response.completed",
            QJsonObject{{QStringLiteral("type"), QStringLiteral("response.completed")},
                        {QStringLiteral("sequence_number"), 9}, {QStringLiteral("response"), response}}), sink);
        QVERIFY(report.terminal);
        const auto parsed = UsageParser::parse(report.usage);
        QVERIFY(parsed);
        QCOMPARE(parsed->usage.inputText, inputText);
        QCOMPARE(parsed->usage.cachedText, cached);
        QCOMPARE(parsed->usage.cacheWrite, cacheWrite);
        QCOMPARE(parsed->usage.outputText, output);
        QCOMPARE(parsed->usage.outputReasoning, reasoning);
        QCOMPARE(adapter.responseId(), QStringLiteral("resp_1"));
    }

    void eventsForwardedUnchanged()
    {
        ResponsesAdapter adapter(ResponsesAdapter::Mode::Create, obj(R"({"model":"m","input":"hi","stream":true})"), noHold());
        RecordingSink sink;
        const QByteArray raw = R"({"type":"response.output_text.delta","sequence_number":3,"item_id":"msg_1","delta":"Hel"})";
        adapter.onEvent(SseEvent{QByteArray(), raw}, sink); // no event: line: the type comes from the payload
        adapter.onEvent(SseEvent{"keepalive", R"({"type":"keepalive","sequence_number":4})"}, sink);
        QCOMPARE(sink.events.size(), 2);
        QCOMPARE(sink.events[0].first, QByteArray("response.output_text.delta"));
        QCOMPARE(sink.events[0].second, raw);
        QCOMPARE(sink.events[1].first, QByteArray("keepalive"));
    }

    void toolCallsCountedFromOutput()
    {
        ResponsesAdapter adapter(ResponsesAdapter::Mode::Create, obj(R"({"model":"m","input":"hi"})"), noHold());
        adapter.onJson(obj(R"({"id":"resp_2","status":"completed","output":[
            {"type":"web_search_call","id":"ws_1","status":"completed"},
            {"type":"web_search_call","id":"ws_2","status":"completed"},
            {"type":"function_call","id":"fc_1","name":"f","arguments":"{}"},
            {"type":"reasoning","id":"rs_1","summary":[]},
            {"type":"message","id":"msg_1","content":[{"type":"output_text","text":"ok"}]}]})"));
        const auto calls = adapter.toolCalls();
        QCOMPARE(calls.value(QStringLiteral("web_search_call")), 2);
        QCOMPARE(calls.value(QStringLiteral("function_call")), 1);
        QVERIFY(!calls.contains(QStringLiteral("message")));
        QVERIFY(!calls.contains(QStringLiteral("reasoning")));
        QCOMPARE(adapter.outputItemIds(), (QStringList{"ws_1", "ws_2", "fc_1", "rs_1", "msg_1"}));
    }

    void toolCallPrice()
    {
        auto book = Billing::PriceBook::fromJson(obj(R"({"ModelRatio":{"m":1},"ToolCallPrice":{"_comment":"x","web_search_call":10},"GroupRatio":{"vip":0.5}})"));
        QVERIFY2(book, qPrintable(book.error()));
        const auto pricing = (*book)->pricing(QStringLiteral("m"), QStringLiteral("default"), QStringLiteral("default"));
        QVERIFY(pricing);
        // $10 per 1,000 calls = $0.01 per call = 5,000 quota per call.
        QCOMPARE(Billing::QuotaMath::toolCalls(*pricing, {{QStringLiteral("web_search_call"), 2}}).quota, 10000);
        Billing::Usage usage;
        usage.inputText = 100;
        usage.outputText = 10;
        QCOMPARE(Billing::QuotaMath::settle(*pricing, usage, {{QStringLiteral("web_search_call"), 1}}).quota, 5110);
        // A tool without a price is free; the group ratio applies to tool calls too.
        QCOMPARE(Billing::QuotaMath::toolCalls(*pricing, {{QStringLiteral("function_call"), 3}}).quota, 0);
        const auto vip = (*book)->pricing(QStringLiteral("m"), QStringLiteral("vip"), QStringLiteral("vip"));
        QCOMPARE(Billing::QuotaMath::toolCalls(*vip, {{QStringLiteral("web_search_call"), 1}}).quota, 2500);
        // It round-trips through the canonical JSON.
        QCOMPARE((*book)->toJson().value(QStringLiteral("ToolCallPrice")).toObject().value(QStringLiteral("web_search_call")).toDouble(), 10.0);
        QVERIFY(!Billing::PriceBook::fromJson(obj(R"({"ToolCallPrice":{"web_search_call":-1}})")));
    }

    void localCountOfCutStream()
    {
        // Deltas seen, no terminal event: the delivered text is counted.
        ResponsesAdapter adapter(ResponsesAdapter::Mode::Create, obj(R"({"model":"gpt-4o-mini","input":"hi","stream":true})"), noHold());
        RecordingSink sink;
        for (const char *word : {"Hello", " world", " again"})
            adapter.onEvent(sseEvent("response.output_text.delta",
                                  QJsonObject{{QStringLiteral("type"), QStringLiteral("response.output_text.delta")},
                                              {QStringLiteral("item_id"), QStringLiteral("msg_1")},
                                              {QStringLiteral("delta"), QString::fromUtf8(word)}}), sink);
        adapter.onEvent(sseEvent("response.reasoning_summary_text.delta",
                              obj(R"({"type":"response.reasoning_summary_text.delta","delta":"think think"})")), sink);
        const LocalOutput out = adapter.countOutput(QStringLiteral("gpt-4o-mini"));
        QCOMPARE(out.completionTokens, ChatRelayTokens::countText(u"Hello world againthink think", QStringLiteral("gpt-4o-mini")));
        QCOMPARE(out.reasoningTokens, ChatRelayTokens::countText(u"think think", QStringLiteral("gpt-4o-mini")));
    }

    void promptEstimateOfItems()
    {
        const QJsonObject request = obj(R"({"model":"gpt-4o-mini","instructions":"Be terse.","input":[
            {"role":"user","content":[{"type":"input_text","text":"What is the weather?"}]},
            {"type":"function_call","call_id":"c1","name":"get_weather","arguments":"city=Paris"},
            {"type":"function_call_output","call_id":"c1","output":"sunny"},
            {"type":"item_reference","id":"msg_9"}],
            "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}}]})");
        const QJsonObject chat = ResponsesTokens::asChatRequest(request);
        const QJsonArray messages = chat.value(QStringLiteral("messages")).toArray();
        QCOMPARE(messages.size(), 4); // instructions, user, assistant tool call, tool output (the reference adds none)
        QCOMPARE(messages[0].toObject().value(QStringLiteral("role")).toString(), QStringLiteral("system"));
        QCOMPARE(messages[2].toObject().value(QStringLiteral("tool_calls")).toArray().size(), 1);
        QCOMPARE(messages[3].toObject().value(QStringLiteral("role")).toString(), QStringLiteral("tool"));
        const PromptEstimate estimate = ResponsesTokens::estimatePrompt(request, QStringLiteral("gpt-4o-mini"));
        QVERIFY(estimate.textTokens > ChatRelayTokens::countText(u"Be terse.What is the weather?sunny", QStringLiteral("gpt-4o-mini")));
        // A plain string input is one user message.
        const auto simple = ResponsesTokens::asChatRequest(obj(R"({"input":"hello"})"));
        QCOMPARE(simple.value(QStringLiteral("messages")).toArray().size(), 1);
    }

    void holdFromMaxOutputTokens_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<qint64>("maxTokens");
        QTest::newRow("absent") << QByteArray("{}") << true << 0LL;
        QTest::newRow("given") << QByteArray(R"({"max_output_tokens":300})") << true << 300LL;
        QTest::newRow("huge") << QByteArray(R"({"max_output_tokens":1e300})") << false << 0LL;
        QTest::newRow("negative") << QByteArray(R"({"max_output_tokens":-1})") << false << 0LL;
        QTest::newRow("string") << QByteArray(R"({"max_output_tokens":"100"})") << false << 0LL;
    }
    void holdFromMaxOutputTokens()
    {
        QFETCH(QByteArray, body);
        QFETCH(bool, ok);
        QFETCH(qint64, maxTokens);
        const auto hold = HoldParameters::fromResponsesRequest(QJsonDocument::fromJson(body).object());
        QCOMPARE(std::holds_alternative<HoldParameters>(hold), ok);
        if (ok)
            QCOMPARE(std::get<HoldParameters>(hold).maxTokens().value_or(0), maxTokens);
        else
            QCOMPARE(std::get<OpenAiError>(hold).param, QByteArray("max_output_tokens"));
    }
};

QTEST_GUILESS_MAIN(TestResponsesParts)
#include "tst_responsesparts.moc"
