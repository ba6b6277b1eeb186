// HttpRequestParser without sockets: framing, limits and errors must not depend on how bytes are split.
#include "http/httprequestparser.h"

#include <QtTest/QtTest>

using namespace RelayDesk::Relay;

namespace {

struct Recorder final : HttpRequestParser::Listener
{
    QList<HttpRequest> heads;
    QList<HttpRequest> requests;
    QList<OpenAiError> errors;
    HttpRequestParser *parser = nullptr;
    int pauseAfter = -1; // pause after this many requests

    void onRequestHead(const HttpRequest &h) override { heads.append(h); }
    void onRequest(HttpRequest &&r) override
    {
        requests.append(std::move(r));
        if (requests.size() == pauseAfter)
            parser->pause();
    }
    void onParseError(const OpenAiError &e) override { errors.append(e); }
};

// Feeds `input` in pieces of `step` bytes (0 = all at once).
void feedInSteps(HttpRequestParser &parser, const QByteArray &input, int step)
{
    if (step <= 0) {
        parser.feed(input);
        return;
    }
    for (qsizetype i = 0; i < input.size(); i += step)
        parser.feed(QByteArrayView(input).sliced(i, qMin<qsizetype>(step, input.size() - i)));
}

} // namespace

class TestHttpRequestParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesRegardlessOfSplitting_data()
    {
        QTest::addColumn<int>("step");
        QTest::newRow("whole") << 0;
        QTest::newRow("1 byte") << 1;
        QTest::newRow("3 bytes") << 3;
        QTest::newRow("17 bytes") << 17;
    }

    void parsesRegardlessOfSplitting()
    {
        QFETCH(int, step);
        const QByteArray input =
            "POST /v1/chat/completions?model=gpt-4o&x=%20y HTTP/1.1\r\n"
            "Host: localhost\r\n"
            "Authorization:   Bearer sk-abc  \r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 13\r\n"
            "\r\n"
            "{\"a\":\"bcdef\"}"
            "GET /healthz HTTP/1.1\r\nX-Many: 1\r\nX-Many: 2\r\n\r\n"
            "POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\nTrailer: t\r\n\r\n";
        Recorder rec;
        HttpRequestParser parser(rec, {});
        rec.parser = &parser;
        feedInSteps(parser, input, step);
        QVERIFY(rec.errors.isEmpty());
        QCOMPARE(rec.requests.size(), 3);
        QCOMPARE(rec.heads.size(), 3);
        const HttpRequest &a = rec.requests[0];
        QCOMPARE(a.method, QByteArray("POST"));
        QCOMPARE(a.path, QByteArray("/v1/chat/completions"));
        QCOMPARE(a.query, QByteArray("model=gpt-4o&x=%20y"));
        QCOMPARE(a.queryItem(QStringLiteral("x")), QStringLiteral(" y"));
        QCOMPARE(a.header("authorization"), QByteArray("Bearer sk-abc"));
        QCOMPARE(a.bearerToken(), QByteArray("sk-abc"));
        QCOMPARE(a.body, QByteArray("{\"a\":\"bcdef\"}"));
        QVERIFY(a.keepAlive);
        QCOMPARE(rec.heads[0].body, QByteArray()); // heads come before the body
        const HttpRequest &b = rec.requests[1];
        QCOMPARE(b.method, QByteArray("GET"));
        QCOMPARE(b.headers.combinedValue("x-many"), QByteArray("1, 2"));
        QCOMPARE(rec.requests[2].body, QByteArray("Wikipedia"));
        QCOMPARE(parser.phase(), HttpRequestParser::Phase::Idle);
    }

    void http10DefaultsToClose()
    {
        Recorder rec;
        HttpRequestParser parser(rec, {});
        parser.feed("GET / HTTP/1.0\r\n\r\n");
        QCOMPARE(rec.requests.size(), 1);
        QVERIFY(!rec.requests[0].keepAlive);
        QVERIFY(rec.requests[0].isHttp10());
        Recorder rec2;
        HttpRequestParser parser2(rec2, {});
        parser2.feed("GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
        QVERIFY(!rec2.requests[0].keepAlive);
    }

    void absoluteFormTarget()
    {
        Recorder rec;
        HttpRequestParser parser(rec, {});
        parser.feed("GET http://example.com:80/v1/models?a=b HTTP/1.1\r\n\r\n");
        QCOMPARE(rec.requests.size(), 1);
        QCOMPARE(rec.requests[0].path, QByteArray("/v1/models"));
        QCOMPARE(rec.requests[0].query, QByteArray("a=b"));
    }

    void webSocketHeaders()
    {
        Recorder rec;
        HttpRequestParser parser(rec, {});
        parser.feed("GET /v1/realtime?model=gpt-realtime HTTP/1.1\r\nUpgrade: WebSocket\r\n"
                    "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Protocol: realtime, openai-beta.v1\r\n\r\n"
                    "GET /next HTTP/1.1\r\n\r\n");
        QCOMPARE(rec.requests.size(), 2); // the parser goes on after an upgrade request it did not act on
        QVERIFY(rec.requests[0].isWebSocketUpgrade());
        QCOMPARE(rec.requests[0].webSocketSubprotocols(), (QList<QByteArray>{"realtime", "openai-beta.v1"}));
        QVERIFY(!rec.requests[1].isWebSocketUpgrade());
    }

    void limitsAndErrors_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("status");
        QTest::newRow("head too large") << ("GET / HTTP/1.1\r\nX: " + QByteArray(600, 'a') + "\r\n\r\n") << 431;
        QTest::newRow("long url") << ("GET /" + QByteArray(600, 'a') + " HTTP/1.1\r\n\r\n") << 431;
        QTest::newRow("many small headers") << ("GET / HTTP/1.1\r\n" + QByteArray("A:\r\n").repeated(200) + "\r\n")
                                            << 431;
        QTest::newRow("declared body too large") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n")
                                                 << 413;
        QTest::newRow("chunked body too large")
            << ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3e9\r\n" + QByteArray(1001, 'x')) << 413;
        QTest::newRow("expect other") << QByteArray("POST / HTTP/1.1\r\nExpect: nope\r\nContent-Length: 1\r\n\r\n")
                                      << 417;
        QTest::newRow("garbage") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03") << 400; // TLS hello
        QTest::newRow("lf in request line") << QByteArray("GET /a\nb HTTP/1.1\r\n\r\n") << 400;
        QTest::newRow("negative length") << QByteArray("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n") << 400;
    }

    void limitsAndErrors()
    {
        QFETCH(QByteArray, input);
        QFETCH(int, status);
        Recorder rec;
        HttpRequestParser parser(rec, HttpRequestParser::Limits{512, 1000});
        parser.feed(input);
        QCOMPARE(rec.errors.size(), 1);
        QCOMPARE(rec.errors[0].httpStatus, status);
        QVERIFY(rec.requests.isEmpty());
        QVERIFY(parser.hasFailed());
        // Later input is ignored, never a second error or request.
        QCOMPARE(parser.feed("GET / HTTP/1.1\r\n\r\n"), 0);
        QCOMPARE(rec.errors.size(), 1);
        QVERIFY(rec.requests.isEmpty());
    }

    // Request-smuggling shapes (issue 10): whatever a front proxy might read differently is a 400, whole or
    // split into single bytes, and nothing of the request reaches a handler.
    void rejectsAmbiguousFraming_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("step");
        const QList<std::pair<const char *, QByteArray>> shapes{
            {"bare LF in a header value", "GET / HTTP/1.1\r\nX: a\nTransfer-Encoding: chunked\r\n\r\n"},
            {"bare LF line ends", "GET / HTTP/1.1\nHost: x\n\n"},
            {"bare LF after the request line", "GET / HTTP/1.1\nHost: x\r\n\r\n"},
            {"bare LF ends the head", "GET / HTTP/1.1\r\nHost: x\r\n\n"},
            {"bare CR in a header value", "GET / HTTP/1.1\r\nX: a\rY: b\r\n\r\n"},
            {"HTTP/9.9", "GET / HTTP/9.9\r\n\r\n"},
            {"HTTP/2.0", "GET / HTTP/2.0\r\n\r\n"},
            {"HTTP/1.2", "GET / HTTP/1.2\r\n\r\n"},
            {"lower-case version", "GET / http/1.1\r\n\r\n"},
            {"version-less (HTTP/0.9)", "GET /\r\n\r\n"},
            {"version-less, bare LF", "GET /\n\n"},
            {"two spaces in the request line", "GET  / HTTP/1.1\r\n\r\n"},
            {"non-ASCII in the target", "GET /\xff HTTP/1.1\r\n\r\n"},
            {"obs-fold", "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n"},
            {"first header line folded", "GET / HTTP/1.1\r\n Host: x\r\n\r\n"},
            {"space before the colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n"},
            {"tab before the colon", "GET / HTTP/1.1\r\nHost\t: x\r\n\r\n"},
            {"control character in a value", "GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n"},
            {"conflicting Content-Length",
             "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"},
            {"Content-Length list", "POST / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\nab"},
            {"Transfer-Encoding and Content-Length",
             "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n1\r\na\r\n0\r\n\r\n"},
            {"Content-Length and Transfer-Encoding",
             "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n"},
            {"gzip, chunked", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\na\r\n0\r\n\r\n"},
            {"Transfer-Encoding twice",
             "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
            {"chunked in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n"},
            {"two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
            {"chunk data longer than its size",
             "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naXX0\r\n\r\n"},
            {"bare LF ends the last chunk",
             "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\n"},
            {"bare LF in a chunk extension",
             "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;a\nb\r\na\r\n0\r\n\r\n"},
            {"space after the chunk size",
             "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1 \r\na\r\n0\r\n\r\n"},
            {"bare LF in a trailer",
             "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nT: x\nU: y\r\n\r\n"},
        };
        for (const auto &[name, input] : shapes) {
            QTest::addRow("%s, whole", name) << input << 0;
            QTest::addRow("%s, bytewise", name) << input << 1;
        }
    }

    void rejectsAmbiguousFraming()
    {
        QFETCH(QByteArray, input);
        QFETCH(int, step);
        Recorder rec;
        HttpRequestParser parser(rec, {});
        rec.parser = &parser;
        feedInSteps(parser, input, step);
        QCOMPARE(rec.errors.size(), 1);
        QCOMPARE(rec.errors[0].httpStatus, 400);
        QCOMPARE(rec.errors[0].code, QByteArray("malformed_request"));
        QVERIFY(rec.requests.isEmpty());
        QVERIFY(parser.hasFailed());
    }

    // What strictness must not break: the forms RFC 9112 allows and clients send.
    void acceptsWellFormedShapes_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("empty lines before the request line") << QByteArray("\r\n\r\nGET / HTTP/1.1\r\n\r\n")
                                                             << QByteArray();
        QTest::newRow("HTTP/1.0") << QByteArray("GET / HTTP/1.0\r\nHost: x\r\n\r\n") << QByteArray();
        QTest::newRow("tab and obs-text in a value") << QByteArray("GET / HTTP/1.1\r\nX:\ta \xe4 b\r\n\r\n")
                                                     << QByteArray();
        QTest::newRow("empty value") << QByteArray("GET / HTTP/1.1\r\nX:\r\n\r\n") << QByteArray();
        QTest::newRow("Chunked, any case, with extension and trailer")
            << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n"
                          "A;name=\"v\"\r\n0123456789\r\n0\r\nT: x\r\n\r\n")
            << QByteArray("0123456789");
        QTest::newRow("body with LF and CR bytes") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\n\n\r\n\n")
                                                   << QByteArray("\n\r\n\n");
    }

    void acceptsWellFormedShapes()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, body);
        for (int step : {0, 1}) {
            Recorder rec;
            HttpRequestParser parser(rec, {});
            feedInSteps(parser, input + "GET /next HTTP/1.1\r\n\r\n", step);
            QVERIFY2(rec.errors.isEmpty(), qPrintable(rec.errors.value(0).message));
            QCOMPARE(rec.requests.size(), 2);
            QCOMPARE(rec.requests[0].body, body);
            QCOMPARE(rec.requests[1].path, QByteArray("/next"));
        }
    }

    void bodyExactlyAtLimitIsAccepted()
    {
        Recorder rec;
        HttpRequestParser parser(rec, HttpRequestParser::Limits{512, 10});
        parser.feed("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789");
        QVERIFY(rec.errors.isEmpty());
        QCOMPARE(rec.requests.size(), 1);
        QCOMPARE(rec.requests[0].body.size(), 10);
    }

    void pauseAndResumeKeepsTheRest()
    {
        Recorder rec;
        HttpRequestParser parser(rec, {});
        rec.parser = &parser;
        rec.pauseAfter = 1;
        const QByteArray input = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\n";
        const qsizetype used = parser.feed(input);
        QVERIFY(used < input.size());
        QCOMPARE(rec.requests.size(), 1);
        QVERIFY(parser.isPaused());
        parser.resume();
        rec.pauseAfter = -1;
        QCOMPARE(parser.feed(QByteArrayView(input).sliced(used)), input.size() - used);
        QCOMPARE(rec.requests.size(), 3);
        QCOMPARE(rec.requests[1].path, QByteArray("/b"));
        QCOMPARE(rec.requests[2].path, QByteArray("/c"));
    }
};

QTEST_APPLESS_MAIN(TestHttpRequestParser)
#include "tst_httprequestparser.moc"
