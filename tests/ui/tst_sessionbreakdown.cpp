// The session detail's token split: every input token lands in exactly one part (cached and cache-written text
// are parts of the text input), each part carries its own price, and reasoning is a part of the output.
#include "live/sessionbreakdown.h"

#include <QtTest>

using namespace RelayDesk;
using RelayDesk::Ui::SessionBreakdown;

namespace {

qint64 tokensOf(const QList<SessionBreakdown::Part> &parts, const QString &label)
{
    for (const auto &p : parts)
        if (p.label == label)
            return p.tokens;
    return -1;
}

double priceOf(const QList<SessionBreakdown::Part> &parts, const QString &label)
{
    for (const auto &p : parts)
        if (p.label == label)
            return p.pricePerToken;
    return -1;
}

qint64 sum(const QList<SessionBreakdown::Part> &parts)
{
    qint64 total = 0;
    for (const auto &p : parts)
        total += p.tokens;
    return total;
}

} // namespace

class TestSessionBreakdown final : public QObject
{
    Q_OBJECT

private slots:
    void partsAddUpToTheUsage_data()
    {
        QTest::addColumn<qint64>("inputText");
        QTest::addColumn<qint64>("cached");
        QTest::addColumn<qint64>("cacheWrite");
        QTest::addColumn<qint64>("output");
        QTest::addColumn<qint64>("reasoning");
        QTest::newRow("plain") << 100LL << 0LL << 0LL << 20LL << 0LL;
        QTest::newRow("cached and written") << 1000LL << 500LL << 250LL << 40LL << 0LL;
        QTest::newRow("reasoning") << 10LL << 0LL << 0LL << 50LL << 35LL;
        QTest::newRow("all of it cached") << 64LL << 64LL << 0LL << 1LL << 0LL;
    }
    void partsAddUpToTheUsage()
    {
        QFETCH(qint64, inputText);
        QFETCH(qint64, cached);
        QFETCH(qint64, cacheWrite);
        QFETCH(qint64, output);
        QFETCH(qint64, reasoning);
        Billing::Usage u;
        u.inputText = inputText;
        u.cachedText = cached;
        u.cacheWrite = cacheWrite;
        u.outputText = output;
        u.outputReasoning = reasoning;
        Ui::TokenPrices prices;
        prices.textIn = 1;
        prices.cachedTextIn = 0.1;
        prices.cacheWriteIn = 1.25;
        prices.textOut = 4;
        const auto in = SessionBreakdown::inputParts(u, prices);
        const auto out = SessionBreakdown::outputParts(u, prices);
        QCOMPARE(sum(in), inputText);
        QCOMPARE(sum(out), output);
        QCOMPARE(tokensOf(in, QStringLiteral("text")), inputText - cached - cacheWrite);
        QCOMPARE(tokensOf(in, QStringLiteral("cached text")), cached);
        QCOMPARE(tokensOf(in, QStringLiteral("cache write")), cacheWrite);
        QCOMPARE(priceOf(in, QStringLiteral("cache write")), 1.25);
        QCOMPARE(priceOf(in, QStringLiteral("cached text")), 0.1);
        QCOMPARE(tokensOf(out, QStringLiteral("reasoning")), reasoning);
        QCOMPARE(tokensOf(out, QStringLiteral("text")), output - reasoning);
    }
};

QTEST_GUILESS_MAIN(TestSessionBreakdown)
#include "tst_sessionbreakdown.moc"
