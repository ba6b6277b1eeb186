// The demo upstream's Responses API (core/demo/demoresponses.h) over loopback: JSON and SSE shapes, every
// scenario's usage, stored responses (previous_response_id, item_reference, retrieve, delete, cancel,
// input_items), background runs, input_tokens, compact and the WebSocket mode.
#include "demo/demoresponses.h"
#include "demo/demoscenario.h"
#include "demo/demoupstream.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QNetworkRequest>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>

using namespace RelayDesk::Relay;

namespace {

const QByteArray kKey = "sk-demo-test";

struct HttpResult
{
    int status = 0;
    QByteArray body;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

struct SseEvent
{
    QString name;
    QJsonObject data;
};

QList<SseEvent> parseSse(const QByteArray &body)
{
    QList<SseEvent> out;
    for (const QByteArray &block : body.split('\n')) {
        if (block.startsWith("event: "))
            out.append({QString::fromUtf8(block.mid(7)), {}});
        else if (block.startsWith("data: ") && !out.isEmpty())
            out.last().data = QJsonDocument::fromJson(block.mid(6)).object();
    }
    return out;
}

QStringList typesOf(const QList<SseEvent> &events)
{
    QStringList out;
    for (const SseEvent &e : events)
        out << e.data.value(u"type").toString();
    return out;
}

QJsonObject usageOf(const QJsonObject &response)
{
    return response.value(u"usage").toObject();
}

qint64 field(const QJsonObject &usage, const char *details, const char *name)
{
    return usage.value(QLatin1StringView(details)).toObject().value(QLatin1StringView(name)).toInteger(-1);
}

} // namespace

class TestDemoResponses : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void json_data();
    void json();
    void sse_data();
    void sse();
    void sseSequenceAndPairs();
    void httpErrors_data();
    void httpErrors();
    void resetCutsTheStream();
    void hangNeverAnswers();
    void keepalive();
    void tokensAreDeterministic();
    void previousResponse();
    void previousResponseUnknown();
    void itemReference();
    void retrieveDeleteInputItems();
    void storeFalseIsNotStored();
    void cancel();
    void backgroundThenRetrieve();
    void backgroundStreamAndReplay();
    void inputTokensAndCompact();
    void webSocketTwoResponses();
    void webSocketErrorsKeepTheConnection();
    void webSocketRefusesWrongKey();

private:
    HttpResult send(const QByteArray &verb, const QString &path, const QJsonObject &body = {},
                    const QByteArray &key = kKey, const QByteArray &scenario = {}, int timeoutMs = 10'000);
    HttpResult post(const QString &path, const QJsonObject &body, const QByteArray &scenario = {})
    {
        return send("POST", path, body, kKey, scenario);
    }
    QJsonObject create(const QJsonObject &body, const QByteArray &scenario = {})
    {
        const HttpResult r = post(QStringLiteral("/v1/responses"), body, scenario);
        [&] { QCOMPARE(r.status, 200); }();
        return r.json();
    }
    static QJsonObject request(const QString &input, bool stream = false)
    {
        return {{QStringLiteral("model"), QStringLiteral("gpt-4o-mini")}, {QStringLiteral("input"), input},
                {QStringLiteral("stream"), stream}};
    }
    QList<QJsonObject> wsCollect(QWebSocket &socket, int completed);

    std::unique_ptr<DemoUpstream> m_demo;
    QNetworkAccessManager m_nam;
};

void TestDemoResponses::initTestCase()
{
    DemoUpstreamOptions options;
    options.chunkDelayMs = 1;
    options.firstChunkDelayMs = 1;
    options.backgroundMs = 300;
    options.requiredKey = kKey;
    m_demo = std::make_unique<DemoUpstream>(options);
    QVERIFY2(m_demo->start(), qPrintable(m_demo->errorString()));
}

void TestDemoResponses::cleanupTestCase()
{
    m_demo.reset();
}

HttpResult TestDemoResponses::send(const QByteArray &verb, const QString &path, const QJsonObject &body,
                                   const QByteArray &key, const QByteArray &scenario, int timeoutMs)
{
    QNetworkRequest req(QUrl(m_demo->baseUrl() + path));
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    req.setRawHeader("Authorization", "Bearer " + key);
    if (!scenario.isEmpty())
        req.setRawHeader("X-Fake-Scenario", scenario);
    const QByteArray payload = body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
    QNetworkReply *reply = m_nam.sendCustomRequest(req, verb, payload);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    HttpResult result;
    if (!finished.wait(timeoutMs)) {
        reply->abort();
        reply->deleteLater();
        result.error = QNetworkReply::TimeoutError;
        return result;
    }
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.error = reply->error();
    reply->deleteLater();
    return result;
}

// --- one response per scenario -----------------------------------------------------------------------------

void TestDemoResponses::json_data()
{
    QTest::addColumn<QByteArray>("scenario");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QStringList>("outputTypes");
    QTest::addColumn<bool>("usage");

    const QStringList message{QStringLiteral("message")};
    QTest::newRow("default") << QByteArray() << "completed" << message << true;
    QTest::newRow("cached") << QByteArray("cached") << "completed" << message << true;
    QTest::newRow("reasoning") << QByteArray("reasoning") << "completed" << QStringList{"reasoning", "message"} << true;
    QTest::newRow("tools") << QByteArray("tools") << "completed" << QStringList{"function_call"} << true;
    QTest::newRow("web_search") << QByteArray("web_search") << "completed" << QStringList{"web_search_call", "message"} << true;
    QTest::newRow("web_search2") << QByteArray("web_search2") << "completed"
                                 << QStringList{"web_search_call", "web_search_call", "message"} << true;
    QTest::newRow("no_usage") << QByteArray("no_usage") << "completed" << message << false;
    QTest::newRow("failed") << QByteArray("failed") << "failed" << QStringList() << false;
    QTest::newRow("incomplete") << QByteArray("incomplete") << "incomplete" << message << true;
    QTest::newRow("combined") << QByteArray("reasoning,cached") << "completed" << QStringList{"reasoning", "message"} << true;
}

void TestDemoResponses::json()
{
    QFETCH(QByteArray, scenario);
    QFETCH(QString, status);
    QFETCH(QStringList, outputTypes);
    QFETCH(bool, usage);

    const QJsonObject r = create(request(QStringLiteral("Hello there")), scenario);
    QVERIFY(r.value(u"id").toString().startsWith(u"resp_"));
    QCOMPARE(r.value(u"object").toString(), u"response");
    QCOMPARE(r.value(u"status").toString(), status);
    QCOMPARE(r.value(u"model").toString(), u"gpt-4o-mini");
    QVERIFY(r.value(u"created_at").toInteger() > 0);
    QVERIFY(r.value(u"previous_response_id").isNull());
    QCOMPARE(r.value(u"store").toBool(), true);
    QCOMPARE(r.value(u"background").toBool(), false);
    QVERIFY(!r.contains(u"output_text")); // the SDK computes it
    QStringList types;
    for (const QJsonValue &item : r.value(u"output").toArray())
        types << item.toObject().value(u"type").toString();
    QCOMPARE(types, outputTypes);
    QCOMPARE(!r.value(u"usage").isNull(), usage);

    for (const QJsonValue &v : r.value(u"output").toArray()) {
        const QJsonObject item = v.toObject();
        const QString type = item.value(u"type").toString();
        if (type == u"message") {
            QCOMPARE(item.value(u"role").toString(), u"assistant");
            QVERIFY(item.value(u"id").toString().startsWith(u"msg_"));
            const QJsonObject part = item.value(u"content").toArray().at(0).toObject();
            QCOMPARE(part.value(u"type").toString(), u"output_text");
            QVERIFY(part.value(u"annotations").isArray());
            QVERIFY(!part.value(u"text").toString().isEmpty());
            QCOMPARE(item.value(u"status").toString(), status == u"incomplete" ? u"incomplete" : u"completed");
        } else if (type == u"function_call") {
            QCOMPARE(item.value(u"name").toString(), u"get_weather");
            QCOMPARE(item.value(u"arguments").toString(), uR"({"city":"Paris","unit":"celsius"})");
            QCOMPARE(item.value(u"status").toString(), u"completed");
            QVERIFY(item.value(u"call_id").toString().startsWith(u"call_"));
        } else if (type == u"web_search_call") {
            QVERIFY(item.value(u"id").toString().startsWith(u"ws_"));
            QCOMPARE(item.value(u"status").toString(), u"completed");
            QCOMPARE(item.value(u"action").toObject().value(u"type").toString(), u"search");
            QVERIFY(!item.value(u"action").toObject().value(u"query").toString().isEmpty());
        }
    }

    if (status == u"failed")
        QCOMPARE(r.value(u"error").toObject().value(u"code").toString(), u"server_error");
    if (status == u"incomplete")
        QCOMPARE(r.value(u"incomplete_details").toObject().value(u"reason").toString(), u"max_output_tokens");
    if (!usage)
        return;
    const QJsonObject u = usageOf(r);
    const qint64 in = u.value(u"input_tokens").toInteger();
    const qint64 out = u.value(u"output_tokens").toInteger();
    QVERIFY(in > 0);
    QVERIFY(out > 0);
    QCOMPARE(u.value(u"total_tokens").toInteger(), in + out);
    const qint64 reasoning = field(u, "output_tokens_details", "reasoning_tokens");
    QCOMPARE(reasoning > 0, scenario.contains("reasoning"));
    QVERIFY(reasoning < out);
    const qint64 cached = field(u, "input_tokens_details", "cached_tokens");
    const qint64 written = field(u, "input_tokens_details", "cache_write_tokens");
    QCOMPARE(cached, scenario.contains("cached") ? in / 2 : 0);
    QCOMPARE(written, scenario.contains("cached") ? in / 4 : 0);
}

void TestDemoResponses::sse_data()
{
    QTest::addColumn<QByteArray>("scenario");
    QTest::addColumn<QString>("terminal");
    QTest::addColumn<QStringList>("mustHave");
    QTest::addColumn<bool>("usage");

    QTest::newRow("default") << QByteArray() << "response.completed" << QStringList{"response.output_text.done"} << true;
    QTest::newRow("cached") << QByteArray("cached") << "response.completed" << QStringList() << true;
    QTest::newRow("reasoning") << QByteArray("reasoning") << "response.completed" << QStringList() << true;
    QTest::newRow("tools") << QByteArray("tools") << "response.completed"
                           << QStringList{"response.function_call_arguments.delta", "response.function_call_arguments.done"}
                           << true;
    QTest::newRow("web_search") << QByteArray("web_search") << "response.completed"
                                << QStringList{"response.web_search_call.searching", "response.web_search_call.completed"}
                                << true;
    QTest::newRow("no_usage") << QByteArray("no_usage") << "response.completed" << QStringList() << false;
    QTest::newRow("failed") << QByteArray("failed") << "response.failed" << QStringList{"error"} << false;
    QTest::newRow("incomplete") << QByteArray("incomplete") << "response.incomplete" << QStringList() << true;
    QTest::newRow("keepalive") << QByteArray("keepalive") << "response.completed" << QStringList{"keepalive"} << true;
}

void TestDemoResponses::sse()
{
    QFETCH(QByteArray, scenario);
    QFETCH(QString, terminal);
    QFETCH(QStringList, mustHave);
    QFETCH(bool, usage);

    const HttpResult r = post(QStringLiteral("/v1/responses"), request(QStringLiteral("Hello"), true), scenario);
    QCOMPARE(r.status, 200);
    QVERIFY(!r.body.contains("[DONE]"));
    const QList<SseEvent> events = parseSse(r.body);
    QVERIFY(events.size() >= 4);
    const QStringList types = typesOf(events);
    QCOMPARE(types.first(), u"response.created");
    QCOMPARE(types.at(1), u"response.in_progress");
    QCOMPARE(types.last(), terminal);
    for (const QString &type : mustHave)
        QVERIFY2(types.contains(type), qPrintable(type));
    for (qsizetype i = 0; i < events.size(); ++i) {
        QCOMPARE(events.at(i).name, types.at(i)); // `event:` names the data's type
        QCOMPARE(events.at(i).data.value(u"sequence_number").toInteger(-1), i);
    }
    const QJsonObject created = events.first().data.value(u"response").toObject();
    QCOMPARE(created.value(u"status").toString(), u"in_progress");
    QVERIFY(created.value(u"usage").isNull());
    const QJsonObject final = events.last().data.value(u"response").toObject();
    QCOMPARE(final.value(u"id").toString(), created.value(u"id").toString());
    QCOMPARE(!final.value(u"usage").isNull(), usage);
    if (terminal == u"response.failed") {
        const QJsonObject error = events.at(types.indexOf(QStringLiteral("error"))).data;
        QCOMPARE(error.value(u"code").toString(), u"server_error");
        QVERIFY(error.value(u"param").isNull());
        QVERIFY(!error.value(u"message").toString().isEmpty());
        QCOMPARE(final.value(u"error").toObject().value(u"code").toString(), u"server_error");
        QCOMPARE(final.value(u"status").toString(), u"failed");
        return;
    }
    // The deltas add up to the text, and the streamed usage equals the JSON reply's for the same request.
    QString text;
    for (const SseEvent &e : events)
        if (e.data.value(u"type").toString() == u"response.output_text.delta") {
            text += e.data.value(u"delta").toString();
            QVERIFY(e.data.contains(u"obfuscation"));
        }
    for (const QJsonValue &item : final.value(u"output").toArray())
        if (item.toObject().value(u"type").toString() == u"message")
            QCOMPARE(item.toObject().value(u"content").toArray().at(0).toObject().value(u"text").toString(), text);
    const QJsonObject json = create(request(QStringLiteral("Hello")), scenario);
    QCOMPARE(final.value(u"usage"), json.value(u"usage"));
}

// Every item and content part that is added is done, in order, with the same output_index.
void TestDemoResponses::sseSequenceAndPairs()
{
    const HttpResult r = post(QStringLiteral("/v1/responses"), request(QStringLiteral("Hi"), true),
                              "reasoning,web_search");
    const QList<SseEvent> events = parseSse(r.body);
    QList<int> open;
    int added = 0;
    int deltas = 0;
    for (const SseEvent &e : events) {
        const QString type = e.data.value(u"type").toString();
        const int index = e.data.value(u"output_index").toInt(-1);
        if (type == u"response.output_item.added") {
            QCOMPARE(index, added++); // output indexes count up from 0
            open << index;
        } else if (type == u"response.output_item.done") {
            QVERIFY(open.removeOne(index));
        } else if (type == u"response.output_text.delta") {
            ++deltas;
            QVERIFY(open.contains(index));
        }
    }
    QVERIFY(open.isEmpty());
    QCOMPARE(deltas, int(DemoScenario::replyWords().size())); // one per word of the demo reply
}

void TestDemoResponses::httpErrors_data()
{
    QTest::addColumn<QByteArray>("scenario");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("type");

    QTest::newRow("error_500") << QByteArray("error_500") << kKey << 500 << "server_error";
    QTest::newRow("error_429") << QByteArray("error_429") << kKey << 429 << "requests";
    QTest::newRow("wrong key") << QByteArray() << QByteArray("sk-wrong") << 401 << "invalid_request_error";
}

void TestDemoResponses::httpErrors()
{
    QFETCH(QByteArray, scenario);
    QFETCH(QByteArray, key);
    QFETCH(int, status);
    QFETCH(QString, type);

    for (const bool stream : {false, true}) {
        const HttpResult r = send("POST", QStringLiteral("/v1/responses"), request(QStringLiteral("Hi"), stream), key, scenario);
        QCOMPARE(r.status, status);
        const QJsonObject error = r.json().value(u"error").toObject();
        QVERIFY(!error.value(u"message").toString().isEmpty());
        QCOMPARE(error.value(u"type").toString(), type);
    }
}

void TestDemoResponses::resetCutsTheStream()
{
    const HttpResult r = post(QStringLiteral("/v1/responses"), request(QStringLiteral("Hi"), true), "reset");
    QVERIFY(r.error != QNetworkReply::NoError);
    const QStringList types = typesOf(parseSse(r.body));
    QVERIFY(!types.contains(QStringLiteral("response.completed")));
    QVERIFY(types.count(QStringLiteral("response.output_text.delta")) <= 3);
    const HttpResult json = post(QStringLiteral("/v1/responses"), request(QStringLiteral("Hi")), "reset");
    QVERIFY(json.error != QNetworkReply::NoError);
}

void TestDemoResponses::hangNeverAnswers()
{
    const HttpResult r = send("POST", QStringLiteral("/v1/responses"), request(QStringLiteral("Hi"), true), kKey, "hang", 400);
    QCOMPARE(r.error, QNetworkReply::TimeoutError);
}

void TestDemoResponses::keepalive()
{
    const HttpResult r = post(QStringLiteral("/v1/responses"), request(QStringLiteral("Hi"), true), "keepalive");
    const QList<SseEvent> events = parseSse(r.body);
    int keepalives = 0;
    for (const SseEvent &e : events)
        if (e.name == u"keepalive") {
            ++keepalives;
            QVERIFY(e.data.contains(u"sequence_number"));
        }
    QVERIFY(keepalives >= 5);
}

// The marker and the model suffix pick scenarios too, and counts do not vary between identical requests.
void TestDemoResponses::tokensAreDeterministic()
{
    const QJsonObject a = create(request(QStringLiteral("Count me [[scenario:cached]]")));
    const QJsonObject b = create(request(QStringLiteral("Count me [[scenario:cached]]")));
    QCOMPARE(usageOf(a), usageOf(b));
    QVERIFY(field(usageOf(a), "input_tokens_details", "cached_tokens") > 0);
    QJsonObject body = request(QStringLiteral("Count me"));
    body.insert(QStringLiteral("model"), QStringLiteral("gpt-4o-mini+tools"));
    const QJsonObject c = create(body);
    QCOMPARE(c.value(u"model").toString(), u"gpt-4o-mini");
    QCOMPARE(c.value(u"output").toArray().at(0).toObject().value(u"type").toString(), u"function_call");
    // Longer input, more input tokens; instructions count too.
    QJsonObject longer = request(QStringLiteral("Count me, and then count all of these other words as well"));
    QVERIFY(usageOf(create(longer)).value(u"input_tokens").toInteger() > usageOf(b).value(u"input_tokens").toInteger());
    longer.insert(QStringLiteral("instructions"), QStringLiteral("Be terse."));
    const QJsonObject withInstructions = create(longer);
    QCOMPARE(withInstructions.value(u"instructions").toString(), u"Be terse.");
}

// --- stored responses ---------------------------------------------------------------------------------------

void TestDemoResponses::previousResponse()
{
    const QJsonObject first = create(request(QStringLiteral("Remember the number 7.")));
    QJsonObject follow = request(QStringLiteral("Which number?"));
    const qint64 alone = post(QStringLiteral("/v1/responses/input_tokens"), follow).json().value(u"input_tokens").toInteger();
    QVERIFY(alone > 0);
    follow.insert(QStringLiteral("previous_response_id"), first.value(u"id"));
    const QJsonObject second = create(follow);
    QCOMPARE(second.value(u"previous_response_id"), first.value(u"id"));
    const QJsonObject u1 = usageOf(first);
    const qint64 context = u1.value(u"input_tokens").toInteger() + u1.value(u"output_tokens").toInteger();
    QCOMPARE(usageOf(second).value(u"input_tokens").toInteger(), alone + context);
    // input_tokens counts the server-added context the same way.
    QCOMPARE(post(QStringLiteral("/v1/responses/input_tokens"), follow).json().value(u"input_tokens").toInteger(),
             alone + context);
}

void TestDemoResponses::previousResponseUnknown()
{
    QJsonObject body = request(QStringLiteral("Hi"));
    body.insert(QStringLiteral("previous_response_id"), QStringLiteral("resp_nope"));
    const HttpResult r = post(QStringLiteral("/v1/responses"), body);
    QCOMPARE(r.status, 400);
    const QJsonObject error = r.json().value(u"error").toObject();
    QCOMPARE(error.value(u"message").toString(), u"Previous response with id 'resp_nope' not found.");
    QCOMPARE(error.value(u"type").toString(), u"invalid_request_error");
    QCOMPARE(error.value(u"param").toString(), u"previous_response_id");
    QCOMPARE(error.value(u"code").toString(), u"previous_response_not_found");
}

void TestDemoResponses::itemReference()
{
    const QJsonObject first = create(request(QStringLiteral("Say hello.")));
    const QString messageId = first.value(u"output").toArray().at(0).toObject().value(u"id").toString();
    const auto withReference = [](const QString &id) {
        return QJsonObject{{QStringLiteral("model"), QStringLiteral("gpt-4o-mini")},
                           {QStringLiteral("input"),
                            QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("item_reference")},
                                                   {QStringLiteral("id"), id}},
                                       QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                                   {QStringLiteral("content"), QStringLiteral("And again?")}}}}};
    };
    const QJsonObject second = create(withReference(messageId));
    QCOMPARE(second.value(u"status").toString(), u"completed");
    const HttpResult items = send("GET", QStringLiteral("/v1/responses/%1/input_items?order=asc").arg(second.value(u"id").toString()));
    QCOMPARE(items.json().value(u"data").toArray().at(0).toObject().value(u"id").toString(), messageId);

    const HttpResult bad = post(QStringLiteral("/v1/responses"), withReference(QStringLiteral("msg_unknown")));
    QCOMPARE(bad.status, 400);
    const QJsonObject error = bad.json().value(u"error").toObject();
    QCOMPARE(error.value(u"type").toString(), u"invalid_request_error");
    QCOMPARE(error.value(u"param").toString(), u"input");
    QVERIFY(error.value(u"message").toString().contains(u"msg_unknown"));
}

