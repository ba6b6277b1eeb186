// QuotaMath vectors: newapi-billing.md §10.1 (the rows that apply to our OpenAI-semantics engine),
// the §2.9 worked examples 1–6 and the §6.6 Realtime numbers with correct ratios.
// Where RelayDesk deliberately differs from new-api the row tests OUR rule and says so.
#include "billing/quotamath.h"

#include <limits>

#include <QtTest>

using namespace RelayDesk::Billing;

namespace {

Ratio r(const QString &text)
{
    const auto v = Ratio::parse(text);
    if (!v)
        qFatal("bad ratio text in test: %s", qPrintable(text));
    return *v;
}

// "MR=1.25,CR=4,CaR=0.5,CcR=1.25,IR=2,AR=8,ACR=2,ACaR=0.0125,GR=0.9,PRICE=0.04"; unit prices
// "MIN=0.006" (USD per minute), "CHAR=15" (USD per 1M characters), "IMG[1024x1792|hd]=0.12" (USD per image).
ModelPricing pricing(const QString &spec)
{
    ModelPricing p;
    for (const QString &item : spec.split(u',', Qt::SkipEmptyParts)) {
        const QString name = item.section(u'=', 0, 0);
        const Ratio value = r(item.section(u'=', 1));
        if (name.startsWith(u"IMG[") && name.endsWith(u']')) p.imagePrices.insert(name.mid(4).chopped(1), value);
        else if (name == u"MIN") p.minutePrice = value;
        else if (name == u"CHAR") p.characterPrice = value;
        else if (name == u"MR") p.modelRatio = value;
        else if (name == u"CR") p.completionRatio = value;
        else if (name == u"CaR") p.cacheRatio = value;
        else if (name == u"CcR") p.createCacheRatio = value;
        else if (name == u"IR") p.imageRatio = value;
        else if (name == u"AR") p.audioRatio = value;
        else if (name == u"ACR") p.audioCompletionRatio = value;
        else if (name == u"ACaR") p.audioCacheRatio = value;
        else if (name == u"GR") p.groupRatio = value;
        else if (name == u"PRICE") { p.fixedPrice = true; p.modelPrice = value; }
        else qFatal("bad ratio name %s", qPrintable(name));
    }
    return p;
}

// "in=1000,cached=200,cw=0,ain=0,acached=0,img=0,imgcached=0,out=500,aout=0,reason=0"
Usage usage(const QString &spec)
{
    Usage u;
    for (const QString &item : spec.split(u',', Qt::SkipEmptyParts)) {
        const QString name = item.section(u'=', 0, 0);
        const qint64 v = item.section(u'=', 1).toLongLong();
        if (name == u"in") u.inputText = v;
        else if (name == u"cached") u.cachedText = v;
        else if (name == u"cw") u.cacheWrite = v;
        else if (name == u"ain") u.inputAudio = v;
        else if (name == u"acached") u.cachedAudio = v;
        else if (name == u"img") u.inputImage = v;
        else if (name == u"imgcached") u.cachedImage = v;
        else if (name == u"out") u.outputText = v;
        else if (name == u"aout") u.outputAudio = v;
        else if (name == u"reason") u.outputReasoning = v;
        else qFatal("bad usage name %s", qPrintable(name));
    }
    return u;
}

// "ms=90500,chars=1000,images=2,size=1024x1792,quality=hd"
Units units(const QString &spec)
{
    Units u;
    for (const QString &item : spec.split(u',', Qt::SkipEmptyParts)) {
        const QString name = item.section(u'=', 0, 0);
        const QString v = item.section(u'=', 1);
        if (name == u"ms") u.audioMs = v.toLongLong();
        else if (name == u"chars") u.characters = v.toLongLong();
        else if (name == u"images") u.images = v.toLongLong();
        else if (name == u"size") u.imageSize = v;
        else if (name == u"quality") u.imageQuality = v;
        else qFatal("bad unit name %s", qPrintable(name));
    }
    return u;
}

mpq_class exact(const QString &text)
{
    return r(text).exact();
}

} // namespace

