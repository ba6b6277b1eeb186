// The console over the real core (Service::Runtime on loopback with the demo upstream): simulated traffic
// goes through the relay and shows up in the live model, the logs and the status sampler; a price edited
// in the pricing table and applied changes the quota of the next relayed request, and undo restores it.
#include "shell/consolestatussampler.h"
#include "live/livesessionsmodel.h"
#include "logs/logsmodel.h"
#include "pricing/pricingmodel.h"
#include "pricing/pricingpage.h"
#include "demo/relaytraffic.h"

#include "billing/pricingservice.h"
#include "billing/quotamath.h"
#include "monitor/sessionregistry.h"
#include "service/runtime.h"
#include "store/logrepository.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

using namespace RelayDesk;

class TestConsoleRuntime final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Service::Runtime> m_runtime;
    QString m_key;

    // Sends `n` chat requests and waits for them; returns how many succeeded.
    int send(int n, const QStringList &models)
    {
        Ui::RelayTrafficSimulator sim(QUrl(m_runtime->baseUrl()), m_key);
        QSignalSpy done(&sim, &Ui::RelayTrafficSimulator::finished);
        sim.run(n, models, 20);
        if (!done.wait(30000))
            return -1;
        return done.first().at(0).toInt();
    }

    std::optional<Store::LogRecord> lastConsume(const QString &model)
    {
        Store::LogFilter f;
        f.type = Store::LogType::Consume;
        f.model = model;
        const auto page = Store::LogRepository(*m_runtime->database()).page(f, 1);
        return page.rows.isEmpty() ? std::nullopt : std::optional(page.rows.first());
    }

    qint64 lastConsumeQuota(const QString &model)
    {
        const auto last = lastConsume(model);
        return last ? last->quota : -1;
    }

    // One request of `model`, and its settlement in the log: a streamed reply reaches the client before its
    // settlement commits, so the request's end alone does not mean its log row is there yet.
    bool sendSettled(const QString &model)
    {
        const auto before = lastConsume(model);
        const qint64 beforeId = before ? before->id : 0;
        return send(1, {model}) == 1 && QTest::qWaitFor([&] {
                   const auto last = lastConsume(model);
                   return last && last->id > beforeId;
               }, 15000);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_runtime = std::make_unique<Service::Runtime>();
        Service::RuntimeConfig config;
        config.dataDir = m_dir.path();
        config.listenPort = 0;
        config.demoOptions.chunkDelayMs = 0;
        config.demoOptions.firstChunkDelayMs = 0;
        QVERIFY2(m_runtime->start(config), qPrintable(m_runtime->errorString()));
        const auto demo = m_runtime->demoCredentials();
        QVERIFY(demo.has_value());
        QVERIFY(!demo->plainKey.isEmpty());
        m_key = demo->plainKey;
    }

    void cleanupTestCase()
    {
        if (m_runtime)
            m_runtime->stop();
    }

    void simulatedTrafficReachesEveryView()
    {
        Ui::LiveSessionsModel live(m_runtime->sessions());
        QAbstractItemModelTester tester(&live, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Service::AdminService admin(m_runtime->database(), Service::AdminService::Actor::Console);
        Ui::ConsoleStatusSampler sampler(m_runtime->sessions(), &admin, m_dir.path());
        const int before = live.rowCount();
        QCOMPARE(send(6, {QStringLiteral("gpt-4o-mini"), QStringLiteral("gpt-4o")}), 6);
        QTRY_VERIFY_WITH_TIMEOUT(live.rowCount() >= before + 6, 10000);
        // Every relayed request was charged and logged.
        Ui::LogsModel logs(&admin);
        Store::LogFilter consume;
        consume.type = Store::LogType::Consume;
        logs.setFilter(consume);
        QTRY_VERIFY_WITH_TIMEOUT(!logs.isLoading(), 10000);
        QVERIFY(logs.totalCount().value_or(0) >= 6);
        QVERIFY(logs.recordAt(0)->quota > 0);
        QCOMPARE(logs.index(0, Ui::LogsModel::User).data().toString(), QStringLiteral("demo"));
        sampler.sample();
        QTRY_VERIFY_WITH_TIMEOUT((sampler.sample(), sampler.status().quotaSpentToday > 0), 15000);
    }

    void realtimeSessionsAreMonitoredAndCharged()
    {
        Ui::LiveSessionsModel live(m_runtime->sessions());
        QAbstractItemModelTester tester(&live, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Ui::RelayTrafficSimulator sim(QUrl(m_runtime->baseUrl()), m_key);
        QSignalSpy done(&sim, &Ui::RelayTrafficSimulator::finished);
        sim.runRealtime(2, QStringLiteral("gpt-realtime"), 2, 50);
        QVERIFY(done.wait(60000));
        QCOMPARE(done.first().at(0).toInt(), 2);
        QCOMPARE(done.first().at(1).toInt(), 0);
        int realtime = 0;
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     realtime = 0;
                                     for (int r = 0; r < live.rowCount(); ++r) {
                                         const auto *s = live.sessionAt(r);
                                         if (s->kind == Monitor::SessionKind::Realtime && s->usage.outputAudio > 0 && !s->isLive())
                                             ++realtime;
                                     }
                                     return realtime >= 2;
                                 }()),
                                 15000);
        QTRY_VERIFY_WITH_TIMEOUT(lastConsumeQuota(QStringLiteral("gpt-realtime")) > 0, 15000);
    }

    // Simulate traffic's Messages calls go through demo-claude (seeded on this fresh install) with the demo
    // upstream's prompt-cache usage: each is a live Messages session, charged exactly what QuotaMath makes of its
    // logged usage at the book's prices (1-hour writes at CreateCacheRatio1h), and its log detail shows the split.
    void simulatedClaudeTrafficIsChargedWithItsCacheWrites()
    {
        const auto channel = Service::AdminService(m_runtime->database(), Service::AdminService::Actor::Console)
                                 .channelByName(QString::fromLatin1(Service::Runtime::kDemoClaudeChannelName));
        QVERIFY(channel);
        Ui::LiveSessionsModel live(m_runtime->sessions());
        QAbstractItemModelTester tester(&live, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Ui::RelayTrafficSimulator sim(QUrl(m_runtime->baseUrl()), m_key);
        QSignalSpy done(&sim, &Ui::RelayTrafficSimulator::finished);
        sim.runMessages(3, channel->models, 20); // 5-minute writes; reads and 1-hour writes; reads
        QVERIFY(done.wait(30000));
        QCOMPARE(done.first().at(0).toInt(), 3);
        QCOMPARE(done.first().at(1).toInt(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     for (int r = 0; r < live.rowCount(); ++r) {
                                         const auto *s = live.sessionAt(r);
                                         if (s->kind == Monitor::SessionKind::Messages && s->usage.cacheWrite1h > 0 && !s->isLive())
                                             return true;
                                     }
                                     return false;
                                 }()),
                                 15000);

        Service::AdminService admin(m_runtime->database(), Service::AdminService::Actor::Console);
        Ui::LogsModel logs(&admin);
        Store::LogFilter messages;
        messages.type = Store::LogType::Consume;
        messages.requestPaths = {QStringLiteral("/v1/messages")};
        QTRY_VERIFY_WITH_TIMEOUT(Store::LogRepository(*m_runtime->database()).count(messages) == 3, 15000);
        logs.setFilter(messages);
        QTRY_VERIFY_WITH_TIMEOUT(!logs.isLoading() && logs.rowCount() == 3, 15000);
        int withOneHour = 0, withReads = 0;
        for (int r = 0; r < logs.rowCount(); ++r) {
            const Store::LogRecord &row = *logs.recordAt(r);
            QCOMPARE(row.channelId, channel->id);
            const QJsonObject u = row.other.value(QStringLiteral("usage")).toObject();
            Billing::Usage usage;
            usage.inputText = u.value(QStringLiteral("text_input")).toInteger();
            usage.cachedText = u.value(QStringLiteral("cached_text")).toInteger();
            usage.cacheWrite = u.value(QStringLiteral("cache_write")).toInteger();
            usage.cacheWrite1h = u.value(QStringLiteral("cache_write_1h")).toInteger();
            usage.outputText = u.value(QStringLiteral("text_output")).toInteger();
            QVERIFY(usage.cachedText > 0 || usage.cacheWrite > 0);
            const auto pricing = m_runtime->pricing()->current()->pricing(row.model, QStringLiteral("default"), QStringLiteral("default"));
            QVERIFY(pricing);
            QCOMPARE(row.quota, Billing::QuotaMath::settle(pricing.value(), usage).quota);
            const QString detail = logs.describe(row);
            QVERIFY2(detail.contains(QStringLiteral("Claude usage")), qPrintable(detail));
            if (usage.cacheWrite1h > 0) {
                ++withOneHour;
                QVERIFY2(detail.contains(QStringLiteral("1-hour cache writes: %1 tokens").arg(QLocale().toString(usage.cacheWrite1h))),
                         qPrintable(detail));
            }
            withReads += usage.cachedText > 0;
        }
        QCOMPARE(withOneHour, 1);
        QCOMPARE(withReads, 2);
    }

    void appliedPriceEditChangesTheNextRelayedRequest()
    {
        Service::AdminService admin(m_runtime->database(), Service::AdminService::Actor::Console);
        Ui::PricingPage page(&admin, m_runtime->pricing());
        Ui::PricingModel &model = *page.model();
        const QString name = QStringLiteral("gpt-4o-mini");
        const int row = model.rowOf(name);
        QVERIFY(row >= 0);

        QVERIFY(sendSettled(name));
        const qint64 base = lastConsumeQuota(name);
        QVERIFY(base > 0);
        QVERIFY(sendSettled(name));
        QCOMPARE(lastConsumeQuota(name), base); // the demo upstream answers the same prompt the same way

        const QString mr = model.index(row, Ui::PricingModel::ModelRatio).data(Ui::PricingModel::RawRole).toString();
        const double ratio = mr.toDouble();
        QVERIFY(ratio > 0);
        QVERIFY(model.setData(model.index(row, Ui::PricingModel::ModelRatio), Ui::PriceDraft::decimalText(ratio * 10)));
        QSignalSpy finished(&page, &Ui::PricingPage::applyFinished);
        QVERIFY(page.apply());
        QVERIFY(page.isApplying());
        QVERIFY(finished.wait(15000)); // written on the service's worker; in force in the relay when it reports
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
        QVERIFY(!page.hasUnappliedChanges());
        QVERIFY(sendSettled(name));
        const qint64 tenfold = lastConsumeQuota(name);
        // Ten times the ratio, one rounding: within a quota unit of ten times the old charge.
        QVERIFY2(std::abs(tenfold - 10 * base) <= 10, qPrintable(QStringLiteral("%1 vs %2").arg(tenfold).arg(base)));

        page.undoStack()->undo();
        QVERIFY(page.apply());
        QVERIFY(finished.wait(15000));
        QVERIFY(finished.at(1).at(0).toBool());
        QVERIFY(sendSettled(name));
        QCOMPARE(lastConsumeQuota(name), base);
    }
};

QTEST_MAIN(TestConsoleRuntime)
#include "tst_consoleruntime.moc"
