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