class TestQuotaMath final : public QObject
{
    Q_OBJECT

private slots:
    void settle_data()
    {
        QTest::addColumn<QString>("ratios");
        QTest::addColumn<QString>("use");
        QTest::addColumn<QString>("exactText");
        QTest::addColumn<qint64>("quota");

        // §10.1 (upstream tests) — the OpenAI-semantics rows.
        QTest::newRow("10.1 OpenAI billing_usage") << "MR=1,CR=2" << "in=80,out=9" << "98" << qint64(98);
        QTest::newRow("10.1 cache_write_tokens") << "MR=1,CR=2,CcR=1.25" << "in=1473,cw=1470,out=19"
                                                 << "1878.5" << qint64(1879);
        QTest::newRow("10.1 cached + cw > prompt") << "MR=1,CR=2,CaR=0.1,CcR=1.25" << "in=3619,cached=2921,cw=3616,out=36"
                                                   << "4884.1" << qint64(4884);
        QTest::newRow("10.1 OpenRouter cache read (openai/gpt-4.1)") << "MR=1,CR=1,CaR=0.1" << "in=2604,cached=2432,out=383"
                                                                     << "798.2" << qint64(798);

        // §2.9 worked examples 1–5.
        QTest::newRow("2.9#1 gpt-4o no cache") << "MR=1.25,CR=4" << "in=1000,out=500" << "3750" << qint64(3750);
        QTest::newRow("2.9#2 gpt-4o with cache") << "MR=1.25,CR=4,CaR=0.5" << "in=1000,cached=200,out=500"
                                                 << "3625" << qint64(3625);
        QTest::newRow("2.9#3 gpt-4o-mini minimum 1") << "MR=0.075,CR=4" << "in=1" << "0.075" << qint64(1);
        // Example 4 is native Claude usage (cache tokens additional to input_tokens=1000). In our OpenAI
        // semantics the same request is input 3500 of which 2000 cached and 500 cache-write.
        QTest::newRow("2.9#4 claude-sonnet-4 cache read + write") << "MR=1.5,CR=5,CaR=0.1,CcR=1.25"
                                                                  << "in=3500,cached=2000,cw=500,out=300"
                                                                  << "4987.5" << qint64(4988);
        QTest::newRow("2.9#5 vip user in default group (GR 0.9)") << "MR=1.25,CR=4,GR=0.9" << "in=1000,out=500"
                                                                  << "3375" << qint64(3375);

        // §6.6 Realtime, gpt-4o-realtime-preview with the correct ACR 2 (new-api bills ACR 1 because its
        // key never matches): one turn = text in 100, audio in 1000, text out 50, audio out 2000.
        QTest::newRow("6.6 realtime turn, correct ratios") << "MR=2.5,CR=4,AR=8,ACR=2" << "in=100,ain=1000,out=50,aout=2000"
                                                           << "100750" << qint64(100750);
        QTest::newRow("6.6 realtime session of two turns") << "MR=2.5,CR=4,AR=8,ACR=2" << "in=200,ain=2000,out=100,aout=4000"
                                                           << "201500" << qint64(201500);
        // new-api's mis-keyed ratios (ACR 1) reproduce its logged 60750 per turn — shows the formula agrees.
        QTest::newRow("6.6 realtime turn, new-api ratios") << "MR=2.5,CR=4,AR=8,ACR=1" << "in=100,ain=1000,out=50,aout=2000"
                                                           << "60750" << qint64(60750);
        // §6.6 drift example computed once over the session (gpt-4o-mini-realtime-preview, MR 0.3, AR 16.67).
        QTest::newRow("6.6 mini realtime, once per session") << "MR=0.3,CR=4,AR=16.67" << "in=30,ain=300,out=15,aout=600"
                                                             << "4527.9" << qint64(4528);

        // Our pinned semantics beyond new-api (design.md): cached audio, image input, reasoning.
        QTest::newRow("gpt-realtime cached audio + image") << "MR=2,CR=4,CaR=0.1,AR=8,ACR=2,ACaR=0.0125,IR=1.25"
                                                           << "in=1000,cached=500,ain=2000,acached=1000,img=800,out=100,aout=300"
                                                           // 500 + 50 + 8000 + 100 + 1000 + 400 + 4800 = 14850, ×2
                                                           << "29700" << qint64(29700);
        QTest::newRow("reasoning is part of completion") << "MR=0.625,CR=8" << "in=100,out=1000,reason=900"
                                                         << "5062.5" << qint64(5063);
        QTest::newRow("cached image uses ImageRatio × CacheRatio") << "MR=1,IR=2,CaR=0.5" << "img=100,imgcached=40"
                                                                   << "160" << qint64(160);
        QTest::newRow("no usage costs nothing") << "MR=1.25,CR=4" << "" << "0" << qint64(0);
        QTest::newRow("free model (MR 0) stays 0") << "MR=0,CR=4" << "in=1000,out=10" << "0" << qint64(0);
        QTest::newRow("free group (GR 0) stays 0") << "MR=1,GR=0" << "in=1000" << "0" << qint64(0);
        QTest::newRow("only free cached tokens → minimum 1") << "MR=1,CaR=0" << "in=10,cached=10" << "0" << qint64(1);
        QTest::newRow("half rounds away from zero") << "MR=0.5" << "in=85" << "42.5" << qint64(43);
        QTest::newRow("below half rounds down") << "MR=0.1" << "in=417" << "41.7" << qint64(42);
        QTest::newRow("fixed price ignores tokens") << "PRICE=0.04" << "in=5000,out=5000" << "20000" << qint64(20000);
        QTest::newRow("fixed price × group ratio") << "PRICE=0.04,GR=1.5" << "" << "30000" << qint64(30000);
    }

