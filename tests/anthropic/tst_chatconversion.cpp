// The OpenAI chat ↔ Claude conversion, field by field: ChatToMessages (each chat request field to its Messages
// form, or the 400 naming it), MessagesToChat (replies, finish reasons, error bodies) and MessagesToChatStream
// (each Messages event to the chat chunks a client sees). Quotes inside JSON strings of the raw literals are
// written \u0022, not \": moc reads \" in a raw string as an escaped quote and loses the class.
#include "relay/anthropic/chattomessages.h"
#include "relay/anthropic/messagestochat.h"
#include "relay/clientsink.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtTest/QtTest>

using namespace RelayDesk::Relay;

namespace {

// An http(s) URL is written $URL in the raw literals: moc reads the // of a URL in a raw string as a comment.
const QByteArray kUrl = "https://example.com/cat.jpg";

QJsonObject obj(const char *json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(json).replace("$URL", kUrl), &error);
    if (!doc.isObject())
        qFatal("bad test JSON (%s): %s", qPrintable(error.errorString()), json);
    return doc.object();
}

QString text(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

// A chat request around `fields` (a JSON object's members, without braces) and one user message.
QJsonObject chatWith(const char *fields)
{
    QJsonObject chat = obj(QByteArray(QByteArray("{") + fields + "}").constData());
    chat.insert(QStringLiteral("model"), QStringLiteral("claude-sonnet-4-5"));
    if (!chat.contains(QStringLiteral("messages")))
        chat.insert(QStringLiteral("messages"), QJsonArray{obj(R"({"role":"user","content":"Hi"})")});
    return chat;
}

// Records what a stream writes.
class RecordingSink final : public ClientSink
{
public:
    QList<QByteArray> data;
    bool hasStarted() const override { return !data.isEmpty(); }
    bool isStreaming() const override { return true; }
    bool isGone() const override { return false; }
    void respond(int, const QByteArray &, Retry) override {}
    void respondError(const OpenAiError &, Retry) override {}
    void beginEventStream() override {}
    void writeEvent(QByteArrayView name, QByteArrayView payload) override
    {
        QVERIFY(name.isEmpty()); // chat chunks are plain data: events
        data.append(payload.toByteArray());
    }
    void endStream() override {}
    qint64 pendingOutputBytes() const override { return 0; }
};

TypedEvent typedEvent(const char *json)
{
    TypedEvent e;
    e.payload = obj(json);
    e.type = e.payload.value(QStringLiteral("type")).toString();
    e.liveType = e.type;
    return e;
}

} // namespace

