// PricingService: seeding from the default table, persistence, atomic swaps, rejected edits, snapshots;
// and the default price table's conversions back to OpenAI list prices.
#include "tempdatabase.h"

#include "billing/pricingservice.h"
#include "billing/quotamath.h"
#include "store/optionrepository.h"

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
        for (const char *map : {"ModelRatio", "ModelPrice"}) {
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