    void settle()
    {
        QFETCH(QString, ratios);
        QFETCH(QString, use);
        QFETCH(QString, exactText);
        QFETCH(qint64, quota);
        const Quote q = QuotaMath::settle(pricing(ratios), usage(use));
        QCOMPARE(q.exactText(), exactText);
        QCOMPARE(q.exact, exact(exactText));
        QCOMPARE(q.quota, quota);
    }

    void settleWithUnits_data()
    {
        QTest::addColumn<QString>("ratios");
        QTest::addColumn<QString>("use");
        QTest::addColumn<QString>("unitSpec");
        QTest::addColumn<QString>("unitsExact"); // QuotaMath::unitsCost alone
        QTest::addColumn<QString>("exactText");
        QTest::addColumn<qint64>("quota");
        QTest::addColumn<bool>("minimum");
        // Issue 13's worked prices: MinutePrice is prorated per millisecond, CharacterPrice per character.
        // 90.5 s = 1.508333 min × $0.006 = $0.00905 (the brief's "$0.0905 → 45 250" is 905 s, the next row).
        QTest::newRow("whisper-1 90.5 s = $0.00905") << "MIN=0.006" << "" << "ms=90500" << "4525" << "4525" << qint64(4525) << false;
        QTest::newRow("whisper-1 905 s = $0.0905") << "MIN=0.006" << "" << "ms=905000" << "45250" << "45250" << qint64(45250) << false;
        QTest::newRow("whisper-1 1.5 s, prorated") << "MIN=0.006" << "" << "ms=1500" << "75" << "75" << qint64(75) << false;
        QTest::newRow("tts-1 1000 chars = $0.015") << "CHAR=15" << "" << "chars=1000" << "7500" << "7500" << qint64(7500) << false;
        QTest::newRow("dall-e-3 2 × 1024x1792 hd = $0.24")
            << "IMG[1024x1792|hd]=0.12,IMG[1024x1792|standard]=0.08,IMG[1024x1024|hd]=0.08"
            << "" << "images=2,size=1024x1792,quality=hd" << "120000" << "120000" << qint64(120000) << false;
        QTest::newRow("image size and quality are case-insensitive") << "IMG[1024x1792|hd]=0.12" << ""
            << "images=1,size=1024X1792,quality=HD" << "60000" << "60000" << qint64(60000) << false;
        QTest::newRow("image falls back to its size") << "IMG[256x256]=0.016,IMG[default]=0.02" << ""
            << "images=3,size=256x256,quality=standard" << "24000" << "24000" << qint64(24000) << false;
        QTest::newRow("image falls back to default") << "IMG[256x256]=0.016,IMG[default]=0.02" << ""
            << "images=1" << "10000" << "10000" << qint64(10000) << false;
        QTest::newRow("group ratio applies to units") << "MIN=0.006,GR=0.5" << "" << "ms=905000" << "22625" << "22625" << qint64(22625) << false;
        QTest::newRow("group ratio on images") << "IMG[default]=0.04,GR=1.5" << "" << "images=2" << "60000" << "60000" << qint64(60000) << false;
        QTest::newRow("one millisecond → minimum 1") << "MIN=0.006" << "" << "ms=1" << "0.05" << "0.05" << qint64(1) << true;
        QTest::newRow("one character → minimum 1") << "CHAR=15" << "" << "chars=1" << "7.5" << "7.5" << qint64(8) << false;
        QTest::newRow("tokens and units add up") << "MR=1,CR=4,MIN=0.006" << "in=100,out=10" << "ms=60000" << "3000"
                                                 << "3140" << qint64(3140) << false;
        QTest::newRow("unit-only model: tokens free") << "MIN=0.006" << "in=1000,out=1000" << "ms=60000" << "3000"
                                                      << "3000" << qint64(3000) << false;
        QTest::newRow("a unit without a price is free") << "CHAR=15" << "" << "ms=60000,images=1" << "0" << "0" << qint64(1) << true;
        QTest::newRow("fixed price ignores units") << "PRICE=0.04,MIN=0.006,IMG[default]=1" << "" << "ms=60000,images=4"
                                                   << "0" << "20000" << qint64(20000) << false;
        QTest::newRow("zero unit price is free") << "MIN=0" << "" << "ms=60000" << "0" << "0" << qint64(0) << false;
        QTest::newRow("free group (GR 0) stays 0") << "MIN=0.006,GR=0" << "" << "ms=60000" << "0" << "0" << qint64(0) << false;
    }

