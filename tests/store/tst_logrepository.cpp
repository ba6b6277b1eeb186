// Log paging (keyset), filters, counts and chart aggregates.
#include "tempdatabase.h"

#include "store/logrepository.h"

#include <QtTest>

using namespace RelayDesk;
using namespace RelayDesk::Store;

class TestLogRepository final : public QObject
{
    Q_OBJECT

private:
    // 100 rows: user 1 + 2 alternate, models cycle over 3 names, one row per second from t0,
    // rows 40..49 share one timestamp (ties must still page correctly).
    static constexpr qint64 kT0 = 1'700'000'000'000;
    static void fill(const Database &db)
    {
        LogRepository logs(db);
        const QStringList models = {QStringLiteral("gpt-4o"), QStringLiteral("gpt-4o-mini"), QStringLiteral("o3")};
        Transaction tx(db);
        QVERIFY(tx.isActive());
        for (int i = 0; i < 100; ++i) {
            LogRecord r;
            r.createdAt = (i >= 40 && i < 50) ? kT0 + 40'000 : kT0 + i * 1000;
            r.userId = 1 + i % 2;
            r.keyId = 10 + i % 4;
            r.channelId = 100 + i % 5;
            r.model = models[i % 3];
            r.quota = i + 1;
            r.promptTokens = 10;
            r.completionTokens = 5;
            r.type = i % 10 == 9 ? LogType::Error : LogType::Consume;
            QVERIFY(logs.insert(r));
        }
        QVERIFY(tx.commit());
    }

private slots:
    void keysetPagingVisitsEveryRowOnce()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        fill(t.db());
        LogRepository logs(t.db());
        QList<qint64> seen;
        std::optional<LogCursor> cursor;
        int pages = 0;
        qint64 lastCreated = std::numeric_limits<qint64>::max();
        do {
            const LogPage page = logs.page({}, 7, cursor);
            for (const LogRecord &r : page.rows) {
                QVERIFY(r.createdAt <= lastCreated); // newest first
                lastCreated = r.createdAt;
                seen << r.id;
            }
            cursor = page.next;
            ++pages;
        } while (cursor && pages < 100);
        QCOMPARE(pages, 15); // ceil(100 / 7)
        QCOMPARE(seen.size(), 100);
        QCOMPARE(QSet<qint64>(seen.begin(), seen.end()).size(), 100);
    }

    void filtersCombine()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        fill(t.db());
        LogRepository logs(t.db());
        LogFilter f;
        f.userId = 1;
        QCOMPARE(logs.count(f), qint64(50));
        f.model = QStringLiteral("gpt-4o");
        // even i with i % 3 == 0: i = 0, 6, …, 96 → 17 rows
        QCOMPARE(logs.count(f), qint64(17));
        const LogPage page = logs.page(f, 100);
        QCOMPARE(page.rows.size(), 17);
        QVERIFY(!page.next);
        for (const LogRecord &r : page.rows) {
            QCOMPARE(r.userId, qint64(1));
            QCOMPARE(r.model, QStringLiteral("gpt-4o"));
        }
        LogFilter byType;
        byType.type = LogType::Error;
        QCOMPARE(logs.count(byType), qint64(10));
        LogFilter window;
        window.fromMs = kT0 + 90'000;
        window.toMs = kT0 + 95'000;
        QCOMPARE(logs.count(window), qint64(5));
        LogFilter byChannel;
        byChannel.channelId = 100;
        QCOMPARE(logs.count(byChannel), qint64(20));
        LogFilter byKey;
        byKey.keyId = 13;
        QCOMPARE(logs.sumQuota(byKey), qint64(4 + 8 + 12 + 16 + 20 + 24 + 28 + 32 + 36 + 40 + 44 + 48 + 52 + 56 + 60
                                               + 64 + 68 + 72 + 76 + 80 + 84 + 88 + 92 + 96 + 100));
    }

    void aggregatesForCharts()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        fill(t.db());
        LogRepository logs(t.db());
        const QList<LogBucket> buckets = logs.timeSeries({}, 10'000);
        qint64 requests = 0, quota = 0;
        for (const LogBucket &b : buckets) {
            QCOMPARE(b.bucketStartMs % 10'000, qint64(0));
            requests += b.requests;
            quota += b.quota;
        }
        QCOMPARE(requests, qint64(100));
        QCOMPARE(quota, qint64(5050));
        QCOMPARE(buckets.size(), 10);
        const auto byModel = logs.totals({}, LogRepository::GroupBy::Model, 10);
        QCOMPARE(byModel.size(), 3);
        qint64 sum = 0;
        for (const auto &g : byModel)
            sum += g.quota;
        QCOMPARE(sum, qint64(5050));
        QVERIFY(byModel[0].quota >= byModel[1].quota);
        const auto byUser = logs.totals({}, LogRepository::GroupBy::User, 1);
        QCOMPARE(byUser.size(), 1);
        QCOMPARE(byUser[0].key, QStringLiteral("2")); // odd rows carry the larger quotas
        QCOMPARE(byUser[0].quota, qint64(2550));
    }

    void recordsRoundTrip()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        LogRepository logs(t.db());
        LogRecord r;
        r.userId = 3;
        r.model = QStringLiteral("gpt-realtime");
        r.upstreamModel = QStringLiteral("gpt-realtime-2025-08-28");
        r.isStream = true;
        r.requestId = QStringLiteral("req-1");
        r.other = {{QStringLiteral("ws"), true}, {QStringLiteral("model_ratio"), 2}};
        r.priceSnapshotId = 17;
        auto id = logs.insert(r);
        QVERIFY2(id, qPrintable(id.error()));
        const auto read = logs.byId(*id);
        QVERIFY(read);
        QVERIFY(read->createdAt > 0);
        QCOMPARE(read->upstreamModel, r.upstreamModel);
        QCOMPARE(read->other, r.other);
        QCOMPARE(read->priceSnapshotId, qint64(17));
        QVERIFY(read->isStream);
        LogFilter f;
        f.requestId = QStringLiteral("req-1");
        QCOMPARE(logs.count(f), qint64(1));
    }
};

QTEST_GUILESS_MAIN(TestLogRepository)
#include "tst_logrepository.moc"
