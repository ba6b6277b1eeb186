// PriceBook: lookup fallbacks, group ratios, whole-edit validation, new-api JSON import/export.
#include "billing/pricebook.h"
#include "billing/quotamath.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace RelayDesk::Billing;

namespace {

// JSON written with single quotes (moc in Qt 6.4 cannot parse raw string literals).
QByteArray dq(const char *text)
{
    return QByteArray(text).replace('\'', '"');
}

QJsonObject json(const char *text)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(dq(text), &err);
    if (err.error != QJsonParseError::NoError)
        qFatal("bad JSON in test: %s", qPrintable(err.errorString()));
    return doc.object();
}

PriceBookPtr book(const char *text)
{
    auto b = PriceBook::fromJson(json(text));
    if (!b)
        qFatal("book rejected: %s", qPrintable(b.error()));
    return b.value();
}

} // namespace

class TestPriceBook final : public QObject
{
    Q_OBJECT

private slots:
    void lookupFallbacks_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("match");
        QTest::addColumn<QString>("key");
        QTest::addColumn<double>("value");
        using M = PriceLookup::Match;
        QTest::newRow("exact") << "gpt-4o" << int(M::Exact) << "gpt-4o" << 1.25;
        QTest::newRow("exact wins over date stripping") << "gpt-4o-2024-05-13" << int(M::Exact) << "gpt-4o-2024-05-13" << 2.5;
        QTest::newRow("case-insensitive") << "GPT-4o" << int(M::Exact) << "gpt-4o" << 1.25;
        QTest::newRow("dashed date") << "gpt-4o-2024-08-06" << int(M::DateStripped) << "gpt-4o" << 1.25;
        QTest::newRow("dashed date realtime") << "gpt-realtime-2025-08-28" << int(M::DateStripped) << "gpt-realtime" << 2.0;
        QTest::newRow("compact date") << "claude-sonnet-4-20250514" << int(M::DateStripped) << "claude-sonnet-4" << 1.5;
        QTest::newRow("MMDD snapshot") << "gpt-4-0613" << int(M::DateStripped) << "gpt-4" << 15.0;
        QTest::newRow("prefix rule") << "gemini-2.5-flash-preview-05-20" << int(M::Prefix) << "gemini-2.5-flash*" << 0.15;
        QTest::newRow("longest prefix wins") << "gemini-2.5-flash-lite-001" << int(M::Prefix) << "gemini-2.5-flash-lite*" << 0.05;
        QTest::newRow("date stripped before prefix") << "o3-2025-04-16" << int(M::DateStripped) << "o3" << 1.0;
        QTest::newRow("catch-all star") << "totally-unknown" << int(M::Prefix) << "*" << 9.0;
    }

    void lookupFallbacks()
    {
        QFETCH(QString, model);
        QFETCH(int, match);
        QFETCH(QString, key);
        QFETCH(double, value);
        const PriceBookPtr b = book("{'ModelRatio':{'gpt-4o':1.25,'gpt-4o-2024-05-13':2.5,'gpt-realtime':2, 'claude-sonnet-4':1.5,'gpt-4':15,'gemini-2.5-flash*':0.15,'gemini-2.5-flash-lite*':0.05,'o3':1, 'o3*':99,'*':9}}");
        const PriceLookup l = b->lookup(PriceMap::ModelRatio, model);
        QCOMPARE(int(l.match), match);
        QCOMPARE(l.key, key);
        QCOMPARE(l.value.toDouble(), value);
    }

    void everyMapFallsBack()
    {
        // Audio ratios resolve for dated names too (new-api's exact-match keys miss them, §9.1#3).
        const PriceBookPtr b = book("{'ModelRatio':{'gpt-4o-realtime-preview':2.5}, 'CompletionRatio':{'gpt-4o-realtime-preview':4},'AudioRatio':{'gpt-4o-realtime*':8}, 'AudioCompletionRatio':{'gpt-4o-realtime-preview':2},'CacheRatio':{'gpt-4o-realtime-preview':0.5}, 'AudioCacheRatio':{'gpt-4o-realtime-preview':0.0625}}");
        auto p = b->pricing(QStringLiteral("gpt-4o-realtime-preview-2024-12-17"), QStringLiteral("default"), QString());
        QVERIFY2(p, qPrintable(p.error()));
        QCOMPARE(p->modelRatio.toDouble(), 2.5);
        QCOMPARE(p->completionRatio.toDouble(), 4.0);
        QCOMPARE(p->audioRatio.toDouble(), 8.0);
        QCOMPARE(p->audioCompletionRatio.toDouble(), 2.0);
        QCOMPARE(p->cacheRatio.toDouble(), 0.5);
        QCOMPARE(p->audioCacheRatio.toDouble(), 0.0625);
        QCOMPARE(p->imageRatio.toDouble(), 1.0); // missing → 1
    }

    void unknownModelIsRefused()
    {
        const PriceBookPtr b = book("{'ModelRatio':{'gpt-4o':1.25}}");
        auto p = b->pricing(QStringLiteral("mystery-model"), QStringLiteral("default"), QStringLiteral("default"));
        QVERIFY(!p);
        QVERIFY(p.error().contains(QStringLiteral("model price not configured")));
    }

    void fixedPriceAndRatioPrecedence()
    {
        const PriceBookPtr b = book("{'ModelRatio':{'dall-e-3':5,'gpt-4o':1.25},'ModelPrice':{'dall-e-3':0.04,'gpt-4o*':1}}");
        auto dalle = b->pricing(QStringLiteral("dall-e-3"), QStringLiteral("default"), QString());
        QVERIFY(dalle && dalle->fixedPrice); // tie: price wins
        QCOMPARE(QuotaMath::settle(*dalle, {}).quota, qint64(20000));
        auto gpt = b->pricing(QStringLiteral("gpt-4o"), QStringLiteral("default"), QString());
        QVERIFY(gpt && !gpt->fixedPrice); // exact ratio beats a prefix price
        auto mini = b->pricing(QStringLiteral("gpt-4o-mini"), QStringLiteral("default"), QString());
        QVERIFY(mini && mini->fixedPrice);
    }

    // pricing() keeps its answers per book: asked again — by groups, by names the fallbacks resolve, past the
    // memo's capacity — it answers exactly what a book that never answered before does, its log fields included;
    // a copy with another snapshot id prices with that id.
    void pricingAnswersAreKeptExactly()
    {
        const char *text = "{'ModelRatio':{'gpt-4o':1.25,'claude*':3},'ModelPrice':{'dall-e-3':0.04},"
                           "'CompletionRatio':{'gpt-4o':4},'GroupRatio':{'default':1,'svip':0.8},"
                           "'GroupGroupRatio':{'vip':{'default':0.9}}}";
        const PriceBookPtr asked = book(text);
        QStringList models{QStringLiteral("gpt-4o"), QStringLiteral("GPT-4o-2024-08-06"), QStringLiteral("dall-e-3"),
                           QStringLiteral("nothing")};
        for (int i = 0; i < PriceBook::kPricingMemoCapacity + 40; ++i) // past the capacity: it starts over
            models << QStringLiteral("claude-%1").arg(i);
        const QList<std::pair<QString, QString>> groups{{QStringLiteral("default"), QString()},
                                                         {QStringLiteral("vip"), QStringLiteral("default")},
                                                         {QStringLiteral("default"), QStringLiteral("svip")}};
        for (int round = 0; round < 2; ++round) {
            for (const QString &model : std::as_const(models)) {
                for (const auto &[userGroup, usingGroup] : groups) {
                    const auto kept = asked->pricing(model, userGroup, usingGroup);
                    const auto fresh = book(text)->pricing(model, userGroup, usingGroup);
                    QCOMPARE(bool(kept), bool(fresh));
                    if (!kept) {
                        QCOMPARE(kept.error(), fresh.error());
                        continue;
                    }
                    QCOMPARE(kept->model, model);
                    QCOMPARE(kept->toJson(), fresh->toJson());
                    Usage u;
                    u.inputText = 1000;
                    u.outputText = 500;
                    QCOMPARE(QuotaMath::settle(*kept, u).quota, QuotaMath::settle(*fresh, u).quota);
                }
            }
        }
        const auto copy = asked->withSnapshotId(42)->pricing(QStringLiteral("gpt-4o"), QStringLiteral("default"), {});
        QVERIFY(copy);
        QCOMPARE(copy->snapshotId, qint64(42));
        QCOMPARE(copy->toJson().value(QStringLiteral("price_snapshot_id")).toInteger(), 42);
    }

    void groupRatios()
    {
        // §2.9#5: GroupRatio {"default":1}, GroupGroupRatio {"vip":{"default":0.9}}.
        const PriceBookPtr b = book("{'ModelRatio':{'gpt-4o':1.25},'CompletionRatio':{'gpt-4o':4}, 'GroupRatio':{'default':1,'svip':0.8},'GroupGroupRatio':{'vip':{'default':0.9}}}");
        bool overridden = false;
        QCOMPARE(b->groupRatio(QStringLiteral("vip"), QStringLiteral("default"), &overridden).toDouble(), 0.9);
        QVERIFY(overridden);
        QCOMPARE(b->groupRatio(QStringLiteral("default"), QStringLiteral("svip"), &overridden).toDouble(), 0.8);
        QVERIFY(!overridden);
        QCOMPARE(b->groupRatio(QStringLiteral("default"), QStringLiteral("nobody"), &overridden).toDouble(), 1.0);
        auto p = b->pricing(QStringLiteral("gpt-4o"), QStringLiteral("vip"), QStringLiteral("default"));
        QVERIFY(p);
        Usage u;
        u.inputText = 1000;
        u.outputText = 500;
        QCOMPARE(QuotaMath::settle(*p, u).quota, qint64(3375));
        const QJsonObject logged = p->toJson();
        QCOMPARE(logged.value(QStringLiteral("group_ratio")).toDouble(), 0.9);
        QCOMPARE(logged.value(QStringLiteral("user_group_ratio")).toDouble(), 0.9);
        QCOMPARE(logged.value(QStringLiteral("model_price")).toDouble(), -1.0);
    }

    void malformedEditsAreRejectedWhole_data()
    {
        QTest::addColumn<QByteArray>("edit");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("negative") << dq("{'ModelRatio':{'a':1,'b':-1}}") << "ModelRatio[\"b\"]";
        QTest::newRow("string value") << dq("{'CompletionRatio':{'a':'4'}}") << "number";
        QTest::newRow("null value") << dq("{'CacheRatio':{'a':null}}") << "number";
        QTest::newRow("unknown key") << dq("{'ModelRatio':{'a':1},'ModelRatios':{}}") << "unknown pricing key";
        QTest::newRow("map not an object") << dq("{'AudioRatio':[1,2]}") << "AudioRatio";
        QTest::newRow("bad string map") << dq("{'ModelRatio':'{not json'}") << "ModelRatio";
        QTest::newRow("case duplicate") << dq("{'ModelRatio':{'GPT-4o':1,'gpt-4o':2}}") << "duplicate";
        QTest::newRow("empty key") << dq("{'ModelRatio':{'':1}}") << "empty key";
        QTest::newRow("nested group not object") << dq("{'GroupGroupRatio':{'vip':0.9}}") << "GroupGroupRatio";
        QTest::newRow("negative group") << dq("{'GroupRatio':{'vip':-0.5}}") << "GroupRatio";
    }

    void malformedEditsAreRejectedWhole()
    {
        QFETCH(QByteArray, edit);
        QFETCH(QString, mentions);
        const PriceBookPtr before = book("{'ModelRatio':{'a':1,'gpt-4o':1.25}}");
        auto after = before->withEdit(QJsonDocument::fromJson(edit).object());
        QVERIFY(!after);
        QVERIFY2(after.error().contains(mentions), qPrintable(after.error()));
        QCOMPARE(before->lookup(PriceMap::ModelRatio, QStringLiteral("gpt-4o")).value.toDouble(), 1.25);
    }

    void editReplacesOnlyGivenMaps()
    {
        const PriceBookPtr b = book("{'ModelRatio':{'a':1},'CompletionRatio':{'a':4}}");
        auto edited = b->withEdit(json("{'ModelRatio':{'b':2}}"));
        QVERIFY(edited);
        QVERIFY(!edited.value()->lookup(PriceMap::ModelRatio, QStringLiteral("a")).found()); // map replaced
        QCOMPARE(edited.value()->lookup(PriceMap::ModelRatio, QStringLiteral("b")).value.toDouble(), 2.0);
        QCOMPARE(edited.value()->lookup(PriceMap::CompletionRatio, QStringLiteral("a")).value.toDouble(), 4.0); // kept
    }

    void newApiJsonRoundTrip()
    {
        // new-api stores each option as a JSON string; its option list has {"data":[{key,value}]}.
        QJsonObject asStrings;
        asStrings.insert(QStringLiteral("ModelRatio"), QString::fromUtf8(dq("{'gpt-4o':1.25,'claude-*':1.5}")));
        asStrings.insert(QStringLiteral("CompletionRatio"), QString::fromUtf8(dq("{'gpt-4o':4}")));
        asStrings.insert(QStringLiteral("GroupRatio"), QString::fromUtf8(dq("{'default':1,'vip':0.8}")));
        asStrings.insert(QStringLiteral("GroupGroupRatio"), QString::fromUtf8(dq("{'vip':{'edit_this':0.9}}")));
        asStrings.insert(QStringLiteral("_dates"), json("{'gpt-4o':'2025-11-01'}"));
        auto b = PriceBook::fromJson(asStrings);
        QVERIFY2(b, qPrintable(b.error()));
        const QJsonObject exported = b.value()->toJson();
        for (const char *key : {"ModelRatio", "CompletionRatio", "CacheRatio", "CreateCacheRatio", "ImageRatio",
                                "AudioRatio", "AudioCompletionRatio", "AudioCacheRatio", "ModelPrice", "GroupRatio",
                                "GroupGroupRatio"})
            QVERIFY2(exported.value(QLatin1String(key)).isObject(), key);
        QVERIFY(!exported.contains(QStringLiteral("_dates")));
        QCOMPARE(exported.value(QStringLiteral("ModelRatio")).toObject().value(QStringLiteral("claude-*")).toDouble(), 1.5);
        QCOMPARE(exported.value(QStringLiteral("GroupGroupRatio")).toObject().value(QStringLiteral("vip")).toObject()
                     .value(QStringLiteral("edit_this")).toDouble(), 0.9);
        auto again = PriceBook::fromJson(exported);
        QVERIFY(again);
        QCOMPARE(again.value()->toJson(), exported);

        QJsonArray rows;
        rows.append(QJsonObject{{QStringLiteral("key"), QStringLiteral("ModelRatio")},
                                {QStringLiteral("value"), QString::fromUtf8(dq("{'x':3}"))}});
        rows.append(QJsonObject{{QStringLiteral("key"), QStringLiteral("SomethingElse")}, {QStringLiteral("value"), QStringLiteral("1")}});
        const QJsonObject optionList{{QStringLiteral("data"), rows}, {QStringLiteral("success"), true}};
        auto fromList = PriceBook::fromJson(optionList);
        QVERIFY2(fromList, qPrintable(fromList.error()));
        QCOMPARE(fromList.value()->lookup(PriceMap::ModelRatio, QStringLiteral("x")).value.toDouble(), 3.0);
    }

    // ---- unit prices: MinutePrice, CharacterPrice, ImagePrice ----------------------------------------

    void unitPricesParse()
    {
        const PriceBookPtr b = book("{'MinutePrice':{'whisper-1':0.006,'_comment':'USD per minute'},"
                                    "'CharacterPrice':{'tts-1':15,'tts-1-hd':30},"
                                    "'ImagePrice':{'dall-e-3':{'1024x1024|standard':0.04,'1024x1792|hd':0.12,'default':0.04},"
                                    "'dall-e-2':{'256x256':0.016,'1024x1024':0.02,'_note':'x'}}}");
        auto whisper = b->pricing(QStringLiteral("whisper-1"), QStringLiteral("default"), QString());
        QVERIFY2(whisper, qPrintable(whisper.error()));
        QVERIFY(whisper->minutePrice && !whisper->characterPrice && whisper->imagePrices.isEmpty());
        QCOMPARE(whisper->minutePrice->text(), QStringLiteral("0.006"));
        auto hd = b->pricing(QStringLiteral("tts-1-hd"), QStringLiteral("default"), QString());
        QVERIFY(hd && hd->characterPrice);
        QCOMPARE(hd->characterPrice->toDouble(), 30.0);
        auto dalle3 = b->pricing(QStringLiteral("dall-e-3"), QStringLiteral("default"), QString());
        QVERIFY(dalle3);
        QCOMPARE(dalle3->imagePrices.size(), 3);
        QCOMPARE(dalle3->imagePrice(QStringLiteral("1024x1792"), QStringLiteral("HD"))->toDouble(), 0.12);
        QCOMPARE(dalle3->imagePrice(QStringLiteral("1792x1024"), QStringLiteral("hd"))->toDouble(), 0.04); // default
        auto dalle2 = b->pricing(QStringLiteral("dall-e-2"), QStringLiteral("default"), QString());
        QVERIFY(dalle2);
        QCOMPARE(dalle2->imagePrices.size(), 2); // "_note" ignored
        QCOMPARE(dalle2->imagePrice(QStringLiteral("256x256"), QStringLiteral("standard"))->toDouble(), 0.016);
        QVERIFY(!dalle2->imagePrice(QStringLiteral("512x512"), QString())); // no such size, no default
        QCOMPARE(b->models(), (QStringList{QStringLiteral("dall-e-2"), QStringLiteral("dall-e-3"),
                                           QStringLiteral("tts-1"), QStringLiteral("tts-1-hd"), QStringLiteral("whisper-1")}));
    }

    void unitOnlyModelIsPriced_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<qint64>("audioMs");
        QTest::addColumn<qint64>("characters");
        QTest::addColumn<qint64>("images");
        QTest::addColumn<qint64>("quota");
        QTest::newRow("whisper 60 s") << "whisper-1" << qint64(60000) << qint64(0) << qint64(0) << qint64(3000);
        QTest::newRow("tts-1 1M chars") << "tts-1" << qint64(0) << qint64(1000000) << qint64(0) << qint64(7500000);
        QTest::newRow("dall-e-2 default image") << "dall-e-2" << qint64(0) << qint64(0) << qint64(1) << qint64(10000);
    }

    void unitOnlyModelIsPriced()
    {
        // No ModelRatio and no ModelPrice: priced (not "model price not configured"), tokens free, units priced.
        QFETCH(QString, model);
        QFETCH(qint64, audioMs);
        QFETCH(qint64, characters);
        QFETCH(qint64, images);
        QFETCH(qint64, quota);
        const PriceBookPtr b = book("{'ModelRatio':{'gpt-4o':1.25},'MinutePrice':{'whisper-1':0.006},"
                                    "'CharacterPrice':{'tts-1':15},'ImagePrice':{'dall-e-2':{'default':0.02}}}");
        auto p = b->pricing(model, QStringLiteral("default"), QString());
        QVERIFY2(p, qPrintable(p.error()));
        QVERIFY(!p->fixedPrice);
        QVERIFY(p->modelRatio.isZero());
        QVERIFY(p->hasUnitPrices());
        QVERIFY(QuotaMath::isPriced(*p));
        Usage tokens;
        tokens.inputText = 1000;
        tokens.outputAudio = 500;
        QCOMPARE(sgn(QuotaMath::exactCost(*p, tokens)), 0);
        Units units;
        units.audioMs = audioMs;
        units.characters = characters;
        units.images = images;
        QCOMPARE(QuotaMath::settle(*p, tokens, {}, units).quota, quota);
        // A ratio-priced model of the same book gets no unit prices.
        auto gpt = b->pricing(QStringLiteral("gpt-4o"), QStringLiteral("default"), QString());
        QVERIFY(gpt && !gpt->hasUnitPrices());
    }

    void unitPriceFallbacks_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("match");
        QTest::addColumn<QString>("key");
        QTest::addColumn<double>("characterPrice");
        QTest::addColumn<double>("imagePrice");
        using M = PriceLookup::Match;
        QTest::newRow("exact") << "tts-1" << int(M::Exact) << "tts-1" << 15.0 << 0.02;
        QTest::newRow("case-insensitive") << "TTS-1-HD" << int(M::Exact) << "tts-1-hd" << 30.0 << 0.02;
        QTest::newRow("MMDD snapshot") << "tts-1-hd-1106" << int(M::DateStripped) << "tts-1-hd" << 30.0 << 0.02;
        QTest::newRow("dashed date") << "tts-1-2025-03-20" << int(M::DateStripped) << "tts-1" << 15.0 << 0.02;
        QTest::newRow("longest prefix") << "tts-2-mini-x" << int(M::Prefix) << "tts-2-mini*" << 1.0 << 0.02;
        QTest::newRow("shorter prefix") << "tts-2-x" << int(M::Prefix) << "tts-2*" << 5.0 << 0.02;
        QTest::newRow("none") << "gpt-4o" << int(M::None) << "" << -1.0 << -1.0;
    }

    void unitPriceFallbacks()
    {
        // MinutePrice, CharacterPrice and ImagePrice use the same fallback as the ratio maps.
        QFETCH(QString, model);
        QFETCH(int, match);
        QFETCH(QString, key);
        QFETCH(double, characterPrice);
        QFETCH(double, imagePrice);
        const PriceBookPtr b = book("{'ModelRatio':{'gpt-4o':1.25},"
                                    "'CharacterPrice':{'tts-1':15,'tts-1-hd':30,'tts-2*':5,'tts-2-mini*':1},"
                                    "'MinutePrice':{'tts-1':0.5,'tts-1-hd':0.5,'tts-2*':0.5,'tts-2-mini*':0.5},"
                                    "'ImagePrice':{'tts-1':{'default':0.02},'tts-1-hd':{'default':0.02},"
                                    "'tts-2*':{'default':0.02},'tts-2-mini*':{'default':0.02}}}");
        const PriceLookup l = b->lookup(UnitPriceMap::CharacterPrice, model);
        QCOMPARE(int(l.match), match);
        QCOMPARE(l.key, key);
        QCOMPARE(int(b->lookup(UnitPriceMap::MinutePrice, model).match), match);
        const ImagePriceLookup images = b->imagePrices(model);
        QCOMPARE(int(images.match), match);
        QCOMPARE(images.key, key);
        auto p = b->pricing(model, QStringLiteral("default"), QString());
        QVERIFY(p);
        if (characterPrice < 0) {
            QVERIFY(!p->hasUnitPrices());
            return;
        }
        QCOMPARE(p->characterPrice->toDouble(), characterPrice);
        QCOMPARE(p->minutePrice->toDouble(), 0.5);
        QCOMPARE(p->imagePrice(QString(), QString())->toDouble(), imagePrice);
    }

    void unitPricesRejected_data()
    {
        QTest::addColumn<QByteArray>("edit");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("negative minute") << dq("{'MinutePrice':{'whisper-1':-0.006}}") << "MinutePrice[\"whisper-1\"]: value must be finite and not negative";
        QTest::newRow("string minute") << dq("{'MinutePrice':{'whisper-1':'0.006'}}") << "MinutePrice[\"whisper-1\"]: value must be a number";
        QTest::newRow("null character") << dq("{'CharacterPrice':{'tts-1':null}}") << "CharacterPrice[\"tts-1\"]: value must be a number";
        QTest::newRow("negative character") << dq("{'CharacterPrice':{'tts-1':-15}}") << "CharacterPrice[\"tts-1\"]";
        QTest::newRow("character map not object") << dq("{'CharacterPrice':[15]}") << "CharacterPrice must be a JSON object";
        QTest::newRow("minute map bad string") << dq("{'MinutePrice':'{oops'}") << "MinutePrice: the string is not a JSON object";
        QTest::newRow("duplicate minute key") << dq("{'MinutePrice':{'Whisper-1':1,'whisper-1':2}}") << "duplicate";
        QTest::newRow("empty key") << dq("{'CharacterPrice':{'':1}}") << "CharacterPrice[\"\"]: empty key";
        QTest::newRow("image map not object") << dq("{'ImagePrice':3}") << "ImagePrice must be a JSON object";
        QTest::newRow("image table not object") << dq("{'ImagePrice':{'dall-e-3':0.04}}") << "ImagePrice[\"dall-e-3\"] must be a JSON object";
        QTest::newRow("negative image") << dq("{'ImagePrice':{'dall-e-3':{'1024x1024|hd':-1}}}") << "ImagePrice[\"dall-e-3\"][\"1024x1024|hd\"]: value must be finite";
        QTest::newRow("string image price") << dq("{'ImagePrice':{'dall-e-3':{'default':'0.04'}}}") << "ImagePrice[\"dall-e-3\"][\"default\"]: value must be a number";
        QTest::newRow("size not WxH") << dq("{'ImagePrice':{'dall-e-3':{'1024':0.04}}}") << "size \"1024\" is not WIDTHxHEIGHT";
        QTest::newRow("size zero") << dq("{'ImagePrice':{'dall-e-3':{'0x1024':0.04}}}") << "is not WIDTHxHEIGHT";
        QTest::newRow("size words") << dq("{'ImagePrice':{'dall-e-3':{'large|hd':0.04}}}") << "size \"large\"";
        QTest::newRow("quality not a word") << dq("{'ImagePrice':{'dall-e-3':{'1024x1024|h d':0.04}}}") << "quality \"h d\" is not a lower-case word";
        QTest::newRow("quality upper case") << dq("{'ImagePrice':{'dall-e-3':{'1024x1024|HD':0.04}}}") << "in lower case";
        QTest::newRow("size upper case") << dq("{'ImagePrice':{'dall-e-3':{'1024X1024':0.04}}}") << "in lower case";
        QTest::newRow("quality without size") << dq("{'ImagePrice':{'dall-e-3':{'|hd':0.04}}}") << "needs a size";
        QTest::newRow("empty quality") << dq("{'ImagePrice':{'dall-e-3':{'1024x1024|':0.04}}}") << "key must be";
        QTest::newRow("two bars") << dq("{'ImagePrice':{'dall-e-3':{'1024x1024|hd|x':0.04}}}") << "quality \"hd|x\"";
        QTest::newRow("duplicate image model") << dq("{'ImagePrice':{'DALL-E-3':{},'dall-e-3':{}}}") << "duplicate";
        QTest::newRow("unknown key") << dq("{'ImagePrices':{}}") << "unknown pricing key 'ImagePrices'";
    }

    void unitPricesRejected()
    {
        QFETCH(QByteArray, edit);
        QFETCH(QString, mentions);
        const PriceBookPtr before = book("{'ModelRatio':{'a':1},'MinutePrice':{'whisper-1':0.006}}");
        auto after = before->withEdit(QJsonDocument::fromJson(edit).object());
        QVERIFY(!after);
        QVERIFY2(after.error().contains(mentions), qPrintable(after.error()));
        QCOMPARE(before->lookup(UnitPriceMap::MinutePrice, QStringLiteral("whisper-1")).value.toDouble(), 0.006);
    }

    void imageTableIsBounded()
    {
        QJsonObject table;
        for (int i = 1; i <= 101; ++i)
            table.insert(QStringLiteral("%1x%1").arg(i), 0.01);
        auto b = PriceBook::fromJson({{QStringLiteral("ImagePrice"), QJsonObject{{QStringLiteral("m"), table}}}});
        QVERIFY(!b);
        QVERIFY2(b.error().contains(QStringLiteral("more than 100 prices")), qPrintable(b.error()));
    }

    void imagePriceKey_data()
    {
        QTest::addColumn<QString>("size");
        QTest::addColumn<QString>("quality");
        QTest::addColumn<QString>("key"); // empty: refused
        QTest::newRow("size and quality") << "1024x1792" << "hd" << "1024x1792|hd";
        QTest::newRow("normalised") << " 1024X1024 " << "Standard" << "1024x1024|standard";
        QTest::newRow("size only") << "256x256" << "" << "256x256";
        QTest::newRow("neither") << "" << "" << "default";
        QTest::newRow("quality only") << "" << "hd" << "";
        QTest::newRow("bad size") << "auto" << "" << "";
        QTest::newRow("too wide") << "100000x1" << "" << "";
        QTest::newRow("bad quality") << "1024x1024" << "ultra-hd" << "";
    }

    void imagePriceKey()
    {
        QFETCH(QString, size);
        QFETCH(QString, quality);
        QFETCH(QString, key);
        const auto made = PriceBook::imagePriceKey(size, quality);
        QCOMPARE(bool(made), !key.isEmpty());
        if (made)
            QCOMPARE(*made, key);
    }

    void unitPricesRoundTripAndEdit()
    {
        // Stored as new-api stores options (JSON strings), and in the option list shape.
        QJsonObject asStrings;
        asStrings.insert(QStringLiteral("MinutePrice"), QString::fromUtf8(dq("{'whisper-1':0.006}")));
        asStrings.insert(QStringLiteral("CharacterPrice"), QString::fromUtf8(dq("{'tts-1':15,'tts-1-hd':30}")));
        asStrings.insert(QStringLiteral("ImagePrice"), QString::fromUtf8(dq("{'dall-e-3':{'1024x1024|standard':0.04,'1024x1024|hd':0.08},'dall-e-2':{'512x512':0.018}}")));
        auto b = PriceBook::fromJson(asStrings);
        QVERIFY2(b, qPrintable(b.error()));
        const QJsonObject exported = b.value()->toJson();
        QCOMPARE(exported.value(QStringLiteral("MinutePrice")).toObject(), json("{'whisper-1':0.006}"));
        QCOMPARE(exported.value(QStringLiteral("CharacterPrice")).toObject(), json("{'tts-1':15,'tts-1-hd':30}"));
        QCOMPARE(exported.value(QStringLiteral("ImagePrice")).toObject(),
                 json("{'dall-e-3':{'1024x1024|standard':0.04,'1024x1024|hd':0.08},'dall-e-2':{'512x512':0.018}}"));
        auto again = PriceBook::fromJson(exported);
        QVERIFY(again);
        QCOMPARE(again.value()->toJson(), exported);

        QJsonArray rows;
        for (const char *key : {"MinutePrice", "CharacterPrice", "ImagePrice"})
            rows.append(QJsonObject{{QStringLiteral("key"), QLatin1String(key)},
                                    {QStringLiteral("value"), QString::fromUtf8(QJsonDocument(exported.value(QLatin1String(key)).toObject()).toJson())}});
        auto fromList = PriceBook::fromJson(QJsonObject{{QStringLiteral("data"), rows}});
        QVERIFY2(fromList, qPrintable(fromList.error()));
        QCOMPARE(fromList.value()->toJson().value(QStringLiteral("ImagePrice")), exported.value(QStringLiteral("ImagePrice")));
        QCOMPARE(fromList.value()->lookup(UnitPriceMap::MinutePrice, QStringLiteral("whisper-1")).value.text(), QStringLiteral("0.006"));

        // withEdit replaces each map named, keeps the others.
        auto edited = b.value()->withEdit(json("{'ImagePrice':{'dall-e-2':{'256x256':0.016}},'CharacterPrice':{}}"));
        QVERIFY2(edited, qPrintable(edited.error()));
        QVERIFY(!edited.value()->imagePrices(QStringLiteral("dall-e-3")).found());
        QCOMPARE(edited.value()->imagePrices(QStringLiteral("dall-e-2")).prices.value(QStringLiteral("256x256")).toDouble(), 0.016);
        QVERIFY(!edited.value()->imagePrices(QStringLiteral("dall-e-2")).prices.contains(QStringLiteral("512x512")));
        QVERIFY(edited.value()->entries(UnitPriceMap::CharacterPrice).isEmpty());
        QCOMPARE(edited.value()->lookup(UnitPriceMap::MinutePrice, QStringLiteral("whisper-1")).value.toDouble(), 0.006);
        QVERIFY(!edited.value()->pricing(QStringLiteral("tts-1"), QStringLiteral("default"), QString()));
    }

    void pricingKeys()
    {
        for (const char *key : {"ModelRatio", "ModelPrice", "MinutePrice", "CharacterPrice", "ImagePrice", "GroupRatio",
                                "GroupGroupRatio", "ToolCallPrice"})
            QVERIFY2(isPriceBookKey(QLatin1String(key)), key);
        for (const char *key : {"ImagePrices", "SomethingElse", "_dates", "minuteprice"})
            QVERIFY2(!isPriceBookKey(QLatin1String(key)), key);
    }

    void dateSuffixes_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("stripped");
        QTest::newRow("-2024-12-17") << "gpt-4o-realtime-preview-2024-12-17" << "gpt-4o-realtime-preview";
        QTest::newRow("-20241022") << "claude-3-5-sonnet-20241022" << "claude-3-5-sonnet";
        QTest::newRow("-2025-08-28") << "gpt-realtime-2025-08-28" << "gpt-realtime";
        QTest::newRow("-0125") << "gpt-3.5-turbo-0125" << "gpt-3.5-turbo";
        QTest::newRow("no date") << "gpt-4o-mini" << "gpt-4o-mini";
        QTest::newRow("version, not a date") << "gemini-2.0-flash-001" << "gemini-2.0-flash-001";
        QTest::newRow("4 digits that are no MMDD") << "model-9999" << "model-9999";
    }

    void dateSuffixes()
    {
        QFETCH(QString, name);
        QFETCH(QString, stripped);
        QCOMPARE(PriceBook::stripDateSuffix(name), stripped);
    }
};

QTEST_APPLESS_MAIN(TestPriceBook)
#include "tst_pricebook.moc"