    void settleWithUnits()
    {
        QFETCH(QString, ratios);
        QFETCH(QString, use);
        QFETCH(QString, unitSpec);
        QFETCH(QString, unitsExact);
        QFETCH(QString, exactText);
        QFETCH(qint64, quota);
        QFETCH(bool, minimum);
        const ModelPricing p = pricing(ratios);
        QCOMPARE(QuotaMath::unitsCost(p, units(unitSpec)), exact(unitsExact));
        const Quote q = QuotaMath::settle(p, usage(use), {}, units(unitSpec));
        QCOMPARE(q.exactText(), exactText);
        QCOMPARE(q.exact, exact(exactText));
        QCOMPARE(q.quota, quota);
        QCOMPARE(q.minimumApplied, minimum);
    }

    void reserveWithUnits_data()
    {
        QTest::addColumn<QString>("ratios");
        QTest::addColumn<qint64>("prompt");
        QTest::addColumn<qint64>("maxTokens");
        QTest::addColumn<QString>("unitSpec");
        QTest::addColumn<bool>("audioOutput");
        QTest::addColumn<qint64>("quota");
        QTest::newRow("whisper-1 90.5 s") << "MIN=0.006" << qint64(0) << qint64(0) << "ms=90500" << false << qint64(4525);
        QTest::newRow("whisper-1 1 ms over a quota") << "MIN=0.006" << qint64(0) << qint64(0) << "ms=90501" << false << qint64(4526);
        QTest::newRow("tts-1 1000 chars") << "CHAR=15" << qint64(0) << qint64(0) << "chars=1000" << false << qint64(7500);
        QTest::newRow("dall-e-3 2 × 1024x1792 hd") << "IMG[1024x1792|hd]=0.12" << qint64(0) << qint64(0)
                                                   << "images=2,size=1024x1792,quality=hd" << false << qint64(120000);
        QTest::newRow("group ratio applied") << "CHAR=15,GR=2" << qint64(0) << qint64(0) << "chars=1000" << false << qint64(15000);
        QTest::newRow("tokens plus units, rounded up") << "MR=1,CR=4,MIN=0.006" << qint64(10) << qint64(100) << "ms=1"
                                                       << false << qint64(411); // 10 + 400 + 0.05 ↑
        QTest::newRow("one millisecond reserves 1") << "MIN=0.006" << qint64(0) << qint64(0) << "ms=1" << false << qint64(1);
        QTest::newRow("unit-only model without units still reserves 1") << "MIN=0.006" << qint64(0) << qint64(0) << ""
                                                                        << false << qint64(1);
        QTest::newRow("fixed price ignores units") << "PRICE=0.04,MIN=0.006" << qint64(0) << qint64(0) << "ms=600000"
                                                   << false << qint64(20000);
        // gpt-4o-mini-tts: text out MR×CR = 0.3, audio out MR×AR×ACR = 6 per token.
        QTest::newRow("speech: audio output is dearer") << "MR=0.3,AR=20,ACR=1" << qint64(100) << qint64(1000) << ""
                                                        << true << qint64(6030); // (100 + 1000×20)×0.3
        QTest::newRow("speech: without audioOutput, text price") << "MR=0.3,AR=20,ACR=1" << qint64(100) << qint64(1000) << ""
                                                                 << false << qint64(330); // (100 + 1000)×0.3
        QTest::newRow("audioOutput keeps a dearer text price") << "MR=1,CR=4,AR=2,ACR=1" << qint64(10) << qint64(100) << ""
                                                               << true << qint64(410);
    }