class TestChatConversion : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void request_data()
    {
        QTest::addColumn<QJsonObject>("chat");
        QTest::addColumn<QJsonObject>("expected"); // the members of the Messages request that are checked

        QTest::newRow("system and user text") << chatWith(R"("messages":[{"role":"system","content":"Be terse."},
                {"role":"user","content":"Hi"}])")
            << obj(R"({"system":[{"type":"text","text":"Be terse."}],
                       "messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]})");
        QTest::newRow("developer and later system gathered in order") << chatWith(R"("messages":[
                {"role":"developer","content":[{"type":"text","text":"A"}]},{"role":"user","content":"Hi"},
                {"role":"system","content":"B"}])")
            << obj(R"({"system":[{"type":"text","text":"A"},{"type":"text","text":"B"}]})");
        QTest::newRow("consecutive user turns merged") << chatWith(R"("messages":[{"role":"user","content":"a"},
                {"role":"user","content":[{"type":"text","text":"b"}]}])")
            << obj(R"({"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]})");
        QTest::newRow("image as data URL") << chatWith(R"("messages":[{"role":"user","content":[
                {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0K","detail":"high"}}]}])")
            << obj(R"({"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64",
                       "media_type":"image/png","data":"iVBORw0K"}}]}]})");
        QTest::newRow("image as URL") << chatWith(R"("messages":[{"role":"user","content":[
                {"type":"image_url","image_url":{"url":"$URL"}}]}])")
            << obj(R"({"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url",
                       "url":"$URL"}}]}]})");
        QTest::newRow("PDF file") << chatWith(R"("messages":[{"role":"user","content":[{"type":"file",
                "file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0x"}}]}])")
            << obj(R"({"messages":[{"role":"user","content":[{"type":"document","title":"a.pdf","source":
                       {"type":"base64","media_type":"application/pdf","data":"JVBERi0x"}}]}]})");
        QTest::newRow("tool call and result") << chatWith(R"("messages":[{"role":"user","content":"Weather?"},
                {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                 "function":{"name":"get_weather","arguments":"{\u0022city\u0022:\u0022Paris\u0022}"}}]},
                {"role":"tool","tool_call_id":"call_1","content":"18C"},
                {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"dry"}]}])")
            << obj(R"({"messages":[{"role":"user","content":[{"type":"text","text":"Weather?"}]},
                       {"role":"assistant","content":[{"type":"tool_use","id":"call_1","name":"get_weather",
                        "input":{"city":"Paris"}}]},
                       {"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1",
                        "content":[{"type":"text","text":"18C"}]},{"type":"tool_result","tool_use_id":"call_2",
                        "content":[{"type":"text","text":"dry"}]}]}]})");
        QTest::newRow("assistant text with empty arguments") << chatWith(R"("messages":[{"role":"user","content":"x"},
                {"role":"assistant","content":"Let me look.","tool_calls":[{"id":"c","type":"function",
                 "function":{"name":"now","arguments":""}}]}])")
            << obj(R"({"messages":[{"role":"user","content":[{"type":"text","text":"x"}]},
                       {"role":"assistant","content":[{"type":"text","text":"Let me look."},
                        {"type":"tool_use","id":"c","name":"now","input":{}}]}]})");
        QTest::newRow("empty assistant message left out") << chatWith(R"("messages":[{"role":"user","content":"x"},
                {"role":"assistant","content":""},{"role":"user","content":"y"}])")
            << obj(R"({"messages":[{"role":"user","content":[{"type":"text","text":"x"},{"type":"text","text":"y"}]}]})");
        QTest::newRow("tools and tool_choice required") << chatWith(R"("tools":[{"type":"function","function":
                {"name":"f","description":"d","parameters":{"type":"object","properties":{"a":{"type":"string"}}},
                 "strict":true}},{"type":"function","function":{"name":"g"}}],"tool_choice":"required")")
            << obj(R"({"tools":[{"name":"f","description":"d","strict":true,"input_schema":{"type":"object",
                       "properties":{"a":{"type":"string"}}}},{"name":"g","input_schema":{"type":"object",
                       "properties":{}}}],"tool_choice":{"type":"any"}})");
        QTest::newRow("named tool_choice") << chatWith(R"("tools":[{"type":"function","function":{"name":"f"}}],
                "tool_choice":{"type":"function","function":{"name":"f"}})")
            << obj(R"({"tool_choice":{"type":"tool","name":"f"}})");
        QTest::newRow("tool_choice none") << chatWith(R"("tools":[{"type":"function","function":{"name":"f"}}],
                "tool_choice":"none")")
            << obj(R"({"tool_choice":{"type":"none"}})");
        QTest::newRow("parallel_tool_calls false") << chatWith(R"("tools":[{"type":"function","function":
                {"name":"f"}}],"parallel_tool_calls":false)")
            << obj(R"({"tool_choice":{"type":"auto","disable_parallel_tool_use":true}})");
        QTest::newRow("sampling and stop string") << chatWith(R"("temperature":0.5,"top_p":0.9,"stop":"END")")
            << obj(R"({"temperature":0.5,"top_p":0.9,"stop_sequences":["END"]})");
        QTest::newRow("stop array, stream, user") << chatWith(R"("stop":["A","B"],"stream":true,"user":"u-1",
                "stream_options":{"include_usage":true})")
            << obj(R"({"stop_sequences":["A","B"],"stream":true,"metadata":{"user_id":"u-1"}})");
        QTest::newRow("values that ask for nothing") << chatWith(R"("n":1,"logprobs":false,"presence_penalty":0,
                "frequency_penalty":0,"logit_bias":{},"store":false,"seed":null,"response_format":{"type":"text"},
                "service_tier":"auto","modalities":["text"],"prompt_cache_key":"k","metadata":{})")
            << obj(R"({"model":"claude-sonnet-4-5","max_tokens":100,
                       "messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]})");
    }

    void request()
    {
        QFETCH(QJsonObject, chat);
        QFETCH(QJsonObject, expected);
        const auto converted = ChatToMessages::convert(chat, 100);
        if (const auto *error = std::get_if<OpenAiError>(&converted))
            QFAIL(qPrintable(error->message));
        const QJsonObject out = std::get<QJsonObject>(converted);
        QCOMPARE(out.value(QStringLiteral("max_tokens")).toInteger(), 100);
        QCOMPARE(out.value(QStringLiteral("model")).toString(), QStringLiteral("claude-sonnet-4-5"));
        for (auto it = expected.begin(); it != expected.end(); ++it)
            QCOMPARE(text(QJsonObject{{it.key(), out.value(it.key())}}), text(QJsonObject{{it.key(), it.value()}}));
        if (QByteArray(QTest::currentDataTag()) == "values that ask for nothing")
            QCOMPARE(text(out), text(expected)); // nothing else added
    }

    void refusal_data()
    {
        QTest::addColumn<QJsonObject>("chat");
        QTest::addColumn<QString>("param");

        QTest::newRow("n = 2") << chatWith(R"("n":2)") << "n";
        QTest::newRow("logprobs") << chatWith(R"("logprobs":true)") << "logprobs";
        QTest::newRow("penalty") << chatWith(R"("presence_penalty":0.5)") << "presence_penalty";
        QTest::newRow("logit_bias") << chatWith(R"("logit_bias":{"50256":-100})") << "logit_bias";
        QTest::newRow("seed") << chatWith(R"("seed":7)") << "seed";
        QTest::newRow("json_schema") << chatWith(R"("response_format":{"type":"json_schema","json_schema":{}})")
                                     << "response_format";
        QTest::newRow("reasoning_effort") << chatWith(R"("reasoning_effort":"high")") << "reasoning_effort";
        QTest::newRow("store") << chatWith(R"("store":true)") << "store";
        QTest::newRow("audio out") << chatWith(R"("modalities":["text","audio"])") << "modalities";
        QTest::newRow("legacy functions") << chatWith(R"("functions":[{"name":"f"}])") << "functions";
        QTest::newRow("unknown field") << chatWith(R"("frobnicate":1)") << "frobnicate";
        QTest::newRow("bad stop") << chatWith(R"("stop":5)") << "stop";
        QTest::newRow("custom tool") << chatWith(R"("tools":[{"type":"custom","custom":{"name":"x"}}])")
                                     << "tools[0].type";
        QTest::newRow("tool_choice without tools") << chatWith(R"("tool_choice":"required")") << "tool_choice";
        QTest::newRow("bad tool_choice") << chatWith(R"("tools":[{"type":"function","function":{"name":"f"}}],
                "tool_choice":"sometimes")") << "tool_choice";
        QTest::newRow("audio input") << chatWith(R"("messages":[{"role":"user","content":[{"type":"input_audio",
                "input_audio":{"data":"AAAA","format":"wav"}}]}])") << "messages[0].content[0]";
        QTest::newRow("bmp image") << chatWith(R"("messages":[{"role":"user","content":[{"type":"image_url",
                "image_url":{"url":"data:image/bmp;base64,Qk0="}}]}])") << "messages[0].content[0].image_url.url";
        QTest::newRow("file id") << chatWith(R"("messages":[{"role":"user","content":[{"type":"file",
                "file":{"file_id":"file-1"}}]}])") << "messages[0].content[0].file.file_id";
        QTest::newRow("message name") << chatWith(R"("messages":[{"role":"user","name":"bob","content":"x"}])")
                                      << "messages[0].name";
        QTest::newRow("function role") << chatWith(R"("messages":[{"role":"function","name":"f","content":"x"}])")
                                       << "messages[0].role";
        QTest::newRow("unknown role") << chatWith(R"("messages":[{"role":"narrator","content":"x"}])")
                                      << "messages[0].role";
        QTest::newRow("arguments not an object") << chatWith(R"("messages":[{"role":"assistant","tool_calls":[
                {"id":"c","type":"function","function":{"name":"f","arguments":"[1]"}}]}])")
                                                 << "messages[0].tool_calls[0].function.arguments";
        QTest::newRow("tool message without id") << chatWith(R"("messages":[{"role":"tool","content":"x"}])")
                                                 << "messages[0].tool_call_id";
        QTest::newRow("reasoning echoed back") << chatWith(R"("messages":[{"role":"assistant","content":"x",
                "reasoning_content":"thought"}])") << "messages[0].reasoning_content";
    }

    void refusal()
    {
        QFETCH(QJsonObject, chat);
        QFETCH(QString, param);
        const auto converted = ChatToMessages::convert(chat, 100);
        const auto *error = std::get_if<OpenAiError>(&converted);
        if (!error)
            QFAIL(qPrintable(QStringLiteral("converted instead of refused: ") + text(std::get<QJsonObject>(converted))));
        QCOMPARE(error->httpStatus, 400);
        QCOMPARE(error->type, QByteArray("invalid_request_error"));
        QCOMPARE(QString::fromUtf8(error->param), param);
        QVERIFY(error->message.contains(param.section(u'.', -1).section(u'[', 0, 0)));
    }

    void defaultMaxTokens_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<qint64>("tokens");
        QTest::newRow("claude 3 haiku") << "claude-3-haiku-20240307" << qint64(4096);
        QTest::newRow("claude 3 opus") << "claude-3-opus" << qint64(4096);
        QTest::newRow("claude 3.5 haiku") << "claude-3-5-haiku-latest" << qint64(8192);
        QTest::newRow("claude 3.7 sonnet") << "claude-3-7-sonnet" << qint64(32000);
        QTest::newRow("claude 4.5 sonnet") << "claude-sonnet-4-5" << qint64(32000);
        QTest::newRow("an alias") << "house-claude" << qint64(32000);
    }
    void defaultMaxTokens()
    {
        QFETCH(QString, model);
        QFETCH(qint64, tokens);
        QCOMPARE(ChatToMessages::defaultMaxTokens(model), tokens);
    }

    void finishReason_data()
    {
        QTest::addColumn<QString>("stop");
        QTest::addColumn<QString>("finish");
        QTest::newRow("end_turn") << "end_turn" << "stop";
        QTest::newRow("stop_sequence") << "stop_sequence" << "stop";
        QTest::newRow("pause_turn") << "pause_turn" << "stop";
        QTest::newRow("max_tokens") << "max_tokens" << "length";
        QTest::newRow("context window") << "model_context_window_exceeded" << "length";
        QTest::newRow("tool_use") << "tool_use" << "tool_calls";
        QTest::newRow("refusal") << "refusal" << "content_filter";
    }
    void finishReason()
    {
        QFETCH(QString, stop);
        QFETCH(QString, finish);
        QCOMPARE(MessagesToChat::finishReason(stop), finish);
    }

    void reply_data()
    {
        QTest::addColumn<QJsonObject>("message");
        QTest::addColumn<QJsonObject>("choice");

        QTest::newRow("text") << obj(R"({"id":"msg_1","model":"claude-x","stop_reason":"end_turn",
                "content":[{"type":"text","text":"Hello "},{"type":"text","text":"there"}]})")
            << obj(R"({"index":0,"logprobs":null,"finish_reason":"stop","message":{"role":"assistant",
                       "content":"Hello there","refusal":null}})");
        QTest::newRow("tool use") << obj(R"({"id":"msg_2","model":"claude-x","stop_reason":"tool_use",
                "content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{"a":1}}]})")
            << obj(R"({"index":0,"logprobs":null,"finish_reason":"tool_calls","message":{"role":"assistant",
                       "content":null,"refusal":null,"tool_calls":[{"id":"toolu_1","type":"function",
                       "function":{"name":"f","arguments":"{\u0022a\u0022:1}"}}]}})");
        QTest::newRow("thinking and text, cut") << obj(R"({"id":"msg_3","model":"claude-x","stop_reason":"max_tokens",
                "content":[{"type":"thinking","thinking":"hm","signature":"s"},{"type":"text","text":"So"}]})")
            << obj(R"({"index":0,"logprobs":null,"finish_reason":"length","message":{"role":"assistant",
                       "content":"So","refusal":null,"reasoning_content":"hm"}})");
    }
    void reply()
    {
        QFETCH(QJsonObject, message);
        QFETCH(QJsonObject, choice);
        const QJsonObject usage = obj(R"({"prompt_tokens":30,"completion_tokens":5,"total_tokens":35,
                                          "prompt_tokens_details":{"cached_tokens":20}})");
        const QJsonObject out = MessagesToChat::reply(message, usage);
        QCOMPARE(out.value(QStringLiteral("object")).toString(), QStringLiteral("chat.completion"));
        QCOMPARE(out.value(QStringLiteral("id")), message.value(QStringLiteral("id")));
        QCOMPARE(out.value(QStringLiteral("model")), message.value(QStringLiteral("model")));
        QVERIFY(out.value(QStringLiteral("created")).toInteger() > 1'700'000'000);
        QCOMPARE(out.value(QStringLiteral("usage")).toObject(), usage);
        const QJsonArray choices = out.value(QStringLiteral("choices")).toArray();
        QCOMPARE(choices.size(), 1);
        QCOMPARE(text(choices.at(0).toObject()), text(choice));
    }

    void errorBody_data()
    {
        QTest::addColumn<QByteArray>("anthropic");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("code");
        QTest::newRow("invalid request") << QByteArray(R"({"type":"error","error":{"type":"invalid_request_error",
                "message":"max_tokens: too large"}})") << "invalid_request_error" << "invalid_request_error";
        QTest::newRow("overloaded") << QByteArray(R"({"type":"error","error":{"type":"overloaded_error",
                "message":"Overloaded"}})") << "server_error" << "overloaded_error";
        QTest::newRow("rate limit") << QByteArray(R"({"type":"error","error":{"type":"rate_limit_error",
                "message":"slow down"}})") << "rate_limit_exceeded" << "rate_limit_error";
    }
    void errorBody()
    {
        QFETCH(QByteArray, anthropic);
        QFETCH(QString, type);
        QFETCH(QString, code);
        const QJsonObject in = QJsonDocument::fromJson(anthropic).object().value(QStringLiteral("error")).toObject();
        const QJsonObject out = QJsonDocument::fromJson(MessagesToChat::errorBody(anthropic)).object();
        QCOMPARE(out.size(), 1);
        const QJsonObject error = out.value(QStringLiteral("error")).toObject();
        QCOMPARE(error.value(QStringLiteral("message")), in.value(QStringLiteral("message")));
        QCOMPARE(error.value(QStringLiteral("type")).toString(), type);
        QCOMPARE(error.value(QStringLiteral("code")).toString(), code);
        QVERIFY(error.contains(QStringLiteral("param")));
        // A body without an error object passes unchanged.
        QCOMPARE(MessagesToChat::errorBody("upstream trouble"), QByteArray("upstream trouble"));
    }

    void stream_data()
    {
        QTest::addColumn<bool>("includeUsage");
        QTest::newRow("without usage") << false;
        QTest::newRow("with usage") << true;
    }
    void stream()
    {
        QFETCH(bool, includeUsage);
        MessagesToChatStream chunks(includeUsage);
        RecordingSink sink;
        int usageAsked = 0;
        const auto usage = [&usageAsked] {
            ++usageAsked;
            return obj(R"({"prompt_tokens":12,"completion_tokens":7,"total_tokens":19})");
        };
        for (const char *e : {
                 R"({"type":"message_start","message":{"id":"msg_9","model":"claude-x","usage":{"input_tokens":12}}})",
                 R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})",
                 R"({"type":"ping"})",
                 R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}})",
                 R"({"type":"content_block_stop","index":0})",
                 R"({"type":"content_block_start","index":1,"content_block":{"type":"thinking","thinking":""}})",
                 R"({"type":"content_block_delta","index":1,"delta":{"type":"thinking_delta","thinking":"hm"}})",
                 R"({"type":"content_block_delta","index":1,"delta":{"type":"signature_delta","signature":"s"}})",
                 R"({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}})",
                 R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\u0022a\u0022:"}})",
                 R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"1}"}})",
                 R"({"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_2","name":"g","input":{}}})",
                 R"({"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":7}})",
                 R"({"type":"message_stop"})"})
            chunks.write(typedEvent(e), sink, usage);

        const QStringList expectedDeltas{
            R"({"content":"","role":"assistant"})",
            R"({"content":"Hi"})",
            R"({"reasoning_content":"hm"})",
            R"({"tool_calls":[{"function":{"arguments":"","name":"f"},"id":"toolu_1","index":0,"type":"function"}]})",
            R"({"tool_calls":[{"function":{"arguments":"{\u0022a\u0022:"},"index":0}]})",
            R"({"tool_calls":[{"function":{"arguments":"1}"},"index":0}]})",
            R"({"tool_calls":[{"function":{"arguments":"","name":"g"},"id":"toolu_2","index":1,"type":"function"}]})",
            R"({})",
        };
        QCOMPARE(sink.data.size(), expectedDeltas.size() + (includeUsage ? 1 : 0) + 1);
        for (qsizetype i = 0; i < expectedDeltas.size(); ++i) {
            const QJsonObject chunk = QJsonDocument::fromJson(sink.data.at(i)).object();
            QCOMPARE(chunk.value(QStringLiteral("object")).toString(), QStringLiteral("chat.completion.chunk"));
            QCOMPARE(chunk.value(QStringLiteral("id")).toString(), QStringLiteral("msg_9"));
            QCOMPARE(chunk.value(QStringLiteral("model")).toString(), QStringLiteral("claude-x"));
            const QJsonObject choice = chunk.value(QStringLiteral("choices")).toArray().at(0).toObject();
            QCOMPARE(text(choice.value(QStringLiteral("delta")).toObject()),
                     text(obj(expectedDeltas.at(i).toUtf8().constData())));
            QCOMPARE(choice.value(QStringLiteral("finish_reason")),
                     i + 1 == expectedDeltas.size() ? QJsonValue(QStringLiteral("tool_calls")) : QJsonValue());
        }
        QCOMPARE(usageAsked, includeUsage ? 1 : 0);
        if (includeUsage) {
            const QJsonObject last = QJsonDocument::fromJson(sink.data.at(sink.data.size() - 2)).object();
            QCOMPARE(last.value(QStringLiteral("choices")).toArray().size(), 0);
            QCOMPARE(last.value(QStringLiteral("usage")).toObject().value(QStringLiteral("total_tokens")).toInt(), 19);
        }
        QCOMPARE(sink.data.last(), QByteArray("[DONE]"));
    }

    void streamError()
    {
        MessagesToChatStream chunks(true);
        RecordingSink sink;
        chunks.write(typedEvent(R"({"type":"message_start","message":{"id":"m","model":"c"}})"), sink, {});
        chunks.write(typedEvent(R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"), sink, {});
        QCOMPARE(sink.data.size(), 2);
        const QJsonObject error = QJsonDocument::fromJson(sink.data.last()).object().value(QStringLiteral("error")).toObject();
        QCOMPARE(error.value(QStringLiteral("message")).toString(), QStringLiteral("Overloaded"));
        QCOMPARE(error.value(QStringLiteral("type")).toString(), QStringLiteral("server_error"));
    }
};

QTEST_GUILESS_MAIN(TestChatConversion)
#include "tst_chatconversion.moc"
