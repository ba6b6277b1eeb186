// PricingService: seeding from the default table, persistence, atomic swaps, rejected edits, snapshots;
// and the default price table's conversions back to OpenAI list prices.
#include "tempdatabase.h"

#include "billing/pricingservice.h"
#include "billing/quotamath.h"
#include "store/optionrepository.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QThread>
#include <QtTest>

#include <atomic>

using namespace RelayDesk;
using namespace RelayDesk::Billing;

namespace {

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text).replace('\'', '"')).object();
}

// US$ per 1M tokens of one kind of usage, through the real QuotaMath.
double usdPerMillion(const ModelPricing &p, Usage u)
{
    return QuotaMath::toUsd(QuotaMath::settle(p, u).quota);
}

} // namespace

class TestPricingService final : public QObject
{
    Q_OBJECT

private slots:
    void freshDatabaseIsSeededFromDefaults()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        PricingService service(t.db());
        QSignalSpy changed(&service, &PricingService::pricesChanged);
        QVERIFY(service.load());
        QCOMPARE(changed.count(), 1);
        const PriceBookPtr book = service.current();
        QVERIFY(book->snapshotId() > 0);
        QVERIFY(book->models().size() >= 40);
        QVERIFY(Store::OptionRepository(t.db()).value(QStringLiteral("ModelRatio")));
        QCOMPARE(service.exportJson(), PriceBook::fromJson(PricingService::defaultPrices()).value()->toJson());
    }

    void defaultTableIsDated()
    {
        const QJsonObject defaults = PricingService::defaultPrices();
        const QJsonObject dates = defaults.value(QStringLiteral("_dates")).toObject();
        QVERIFY(!dates.isEmpty());
        for (const char *map : {"ModelRatio", "ModelPrice", "MinutePrice", "CharacterPrice", "ImagePrice"}) {
            const QJsonObject m = defaults.value(QLatin1String(map)).toObject();
            for (auto it = m.begin(); it != m.end(); ++it)
                QVERIFY2(QDate::fromString(dates.value(it.key()).toString(), Qt::ISODate).isValid(), qPrintable(it.key()));
        }
    }

    void defaultTableMatchesListPrices_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<double>("textIn");
        QTest::addColumn<double>("cachedIn");
        QTest::addColumn<double>("textOut");
        QTest::addColumn<double>("audioIn");      // −1: not an audio model
        QTest::addColumn<double>("cachedAudioIn");
        QTest::addColumn<double>("audioOut");
        QTest::newRow("gpt-realtime") << "gpt-realtime" << 4.0 << 0.4 << 16.0 << 32.0 << 0.4 << 64.0;
        QTest::newRow("gpt-realtime dated") << "gpt-realtime-2025-08-28" << 4.0 << 0.4 << 16.0 << 32.0 << 0.4 << 64.0;
        QTest::newRow("gpt-realtime-mini") << "gpt-realtime-mini" << 0.6 << 0.06 << 2.4 << 10.0 << 0.3 << 20.0;
        QTest::newRow("gpt-4o-realtime-preview") << "gpt-4o-realtime-preview-2024-12-17" << 5.0 << 2.5 << 20.0 << 40.0 << 2.5 << 80.0;
        QTest::newRow("gpt-4o-mini-realtime-preview") << "gpt-4o-mini-realtime-preview" << 0.6 << 0.3 << 2.4 << 10.0 << 0.3 << 20.0;
        QTest::newRow("gpt-4o") << "gpt-4o-2024-11-20" << 2.5 << 1.25 << 10.0 << -1.0 << -1.0 << -1.0;
        QTest::newRow("gpt-4o-mini") << "gpt-4o-mini" << 0.15 << 0.075 << 0.6 << -1.0 << -1.0 << -1.0;
        QTest::newRow("gpt-4.1") << "gpt-4.1" << 2.0 << 0.5 << 8.0 << -1.0 << -1.0 << -1.0;
        QTest::newRow("gpt-4.1-mini") << "gpt-4.1-mini-2025-04-14" << 0.4 << 0.1 << 1.6 << -1.0 << -1.0 << -1.0;
        QTest::newRow("gpt-4.1-nano") << "gpt-4.1-nano" << 0.1 << 0.025 << 0.4 << -1.0 << -1.0 << -1.0;
        QTest::newRow("o3") << "o3" << 2.0 << 0.5 << 8.0 << -1.0 << -1.0 << -1.0;
        QTest::newRow("o4-mini") << "o4-mini" << 1.1 << 0.275 << 4.4 << -1.0 << -1.0 << -1.0;
        QTest::newRow("o1") << "o1-2024-12-17" << 15.0 << 7.5 << 60.0 << -1.0 << -1.0 << -1.0;
        QTest::newRow("gpt-5") << "gpt-5-2025-08-07" << 1.25 << 0.125 << 10.0 << -1.0 << -1.0 << -1.0;
        QTest::newRow("gpt-5-mini") << "gpt-5-mini" << 0.25 << 0.025 << 2.0 << -1.0 << -1.0 << -1.0;
        QTest::newRow("gpt-5-nano") << "gpt-5-nano" << 0.05 << 0.005 << 0.4 << -1.0 << -1.0 << -1.0;
        QTest::newRow("claude-sonnet-4 dated") << "claude-sonnet-4-20250514" << 3.0 << 0.3 << 15.0 << -1.0 << -1.0 << -1.0;
        QTest::newRow("text-embedding-3-small") << "text-embedding-3-small" << 0.02 << 0.02 << 0.02 << -1.0 << -1.0 << -1.0;
    }

    void defaultTableMatchesListPrices()
    {
        QFETCH(QString, model);
        QFETCH(double, textIn);
        QFETCH(double, cachedIn);
        QFETCH(double, textOut);
        QFETCH(double, audioIn);
        QFETCH(double, cachedAudioIn);
        QFETCH(double, audioOut);
        const auto book = PriceBook::fromJson(PricingService::defaultPrices());
        QVERIFY2(book, qPrintable(book.error()));
        const auto p = book.value()->pricing(model, QStringLiteral("default"), QStringLiteral("default"));
        QVERIFY2(p, qPrintable(p.error()));
        constexpr qint64 M = 1'000'000;
        Usage u;
        u.inputText = M;
        QCOMPARE(usdPerMillion(*p, u), textIn);
        u.cachedText = M;
        QCOMPARE(usdPerMillion(*p, u), cachedIn);
        u = {};
        u.outputText = M;
        QCOMPARE(usdPerMillion(*p, u), textOut);
        if (audioIn < 0)
            return;
        u = {};
        u.inputAudio = M;
        QCOMPARE(usdPerMillion(*p, u), audioIn);
        u.cachedAudio = M;
        QCOMPARE(usdPerMillion(*p, u), cachedAudioIn);
        u = {};
        u.outputAudio = M;
        QCOMPARE(usdPerMillion(*p, u), audioOut);
    }

    // Every Claude model back to Anthropic's list prices (US$ per 1M): input, cache hits, 5-minute and 1-hour cache
    // writes, output — each priced alone, as Anthropic's additive usage reaches QuotaMath. Dated snapshot names
    // fall back to their undated entry.
    void defaultClaudePrices_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<double>("input");
        QTest::addColumn<double>("cacheRead");
        QTest::addColumn<double>("write5m");
        QTest::addColumn<double>("write1h");
        QTest::addColumn<double>("output");
        QTest::newRow("claude-opus-4-5") << "claude-opus-4-5" << 5.0 << 0.5 << 6.25 << 10.0 << 25.0;
        QTest::newRow("claude-opus-4-5 dated") << "claude-opus-4-5-20251101" << 5.0 << 0.5 << 6.25 << 10.0 << 25.0;
        QTest::newRow("claude-opus-4-1") << "claude-opus-4-1" << 15.0 << 1.5 << 18.75 << 30.0 << 75.0;
        QTest::newRow("claude-opus-4") << "claude-opus-4-20250514" << 15.0 << 1.5 << 18.75 << 30.0 << 75.0;
        QTest::newRow("claude-sonnet-4-5") << "claude-sonnet-4-5-20250929" << 3.0 << 0.3 << 3.75 << 6.0 << 15.0;
        QTest::newRow("claude-sonnet-4") << "claude-sonnet-4" << 3.0 << 0.3 << 3.75 << 6.0 << 15.0;
        QTest::newRow("claude-haiku-4-5") << "claude-haiku-4-5-20251001" << 1.0 << 0.1 << 1.25 << 2.0 << 5.0;
        QTest::newRow("claude-3-7-sonnet") << "claude-3-7-sonnet-20250219" << 3.0 << 0.3 << 3.75 << 6.0 << 15.0;
        QTest::newRow("claude-3-5-haiku") << "claude-3-5-haiku-20241022" << 0.8 << 0.08 << 1.0 << 1.6 << 4.0;
        QTest::newRow("claude-3-haiku") << "claude-3-haiku-20240307" << 0.25 << 0.03 << 0.3 << 0.5 << 1.25;
        QTest::newRow("claude-3-5-sonnet") << "claude-3-5-sonnet" << 3.0 << 0.3 << 3.75 << 6.0 << 15.0;
        QTest::newRow("claude-3-opus") << "claude-3-opus" << 15.0 << 1.5 << 18.75 << 30.0 << 75.0;
    }

    void defaultClaudePrices()
    {
        QFETCH(QString, model);
        QFETCH(double, input);
        QFETCH(double, cacheRead);
        QFETCH(double, write5m);
        QFETCH(double, write1h);
        QFETCH(double, output);
        const auto book = PriceBook::fromJson(PricingService::defaultPrices());
        QVERIFY2(book, qPrintable(book.error()));
        const auto p = book.value()->pricing(model, QStringLiteral("default"), QStringLiteral("default"));
        QVERIFY2(p, qPrintable(p.error()));
        QVERIFY(!p->fixedPrice);
        constexpr qint64 M = 1'000'000;
        Usage u; // Usage keeps OpenAI's subsets: reads and writes are parts of inputText
        u.inputText = M;
        QCOMPARE(usdPerMillion(*p, u), input);
        u.cachedText = M;
        QCOMPARE(usdPerMillion(*p, u), cacheRead);
        u = {};
        u.inputText = u.cacheWrite = M;
        QCOMPARE(usdPerMillion(*p, u), write5m);
        u.cacheWrite1h = M;
        QCOMPARE(usdPerMillion(*p, u), write1h);
        u = {};
        u.outputText = M;
        QCOMPARE(usdPerMillion(*p, u), output);
        // The 1-hour ratio is written out, not left to ModelPricing's default, and the entry is dated.
        const QJsonObject defaults = PricingService::defaultPrices();
        const QString key = PriceBook::stripDateSuffix(model);
        QVERIFY(defaults.value(QStringLiteral("CreateCacheRatio1h")).toObject().contains(key));
        QVERIFY(QDate::fromString(defaults.value(QStringLiteral("_dates")).toObject().value(key).toString(), Qt::ISODate).isValid());
    }

    void defaultTokenPrices_data()
    {
        // The audio and image models billed by tokens: US$ per 1M tokens of one kind, back from the ratios.
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<double>("usd");
        QTest::newRow("gpt-4o-transcribe text in") << "gpt-4o-transcribe" << "text_in" << 2.5;
        QTest::newRow("gpt-4o-transcribe audio in") << "gpt-4o-transcribe" << "audio_in" << 6.0;
        QTest::newRow("gpt-4o-transcribe text out") << "gpt-4o-transcribe" << "text_out" << 10.0;
        QTest::newRow("gpt-4o-mini-transcribe text in") << "gpt-4o-mini-transcribe" << "text_in" << 1.25;
        QTest::newRow("gpt-4o-mini-transcribe audio in") << "gpt-4o-mini-transcribe" << "audio_in" << 3.0;
        QTest::newRow("gpt-4o-mini-transcribe text out") << "gpt-4o-mini-transcribe" << "text_out" << 5.0;
        QTest::newRow("gpt-4o-mini-tts text in") << "gpt-4o-mini-tts" << "text_in" << 0.6;
        QTest::newRow("gpt-4o-mini-tts audio out") << "gpt-4o-mini-tts" << "audio_out" << 12.0;
        QTest::newRow("gpt-image-1 text in") << "gpt-image-1" << "text_in" << 5.0;
        QTest::newRow("gpt-image-1 image in") << "gpt-image-1" << "image_in" << 10.0;
        QTest::newRow("gpt-image-1 image out") << "gpt-image-1" << "text_out" << 40.0;
        QTest::newRow("gpt-image-1-mini text in") << "gpt-image-1-mini" << "text_in" << 2.0;
        QTest::newRow("gpt-image-1-mini cached text") << "gpt-image-1-mini" << "cached_text" << 0.2;
        QTest::newRow("gpt-image-1-mini image in") << "gpt-image-1-mini" << "image_in" << 2.5;
        QTest::newRow("gpt-image-1-mini cached image") << "gpt-image-1-mini" << "cached_image" << 0.25;
        QTest::newRow("gpt-image-1-mini image out") << "gpt-image-1-mini" << "text_out" << 8.0;
        QTest::newRow("text-embedding-3-large") << "text-embedding-3-large" << "text_in" << 0.13;
        QTest::newRow("text-embedding-ada-002") << "text-embedding-ada-002" << "text_in" << 0.1;
        QTest::newRow("gpt-3.5-turbo-instruct in") << "gpt-3.5-turbo-instruct" << "text_in" << 1.5;
        QTest::newRow("omni-moderation-latest") << "omni-moderation-latest" << "text_in" << 0.0;
    }

    void defaultTokenPrices()
    {
        QFETCH(QString, model);
        QFETCH(QString, kind);
        QFETCH(double, usd);
        const auto book = PriceBook::fromJson(PricingService::defaultPrices());
        QVERIFY2(book, qPrintable(book.error()));
        const auto p = book.value()->pricing(model, QStringLiteral("default"), QStringLiteral("default"));
        QVERIFY2(p, qPrintable(p.error()));
        constexpr qint64 M = 1'000'000;
        Usage u;
        if (kind == u"text_in") u.inputText = M;
        if (kind == u"cached_text") u.inputText = u.cachedText = M;
        if (kind == u"audio_in") u.inputAudio = M;
        if (kind == u"image_in") u.inputImage = M;
        if (kind == u"cached_image") u.inputImage = u.cachedImage = M;
        if (kind == u"text_out") u.outputText = M;
        if (kind == u"audio_out") u.outputAudio = M;
        QVERIFY(!u.isEmpty());
        QCOMPARE(usdPerMillion(*p, u), usd);
    }

    void defaultUnitPrices_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<qint64>("audioMs");
        QTest::addColumn<qint64>("characters");
        QTest::addColumn<QString>("size");    // one image of this size and quality when not empty
        QTest::addColumn<QString>("quality");
        QTest::addColumn<double>("usd");
        QTest::newRow("whisper-1 a minute") << "whisper-1" << qint64(60000) << qint64(0) << "" << "" << 0.006;
        QTest::newRow("whisper-1 dated") << "whisper-1-2024-01-01" << qint64(600000) << qint64(0) << "" << "" << 0.06;
        QTest::newRow("tts-1 1M chars") << "tts-1" << qint64(0) << qint64(1000000) << "" << "" << 15.0;
        QTest::newRow("tts-1-hd 1M chars") << "tts-1-hd" << qint64(0) << qint64(1000000) << "" << "" << 30.0;
        QTest::newRow("tts-1-hd-1106") << "tts-1-hd-1106" << qint64(0) << qint64(1000000) << "" << "" << 30.0;
        QTest::newRow("dall-e-3 square standard") << "dall-e-3" << qint64(0) << qint64(0) << "1024x1024" << "standard" << 0.04;
        QTest::newRow("dall-e-3 tall standard") << "dall-e-3" << qint64(0) << qint64(0) << "1024x1792" << "standard" << 0.08;
        QTest::newRow("dall-e-3 wide standard") << "dall-e-3" << qint64(0) << qint64(0) << "1792x1024" << "standard" << 0.08;
        QTest::newRow("dall-e-3 square hd") << "dall-e-3" << qint64(0) << qint64(0) << "1024x1024" << "hd" << 0.08;
        QTest::newRow("dall-e-3 tall hd") << "dall-e-3" << qint64(0) << qint64(0) << "1024x1792" << "hd" << 0.12;
        QTest::newRow("dall-e-3 wide hd") << "dall-e-3" << qint64(0) << qint64(0) << "1792x1024" << "hd" << 0.12;
        QTest::newRow("dall-e-3 no quality = standard") << "dall-e-3" << qint64(0) << qint64(0) << "1792x1024" << "" << 0.08;
        QTest::newRow("dall-e-2 256") << "dall-e-2" << qint64(0) << qint64(0) << "256x256" << "" << 0.016;
        QTest::newRow("dall-e-2 512") << "dall-e-2" << qint64(0) << qint64(0) << "512x512" << "standard" << 0.018;
        QTest::newRow("dall-e-2 1024") << "dall-e-2" << qint64(0) << qint64(0) << "1024x1024" << "" << 0.02;
    }

    void defaultUnitPrices()
    {
        QFETCH(QString, model);
        QFETCH(qint64, audioMs);
        QFETCH(qint64, characters);
        QFETCH(QString, size);
        QFETCH(QString, quality);
        QFETCH(double, usd);
        const auto book = PriceBook::fromJson(PricingService::defaultPrices());
        QVERIFY2(book, qPrintable(book.error()));
        const auto p = book.value()->pricing(model, QStringLiteral("default"), QStringLiteral("default"));
        QVERIFY2(p, qPrintable(p.error()));
        QVERIFY(p->modelRatio.isZero()); // priced by unit only: tokens are free
        Units units;
        units.audioMs = audioMs;
        units.characters = characters;
        units.images = size.isEmpty() ? 0 : 1;
        units.imageSize = size;
        units.imageQuality = quality;
        QCOMPARE(QuotaMath::toUsd(QuotaMath::settle(*p, {}, {}, units).quota), usd);
    }

    void unitPricesImportExport_data()
    {
        QTest::addColumn<bool>("optionList"); // new-api's {"data":[{key,value}]} with string values
        QTest::newRow("option JSON") << false;
        QTest::newRow("new-api option list") << true;
    }

    void unitPricesImportExport()
    {
        QFETCH(bool, optionList);
        const QJsonObject maps = json("{'MinutePrice':{'my-whisper':0.01},'CharacterPrice':{'my-tts*':20},"
                                      "'ImagePrice':{'my-image':{'512x512|low':0.01,'512x512':0.02,'default':0.03}}}");
        QJsonObject edit = maps;
        if (optionList) {
            QJsonArray rows;
            for (auto it = maps.begin(); it != maps.end(); ++it)
                rows.append(QJsonObject{{QStringLiteral("key"), it.key()},
                                        {QStringLiteral("value"), QString::fromUtf8(QJsonDocument(it.value().toObject()).toJson(QJsonDocument::Compact))}});
            rows.append(QJsonObject{{QStringLiteral("key"), QStringLiteral("SMTPServer")}, {QStringLiteral("value"), QStringLiteral("x")}});
            edit = QJsonObject{{QStringLiteral("success"), true}, {QStringLiteral("data"), rows}};
        }
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        PricingService service(t.db());
        QVERIFY(service.load());
        QVERIFY(service.current()->lookup(UnitPriceMap::MinutePrice, QStringLiteral("whisper-1")).found()); // seeded
        const auto status = service.importJson(QJsonDocument(edit).toJson());
        QVERIFY2(status, qPrintable(status.error()));
        const PriceBookPtr book = service.current();
        QVERIFY(!book->lookup(UnitPriceMap::MinutePrice, QStringLiteral("whisper-1")).found()); // map replaced
        QCOMPARE(book->lookup(UnitPriceMap::CharacterPrice, QStringLiteral("my-tts-2")).value.toDouble(), 20.0);
        QVERIFY(book->lookup(PriceMap::ModelRatio, QStringLiteral("gpt-4o")).found()); // other maps kept
        auto p = book->pricing(QStringLiteral("my-image"), QStringLiteral("default"), QString());
        QVERIFY2(p, qPrintable(p.error()));
        QCOMPARE(p->imagePrice(QStringLiteral("512x512"), QStringLiteral("low"))->toDouble(), 0.01);

        // Export carries the three maps as imported; they are stored as options and survive a restart.
        const QJsonObject exported = service.exportJson();
        for (auto it = maps.begin(); it != maps.end(); ++it)
            QCOMPARE(exported.value(it.key()).toObject(), it.value().toObject());
        QVERIFY(Store::OptionRepository(t.db()).value(QStringLiteral("ImagePrice")));
        PricingService restarted(t.db());
        QVERIFY(restarted.load());
        QCOMPARE(restarted.exportJson(), exported);
        QCOMPARE(restarted.current()->snapshotId(), book->snapshotId());

        // The export imports into a fresh database as the same book.
        Testing::TempDatabase other;
        QVERIFY2(other.isValid(), qPrintable(other.error()));
        PricingService elsewhere(other.db());
        QVERIFY(elsewhere.load());
        QVERIFY(elsewhere.importJson(QJsonDocument(exported).toJson()));
        QCOMPARE(elsewhere.exportJson(), exported);

        // A bad image key is refused whole, with the map and key named.
        const auto bad = service.importJson(R"({"ImagePrice":{"my-image":{"huge":1}},"MinutePrice":{}})");
        QVERIFY(!bad);
        QVERIFY2(bad.error().contains(QStringLiteral("ImagePrice[\"my-image\"][\"huge\"]")), qPrintable(bad.error()));
        QCOMPARE(service.exportJson(), exported);
    }

    void editsPersistAndSwap()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        PricingService service(t.db());
        QVERIFY(service.load());
        const PriceBookPtr before = service.current();
        QSignalSpy changed(&service, &PricingService::pricesChanged);
        QVERIFY(service.apply(json("{'ModelRatio':{'my-model':3},'CompletionRatio':{'my-model':2}}")));
        QCOMPARE(changed.count(), 1);
        const PriceBookPtr after = service.current();
        QVERIFY(after->snapshotId() > before->snapshotId());
        QCOMPARE(changed.first().first().toLongLong(), after->snapshotId());
        QVERIFY(after->pricing(QStringLiteral("my-model"), QStringLiteral("default"), QString()));
        QVERIFY(!after->pricing(QStringLiteral("gpt-4o"), QStringLiteral("default"), QString())); // map replaced
        QVERIFY(before->pricing(QStringLiteral("gpt-4o"), QStringLiteral("default"), QString())); // old book intact

        // A restart loads the same book and the same snapshot id (no new snapshot row).
        PricingService restarted(t.db());
        QVERIFY(restarted.load());
        QCOMPARE(restarted.current()->snapshotId(), after->snapshotId());
        QCOMPARE(restarted.exportJson(), service.exportJson());

        // Old snapshots stay resolvable for old log rows.
        const PriceBookPtr old = restarted.snapshot(before->snapshotId());
        QVERIFY(old);
        QCOMPARE(old->toJson(), before->toJson());
        QVERIFY(!restarted.snapshot(999999));
    }

    void rejectedEditChangesNothing()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        PricingService service(t.db());
        QVERIFY(service.load());
        const PriceBookPtr before = service.current();
        const auto storedBefore = Store::OptionRepository(t.db()).all();
        QSignalSpy changed(&service, &PricingService::pricesChanged);
        const auto status = service.apply(json("{'ModelRatio':{'good':1,'bad':-2},'CompletionRatio':{'good':4}}"));
        QVERIFY(!status);
        QVERIFY(status.error().contains(QStringLiteral("bad")));
        QVERIFY(!service.importJson("{not json"));
        QVERIFY(!service.importJson("[1,2]"));
        QCOMPARE(changed.count(), 0);
        QCOMPARE(service.current().get(), before.get());
        QCOMPARE(Store::OptionRepository(t.db()).all(), storedBefore);
    }

    void readersSeeWholeBooksDuringEdits()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        PricingService service(t.db());
        QVERIFY(service.load());
        QVERIFY(service.replace(json("{'ModelRatio':{'m':1},'CompletionRatio':{'m':1}}")));
        std::atomic<bool> stop{false};
        std::atomic<int> torn{0}, reads{0};
        QThread *reader = QThread::create([&] {
            while (!stop) {
                const PriceBookPtr b = service.current();
                const auto p = b->pricing(QStringLiteral("m"), QStringLiteral("default"), QString());
                // Every edit sets MR and CR to the same value: a torn read would mix two books.
                if (!p || !(p->modelRatio == p->completionRatio))
                    ++torn;
                ++reads;
            }
        });
        reader->start();
        for (int i = 2; i < 40; ++i) {
            const QByteArray edit = QStringLiteral("{\"ModelRatio\":{\"m\":%1},\"CompletionRatio\":{\"m\":%1}}").arg(i).toUtf8();
            QVERIFY(service.importJson(edit));
        }
        stop = true;
        QVERIFY(reader->wait(30000));
        delete reader;
        QCOMPARE(torn.load(), 0);
        QVERIFY(reads.load() > 0);
        QCOMPARE(service.current()->lookup(PriceMap::ModelRatio, QStringLiteral("m")).value.toDouble(), 39.0);
    }

    void defaultMaxTokensPersists()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        PricingService service(t.db());
        QVERIFY(service.load());
        QCOMPARE(service.defaultMaxTokens(), PricingService::kDefaultMaxTokens);
        QVERIFY(!service.setDefaultMaxTokens(0));
        QVERIFY(service.setDefaultMaxTokens(1234));
        PricingService restarted(t.db());
        QVERIFY(restarted.load());
        QCOMPARE(restarted.defaultMaxTokens(), qint64(1234));
    }
};

QTEST_GUILESS_MAIN(TestPricingService)
#include "tst_pricingservice.moc"