    void reserveWithUnits()
    {
        QFETCH(QString, ratios);
        QFETCH(qint64, prompt);
        QFETCH(qint64, maxTokens);
        QFETCH(QString, unitSpec);
        QFETCH(bool, audioOutput);
        QFETCH(qint64, quota);
        QCOMPARE(QuotaMath::reserve(pricing(ratios), prompt, maxTokens, 4096, 1, units(unitSpec), audioOutput).quota, quota);
    }

    // X-RelayDesk-Cost-USD: quota / 500000 written exactly (six decimals always suffice), no trailing zeros.
    void toUsdText_data()
    {
        QTest::addColumn<qint64>("quota");
        QTest::addColumn<QString>("usd");
        QTest::newRow("zero") << qint64(0) << QStringLiteral("0");
        QTest::newRow("one quota") << qint64(1) << QStringLiteral("0.000002");
        QTest::newRow("150") << qint64(150) << QStringLiteral("0.0003");
        QTest::newRow("one dollar") << qint64(500000) << QStringLiteral("1");
        QTest::newRow("dollar and a quota") << qint64(500001) << QStringLiteral("1.000002");
        QTest::newRow("demo balance") << qint64(50000000) << QStringLiteral("100");
        QTest::newRow("half a dollar") << qint64(250000) << QStringLiteral("0.5");
        QTest::newRow("negative (overage)") << qint64(-150) << QStringLiteral("-0.0003");
        QTest::newRow("large") << qint64(4'000'000'000'000'000'001) << QStringLiteral("8000000000000.000002");
    }
    void toUsdText()
    {
        QFETCH(qint64, quota);
        QFETCH(QString, usd);
        QCOMPARE(QuotaMath::toUsdText(quota), usd);
        // The same number as toUsd, where a double can hold it.
        if (qAbs(quota) < (qint64(1) << 50))
            QCOMPARE(usd.toDouble(), QuotaMath::toUsd(quota));
    }

    void perCall_data()
    {
        QTest::addColumn<QString>("ratios");
        QTest::addColumn<QString>("multiplier");
        QTest::addColumn<qint64>("quota");
        // §10.1 fixed price with image count: dall-e-3 0.12 (size already included) × n.
        QTest::newRow("10.1 dall-e-3 n=3") << "PRICE=0.12" << "3" << qint64(180000);
        QTest::newRow("10.1 dall-e-3 n=2") << "PRICE=0.12" << "2" << qint64(120000);
        QTest::newRow("10.1 pre-consume fixed 0.04 × 3 × 3") << "PRICE=0.04" << "9" << qint64(180000);
        // §10.1 "pre-consume, fractional": new-api truncates 1.8 to 1. OUR rule rounds once, half away: 2.
        QTest::newRow("10.1 fractional 1.8 (ours: 2, new-api: 1)") << "PRICE=0.0000012" << "3" << qint64(2);
        QTest::newRow("tiny price → minimum 1") << "PRICE=0.0000001" << "1" << qint64(1);
        QTest::newRow("2.9#8 mj_imagine 0.1") << "PRICE=0.1" << "1" << qint64(50000);
        QTest::newRow("2.9#7 dall-e-3 hd 1792 × n2") << "PRICE=0.04" << "6" << qint64(120000);
    }

    void perCall()
    {
        QFETCH(QString, ratios);
        QFETCH(QString, multiplier);
        QFETCH(qint64, quota);
        QCOMPARE(QuotaMath::perCall(pricing(ratios), exact(multiplier)).quota, quota);
    }

