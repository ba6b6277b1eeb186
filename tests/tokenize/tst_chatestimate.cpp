// Chat request estimate: text parts, names, tools, tool calls and results, media, overhead.
#include "tokenize/chatestimate.h"
#include "tokenize/encoding.h"
#include "tokenize/estimator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace RelayDesk::Tokenize;

namespace {

QJsonObject parse(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}

qint64 o200k(const QString &s) { return qint64(Encoding::byName("o200k_base")->count(QStringView(s))); }

} // namespace

class TestChatEstimate final : public QObject {
    Q_OBJECT
private slots:
    void simpleConversation();
    void rolesAreNotContent();
    void namesToolsAndToolCalls();
    void mediaParts();
    void remoteImagesOnlyWithASizer();
    void estimatorForUnknownModels();
    void garbageIsHarmless();
};

void TestChatEstimate::simpleConversation()
{
    // §3.4's sample: "You are a helpful assistant." (6) + "Hello!" (2), 2 messages x 3, +3 priming.
    const ChatTokenEstimate e = estimateChatRequest(
        parse(R"({"model":"gpt-4o","messages":[{"role":"system","content":"You are a helpful assistant."},
                  {"role":"user","content":"Hello!"}]})"),
        u"gpt-4o");
    QCOMPARE(e.textTokens, qint64(8));
    QCOMPARE(e.overheadTokens, qint64(9));
    QCOMPARE(e.total, qint64(17));
    QCOMPARE(e.messages, 2);
    QVERIFY(e.exactText);
}

void TestChatEstimate::rolesAreNotContent()
{
    const auto a = estimateChatRequest(parse(R"({"messages":[{"role":"user","content":"hi"}]})"), u"gpt-4o");
    const auto b = estimateChatRequest(parse(R"({"messages":[{"role":"assistant_with_a_long_role","content":"hi"}]})"), u"gpt-4o");
    QCOMPARE(a.total, b.total);
    QCOMPARE(a.textTokens, o200k(u"hi"_qs));
}

void TestChatEstimate::namesToolsAndToolCalls()
{
    const char *body = R"({
      "messages":[
        {"role":"user","name":"alice","content":[{"type":"text","text":"What's the weather in Paris?"}]},
        {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
            "function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
        {"role":"tool","tool_call_id":"call_1","content":"{\"temp_c\":21,\"sky\":\"clear\"}"}
      ],
      "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather by city",
                "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]
    })";
    const QJsonObject req = parse(body);
    const ChatTokenEstimate e = estimateChatRequest(req, u"gpt-4o");
    const QString toolJson = QString::fromUtf8(QJsonDocument(req.value(u"tools").toArray().at(0).toObject()).toJson(QJsonDocument::Compact));
    const qint64 expectedText = o200k(u"alice"_qs) + o200k(u"What's the weather in Paris?"_qs) + o200k(u"get_weather"_qs)
        + o200k(u"{\"city\":\"Paris\"}"_qs) + o200k(u"{\"temp_c\":21,\"sky\":\"clear\"}"_qs) + o200k(toolJson);
    QCOMPARE(e.textTokens, expectedText);
    QCOMPARE(e.overheadTokens, qint64(3 * 3 + 1 + 3));
    QCOMPARE(e.total, e.textTokens + e.overheadTokens);
    // The tool call and the tool result are counted (the peer ignores both).
    QVERIFY(e.textTokens > o200k(u"alice"_qs) + o200k(u"What's the weather in Paris?"_qs) + o200k(toolJson));
}

