// HoldParameters (the checked numbers that size a hold) and UsageCeilings (what usage is plausible).
#include "relay/holdparameters.h"
#include "relay/jsoncount.h"
#include "relay/usageceilings.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtTest/QtTest>

using namespace RelayDesk::Relay;

class TestHoldParameters : public QObject
{
    Q_OBJECT

private slots:
    void chatRequest_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<qint64>("maxTokens"); // -1 = not given
        QTest::addColumn<qint64>("choices");
        QTest::addColumn<QString>("badParam"); // non-empty = 400 invalid_value naming it
        QTest::newRow("nothing") << QByteArray("{}") << -1LL << 1LL << "";
        QTest::newRow("max_tokens") << QByteArray(R"({"max_tokens":200})") << 200LL << 1LL << "";
        QTest::newRow("max_tokens 100.0") << QByteArray(R"({"max_tokens":100.0})") << 100LL << 1LL << "";
        QTest::newRow("null is not given") << QByteArray(R"({"max_tokens":null,"n":null})") << -1LL << 1LL << "";
        QTest::newRow("0 holds the default") << QByteArray(R"({"max_tokens":0})") << -1LL << 1LL << "";
        QTest::newRow("larger of both") << QByteArray(R"({"max_tokens":50,"max_completion_tokens":70})") << 70LL << 1LL << "";
        QTest::newRow("cap 2^31-1") << QByteArray(R"({"max_tokens":2147483647})") << 2147483647LL << 1LL << "";
        QTest::newRow("n and best_of") << QByteArray(R"({"n":4,"best_of":2})") << -1LL << 4LL << "";
        QTest::newRow("n 128") << QByteArray(R"({"n":128})") << -1LL << 128LL << "";
        QTest::newRow("2^31") << QByteArray(R"({"max_tokens":2147483648})") << 0LL << 0LL << "max_tokens";
        QTest::newRow("1e300") << QByteArray(R"({"max_tokens":1e300})") << 0LL << 0LL << "max_tokens";
        QTest::newRow("2^63") << QByteArray(R"({"max_tokens":9223372036854775808})") << 0LL << 0LL << "max_tokens";
        QTest::newRow("-1") << QByteArray(R"({"max_tokens":-1})") << 0LL << 0LL << "max_tokens";
        QTest::newRow("1.5") << QByteArray(R"({"max_completion_tokens":1.5})") << 0LL << 0LL << "max_completion_tokens";
        QTest::newRow("string") << QByteArray(R"({"max_tokens":"100"})") << 0LL << 0LL << "max_tokens";
        QTest::newRow("bool") << QByteArray(R"({"max_tokens":true})") << 0LL << 0LL << "max_tokens";
        QTest::newRow("n 0") << QByteArray(R"({"n":0})") << 0LL << 0LL << "n";
        QTest::newRow("n 129") << QByteArray(R"({"n":129})") << 0LL << 0LL << "n";
        QTest::newRow("best_of 1e18") << QByteArray(R"({"best_of":1e18})") << 0LL << 0LL << "best_of";
    }

    void chatRequest()
    {
        QFETCH(QByteArray, json);
        QFETCH(qint64, maxTokens);
        QFETCH(qint64, choices);
        QFETCH(QString, badParam);
        const auto parsed = HoldParameters::fromChatRequest(QJsonDocument::fromJson(json).object());
        if (!badParam.isEmpty()) {
            const auto *error = std::get_if<OpenAiError>(&parsed);
            QVERIFY(error);
            QCOMPARE(error->httpStatus, 400);
            QCOMPARE(error->code, QByteArray("invalid_value"));
            QCOMPARE(error->param, badParam.toUtf8());
            QCOMPARE(error->type, QByteArray("invalid_request_error"));
            return;
        }
        const auto *hold = std::get_if<HoldParameters>(&parsed);
        QVERIFY(hold);
        QCOMPARE(hold->maxTokens().value_or(-1), maxTokens);
        QCOMPARE(hold->choices(), choices);
    }

    void realtimeMaxOutputTokens_data()
    {
        QTest::addColumn<QByteArray>("session");
        QTest::addColumn<qint64>("tokens"); // -1 = the configured maximum
        QTest::newRow("ga") << QByteArray(R"({"max_output_tokens":200})") << 200LL;
        QTest::newRow("beta") << QByteArray(R"({"max_response_output_tokens":300})") << 300LL;
        QTest::newRow("inf") << QByteArray(R"({"max_output_tokens":"inf"})") << -1LL;
        QTest::newRow("1e300") << QByteArray(R"({"max_output_tokens":1e300})") << -1LL;
        QTest::newRow("negative") << QByteArray(R"({"max_output_tokens":-4})") << -1LL;
        QTest::newRow("fraction") << QByteArray(R"({"max_output_tokens":2.5})") << -1LL;
    }

    void realtimeMaxOutputTokens()
    {
        QFETCH(QByteArray, session);
        QFETCH(qint64, tokens);
        QCOMPARE(HoldParameters::realtimeMaxOutputTokens(QJsonDocument::fromJson(session).object()).value_or(-1), tokens);
    }

    void jsonCount_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<qint64>("count"); // -1 = not a count
        QTest::newRow("0") << QByteArray("0") << 0LL;
        QTest::newRow("2^53") << QByteArray("9007199254740992") << 9007199254740992LL;
        QTest::newRow("2^53+1") << QByteArray("9007199254740993") << -1LL;
        QTest::newRow("2^63") << QByteArray("9223372036854775808") << -1LL;
        QTest::newRow("-0.5") << QByteArray("-0.5") << -1LL;
        QTest::newRow("1e300") << QByteArray("1e300") << -1LL;
        QTest::newRow("string") << QByteArray("\"5\"") << -1LL;
        QTest::newRow("null") << QByteArray("null") << -1LL;
    }

    void jsonCount()
    {
        QFETCH(QByteArray, value);
        QFETCH(qint64, count);
        const QJsonValue v = QJsonDocument::fromJson("[" + value + "]").array().first();
        QCOMPARE(RelayDesk::Relay::jsonCount(v).value_or(-1), count);
    }

    void usageCeilings_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("rule");
        QTest::addColumn<qint64>("context");
        QTest::addColumn<qint64>("output");
        QTest::newRow("gpt-4o-mini") << "gpt-4o-mini" << "gpt-4*" << 128000LL << 16384LL;
        QTest::newRow("longest prefix") << "gpt-4.1-mini" << "gpt-4.1*" << 1047576LL << 32768LL;
        QTest::newRow("realtime") << "gpt-realtime-2025-08-28" << "gpt-realtime*" << 128000LL << 4096LL;
        QTest::newRow("case-insensitive") << "GPT-5" << "gpt-5*" << 400000LL << 128000LL;
        QTest::newRow("unknown model") << "my-local-llm" << "*" << 2000000LL << 200000LL;
    }

    void usageCeilings()
    {
        QFETCH(QString, model);
        const UsageCeilings::Ceiling c = UsageCeilings::defaults().forModel(model);
        QTEST(c.rule, "rule");
        QTEST(c.context, "context");
        QTEST(c.output, "output");
        QVERIFY(c.admits(c.context, c.output));
        QVERIFY(!c.admits(c.context + 1, 0));
        QVERIFY(!c.admits(0, c.output + 1));
        QVERIFY(c.admits(0, c.output * 3, 3)); // n choices, each up to the output limit
        QVERIFY(!c.admits(0, qint64(1) << 53, 128));
    }

    void usageCeilingOverrides()
    {
        QString error;
        const auto table = UsageCeilings::withOverrides(
            QJsonDocument::fromJson(R"({"gpt-4o*":{"context":1000,"output":10},"house-model":{"context":50,"output":5}})").object(),
            &error);
        QVERIFY2(table, qPrintable(error));
        QCOMPARE(table->forModel(QStringLiteral("gpt-4o-mini")).output, 10);
        QCOMPARE(table->forModel(QStringLiteral("gpt-4-turbo")).output, 16384); // the default rule is kept
        QCOMPARE(table->forModel(QStringLiteral("house-model")).context, 50);   // exact name
        QCOMPARE(table->forModel(QStringLiteral("house-model-2")).rule, QStringLiteral("*"));
        QVERIFY(!UsageCeilings::withOverrides(QJsonDocument::fromJson(R"({"x*":{"context":-1,"output":5}})").object(), &error));
        QVERIFY(error.contains(QStringLiteral("x*")));
        QVERIFY(!UsageCeilings::withOverrides(QJsonDocument::fromJson(R"({"x*":{"context":"5","output":5}})").object()));
    }
};

QTEST_GUILESS_MAIN(TestHoldParameters)
#include "tst_holdparameters.moc"
