// The session detail's token split: every input token lands in exactly one part (cached and cache-written text
// are parts of the text input; 1-hour writes a part of the writes), each part carries its own price, and reasoning
// is a part of the output. Claude's five parts (input, cache reads, 5m / 1h writes, output) add up the same way.
#include "live/sessionbreakdown.h"
#include "live/unitstext.h"

#include "billing/pricebook.h"
#include "billing/quotamath.h"

#include <QtTest>

using namespace RelayDesk;
using RelayDesk::Ui::SessionBreakdown;
using RelayDesk::Ui::UnitsText;

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
        QTest::addColumn<qint64>("cacheWrite1h");
        QTest::addColumn<qint64>("output");
        QTest::addColumn<qint64>("reasoning");
        QTest::newRow("plain") << 100LL << 0LL << 0LL << 0LL << 20LL << 0LL;
        QTest::newRow("cached and written") << 1000LL << 500LL << 250LL << 0LL << 40LL << 0LL;
        QTest::newRow("5m and 1h writes") << 4000LL << 2048LL << 1536LL << 1024LL << 40LL << 0LL;
        QTest::newRow("only 1h writes") << 1100LL << 0LL << 1024LL << 1024LL << 7LL << 0LL;
        QTest::newRow("reasoning") << 10LL << 0LL << 0LL << 0LL << 50LL << 35LL;
        QTest::newRow("all of it cached") << 64LL << 64LL << 0LL << 0LL << 1LL << 0LL;
    }
    void partsAddUpToTheUsage()
    {
        QFETCH(qint64, inputText);
        QFETCH(qint64, cached);
        QFETCH(qint64, cacheWrite);
        QFETCH(qint64, cacheWrite1h);
        QFETCH(qint64, output);
        QFETCH(qint64, reasoning);
        Billing::Usage u;
        u.inputText = inputText;
        u.cachedText = cached;
        u.cacheWrite = cacheWrite;
        u.cacheWrite1h = cacheWrite1h;
        u.outputText = output;
        u.outputReasoning = reasoning;
        Ui::TokenPrices prices;
        prices.textIn = 1;
        prices.cachedTextIn = 0.1;
        prices.cacheWriteIn = 1.25;
        prices.cacheWrite1hIn = 2;
        prices.textOut = 4;
        const auto in = SessionBreakdown::inputParts(u, prices);
        const auto out = SessionBreakdown::outputParts(u, prices);
        QCOMPARE(sum(in), inputText);
        QCOMPARE(sum(out), output);
        QCOMPARE(tokensOf(in, QStringLiteral("text")), inputText - cached - cacheWrite);
        QCOMPARE(tokensOf(in, QStringLiteral("cached text")), cached);
        QCOMPARE(tokensOf(in, QStringLiteral("5-minute cache write")), cacheWrite - cacheWrite1h);
        QCOMPARE(tokensOf(in, QStringLiteral("1-hour cache write")), cacheWrite1h);
        QCOMPARE(priceOf(in, QStringLiteral("5-minute cache write")), 1.25);
        QCOMPARE(priceOf(in, QStringLiteral("1-hour cache write")), 2.0);
        QCOMPARE(priceOf(in, QStringLiteral("cached text")), 0.1);
        QCOMPARE(tokensOf(out, QStringLiteral("reasoning")), reasoning);
        QCOMPARE(tokensOf(out, QStringLiteral("text")), output - reasoning);
    }

    // Anthropic's usage as the relay reads it (MessagesUsage: reads and writes inside inputText), back to the
    // five additive parts, each priced at the model's own ratio through tokenPricesFor; the parts' quota is
    // QuotaMath's charge for the whole usage.
    void messagesPartsAreAnthropicsAdditiveUsage_data()
    {
        QTest::addColumn<qint64>("input");   // Anthropic's input_tokens
        QTest::addColumn<qint64>("reads");   // cache_read_input_tokens
        QTest::addColumn<qint64>("write5m"); // ephemeral_5m_input_tokens
        QTest::addColumn<qint64>("write1h"); // ephemeral_1h_input_tokens
        QTest::addColumn<qint64>("output");
        QTest::newRow("no cache") << 1200LL << 0LL << 0LL << 0LL << 300LL;
        QTest::newRow("reads") << 10LL << 2048LL << 0LL << 0LL << 50LL;
        QTest::newRow("5m writes") << 10LL << 0LL << 1024LL << 0LL << 50LL;
        QTest::newRow("everything") << 37LL << 2048LL << 512LL << 1024LL << 81LL;
    }
    void messagesPartsAreAnthropicsAdditiveUsage()
    {
        QFETCH(qint64, input);
        QFETCH(qint64, reads);
        QFETCH(qint64, write5m);
        QFETCH(qint64, write1h);
        QFETCH(qint64, output);
        Billing::Usage u;
        u.inputText = input + reads + write5m + write1h;
        u.cachedText = reads;
        u.cacheWrite = write5m + write1h;
        u.cacheWrite1h = write1h;
        u.outputText = output;
        Billing::ModelPricing sonnet; // $3 in, $15 out, hits 0.1, 5m writes 1.25, 1h writes 2
        sonnet.modelRatio = *Billing::Ratio::parse(QStringLiteral("1.5"));
        sonnet.completionRatio = Billing::Ratio::fromInteger(5);
        sonnet.cacheRatio = *Billing::Ratio::parse(QStringLiteral("0.1"));
        sonnet.createCacheRatio = *Billing::Ratio::parse(QStringLiteral("1.25"));
        sonnet.createCacheRatio1h = Billing::Ratio::fromInteger(2);
        const auto parts = SessionBreakdown::messagesParts(u, Ui::tokenPricesFor(sonnet, {}));
        QStringList labels;
        double quota = 0;
        for (const auto &p : parts) {
            labels << p.label;
            quota += double(p.tokens) * p.pricePerToken;
        }
        QCOMPARE(labels, (QStringList{QStringLiteral("input"), QStringLiteral("cache reads"), QStringLiteral("5-minute cache writes"),
                                      QStringLiteral("1-hour cache writes"), QStringLiteral("output")}));
        QCOMPARE(tokensOf(parts, QStringLiteral("input")), input);
        QCOMPARE(tokensOf(parts, QStringLiteral("cache reads")), reads);
        QCOMPARE(tokensOf(parts, QStringLiteral("5-minute cache writes")), write5m);
        QCOMPARE(tokensOf(parts, QStringLiteral("1-hour cache writes")), write1h);
        QCOMPARE(tokensOf(parts, QStringLiteral("output")), output);
        QCOMPARE(priceOf(parts, QStringLiteral("1-hour cache writes")), 3.0); // quota per token: 1.5 × 2
        QCOMPARE(quota, Billing::QuotaMath::exactCost(sonnet, u).get_d());
    }

    // Seconds, characters and images: one part each when present, in words, priced alone at the model's unit
    // prices (QuotaMath::unitsCost), and the parts add up to the cost of all of them.
    void unitPartsArePricedAtTheUnitPrices_data()
    {
        QTest::addColumn<qint64>("audioMs");
        QTest::addColumn<qint64>("characters");
        QTest::addColumn<qint64>("images");
        QTest::addColumn<QString>("size");
        QTest::addColumn<QString>("quality");
        QTest::addColumn<QStringList>("labels");
        QTest::addColumn<QList<double>>("quotas");
        // whisper: US$0.006 / min → 92.5 s = 0.00925 US$ = 4625 quota
        QTest::newRow("transcription") << 92500LL << 0LL << 0LL << QString() << QString()
                                       << QStringList{QStringLiteral("92.5 s of audio")} << QList<double>{4625};
        // tts: US$15 / 1M characters → 1000 characters = 0.015 US$ = 7500 quota
        QTest::newRow("speech") << 0LL << 1000LL << 0LL << QString() << QString()
                                << QStringList{QStringLiteral("1,000 characters")} << QList<double>{7500};
        // dall-e-3 hd 1024x1792: US$0.12 each → 2 images = 0.24 US$ = 120000 quota
        QTest::newRow("images") << 0LL << 0LL << 2LL << QStringLiteral("1024x1792") << QStringLiteral("hd")
                                << QStringList{QStringLiteral("2 images, 1024x1792, hd")} << QList<double>{120000};
        QTest::newRow("unpriced image size") << 0LL << 0LL << 1LL << QStringLiteral("256x256") << QString()
                                             << QStringList{QStringLiteral("1 image, 256x256")} << QList<double>{0};
        QTest::newRow("all three") << 1000LL << 1LL << 1LL << QStringLiteral("1024x1792") << QStringLiteral("hd")
                                   << QStringList{QStringLiteral("1 s of audio"), QStringLiteral("1 character"),
                                                  QStringLiteral("1 image, 1024x1792, hd")}
                                   << QList<double>{50, 7.5, 60000};
        QTest::newRow("none") << 0LL << 0LL << 0LL << QString() << QString() << QStringList{} << QList<double>{};
    }
    void unitPartsArePricedAtTheUnitPrices()
    {
        QFETCH(qint64, audioMs);
        QFETCH(qint64, characters);
        QFETCH(qint64, images);
        QFETCH(QString, size);
        QFETCH(QString, quality);
        QFETCH(QStringList, labels);
        QFETCH(QList<double>, quotas);
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        Billing::ModelPricing pricing;
        pricing.modelRatio = Billing::Ratio::fromInteger(1);
        pricing.minutePrice = Billing::Ratio::parse(QStringLiteral("0.006"));
        pricing.characterPrice = Billing::Ratio::fromInteger(15);
        pricing.imagePrices.insert(QStringLiteral("1024x1792|hd"), *Billing::Ratio::parse(QStringLiteral("0.12")));
        Billing::Units units;
        units.audioMs = audioMs;
        units.characters = characters;
        units.images = images;
        units.imageSize = size;
        units.imageQuality = quality;

        const Ui::TokenPrices prices = Ui::tokenPricesFor(pricing, units);
        const auto parts = SessionBreakdown::unitParts(units, prices);
        QStringList gotLabels;
        double sum = 0;
        for (int i = 0; i < parts.size(); ++i) {
            gotLabels << parts[i].label;
            QCOMPARE(parts[i].quota, quotas.value(i));
            sum += parts[i].quota;
        }
        QCOMPARE(gotLabels, labels);
        QCOMPARE(sum, Billing::QuotaMath::unitsCost(pricing, units).get_d());
        QCOMPARE(UnitsText::phrases(units), labels);
        // A log row's other.units reads back to the same units (Units::toJson and its inverse).
        QCOMPARE(UnitsText::fromJson(units.toJson()), units);
    }

    void unitsFromBadJsonAreBounded_data()
    {
        QTest::addColumn<QJsonObject>("json");
        QTest::addColumn<qint64>("audioMs");
        QTest::addColumn<qint64>("characters");
        QTest::addColumn<qint64>("images");
        QTest::newRow("negative") << QJsonObject{{QStringLiteral("audio_seconds"), -5}, {QStringLiteral("images"), -1}}
                                  << 0LL << 0LL << 0LL;
        QTest::newRow("text") << QJsonObject{{QStringLiteral("characters"), QStringLiteral("many")}} << 0LL << 0LL << 0LL;
        QTest::newRow("absurd") << QJsonObject{{QStringLiteral("characters"), 1e300}, {QStringLiteral("audio_seconds"), 1e300}}
                                << 0LL << 0LL << 0LL;
        QTest::newRow("fractional seconds") << QJsonObject{{QStringLiteral("audio_seconds"), 0.0015}} << 2LL << 0LL << 0LL;
        QTest::newRow("fine") << QJsonObject{{QStringLiteral("characters"), 12}, {QStringLiteral("images"), 3}}
                              << 0LL << 12LL << 3LL;
    }
    void unitsFromBadJsonAreBounded()
    {
        QFETCH(QJsonObject, json);
        QFETCH(qint64, audioMs);
        QFETCH(qint64, characters);
        QFETCH(qint64, images);
        const Billing::Units u = UnitsText::fromJson(json);
        QCOMPARE(u.audioMs, audioMs);
        QCOMPARE(u.characters, characters);
        QCOMPARE(u.images, images);
        QVERIFY(u.isValid());
    }
};

QTEST_GUILESS_MAIN(TestSessionBreakdown)
#include "tst_sessionbreakdown.moc"