    void reserve_data()
    {
        QTest::addColumn<QString>("ratios");
        QTest::addColumn<qint64>("prompt");
        QTest::addColumn<qint64>("maxTokens"); // −1 = absent
        QTest::addColumn<qint64>("defaultMax");
        QTest::addColumn<qint64>("quota");
        // §2.9#6 / §10.2: new-api reserves max(prompt, 500) × MR without CR → 625 and 1875.
        // OUR rule: (prompt + max_tokens × CR) × MR × GR, default max_tokens when absent, rounded up.
        QTest::newRow("2.9#6 gpt-4o no max_tokens (ours; new-api 625)") << "MR=1.25,CR=4" << qint64(21) << qint64(-1)
                                                                        << qint64(4096) << qint64(20507); // (21+16384)×1.25=20506.25
        QTest::newRow("2.9#6 gpt-4o max_tokens 1000 (ours; new-api 1875)") << "MR=1.25,CR=4" << qint64(21) << qint64(1000)
                                                                          << qint64(4096) << qint64(5027); // 5026.25 ↑
        // §10.1 "pre-consume, ratio": MR 15, prompt 1000, max_tokens 0 → 15000 in both rules.
        QTest::newRow("10.1 pre-consume ratio MR 15") << "MR=15" << qint64(1000) << qint64(0) << qint64(4096) << qint64(15000);
        // §10.2 realtime pre-consume 1250 = 500 × 2.5 in new-api; ours reserves a worst case (see below).
        QTest::newRow("group ratio applies") << "MR=1,CR=2,GR=0.5" << qint64(100) << qint64(100) << qint64(4096) << qint64(150);
        QTest::newRow("tiny estimate still reserves 1") << "MR=0.01" << qint64(1) << qint64(0) << qint64(4096) << qint64(1);
        QTest::newRow("free model reserves 0") << "MR=0,CR=4" << qint64(100) << qint64(100) << qint64(4096) << qint64(0);
        QTest::newRow("fixed price reserves the call price") << "PRICE=0.04" << qint64(100) << qint64(-1) << qint64(4096)
                                                             << qint64(20000);
    }

    void reserve()
    {
        QFETCH(QString, ratios);
        QFETCH(qint64, prompt);
        QFETCH(qint64, maxTokens);
        QFETCH(qint64, defaultMax);
        QFETCH(qint64, quota);
        const std::optional<qint64> max = maxTokens < 0 ? std::nullopt : std::optional<qint64>(maxTokens);
        QCOMPARE(QuotaMath::reserve(pricing(ratios), prompt, max, defaultMax).quota, quota);
    }

    // Issue 10 items 2–3: the hold scales with the number of choices, and a product beyond qint64 saturates to
    // INT64_MAX (no balance covers it: refused) instead of wrapping to a small hold.
    void reserveScalesWithChoicesAndSaturates_data()
    {
        QTest::addColumn<QString>("ratios");
        QTest::addColumn<qint64>("maxTokens");
        QTest::addColumn<qint64>("choices");
        QTest::addColumn<qint64>("quota");
        QTest::newRow("n 1") << "MR=1,CR=4" << qint64(100) << qint64(1) << qint64(10 + 400);
        QTest::newRow("n 128") << "MR=1,CR=4" << qint64(100) << qint64(128) << qint64(10 + 128 * 400);
        QTest::newRow("n 0 counts as 1") << "MR=1,CR=4" << qint64(100) << qint64(0) << qint64(10 + 400);
        QTest::newRow("2^62 × 128 saturates") << "MR=1,CR=4" << (qint64(1) << 62) << qint64(128)
                                              << std::numeric_limits<qint64>::max();
        QTest::newRow("INT64_MAX × CR saturates") << "MR=1000,CR=4" << std::numeric_limits<qint64>::max() << qint64(1)
                                                  << std::numeric_limits<qint64>::max();
    }

    void reserveScalesWithChoicesAndSaturates()
    {
        QFETCH(QString, ratios);
        QFETCH(qint64, maxTokens);
        QFETCH(qint64, choices);
        QFETCH(qint64, quota);
        QCOMPARE(QuotaMath::reserve(pricing(ratios), 10, maxTokens, 4096, choices).quota, quota);
    }

    void reserveWorstCaseUsesDearestOutput()
    {
        // gpt-realtime: text out MR×CR = 8/token, audio out MR×AR×ACR = 32/token → audio is the worst case.
        const ModelPricing p = pricing(QStringLiteral("MR=2,CR=4,CaR=0.1,AR=8,ACR=2,ACaR=0.0125"));
        const Usage input = usage(QStringLiteral("in=1000,ain=500"));
        // input: 1000×2 + 500×16 = 10000; output: 4096 × 32 = 131072
        QCOMPARE(QuotaMath::reserveWorstCase(p, input, 4096).quota, qint64(141072));
        // A text-only model's worst case is its completion price.
        QCOMPARE(QuotaMath::reserveWorstCase(pricing(QStringLiteral("MR=1,CR=4")), usage(QStringLiteral("in=10")), 10).quota,
                 qint64(50));
    }

