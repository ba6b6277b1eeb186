// OpenAI's Chat Completions for a Claude model, end to end (loopback client → Runtime → the demo upstream's
// /v1/messages through a channel of type anthropic): the request converted, the answer converted back (JSON and
// SSE, text and tool calls, usage with cached_tokens), billed by Anthropic's additive rule with the hold from the
// converted prompt and Claude's max_tokens; refusals and upstream errors in OpenAI's shape; a model that an
// OpenAI-wire channel also serves stays on that channel.
#include "meteredrelay.h"

#include "billing/quotamath.h"
#include "relay/anthropic/chattomessages.h"
#include "relay/anthropic/messagesadapter.h"

#include <QtCore/QJsonArray>

using namespace RelayDesk;
using Reply = RelayDeskTest::RelayReply;

namespace {

// A dated name (priced as claude-sonnet-4-5): the demo's own OpenAI-wire channel lists the undated one.
const QString kSonnet = QStringLiteral("claude-sonnet-4-5-20250929");
const QString kBoth = QStringLiteral("claude-both"); // an OpenAI-wire channel serves it too

QJsonObject chat(const QString &text, bool stream = false, qint64 maxTokens = 0)
{
    QJsonObject body{{QStringLiteral("model"), kSonnet},
                     {QStringLiteral("messages"),
                      QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("system")},
                                             {QStringLiteral("content"), QStringLiteral("You are terse.")}},
                                 QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                             {QStringLiteral("content"), text}}}}};
    if (stream)
        body.insert(QStringLiteral("stream"), true);
    if (maxTokens > 0)
        body.insert(QStringLiteral("max_tokens"), maxTokens);
    return body;
}

QJsonObject withTools(QJsonObject body)
{
    body.insert(QStringLiteral("tools"),
                QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("function")},
                                       {QStringLiteral("function"),
                                        QJsonObject{{QStringLiteral("name"), QStringLiteral("get_weather")},
                                                    {QStringLiteral("parameters"),
                                                     QJsonObject{{QStringLiteral("type"), QStringLiteral("object")}}}}}}});
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

} // namespace

class TestClaudeChatRelay : public QObject
{
    Q_OBJECT

private:
    RelayDeskTest::MeteredRelay m_relay;

    qint64 expectedHold(const QJsonObject &body, qint64 maxTokens)
    {
        const auto converted = Relay::ChatToMessages::convert(body, maxTokens);
        const qint64 prompt = Relay::MessagesAdapter::estimate(std::get<QJsonObject>(converted)).total();
        return Billing::QuotaMath::reserve(m_relay.pricing(kSonnet), prompt, maxTokens, 4096, 1).quota;
    }
    // The call's charge is Anthropic's additive rule over the demo's usage for `scenario` (reads 2048; 5-minute
    // writes 1024; 1-hour writes 1024 with 512 5-minute ones), its input read back from the chat-shaped usage.
    void checkBilled(const QJsonObject &usage, qint64 read, qint64 write5m, qint64 write1h, qint64 hold)
    {
        const qint64 prompt = usage.value(QStringLiteral("prompt_tokens")).toInteger();
        const qint64 output = usage.value(QStringLiteral("completion_tokens")).toInteger();
        QCOMPARE(usage.value(QStringLiteral("prompt_tokens_details")).toObject()
                     .value(QStringLiteral("cached_tokens")).toInteger(), read);
        QCOMPARE(usage.value(QStringLiteral("total_tokens")).toInteger(), prompt + output);
        const qint64 input = prompt - read - write5m - write1h;
        QVERIFY(input > 0);
        QVERIFY(output > 0);
        const Store::LogRecord log = m_relay.settledLog(QStringLiteral("/v1/chat/completions"), hold);
        const qint64 expected =
            Billing::QuotaMath::settle(m_relay.pricing(kSonnet), additive(input, read, write5m, write1h, output)).quota;
        QCOMPARE(log.quota, expected);
        QCOMPARE(log.promptTokens, prompt);
        QCOMPARE(log.completionTokens, output);
        QCOMPARE(log.other.value(QStringLiteral("upstream_api")).toString(), QStringLiteral("anthropic_messages"));
    }
    static void checkOpenAiError(const Reply &reply, int status, const QString &type)
    {
        QCOMPARE(reply.http.status, status);
        const QJsonObject error = reply.json().value(QStringLiteral("error")).toObject();
        QCOMPARE(error.value(QStringLiteral("type")).toString(), type);
        QVERIFY(!error.value(QStringLiteral("message")).toString().isEmpty());
        QVERIFY(!reply.json().contains(QStringLiteral("type"))); // not Anthropic's {"type":"error",…}
    }

private Q_SLOTS:
    void initTestCase()
    {
        RelayDeskTest::MeteredRelay::Setup setup;
        setup.user = QStringLiteral("claudechat");
        setup.models = {kSonnet, kBoth};
        setup.channelType = QStringLiteral("anthropic");
        QVERIFY(m_relay.start(this, setup));
        QVERIFY(m_relay.addPrices(QStringLiteral("ModelRatio"), {{kBoth, 1.5}}));
        QVERIFY(m_relay.addPrices(QStringLiteral("CompletionRatio"), {{kBoth, 5}}));
        Store::Channel openai;
        openai.name = QStringLiteral("openai-too");
        openai.baseUrl = m_relay.runtime().demoUpstream()->baseUrl();
        openai.secret = QStringLiteral("demo");
        openai.models = {kBoth};
        openai.groups = {QStringLiteral("default")};
        QVERIFY(Store::ChannelRepository(m_relay.db()).create(openai));
        m_relay.runtime().invalidateChannels();
    }
    void cleanupTestCase()
    {
        m_relay.checkLogsEqualDebits();
        m_relay.stop();
    }

