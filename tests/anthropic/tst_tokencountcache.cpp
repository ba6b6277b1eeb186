// TokenCountCache: what a count_tokens answer leaves for the /v1/messages call that follows — found for the same
// key and prompt only, forgotten after its time, the oldest evicted first when full — and which answers count.
#include "relay/anthropic/tokencountcache.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtTest/QtTest>

using RelayDesk::Relay::TokenCountCache;

namespace {

constexpr int kCapacity = 4;
constexpr qint64 kTtlMs = 300'000;

QJsonObject prompt(const QString &text, const QString &model = QStringLiteral("claude-sonnet-4-5"))
{
    return QJsonObject{{QStringLiteral("model"), model},
                       {QStringLiteral("system"), QStringLiteral("Be terse.")},
                       {QStringLiteral("messages"),
                        QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                               {QStringLiteral("content"), text}}}}};
}

QJsonObject with(QJsonObject o, const char *field, const QJsonValue &value)
{
    o.insert(QLatin1StringView(field), value);
    return o;
}

} // namespace

class TestTokenCountCache : public QObject
{
    Q_OBJECT

private slots:
    // One count stored, time passes, other prompts may be stored after it, then the /v1/messages call asks.
    void recall_data()
    {
        QTest::addColumn<QJsonObject>("asked");
        QTest::addColumn<qint64>("askingKey");
        QTest::addColumn<qint64>("laterMs");
        QTest::addColumn<int>("storedAfter");   // other prompts counted after it
        QTest::addColumn<qint64>("expected");   // -1: none

        const QJsonObject counted = prompt(QStringLiteral("Say hello."));
        QTest::newRow("hit") << counted << 7LL << 0LL << 0 << 1234LL;
        QTest::newRow("miss on another key") << counted << 8LL << 0LL << 0 << -1LL;
        QTest::newRow("miss on changed messages") << prompt(QStringLiteral("Say goodbye.")) << 7LL << 0LL << 0 << -1LL;
        QTest::newRow("miss on another model")
            << prompt(QStringLiteral("Say hello."), QStringLiteral("claude-haiku-4-5")) << 7LL << 0LL << 0 << -1LL;
        QTest::newRow("miss on changed system") << with(counted, "system", QStringLiteral("Be verbose.")) << 7LL
                                                << 0LL << 0 << -1LL;
        QTest::newRow("miss on added tools")
            << with(counted, "tools", QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("t")}}}) << 7LL
            << 0LL << 0 << -1LL;
        QTest::newRow("miss on added tool_choice")
            << with(counted, "tool_choice", QJsonObject{{QStringLiteral("type"), QStringLiteral("any")}}) << 7LL
            << 0LL << 0 << -1LL;
        QTest::newRow("miss on added thinking")
            << with(counted, "thinking", QJsonObject{{QStringLiteral("type"), QStringLiteral("enabled")},
                                                     {QStringLiteral("budget_tokens"), 1024}})
            << 7LL << 0LL << 0 << -1LL;
        // What does not change the prompt's tokens does not change the hash.
        QTest::newRow("hit with max_tokens and stream") << with(with(counted, "max_tokens", 300), "stream", true)
                                                        << 7LL << 0LL << 0 << 1234LL;
        QTest::newRow("hit with metadata") << with(counted, "metadata", QJsonObject{{QStringLiteral("user_id"), 1}})
                                           << 7LL << 0LL << 0 << 1234LL;
        QTest::newRow("hit just before expiry") << counted << 7LL << kTtlMs - 1 << 0 << 1234LL;
        QTest::newRow("miss at expiry") << counted << 7LL << kTtlMs << 0 << -1LL;
        QTest::newRow("kept while the cache is full") << counted << 7LL << 0LL << kCapacity - 1 << 1234LL;
        QTest::newRow("evicted, the oldest") << counted << 7LL << 0LL << kCapacity << -1LL;
    }

    void recall()
    {
        QFETCH(QJsonObject, asked);
        QFETCH(qint64, askingKey);
        QFETCH(qint64, laterMs);
        QFETCH(int, storedAfter);
        QFETCH(qint64, expected);
        qint64 now = 1000;
        TokenCountCache cache(kCapacity, kTtlMs, [&now] { return now; });
        cache.remember(7, TokenCountCache::promptHash(prompt(QStringLiteral("Say hello."))), 1234);
        for (int i = 0; i < storedAfter; ++i)
            cache.remember(7, TokenCountCache::promptHash(prompt(QStringLiteral("other %1").arg(i))), 1);
        QVERIFY(cache.size() <= kCapacity);
        now += laterMs;
        const auto found = cache.recall(askingKey, TokenCountCache::promptHash(asked));
        QCOMPARE(found.value_or(-1), expected);
    }

    // The same prompt counted again is stored anew: it is then the newest, and its count the latest.
    void recountRefreshes()
    {
        qint64 now = 0;
        TokenCountCache cache(kCapacity, kTtlMs, [&now] { return now; });
        const QByteArray a = TokenCountCache::promptHash(prompt(QStringLiteral("a")));
        cache.remember(1, a, 10);
        for (int i = 0; i < kCapacity - 1; ++i)
            cache.remember(1, TokenCountCache::promptHash(prompt(QString::number(i))), i);
        now = kTtlMs - 1;
        cache.remember(1, a, 11); // refreshed: no longer the oldest, nor about to expire
        cache.remember(1, TokenCountCache::promptHash(prompt(QStringLiteral("new"))), 5);
        QCOMPARE(cache.size(), kCapacity);
        now = kTtlMs + 10; // the first batch expired, the refreshed count did not
        QCOMPARE(cache.recall(1, a).value_or(-1), 11);
        QCOMPARE(cache.recall(1, TokenCountCache::promptHash(prompt(QStringLiteral("1")))).value_or(-1), -1);
        QCOMPARE(cache.size(), 2);
    }

    void promptHashIgnoresKeyOrder()
    {
        const QByteArray a = R"({"model":"m","messages":[{"role":"user","content":"x"}],"system":"s"})";
        const QByteArray b = R"({"system":"s","messages":[{"content":"x","role":"user"}],"model":"m"})";
        QCOMPARE(TokenCountCache::promptHash(QJsonDocument::fromJson(a).object()),
                 TokenCountCache::promptHash(QJsonDocument::fromJson(b).object()));
        QCOMPARE(TokenCountCache::promptHash(QJsonDocument::fromJson(a).object()).size(), 32); // SHA-256
    }

    void readCount_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<qint64>("expected"); // -1: not a count (ignored)

        QTest::newRow("count") << 200 << QByteArray(R"({"input_tokens":1234})") << 1234LL;
        QTest::newRow("zero") << 200 << QByteArray(R"({"input_tokens":0})") << 0LL;
        QTest::newRow("at the ceiling") << 200 << QByteArray(R"({"input_tokens":200000})") << 200000LL;
        QTest::newRow("beyond the ceiling") << 200 << QByteArray(R"({"input_tokens":200001})") << -1LL;
        QTest::newRow("error status") << 400 << QByteArray(R"({"input_tokens":1234})") << -1LL;
        QTest::newRow("overloaded") << 529 << QByteArray(R"({"type":"error","error":{"type":"overloaded_error"}})")
                                    << -1LL;
        QTest::newRow("string") << 200 << QByteArray(R"({"input_tokens":"many"})") << -1LL;
        QTest::newRow("numeric string") << 200 << QByteArray(R"({"input_tokens":"12"})") << -1LL;
        QTest::newRow("negative") << 200 << QByteArray(R"({"input_tokens":-5})") << -1LL;
        QTest::newRow("fraction") << 200 << QByteArray(R"({"input_tokens":12.5})") << -1LL;
        QTest::newRow("1e300") << 200 << QByteArray(R"({"input_tokens":1e300})") << -1LL;
        QTest::newRow("null") << 200 << QByteArray(R"({"input_tokens":null})") << -1LL;
        QTest::newRow("absent") << 200 << QByteArray(R"({"tokens":12})") << -1LL;
        QTest::newRow("array") << 200 << QByteArray(R"([{"input_tokens":12}])") << -1LL;
        QTest::newRow("not JSON") << 200 << QByteArray("input_tokens=12") << -1LL;
        QTest::newRow("empty") << 200 << QByteArray() << -1LL;
    }

    void readCount()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(qint64, expected);
        QCOMPARE(TokenCountCache::readCount(status, body, 200000).value_or(-1), expected);
    }
};

QTEST_APPLESS_MAIN(TestTokenCountCache)
#include "tst_tokencountcache.moc"