    void rounding_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<qint64>("rounded");
        // §10.1 conversions: QuotaRound / QuotaFromDecimal rows are our rule too.
        QTest::newRow("41.5") << "41.5" << qint64(42);
        QTest::newRow("42.5") << "42.5" << qint64(43);
        QTest::newRow("-42.5") << "-42.5" << qint64(-43);
        QTest::newRow("41.7") << "41.7" << qint64(42);
        // §10.1 QuotaFromFloat truncates (42.4→42, 42.9→42, −42.9→−42); OUR single rule rounds half away.
        QTest::newRow("42.4 (trunc 42, ours 42)") << "42.4" << qint64(42);
        QTest::newRow("42.9 (trunc 42, ours 43)") << "42.9" << qint64(43);
        QTest::newRow("-42.9 (trunc -42, ours -43)") << "-42.9" << qint64(-43);
        QTest::newRow("0.4999999999") << "0.4999999999" << qint64(0);
        // §10.1 saturation: new-api clamps to int32; our quota is int64 and saturates there.
        QTest::newRow("+huge saturates") << "1e30" << std::numeric_limits<qint64>::max();
        QTest::newRow("-huge saturates") << "-1e30" << std::numeric_limits<qint64>::min();
        QTest::newRow("beyond int32 is fine") << "3000000000.5" << qint64(3000000001);
    }

    void rounding()
    {
        QFETCH(QString, value);
        QFETCH(qint64, rounded);
        QCOMPARE(QuotaMath::roundHalfAwayFromZero(exact(value)), rounded);
    }

    void cumulativeRealtimeChargesHaveNoDrift()
    {
        // §6.6 drift: three turns rounded separately sum to 3 × 1509 = 4527, but once to 4528.
        // Charging round(cumulative) − already_charged after every turn always totals the one rounding.
        const ModelPricing p = pricing(QStringLiteral("MR=0.3,CR=4,AR=16.67"));
        const Usage turn = usage(QStringLiteral("in=10,ain=100,out=5,aout=200"));
        QCOMPARE(QuotaMath::settle(p, turn).quota, qint64(1509));
        Usage cumulative;
        qint64 charged = 0;
        QList<qint64> charges;
        for (int i = 0; i < 3; ++i) {
            cumulative += turn;
            const qint64 due = QuotaMath::roundHalfAwayFromZero(QuotaMath::exactCost(p, cumulative)) - charged;
            charges << due;
            charged += due;
        }
        QCOMPARE(charges, (QList<qint64>{1509, 1510, 1509}));
        QCOMPARE(charged, qint64(4528));
    }

    void ratiosAreExactDecimals()
    {
        // 0.1 + 0.2 is exactly 0.3 (no binary floating point): 10 × 0.1 × 3 tokens summed ten times.
        QCOMPARE(exact(QStringLiteral("0.1")) + exact(QStringLiteral("0.2")), exact(QStringLiteral("0.3")));
        QVERIFY(Ratio::fromJson(QJsonValue(0.075)));
        QCOMPARE(Ratio::fromJson(QJsonValue(0.075))->exact(), mpq_class(3, 40));
        QCOMPARE(Ratio::fromJson(QJsonValue(1e-7))->exact(), mpq_class(1, 10000000));
        QCOMPARE(Ratio::fromJson(QJsonValue(16.67))->text(), QStringLiteral("16.67"));
        QCOMPARE(Ratio::fromJson(QJsonValue(16.67))->exact(), mpq_class(1667, 100));
        QCOMPARE(Ratio::fromJson(QJsonValue(16.67))->toDouble(), 16.67); // nearest double, not truncated
        QVERIFY(!Ratio::fromJson(QJsonValue(-1)));
        QVERIFY(!Ratio::fromJson(QJsonValue(QStringLiteral("1"))));
        QVERIFY(!Ratio::parse(QStringLiteral("1.2.3")));
        QVERIFY(!Ratio::parse(QStringLiteral("")));
        QVERIFY(!Ratio::parse(QStringLiteral("abc")));
        // A million tokens priced at MR 0.075 repeatedly accumulates without drift.
        mpq_class sum = 0;
        const ModelPricing p = pricing(QStringLiteral("MR=0.075,CR=4"));
        for (int i = 0; i < 1000; ++i)
            sum += QuotaMath::exactCost(p, usage(QStringLiteral("in=1000")));
        QCOMPARE(sum, mpq_class(75000));
    }

    void ratiosAreValues_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<long>("integer"); // -1: built from the text
        QTest::newRow("default zero") << QStringLiteral("0") << 0L;
        QTest::newRow("shared one") << QStringLiteral("1") << 1L;
        QTest::newRow("shared two") << QStringLiteral("2") << 2L;
        QTest::newRow("other integer") << QStringLiteral("7") << 7L;
        QTest::newRow("decimal") << QStringLiteral("0.075") << -1L;
    }

    // Ratios share their fraction: a copy, a moved-from ratio and the ratio assigned over all keep their own
    // value; the shared constants (0, 1, 2) stay what they were after copies of them are reassigned.
    void ratiosAreValues()
    {
        QFETCH(QString, text);
        QFETCH(long, integer);
        const mpq_class expected = exact(text);
        Ratio original = integer >= 0 ? Ratio::fromInteger(integer) : *Ratio::parse(text);
        QCOMPARE(original.exact(), expected);
        QCOMPARE(original.text(), text);
        Ratio copy = original;
        Ratio moved = std::move(original);
        QCOMPARE(moved.exact(), expected);
        QCOMPARE(original.exact(), expected); // NOLINT(bugprone-use-after-move): a moved-from ratio stays valid
        copy = *Ratio::parse(QStringLiteral("3.5"));
        QCOMPARE(copy.exact(), mpq_class(7, 2));
        QCOMPARE(moved.exact(), expected);
        QCOMPARE(Ratio::fromInteger(1).exact(), mpq_class(1));
        QCOMPARE(Ratio::fromInteger(2).exact(), mpq_class(2));
        QVERIFY(Ratio().isZero());
        QCOMPARE(Ratio().text(), QStringLiteral("0"));
        ModelPricing a = pricing(QStringLiteral("MR=0.075,CR=4"));
        const ModelPricing b = std::move(a);
        QCOMPARE(b.modelRatio.exact(), mpq_class(3, 40));
        QCOMPARE(a.modelRatio.exact(), mpq_class(3, 40)); // NOLINT(bugprone-use-after-move)
        QCOMPARE(b.cacheRatio.exact(), mpq_class(1));
    }

    void usageJsonText_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<qint64>("writes1h");
        QTest::newRow("none") << QString() << qint64(0);
        QTest::newRow("text") << QStringLiteral("in=1000,out=20") << qint64(0);
        QTest::newRow("every count") << QStringLiteral("in=11,ain=12,img=13,cached=4,acached=5,imgcached=6,cw=3,out=9,aout=8,reason=7")
                                     << qint64(0);
        QTest::newRow("one-hour writes") << QStringLiteral("in=100,cw=50") << qint64(20);
    }

    // The usage written as text reads back as toJson() and as the same usage; cache_write_1h only when there are
    // such writes.
    void usageJsonText()
    {
        QFETCH(QString, spec);
        QFETCH(qint64, writes1h);
        Usage u = usage(spec);
        u.cacheWrite1h = writes1h;
        for (const qint64 big : {qint64(0), std::numeric_limits<qint64>::max()}) {
            if (big)
                u.outputText = big;
            const QByteArray text = u.toJsonText();
            QJsonParseError error;
            const QJsonObject parsed = QJsonDocument::fromJson(text, &error).object();
            QVERIFY2(error.error == QJsonParseError::NoError, text.constData());
            QCOMPARE(parsed, u.toJson());
            QCOMPARE(Usage::fromJson(parsed), u);
            QCOMPARE(parsed.contains(QStringLiteral("cache_write_1h")), u.cacheWrite1h > 0);
            QCOMPARE(parsed.size(), u.cacheWrite1h > 0 ? 11 : 10);
            QCOMPARE(text.size(), QJsonDocument(parsed).toJson(QJsonDocument::Compact).size());
        }
    }

    void quotaToUsd()
    {
        QCOMPARE(QuotaMath::toUsd(500000), 1.0);
        QCOMPARE(QuotaMath::toUsd(3750), 0.0075);
    }
};

QTEST_APPLESS_MAIN(TestQuotaMath)
#include "tst_quotamath.moc"