void TestChatEstimate::mediaParts()
{
    QByteArray wav(44, '\0');
    auto put = [&](int at, quint32 v, int n) { for (int i = 0; i < n; ++i) wav[at + i] = char((v >> (8 * i)) & 0xff); };
    wav.replace(0, 4, "RIFF");
    wav.replace(8, 8, "WAVEfmt ");
    put(16, 16, 4); put(20, 1, 2); put(22, 1, 2); put(24, 16000, 4); put(28, 32000, 4); put(32, 2, 2); put(34, 16, 2);
    wav.replace(36, 4, "data");
    put(40, 32000 * 3, 4);
    wav += QByteArray(32000 * 3, '\0');   // 3 s -> 30 tokens
    const QString body = uR"({"messages":[{"role":"user","content":[
        {"type":"text","text":"Describe"},
        {"type":"image_url","image_url":{"url":"https://example.com/a.png"}},
        {"type":"image_url","image_url":{"url":"https://example.com/b.png","detail":"low"}},
        {"type":"input_audio","input_audio":{"data":"%1","format":"wav"}},
        {"type":"input_audio","input_audio":{"data":"AAAA","format":"mp3"}},
        {"type":"file","file":{"file_id":"file-1"}},
        {"type":"video_url","video_url":{"url":"https://example.com/v.mp4"}}]}]})"_qs.arg(QString::fromLatin1(wav.toBase64()));
    const ChatTokenEstimate e = estimateChatRequest(QJsonDocument::fromJson(body.toUtf8()).object(), u"gpt-4o");
    QCOMPARE(e.images, 2);
    QCOMPARE(e.imageTokens, qint64(255 + 85));
    QCOMPARE(e.audioParts, 2);
    QCOMPARE(e.audioTokens, qint64(30 + 256));   // undecodable mp3 -> flat 256
    QCOMPARE(e.fileTokens, qint64(4096 + 8192));
    QCOMPARE(e.textTokens, o200k(u"Describe"_qs));
    QCOMPARE(e.total, e.textTokens + e.imageTokens + e.audioTokens + e.fileTokens + e.overheadTokens);
}

void TestChatEstimate::remoteImagesOnlyWithASizer()
{
    const QJsonObject req = parse(R"({"messages":[{"role":"user","content":[
        {"type":"image_url","image_url":{"url":"https://example.com/wide.png"}},
        {"type":"image_url","image_url":{"url":"https://example.com/unknown.png"}}]}]})");
    QCOMPARE(estimateChatRequest(req, u"gpt-4o").imageTokens, qint64(255 + 255));
    QStringList asked;
    ChatEstimateOptions options;
    options.remoteImageSize = [&](QStringView url) -> std::optional<QSize> {
        asked.append(url.toString());
        if (url.endsWith(u"wide.png"))
            return QSize(1920, 1080);
        return std::nullopt;
    };
    QCOMPARE(estimateChatRequest(req, u"gpt-4o", options).imageTokens, qint64(1105 + 255));
    QCOMPARE(asked, (QStringList{u"https://example.com/wide.png"_qs, u"https://example.com/unknown.png"_qs}));
}

void TestChatEstimate::estimatorForUnknownModels()
{
    const ChatTokenEstimate e = estimateChatRequest(
        parse(R"({"messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Hello!"}]})"),
        u"claude-3-5-sonnet-20241022");
    QVERIFY(!e.exactText);
    QCOMPARE(e.textTokens, estimateTokens(u"You are a helpful assistant."_qs, EstimatorProvider::Claude)
                               + estimateTokens(u"Hello!"_qs, EstimatorProvider::Claude));
    const auto img = estimateChatRequest(
        parse(R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]})"),
        u"claude-3-5-sonnet");
    QCOMPARE(img.imageTokens, qint64(520));
}

void TestChatEstimate::garbageIsHarmless()
{
    const ChatTokenEstimate e = estimateChatRequest(
        parse(R"({"messages":[1,"x",null,{"content":{"weird":true}},{"content":[null,1,{"type":7}]}],"tools":"nope"})"), u"gpt-4o");
    QCOMPARE(e.messages, 5);
    QCOMPARE(e.textTokens, qint64(0));
    QCOMPARE(e.fileTokens, qint64(3 * 4096));   // three unknown parts
    QCOMPARE(estimateChatRequest(QJsonObject(), u"gpt-4o").total, qint64(3));
}

QTEST_GUILESS_MAIN(TestChatEstimate)
#include "tst_chatestimate.moc"