void TestDemoResponses::retrieveDeleteInputItems()
{
    QJsonObject body{{QStringLiteral("model"), QStringLiteral("gpt-4o-mini")},
                     {QStringLiteral("input"),
                      QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("developer")},
                                             {QStringLiteral("content"), QStringLiteral("Answer briefly.")}},
                                 QJsonObject{{QStringLiteral("type"), QStringLiteral("message")},
                                             {QStringLiteral("role"), QStringLiteral("user")},
                                             {QStringLiteral("content"),
                                              QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("input_text")},
                                                                     {QStringLiteral("text"), QStringLiteral("Hi")}}}}}}}};
    const QJsonObject created = create(body);
    const QString id = created.value(u"id").toString();

    const HttpResult got = send("GET", QStringLiteral("/v1/responses/") + id);
    QCOMPARE(got.status, 200);
    QCOMPARE(got.json(), created);

    const QJsonObject desc = send("GET", QStringLiteral("/v1/responses/%1/input_items").arg(id)).json();
    QCOMPARE(desc.value(u"object").toString(), u"list");
    const QJsonArray data = desc.value(u"data").toArray();
    QCOMPARE(data.size(), 2);
    QCOMPARE(data.at(0).toObject().value(u"role").toString(), u"user"); // newest first
    QCOMPARE(data.at(1).toObject().value(u"role").toString(), u"developer");
    QCOMPARE(data.at(1).toObject().value(u"content").toArray().at(0).toObject().value(u"type").toString(), u"input_text");
    QVERIFY(data.at(1).toObject().value(u"id").toString().startsWith(u"msg_"));
    QCOMPARE(desc.value(u"first_id"), data.at(0).toObject().value(u"id"));
    QCOMPARE(desc.value(u"last_id"), data.at(1).toObject().value(u"id"));
    QCOMPARE(desc.value(u"has_more").toBool(), false);
    const QJsonObject asc = send("GET", QStringLiteral("/v1/responses/%1/input_items?order=asc&limit=1").arg(id)).json();
    QCOMPARE(asc.value(u"data").toArray().at(0).toObject().value(u"role").toString(), u"developer");
    QCOMPARE(asc.value(u"has_more").toBool(), true);

    // A string input is stored as one user message with an input_text part.
    const QString simple = create(request(QStringLiteral("Plain"))).value(u"id").toString();
    const QJsonObject item = send("GET", QStringLiteral("/v1/responses/%1/input_items").arg(simple)).json()
                                 .value(u"data").toArray().at(0).toObject();
    QCOMPARE(item.value(u"type").toString(), u"message");
    QCOMPARE(item.value(u"role").toString(), u"user");
    QCOMPARE(item.value(u"content").toArray().at(0).toObject().value(u"text").toString(), u"Plain");

    const HttpResult deleted = send("DELETE", QStringLiteral("/v1/responses/") + id);
    QCOMPARE(deleted.status, 200);
    QCOMPARE(deleted.json(), (QJsonObject{{QStringLiteral("id"), id},
                                          {QStringLiteral("object"), QStringLiteral("response.deleted")},
                                          {QStringLiteral("deleted"), true}}));
    for (const QByteArray verb : {"GET", "DELETE"}) {
        const HttpResult gone = send(verb, QStringLiteral("/v1/responses/") + id);
        QCOMPARE(gone.status, 404);
        QCOMPARE(gone.json().value(u"error").toObject().value(u"message").toString(),
                 QStringLiteral("Response with id '%1' not found.").arg(id));
    }
    QCOMPARE(send("GET", QStringLiteral("/v1/responses/%1/input_items").arg(id)).status, 404);
}