    void json_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<qint64>("read");
        QTest::addColumn<qint64>("write5m");
        QTest::addColumn<qint64>("write1h");
        QTest::newRow("plain") << QString() << qint64(0) << qint64(0) << qint64(0);
        QTest::newRow("cache read") << QStringLiteral("cache_read") << qint64(2048) << qint64(0) << qint64(0);
        QTest::newRow("5m writes") << QStringLiteral("cache_write_5m") << qint64(0) << qint64(1024) << qint64(0);
        QTest::newRow("1h writes, read") << QStringLiteral("cache_read,cache_write_1h") << qint64(2048) << qint64(512)
                                         << qint64(1024);
    }
    void json()
    {
        QFETCH(QString, scenario);
        QFETCH(qint64, read);
        QFETCH(qint64, write5m);
        QFETCH(qint64, write1h);
        QString text = QStringLiteral("Say hello.");
        if (!scenario.isEmpty())
            text += QStringLiteral(" [[scenario:%1]]").arg(scenario);
        const QJsonObject body = chat(text);
        const Reply reply = m_relay.postJson("/v1/chat/completions", body);
        QCOMPARE(reply.http.status, 200);
        const QJsonObject completion = reply.json();
        QCOMPARE(completion.value(QStringLiteral("object")).toString(), QStringLiteral("chat.completion"));
        QVERIFY(completion.value(QStringLiteral("id")).toString().startsWith(QStringLiteral("msg_demo_")));
        const QJsonObject choice = completion.value(QStringLiteral("choices")).toArray().at(0).toObject();
        QCOMPARE(choice.value(QStringLiteral("finish_reason")).toString(), QStringLiteral("stop"));
        const QJsonObject message = choice.value(QStringLiteral("message")).toObject();
        QCOMPARE(message.value(QStringLiteral("role")).toString(), QStringLiteral("assistant"));
        QVERIFY(message.value(QStringLiteral("content")).toString().size() > 10);
        // No max_tokens: Claude's for the model family, held at the completion price.
        checkBilled(completion.value(QStringLiteral("usage")).toObject(), read, write5m, write1h,
                    expectedHold(body, Relay::ChatToMessages::defaultMaxTokens(kSonnet)));
    }

    void maxTokensCutsTheAnswer()
    {
        const QJsonObject body = chat(QStringLiteral("Say hello."), false, 3);
        const Reply reply = m_relay.postJson("/v1/chat/completions", body);
        QCOMPARE(reply.http.status, 200);
        const QJsonObject choice = reply.json().value(QStringLiteral("choices")).toArray().at(0).toObject();
        QCOMPARE(choice.value(QStringLiteral("finish_reason")).toString(), QStringLiteral("length"));
        QCOMPARE(choice.value(QStringLiteral("message")).toObject().value(QStringLiteral("content")).toString()
                     .split(u' ').size(), 3); // the demo answers max_tokens words
        checkBilled(reply.json().value(QStringLiteral("usage")).toObject(), 0, 0, 0, expectedHold(body, 3));
    }

    void stream_data()
    {
        QTest::addColumn<bool>("includeUsage");
        QTest::newRow("include_usage") << true;
        QTest::newRow("no usage asked") << false;
    }
    void stream()
    {
        QFETCH(bool, includeUsage);
        QJsonObject body = chat(QStringLiteral("Say hello. [[scenario:cache_read]]"), true, 200);
        if (includeUsage)
            body.insert(QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}});
        const Reply reply = m_relay.postJson("/v1/chat/completions", body);
        QCOMPARE(reply.http.status, 200);
        QVERIFY(reply.http.header("Content-Type").startsWith("text/event-stream"));
        QCOMPARE(reply.data.last(), QByteArray("[DONE]"));
        QString content;
        QString finish;
        QJsonObject usage;
        for (qsizetype i = 0; i + 1 < reply.data.size(); ++i) {
            const QJsonObject chunk = reply.events.at(i).second;
            QVERIFY(reply.events.at(i).first.isEmpty()); // plain data: events, as OpenAI sends
            QCOMPARE(chunk.value(QStringLiteral("object")).toString(), QStringLiteral("chat.completion.chunk"));
            if (chunk.contains(QStringLiteral("usage")))
                usage = chunk.value(QStringLiteral("usage")).toObject();
            const QJsonObject choice = chunk.value(QStringLiteral("choices")).toArray().at(0).toObject();
            content += choice.value(QStringLiteral("delta")).toObject().value(QStringLiteral("content")).toString();
            if (choice.value(QStringLiteral("finish_reason")).isString())
                finish = choice.value(QStringLiteral("finish_reason")).toString();
        }
        QVERIFY(content.size() > 10);
        QCOMPARE(finish, QStringLiteral("stop"));
        QCOMPARE(usage.isEmpty(), !includeUsage);
        if (!includeUsage) { // the charge is read from the log instead
            const auto log = RelayDeskTest::logFor(m_relay.db(), m_relay.results().last().requestId);
            QVERIFY(log);
            usage = {{QStringLiteral("prompt_tokens"), log->promptTokens},
                     {QStringLiteral("completion_tokens"), log->completionTokens},
                     {QStringLiteral("total_tokens"), log->promptTokens + log->completionTokens},
                     {QStringLiteral("prompt_tokens_details"), QJsonObject{{QStringLiteral("cached_tokens"), 2048}}}};
        }
        checkBilled(usage, 2048, 0, 0, expectedHold(body, 200));
    }

    void toolCalls_data()
    {
        QTest::addColumn<bool>("stream");
        QTest::newRow("json") << false;
        QTest::newRow("stream") << true;
    }
    void toolCalls()
    {
        QFETCH(bool, stream);
        const QJsonObject body = withTools(chat(QStringLiteral("Weather in Paris? [[scenario:tools]]"), stream, 100));
        const Reply reply = m_relay.postJson("/v1/chat/completions", body);
        QCOMPARE(reply.http.status, 200);
        QString id, name, arguments, finish;
        if (!stream) {
            const QJsonObject choice = reply.json().value(QStringLiteral("choices")).toArray().at(0).toObject();
            finish = choice.value(QStringLiteral("finish_reason")).toString();
            const QJsonObject message = choice.value(QStringLiteral("message")).toObject();
            QVERIFY(message.value(QStringLiteral("content")).isNull());
            const QJsonObject call = message.value(QStringLiteral("tool_calls")).toArray().at(0).toObject();
            id = call.value(QStringLiteral("id")).toString();
            name = call.value(QStringLiteral("function")).toObject().value(QStringLiteral("name")).toString();
            arguments = call.value(QStringLiteral("function")).toObject().value(QStringLiteral("arguments")).toString();
        } else {
            for (const auto &[event, chunk] : reply.events) {
                const QJsonObject choice = chunk.value(QStringLiteral("choices")).toArray().at(0).toObject();
                if (choice.value(QStringLiteral("finish_reason")).isString())
                    finish = choice.value(QStringLiteral("finish_reason")).toString();
                for (const QJsonValue &c : choice.value(QStringLiteral("delta")).toObject()
                                               .value(QStringLiteral("tool_calls")).toArray()) {
                    QCOMPARE(c.toObject().value(QStringLiteral("index")).toInt(), 0);
                    id += c.toObject().value(QStringLiteral("id")).toString();
                    const QJsonObject fn = c.toObject().value(QStringLiteral("function")).toObject();
                    name += fn.value(QStringLiteral("name")).toString();
                    arguments += fn.value(QStringLiteral("arguments")).toString();
                }
            }
        }
        QCOMPARE(finish, QStringLiteral("tool_calls"));
        QCOMPARE(id, QStringLiteral("toolu_demo1"));
        QCOMPARE(name, QStringLiteral("get_weather"));
        QCOMPARE(QJsonDocument::fromJson(arguments.toUtf8()).object(),
                 QJsonDocument::fromJson(R"({"city":"Paris","unit":"celsius"})").object());
        const auto log = m_relay.settledLog(QStringLiteral("/v1/chat/completions"), expectedHold(body, 100));
        QVERIFY(log.quota > 0);
        QCOMPARE(log.other.value(QStringLiteral("stop_reason")).toString(), QStringLiteral("tool_use"));
    }

    void refusedBeforeAnyHold_data()
    {
        QTest::addColumn<QJsonObject>("body");
        QTest::addColumn<QString>("param");
        QJsonObject n = chat(QStringLiteral("x"));
        n.insert(QStringLiteral("n"), 2);
        QTest::newRow("n = 2") << n << "n";
        QJsonObject audio = chat(QStringLiteral("x"));
        audio.insert(QStringLiteral("messages"),
                     QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                            {QStringLiteral("content"),
                                             QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("input_audio")},
                                                                    {QStringLiteral("input_audio"), QJsonObject()}}}}}});
        QTest::newRow("audio input") << audio << "messages[0].content[0]";
    }
    void refusedBeforeAnyHold()
    {
        QFETCH(QJsonObject, body);
        QFETCH(QString, param);
        const qint64 balance = m_relay.balance();
        const qint64 reservations = m_relay.reservations();
        const Reply reply = m_relay.postJson("/v1/chat/completions", body, false);
        checkOpenAiError(reply, 400, QStringLiteral("invalid_request_error"));
        QCOMPARE(reply.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("param")).toString(), param);
        QCOMPARE(m_relay.balance(), balance);
        QCOMPARE(m_relay.reservations(), reservations);
    }

    void upstreamErrorsInOpenAiShape_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("code");
        QTest::newRow("429") << "error_429" << 429 << "rate_limit_exceeded" << "rate_limit_error";
        QTest::newRow("500") << "error_500" << 500 << "server_error" << "api_error";
        QTest::newRow("529") << "error_529" << 529 << "server_error" << "overloaded_error";
    }
    void upstreamErrorsInOpenAiShape()
    {
        QFETCH(QString, scenario);
        QFETCH(int, status);
        QFETCH(QString, type);
        QFETCH(QString, code);
        const qint64 balance = m_relay.balance();
        const Reply reply = m_relay.postJson("/v1/chat/completions",
                                             chat(QStringLiteral("x [[scenario:%1]]").arg(scenario), false, 10));
        checkOpenAiError(reply, status, type);
        QCOMPARE(reply.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(), code);
        QVERIFY(!m_relay.results().last().settled); // refunded: nothing billed
        QCOMPARE(m_relay.balance(), balance);
    }

    void streamErrorInOpenAiShape()
    {
        const QJsonObject body = chat(QStringLiteral("x [[scenario:stream_error]]"), true, 50);
        const Reply reply = m_relay.postJson("/v1/chat/completions", body);
        QCOMPARE(reply.http.status, 200);
        const QJsonObject last = reply.events.last().second;
        QCOMPARE(last.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
                 QStringLiteral("overloaded_error"));
        // Settled on what was delivered (two words), never on the hold.
        const auto log = m_relay.settledLog(QStringLiteral("/v1/chat/completions"), expectedHold(body, 50));
        QVERIFY(log.quota > 0);
        QVERIFY(log.quota < expectedHold(body, 50));
    }

    void openAiChannelKeepsTheModel()
    {
        QJsonObject body = chat(QStringLiteral("Say hello."));
        body.insert(QStringLiteral("model"), kBoth);
        const Reply reply = m_relay.postJson("/v1/chat/completions", body);
        QCOMPARE(reply.http.status, 200);
        QVERIFY2(reply.json().value(QStringLiteral("id")).toString().startsWith(QStringLiteral("chatcmpl-demo")),
                 reply.http.body.constData());
        const auto log = m_relay.settledLog(QStringLiteral("/v1/chat/completions"));
        QVERIFY(!log.other.contains(QStringLiteral("upstream_api")));
    }
};

QTEST_GUILESS_MAIN(TestClaudeChatRelay)
#include "tst_claudechatrelay.moc"
