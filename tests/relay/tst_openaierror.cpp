#include "http/httpresponse.h"
#include "http/openaierror.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtTest/QtTest>

using namespace RelayDesk::Relay;

class TestOpenAiError : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void statusTypeAndCode_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("code"); // empty → null
        const auto row = [](const char *name, int kind, int status, const char *type, const char *code) {
            QTest::newRow(name) << kind << status << QString::fromLatin1(type) << QString::fromLatin1(code);
        };
        row("invalid request", 0, 400, "invalid_request_error", "");
        row("invalid api key", 1, 401, "invalid_request_error", "invalid_api_key");
        row("insufficient quota", 2, 403, "insufficient_quota", "insufficient_quota");
        row("model not allowed", 3, 403, "invalid_request_error", "model_not_allowed");
        row("unknown url", 4, 404, "invalid_request_error", "unknown_url");
        row("too large", 5, 413, "invalid_request_error", "request_too_large");
        row("rate limited", 6, 429, "requests", "rate_limit_exceeded");
        row("internal", 7, 500, "server_error", "internal_error");
        row("bad gateway", 8, 502, "upstream_error", "bad_gateway");
        row("gateway timeout", 9, 504, "upstream_error", "upstream_timeout");
        row("headers too large", 10, 431, "invalid_request_error", "request_header_fields_too_large");
        row("authentication", 11, 401, "authentication_error", "");
        row("unavailable", 12, 503, "server_error", "service_unavailable");
    }

    void statusTypeAndCode()
    {
        QFETCH(int, kind);
        QFETCH(int, status);
        QFETCH(QString, type);
        QFETCH(QString, code);
        const QString msg = QStringLiteral("m \"quoted\" ü");
        const OpenAiError e = [&] {
            switch (kind) {
            case 0: return OpenAiError::invalidRequest(msg);
            case 1: return OpenAiError::invalidApiKey(msg);
            case 2: return OpenAiError::insufficientQuota(msg);
            case 3: return OpenAiError::modelNotAllowed(QStringLiteral("gpt-4o"));
            case 4: return OpenAiError::unknownUrl("GET", "/x");
            case 5: return OpenAiError::payloadTooLarge(10);
            case 6: return OpenAiError::rateLimited(msg);
            case 7: return OpenAiError::internal(msg);
            case 8: return OpenAiError::badGateway(msg);
            case 9: return OpenAiError::gatewayTimeout(msg);
            case 10: return OpenAiError::headersTooLarge(10);
            case 11: return OpenAiError::authentication(msg);
            default: return OpenAiError::serviceUnavailable(msg);
            }
        }();
        QCOMPARE(e.httpStatus, status);
        QJsonParseError perr;
        const QJsonDocument doc = QJsonDocument::fromJson(e.toJson(), &perr);
        QCOMPARE(perr.error, QJsonParseError::NoError);
        const QJsonObject root = doc.object();
        QCOMPARE(root.keys(), QStringList{QStringLiteral("error")});
        const QJsonObject err = root.value("error").toObject();
        QCOMPARE(err.keys(), (QStringList{"code", "message", "param", "type"}));
        QCOMPARE(err.value("type").toString(), type);
        if (code.isEmpty())
            QVERIFY(err.value("code").isNull());
        else
            QCOMPARE(err.value("code").toString(), code);
        if (kind == 3)
            QCOMPARE(err.value("param").toString(), QStringLiteral("model"));
        else
            QVERIFY(err.value("param").isNull());
        if (kind == 0 || kind == 1 || kind == 2 || kind == 6 || kind == 7 || kind == 8 || kind == 9 || kind == 11
            || kind == 12)
            QCOMPARE(err.value("message").toString(), msg); // escaped and round-tripped intact
    }

    void paramIsCarried()
    {
        const OpenAiError e = OpenAiError::invalidRequest(QStringLiteral("bad"), "invalid_value", "messages");
        const QJsonObject err = QJsonDocument::fromJson(e.toJson()).object().value("error").toObject();
        QCOMPARE(err.value("param").toString(), QStringLiteral("messages"));
        QCOMPARE(err.value("code").toString(), QStringLiteral("invalid_value"));
    }

    void realtimeErrorEvent()
    {
        const OpenAiError e = OpenAiError::insufficientQuota(QStringLiteral("Quota exhausted."));
        QJsonObject ev = QJsonDocument::fromJson(e.toRealtimeEvent("evt_123")).object();
        QCOMPARE(ev.value("type").toString(), QStringLiteral("error"));
        QCOMPARE(ev.value("event_id").toString(), QStringLiteral("evt_123"));
        QCOMPARE(ev.value("error").toObject().value("code").toString(), QStringLiteral("insufficient_quota"));
        QCOMPARE(ev.value("error").toObject().value("message").toString(), QStringLiteral("Quota exhausted."));
        ev = QJsonDocument::fromJson(e.toRealtimeEvent()).object();
        QVERIFY(ev.contains("event_id") && ev.value("event_id").isNull());
    }

    void httpResponseCarriesStatusAndJson()
    {
        const HttpResponse r = HttpResponse::error(OpenAiError::rateLimited(QStringLiteral("slow down")));
        QCOMPARE(r.status, 429);
        QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
        QCOMPARE(QJsonDocument::fromJson(r.body).object().value("error").toObject().value("message").toString(),
                 QStringLiteral("slow down"));
    }
};

QTEST_APPLESS_MAIN(TestOpenAiError)
#include "tst_openaierror.moc"