void TestDemoResponses::storeFalseIsNotStored()
{
    QJsonObject body = request(QStringLiteral("Forget me"));
    body.insert(QStringLiteral("store"), false);
    const QJsonObject r = create(body);
    QCOMPARE(r.value(u"store").toBool(true), false);
    QCOMPARE(send("GET", QStringLiteral("/v1/responses/") + r.value(u"id").toString()).status, 404);
}

void TestDemoResponses::cancel()
{
    const QString foreground = create(request(QStringLiteral("Hi"))).value(u"id").toString();
    const HttpResult refused = post(QStringLiteral("/v1/responses/%1/cancel").arg(foreground), {});
    QCOMPARE(refused.status, 400);
    QCOMPARE(refused.json().value(u"error").toObject().value(u"type").toString(), u"invalid_request_error");

    QJsonObject body = request(QStringLiteral("Take your time"));
    body.insert(QStringLiteral("background"), true);
    const QString id = create(body, "slow").value(u"id").toString(); // 10× backgroundMs: plenty of time
    // Follow it live until it has produced a few words.
    QNetworkRequest follow(QUrl(m_demo->baseUrl() + QStringLiteral("/v1/responses/%1?stream=true").arg(id)));
    follow.setRawHeader("Authorization", "Bearer " + kKey);
    QNetworkReply *live = m_nam.get(follow);
    QByteArray seen;
    connect(live, &QNetworkReply::readyRead, this, [&seen, live] { seen += live->readAll(); });
    QTRY_VERIFY_WITH_TIMEOUT(seen.count("\nevent: response.output_text.delta") >= 3, 10'000);
    const HttpResult cancelled = post(QStringLiteral("/v1/responses/%1/cancel").arg(id), {});
    QCOMPARE(cancelled.status, 200);
    const QJsonObject r = cancelled.json();
    QCOMPARE(r.value(u"status").toString(), u"cancelled");
    const QJsonObject u = usageOf(r);
    QVERIFY(u.value(u"input_tokens").toInteger() > 0);
    QVERIFY(u.value(u"output_tokens").toInteger() > 0);
    const qint64 full = usageOf(create(request(QStringLiteral("Take your time")))).value(u"output_tokens").toInteger();
    QVERIFY(u.value(u"output_tokens").toInteger() < full);
    QCOMPARE(send("GET", QStringLiteral("/v1/responses/") + id).json().value(u"status").toString(), u"cancelled");
    QCOMPARE(post(QStringLiteral("/v1/responses/%1/cancel").arg(id), {}).status, 200); // idempotent
    QTRY_VERIFY_WITH_TIMEOUT(live->isFinished(), 5000); // followers end with the cancelled response
    QVERIFY(!seen.contains("response.completed"));
    live->deleteLater();

    const QString done = create(QJsonObject(body)).value(u"id").toString();
    QTRY_COMPARE_WITH_TIMEOUT(send("GET", QStringLiteral("/v1/responses/") + done).json().value(u"status").toString(),
                              QStringLiteral("completed"), 5000);
    QCOMPARE(post(QStringLiteral("/v1/responses/%1/cancel").arg(done), {}).status, 400);
}

void TestDemoResponses::backgroundThenRetrieve()
{
    QJsonObject body = request(QStringLiteral("Background, please"));
    body.insert(QStringLiteral("background"), true);
    const QJsonObject queued = create(body);
    QCOMPARE(queued.value(u"status").toString(), u"queued");
    QCOMPARE(queued.value(u"background").toBool(), true);
    QVERIFY(queued.value(u"usage").isNull());
    const QString id = queued.value(u"id").toString();
    QTRY_COMPARE_WITH_TIMEOUT(send("GET", QStringLiteral("/v1/responses/") + id).json().value(u"status").toString(),
                              QStringLiteral("completed"), 5000);
    const QJsonObject done = send("GET", QStringLiteral("/v1/responses/") + id).json();
    QVERIFY(usageOf(done).value(u"output_tokens").toInteger() > 0);
    QCOMPARE(done.value(u"output").toArray().size(), 1);
}

void TestDemoResponses::backgroundStreamAndReplay()
{
    QJsonObject body = request(QStringLiteral("Stream in the background"), true);
    body.insert(QStringLiteral("background"), true);
    const HttpResult live = post(QStringLiteral("/v1/responses"), body);
    const QList<SseEvent> events = parseSse(live.body);
    const QStringList types = typesOf(events);
    QCOMPARE(types.mid(0, 3), (QStringList{"response.created", "response.queued", "response.in_progress"}));
    QCOMPARE(events.first().data.value(u"response").toObject().value(u"status").toString(), u"queued");
    QCOMPARE(types.last(), u"response.completed");
    const QString id = events.first().data.value(u"response").toObject().value(u"id").toString();

    // Replay after sequence number 2: everything from 3 on, to the terminal event.
    const HttpResult replay = send("GET", QStringLiteral("/v1/responses/%1?stream=true&starting_after=2").arg(id));
    QCOMPARE(replay.status, 200);
    const QList<SseEvent> replayed = parseSse(replay.body);
    QCOMPARE(replayed.size(), events.size() - 3);
    QCOMPARE(replayed.first().data.value(u"sequence_number").toInteger(), 3);
    QCOMPARE(replayed.last().data, events.last().data);

    // A replay that starts while the response runs follows it live to its end.
    QJsonObject json = request(QStringLiteral("Follow me"));
    json.insert(QStringLiteral("background"), true);
    const QString running = create(json).value(u"id").toString();
    const QList<SseEvent> followed = parseSse(send("GET", QStringLiteral("/v1/responses/%1?stream=true").arg(running)).body);
    QCOMPARE(followed.first().data.value(u"sequence_number").toInteger(), 0);
    QCOMPARE(followed.last().name, u"response.completed");
}

void TestDemoResponses::inputTokensAndCompact()
{
    const QJsonObject count = post(QStringLiteral("/v1/responses/input_tokens"),
                                   {{QStringLiteral("input"), QStringLiteral("How many tokens is this?")}}).json();
    QCOMPARE(count.value(u"object").toString(), u"response.input_tokens");
    QVERIFY(count.value(u"input_tokens").toInteger() > 0);
    // The same count create bills.
    QCOMPARE(count.value(u"input_tokens").toInteger(),
             usageOf(create({{QStringLiteral("model"), QStringLiteral("gpt-4o")},
                             {QStringLiteral("input"), QStringLiteral("How many tokens is this?")}}))
                 .value(u"input_tokens").toInteger());

    const QJsonObject first = create(request(QStringLiteral("First question")));
    QJsonObject body = request(QStringLiteral("Second question"));
    body.insert(QStringLiteral("previous_response_id"), first.value(u"id"));
    const HttpResult r = post(QStringLiteral("/v1/responses/compact"), body);
    QCOMPARE(r.status, 200);
    const QJsonObject compacted = r.json();
    QCOMPARE(compacted.value(u"object").toString(), u"response.compaction");
    QVERIFY(compacted.value(u"created_at").toInteger() > 0);
    const QJsonArray output = compacted.value(u"output").toArray();
    QCOMPARE(output.size(), 3); // both user messages, then the compaction item
    QCOMPARE(output.at(0).toObject().value(u"content").toArray().at(0).toObject().value(u"text").toString(), u"First question");
    const QJsonObject item = output.last().toObject();
    QCOMPARE(item.value(u"type").toString(), u"compaction");
    QVERIFY(!item.value(u"id").toString().isEmpty());
    QVERIFY(!item.value(u"encrypted_content").toString().isEmpty());
    const QJsonObject u = usageOf(compacted);
    QCOMPARE(u.value(u"total_tokens").toInteger(),
             u.value(u"input_tokens").toInteger() + u.value(u"output_tokens").toInteger());
    QVERIFY(u.value(u"input_tokens").toInteger() > usageOf(first).value(u"input_tokens").toInteger());
}

// --- WebSocket mode -----------------------------------------------------------------------------------------

QList<QJsonObject> TestDemoResponses::wsCollect(QWebSocket &socket, int completed)
{
    QList<QJsonObject> frames;
    int terminals = 0;
    auto conn = connect(&socket, &QWebSocket::textMessageReceived, this, [&](const QString &text) {
        frames << QJsonDocument::fromJson(text.toUtf8()).object();
        const QString type = frames.last().value(u"type").toString();
        if (type == u"response.completed" || type == u"error")
            ++terminals;
    });
    QTest::qWaitFor([&] { return terminals >= completed; }, 10'000); // callers check what arrived
    disconnect(conn);
    return frames;
}

void TestDemoResponses::webSocketTwoResponses()
{
    QWebSocket socket;
    QNetworkRequest req(QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/responses").arg(m_demo->port())));
    req.setRawHeader("Authorization", "Bearer " + kKey);
    QSignalSpy connected(&socket, &QWebSocket::connected);
    socket.open(req);
    QVERIFY(connected.wait(5000));
    QJsonObject create = request(QStringLiteral("First over the socket"));
    create.insert(QStringLiteral("type"), QStringLiteral("response.create"));
    socket.sendTextMessage(QString::fromUtf8(QJsonDocument(create).toJson(QJsonDocument::Compact)));
    create.insert(QStringLiteral("input"), QStringLiteral("Second over the socket"));
    socket.sendTextMessage(QString::fromUtf8(QJsonDocument(create).toJson(QJsonDocument::Compact)));
    const QList<QJsonObject> frames = wsCollect(socket, 2);

    // Two complete event streams, one after the other, each numbered from 0.
    QStringList ids;
    qint64 expected = 0;
    for (const QJsonObject &f : frames) {
        const QString type = f.value(u"type").toString();
        if (type == u"response.created")
            expected = 0;
        QCOMPARE(f.value(u"sequence_number").toInteger(-1), expected++);
        if (type == u"response.completed") {
            ids << f.value(u"response").toObject().value(u"id").toString();
            QVERIFY(f.value(u"response").toObject().value(u"usage").toObject().value(u"output_tokens").toInteger() > 0);
        }
    }
    QCOMPARE(ids.size(), 2);
    QVERIFY(ids.at(0) != ids.at(1));
    QCOMPARE(send("GET", QStringLiteral("/v1/responses/") + ids.at(1)).json().value(u"status").toString(), u"completed");
    QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
}

void TestDemoResponses::webSocketErrorsKeepTheConnection()
{
    QWebSocket socket;
    QNetworkRequest req(QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/responses").arg(m_demo->port())));
    req.setRawHeader("Authorization", "Bearer " + kKey);
    QSignalSpy connected(&socket, &QWebSocket::connected);
    socket.open(req);
    QVERIFY(connected.wait(5000));
    QJsonObject bad = request(QStringLiteral("Hi"));
    bad.insert(QStringLiteral("type"), QStringLiteral("response.create"));
    bad.insert(QStringLiteral("previous_response_id"), QStringLiteral("resp_missing"));
    socket.sendTextMessage(QString::fromUtf8(QJsonDocument(bad).toJson(QJsonDocument::Compact)));
    QList<QJsonObject> frames = wsCollect(socket, 1);
    QCOMPARE(frames.size(), 1);
    QCOMPARE(frames.at(0).value(u"type").toString(), u"error");
    QCOMPARE(frames.at(0).value(u"status").toInt(), 400);
    const QJsonObject error = frames.at(0).value(u"error").toObject();
    QCOMPARE(error.value(u"code").toString(), u"previous_response_not_found");
    QCOMPARE(error.value(u"param").toString(), u"previous_response_id");
    QCOMPARE(error.value(u"type").toString(), u"invalid_request_error");

    bad.remove(QStringLiteral("previous_response_id"));
    bad.insert(QStringLiteral("model"), QStringLiteral("gpt-4o-mini+error_429"));
    socket.sendTextMessage(QString::fromUtf8(QJsonDocument(bad).toJson(QJsonDocument::Compact)));
    frames = wsCollect(socket, 1);
    QCOMPARE(frames.at(0).value(u"status").toInt(), 429);

    bad.insert(QStringLiteral("model"), QStringLiteral("gpt-4o-mini"));
    socket.sendTextMessage(QString::fromUtf8(QJsonDocument(bad).toJson(QJsonDocument::Compact)));
    frames = wsCollect(socket, 1);
    QCOMPARE(frames.last().value(u"type").toString(), u"response.completed");
}

void TestDemoResponses::webSocketRefusesWrongKey()
{
    QWebSocket socket;
    QNetworkRequest req(QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/responses").arg(m_demo->port())));
    req.setRawHeader("Authorization", "Bearer sk-wrong");
    QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
    QSignalSpy connected(&socket, &QWebSocket::connected);
    socket.open(req);
    QVERIFY(disconnected.wait(5000));
    QCOMPARE(connected.size(), 0);
}

QTEST_MAIN(TestDemoResponses)
#include "tst_demoresponses.moc"
