// DashboardData over a real store: buckets, stacked series that add up to the totals per bucket, top
// groups by model and by user, headline totals and the text/audio split; the page computes them on
// AdminService's worker (loading state meanwhile) and builds its charts.
#include "dashboard/dashboardpage.h"

#include "service/dashboarddata.h"

#include "store/logrepository.h"
#include "store/userrepository.h"
#include "tempdatabase.h"

#include <QtTest>

using namespace RelayDesk;
using RelayDesk::Service::DashboardData;

class TestDashboardData final : public QObject
{
    Q_OBJECT

private slots:
    void seriesAddUpAndSplitIsCounted()
    {
        Testing::TempDatabase tmp;
        QVERIFY(tmp.isValid());
        const Store::UserRepository users(tmp.db());
        const qint64 alice = users.create(QStringLiteral("alice"))->id;
        const qint64 bob = users.create(QStringLiteral("bob"))->id;
        const Store::LogRepository logs(tmp.db());
        const qint64 day = 24 * 3600 * 1000LL;
        const qint64 now = 100 * day + 12 * 3600 * 1000LL; // midday of day 100
        const QStringList models{QStringLiteral("m-a"), QStringLiteral("m-b"), QStringLiteral("m-c")};
        qint64 expectedTokens = 0, expectedQuota = 0, expectedRequests = 0, audioIn = 0, textIn = 0;
        QList<qint64> perDay(3, 0);
        for (int i = 0; i < 300; ++i) {
            Store::LogRecord r;
            const int d = i % 3; // days 98, 99, 100
            r.createdAt = (98 + d) * day + (i % 10) * 3600 * 1000LL;
            r.userId = i % 2 ? alice : bob;
            r.model = models[i % 3 == 0 ? 0 : (i % 5 == 0 ? 2 : 1)];
            r.promptTokens = 10 + i;
            r.completionTokens = 5;
            r.quota = 100 + i;
            r.other = QJsonObject{{QStringLiteral("usage"), QJsonObject{{QStringLiteral("text_input"), 10},
                                                                        {QStringLiteral("audio_input"), i}}}};
            QVERIFY(logs.insert(r).ok());
            expectedTokens += r.promptTokens + r.completionTokens;
            expectedQuota += r.quota;
            ++expectedRequests;
            perDay[d] += r.promptTokens + r.completionTokens;
            textIn += 10;
            audioIn += i;
        }
        // An error row and a row outside the range do not count.
        Store::LogRecord error;
        error.createdAt = 99 * day;
        error.type = Store::LogType::Error;
        error.promptTokens = 999999;
        QVERIFY(logs.insert(error).ok());
        Store::LogRecord old;
        old.createdAt = 50 * day;
        old.promptTokens = 777777;
        QVERIFY(logs.insert(old).ok());

        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        const DashboardData d = DashboardData::load(admin, now, day, 3, DashboardData::Metric::Tokens,
                                                    DashboardData::GroupBy::Model, 2);
        QCOMPARE(d.buckets.size(), 3);
        QCOMPARE(d.buckets.first(), 98 * day);
        QCOMPARE(d.requests, expectedRequests);
        QCOMPARE(d.tokens, expectedTokens);
        QCOMPARE(d.quota, expectedQuota);
        QCOMPARE(d.series.size(), 3); // top 2 models + other
        QCOMPARE(d.series.last().name, QStringLiteral("other"));
        for (int b = 0; b < 3; ++b) {
            qint64 stacked = 0;
            for (const auto &s : d.series)
                stacked += s.values[b];
            QCOMPARE(stacked, perDay[b]);
        }
        QCOMPARE(d.sampledRows, 300LL);
        QCOMPARE(d.textInput, textIn);
        QCOMPARE(d.audioInput, audioIn);

        const DashboardData byUser = DashboardData::load(admin, now, day, 3, DashboardData::Metric::Quota,
                                                         DashboardData::GroupBy::User, 5, 100);
        QCOMPARE(byUser.series.size(), 2);
        QStringList names{byUser.series[0].name, byUser.series[1].name};
        names.sort();
        QCOMPARE(names, (QStringList{QStringLiteral("alice"), QStringLiteral("bob")}));
        qint64 quota = 0;
        for (const auto &s : byUser.series)
            for (qint64 v : s.values)
                quota += v;
        QCOMPARE(quota, expectedQuota);
        QCOMPARE(byUser.sampledRows, 100LL); // the split sample is bounded

        Ui::DashboardPage page(&admin);
        QSignalSpy loaded(&page, &Ui::DashboardPage::dataLoaded);
        QVERIFY(page.isLoading()); // the first refresh runs on the worker
        QVERIFY(loaded.wait(10000));
        QVERIFY(!page.isLoading());
        QVERIFY(page.data().buckets.size() > 0);
    }
};

QTEST_MAIN(TestDashboardData)
#include "tst_dashboarddata.moc"
