// The heuristic estimator (newapi-billing.md §3.3 / §3.6) and the model -> encoding map.
#include "tokenize/encoding.h"
#include "tokenize/estimator.h"
#include "tokenize/modelmap.h"

#include <QTest>

using namespace RelayDesk::Tokenize;

class TestEstimator final : public QObject {
    Q_OBJECT
private slots:
    void vectors_data();
    void vectors();
    void provider_data();
    void provider();
    void modelMap_data();
    void modelMap();
    void countTextTokens();
};

void TestEstimator::vectors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("openai");
    QTest::addColumn<int>("claude");
    QTest::addColumn<int>("gemini");
    QTest::addColumn<double>("openaiSum");   // < 0: not given in the table
    QTest::newRow("hello-world") << u"Hello, world!"_qs << 4 << 4 << 4 << 3.26;
    QTest::newRow("lower") << u"hello world"_qs << 3 << 3 << 3 << 2.46;
    QTest::newRow("fox") << u"The quick brown fox jumps over the lazy dog."_qs << 13 << 14 << 13 << 12.94;
    QTest::newRow("zh") << u"你好，世界"_qs << 4 << 6 << 4 << 3.8;
    QTest::newRow("version") << u"Version 3.5 costs $20/month"_qs << 11 << 12 << 15 << -1.0;
    QTest::newRow("email") << u"email me at a@b.com"_qs << 10 << 12 << 11 << -1.0;
    QTest::newRow("url") << u"https://example.com/a?b=1&c=2#x"_qs << 20 << 23 << 25 << -1.0;
    QTest::newRow("squares") << u"x² + y² = z²"_qs << 11 << 12 << 15 << -1.0;
    QTest::newRow("math") << u"∑ ∫ √ ≤"_qs << 12 << 20 << 5 << -1.0;
    QTest::newRow("emoji") << u"I ❤ 🍕🍕"_qs << 9 << 10 << 5 << -1.0;
    QTest::newRow("newline-tab") << u"line1\nline2\tend"_qs << 8 << 9 << 12 << -1.0;
    QTest::newRow("mixed-run") << u"abc123xyz"_qs << 4 << 4 << 6 << -1.0;
    QTest::newRow("ru") << u"Привет мир"_qs << 3 << 3 << 3 << -1.0;
    QTest::newRow("ja") << u"こんにちは"_qs << 5 << 7 << 4 << -1.0;
    QTest::newRow("ko") << u"안녕하세요"_qs << 5 << 7 << 4 << -1.0;
    // §3.4 CombineText estimates: claude raw 14.07 -> 15, OpenAI 12.14 -> 13.
    QTest::newRow("combine") << u"system\nYou are a helpful assistant.\nuser\nHello!"_qs << 13 << 15 << -1 << 12.14;
    QTest::newRow("empty") << QString() << 0 << 0 << 0 << 0.0;
}

void TestEstimator::vectors()
{
    QFETCH(QString, text);
    QFETCH(int, openai);
    QFETCH(int, claude);
    QFETCH(int, gemini);
    QFETCH(double, openaiSum);
    QCOMPARE(estimateTokens(text, EstimatorProvider::OpenAI), qint64(openai));
    QCOMPARE(estimateTokens(text, EstimatorProvider::Claude), qint64(claude));
    if (gemini >= 0)
        QCOMPARE(estimateTokens(text, EstimatorProvider::Gemini), qint64(gemini));
    if (openaiSum >= 0)
        QVERIFY(qAbs(estimateWeightedSum(text, EstimatorProvider::OpenAI) - openaiSum) < 1e-9);
}

void TestEstimator::provider_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("provider");
    QTest::newRow("gemini") << u"gemini-2.5-pro"_qs << int(EstimatorProvider::Gemini);
    QTest::newRow("Gemini upper") << u"Gemini-Claude-mix"_qs << int(EstimatorProvider::Gemini);
    QTest::newRow("claude") << u"claude-3-5-sonnet-20241022"_qs << int(EstimatorProvider::Claude);
    QTest::newRow("deepseek") << u"deepseek-chat"_qs << int(EstimatorProvider::OpenAI);
    QTest::newRow("unknown") << u"qwen-max"_qs << int(EstimatorProvider::OpenAI);
}

void TestEstimator::provider()
{
    QFETCH(QString, model);
    QFETCH(int, provider);
    QCOMPARE(int(estimatorProviderForModel(model)), provider);
}

void TestEstimator::modelMap_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("encoding");   // empty: estimator
    const QString o = u"o200k_base"_qs, c = u"cl100k_base"_qs;
    for (const char *m : {"gpt-4o", "GPT-4o", "gpt-4o-mini-2024-07-18", "gpt-4.1", "gpt-4.1-nano", "gpt-4.5-preview", "gpt-5",
                          "gpt-5-mini", "o1", "o1-preview", "o3", "o3-mini-2025-01-31", "o4-mini", "chatgpt-4o-latest",
                          "gpt-realtime", "gpt-realtime-mini", "gpt-4o-realtime-preview", "gpt-4o-mini-realtime-preview",
                          "gpt-image-1", "ft:gpt-4o-mini-2024-07-18:acme::abc123", "FT:GPT-4.1:org:x:y"})
        QTest::newRow(m) << QString::fromUtf8(m) << o;
    for (const char *m : {"gpt-4", "GPT-4", "gpt-4-0613", "gpt-4-turbo", "gpt-4-32k", "gpt-3.5-turbo", "gpt-3.5-turbo-0125",
                          "gpt-35-turbo", "text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002",
                          "ft:gpt-3.5-turbo-0613:org::id", "ft:gpt-4-0613:org::id"})
        QTest::newRow(m) << QString::fromUtf8(m) << c;
    for (const char *m : {"claude-3-5-sonnet", "gemini-2.0-flash", "deepseek-chat", "llama-3", "gpt4o", "", "ft:", "gpt-40"})
        QTest::newRow(*m ? m : "empty") << QString::fromUtf8(m) << QString();
}

void TestEstimator::modelMap()
{
    QFETCH(QString, model);
    QFETCH(QString, encoding);
    const Encoding *enc = encodingForModel(model);
    QCOMPARE(enc ? QString::fromUtf8(enc->name().data(), qsizetype(enc->name().size())) : QString(), encoding);
}

void TestEstimator::countTextTokens()
{
    // §3.4 example: exact for OpenAI models, estimator otherwise.
    const QString text = u"system\nYou are a helpful assistant.\nuser\nHello!"_qs;
    QCOMPARE(RelayDesk::Tokenize::countTextTokens(text, u"gpt-4o"), qint64(12));
    QCOMPARE(RelayDesk::Tokenize::countTextTokens(text, u"claude-3-5-sonnet-20241022"), qint64(15));
    QCOMPARE(RelayDesk::Tokenize::countTextTokens(text, u"deepseek-chat"), qint64(13));
    QCOMPARE(RelayDesk::Tokenize::countTextTokens(u"你好，世界", u"gpt-4"), qint64(6));
    QCOMPARE(RelayDesk::Tokenize::countTextTokens(QString(), u"gpt-4o"), qint64(0));
}

QTEST_APPLESS_MAIN(TestEstimator)
#include "tst_estimator.moc"
