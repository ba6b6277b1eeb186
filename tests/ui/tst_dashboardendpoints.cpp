// The Dashboard grouped by endpoint, on SQLite and PostgreSQL: rows inserted through LogRepository with the
// request paths the relay logs (and one without), DashboardData::load(GroupBy::Endpoint) gives one series per kind
// whose stacks add up to each bucket's total and per-kind requests / tokens / quota; the page computes it on
// AdminService's worker and its endpoint table (checked with QAbstractItemModelTester) shows the kinds.
#include "dashboard/dashboardpage.h"
#include "dashboard/endpointtotalsmodel.h"

#include "service/adminservice.h"
#include "service/dashboarddata.h"

#include "pgcluster.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "tempdatabase.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QtTest>

using namespace RelayDesk;
using RelayDesk::Monitor::EndpointKind;
using RelayDesk::Service::DashboardData;

namespace {

constexpr qint64 kDay = 24 * 3600 * 1000LL;
constexpr qint64 kNow = 200 * kDay + 12 * 3600 * 1000LL;

struct Expected
{
    qint64 requests = 0, tokens = 0, quota = 0;
};

} // namespace

class TestDashboardEndpoints final : public QObject
{
    Q_OBJECT

    std::unique_ptr<Testing::PgCluster> m_pg;

    std::shared_ptr<Store::Database> open(const QString &backend, Testing::TempDatabase *sqlite, QString *skip)
    {
        if (backend == u"sqlite")
            return sqlite->shared();
        if (!m_pg)
            m_pg = std::make_unique<Testing::PgCluster>();
        if (!m_pg->isAvailable()) {
            *skip = m_pg->skipReason();
            return nullptr;
        }
        if (!m_pg->isRunning())
            return nullptr;
        auto db = Store::Database::openUrl(m_pg->createDatabase());
        return db ? db.value() : nullptr;
    }

private slots:
    void groupsByEndpoint_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }
    void groupsByEndpoint()
    {
        QFETCH(QString, backend);
        Testing::TempDatabase sqlite;
        QVERIFY2(sqlite.isValid(), qPrintable(sqlite.error()));
        QString skip;
        const auto db = open(backend, &sqlite, &skip);
        if (!db && !skip.isEmpty())
            QSKIP(qPrintable(skip));
        QVERIFY(db);

        const QStringList paths{QStringLiteral("/v1/chat/completions"), QStringLiteral("/v1/responses/compact"),
                                QStringLiteral("/v1/audio/transcriptions"), QStringLiteral("/v1/audio/translations"),
                                QStringLiteral("/v1/audio/speech"), QStringLiteral("/v1/images/edits?x=1"),
                                QStringLiteral("/v1/embeddings"), QString() /* no path: Other */,
                                QStringLiteral("/v1/files") /* unknown: Other */};
        const Store::LogRepository logs(*db);
        QMap<EndpointKind, Expected> expected;
        QList<qint64> perDay(3, 0);
        for (int i = 0; i < 90; ++i) {
            Store::LogRecord r;
            const int d = i % 3; // days 198, 199, 200
            r.createdAt = (198 + d) * kDay + (i % 7) * 3600 * 1000LL;
            r.userId = 1;
            r.model = QStringLiteral("m");
            r.promptTokens = i;
            r.completionTokens = 2;
            r.quota = 10 * i + 1;
            const QString path = paths[i % paths.size()];
            if (!path.isEmpty())
                r.other.insert(QStringLiteral("request_path"), path);
            QVERIFY(logs.insert(r));
            Expected &e = expected[Monitor::endpointKindForPath(path)];
            ++e.requests;
            e.tokens += r.promptTokens + r.completionTokens;
            e.quota += r.quota;
            perDay[d] += r.quota;
        }
        Store::LogRecord error; // not a consume row: not counted
        error.createdAt = 199 * kDay;
        error.type = Store::LogType::Error;
        error.quota = 999999;
        error.other.insert(QStringLiteral("request_path"), QStringLiteral("/v1/audio/speech"));
        QVERIFY(logs.insert(error));

        Service::AdminService admin(db, Service::AdminService::Actor::Console);
        const DashboardData data = DashboardData::load(admin, kNow, kDay, 3, DashboardData::Metric::Quota,
                                                       DashboardData::GroupBy::Endpoint);
        // Chat, Responses, Transcription, Speech, Image, Embeddings, Other.
        QCOMPARE(data.endpoints.size(), 7);
        QCOMPARE(data.series.size(), 7);
        for (int b = 0; b < 3; ++b) {
            qint64 stacked = 0;
            for (const auto &s : data.series)
                stacked += s.values[b];
            QCOMPARE(stacked, perDay[b]);
        }
        qint64 previousQuota = std::numeric_limits<qint64>::max();
        for (const DashboardData::EndpointTotal &t : data.endpoints) {
            QVERIFY2(expected.contains(t.kind), qPrintable(Monitor::endpointKindId(t.kind)));
            QCOMPARE(t.requests, expected.value(t.kind).requests);
            QCOMPARE(t.tokens, expected.value(t.kind).tokens);
            QCOMPARE(t.quota, expected.value(t.kind).quota);
            QVERIFY(t.quota <= previousQuota); // largest first
            previousQuota = t.quota;
        }
        for (const auto &s : data.series) {
            QVERIFY(s.endpoint.has_value());
            QCOMPARE(s.name, Monitor::endpointKindId(*s.endpoint));
            qint64 sum = 0;
            for (qint64 v : s.values)
                sum += v;
            QCOMPARE(sum, expected.value(*s.endpoint).quota);
        }
        QCOMPARE(expected.value(EndpointKind::Transcription).requests, 20); // transcriptions and translations
        QCOMPARE(expected.value(EndpointKind::Other).requests, 20);         // no path and an unknown one

        // Token metric: same kinds, tokens per bucket.
        const DashboardData tokens = DashboardData::load(admin, kNow, kDay, 3, DashboardData::Metric::Tokens,
                                                         DashboardData::GroupBy::Endpoint);
        qint64 allTokens = 0;
        for (const auto &s : tokens.series)
            for (qint64 v : s.values)
                allTokens += v;
        QCOMPARE(allTokens, tokens.tokens);

        // The page (its range ends now): rows of today, then choose "By endpoint", wait for the worker, read the table.
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (const char *path : {"/v1/audio/speech", "/v1/audio/speech", "/v1/images/generations", ""}) {
            Store::LogRecord r;
            r.createdAt = now - 60 * 1000;
            r.quota = 5;
            if (*path)
                r.other.insert(QStringLiteral("request_path"), QLatin1String(path));
            QVERIFY(logs.insert(r));
        }
        Ui::DashboardPage page(&admin);
        QSignalSpy loaded(&page, &Ui::DashboardPage::dataLoaded);
        QVERIFY(loaded.wait(30000));
        QAbstractItemModelTester tester(const_cast<Ui::EndpointTotalsModel *>(page.endpointTotals()),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        page.setGroupBy(DashboardData::GroupBy::Endpoint);
        QTRY_VERIFY_WITH_TIMEOUT(loaded.size() >= 2 && !page.isLoading(), 30000);
        QCOMPARE(page.data().endpoints.size(), 3); // Speech, Image, Other
        QCOMPARE(page.data().series.size(), page.data().endpoints.size());
        QCOMPARE(page.data().endpoints.first().kind, EndpointKind::Speech);
        QCOMPARE(page.data().endpoints.first().requests, 2);
        QVERIFY(page.data().series.first().endpoint.has_value());
        const Ui::EndpointTotalsModel *model = page.endpointTotals();
        QCOMPARE(model->rowCount(), int(page.data().endpoints.size()));
        QCOMPARE(model->columnCount(), int(Ui::EndpointTotalsModel::ColumnCount));
        for (int row = 0; row < model->rowCount(); ++row) {
            const auto &t = page.data().endpoints[row];
            QCOMPARE(model->index(row, Ui::EndpointTotalsModel::Endpoint).data().toString(),
                     Monitor::endpointKindName(t.kind));
            QCOMPARE(model->index(row, Ui::EndpointTotalsModel::Requests).data(Ui::EndpointTotalsModel::SortRole).toLongLong(),
                     t.requests);
            QCOMPARE(model->index(row, Ui::EndpointTotalsModel::Quota).data(Ui::EndpointTotalsModel::SortRole).toLongLong(),
                     t.quota);
        }
        QCOMPARE(model->headerData(Ui::EndpointTotalsModel::Endpoint, Qt::Horizontal).toString(), QStringLiteral("Endpoint"));
    }
};

QTEST_MAIN(TestDashboardEndpoints)
#include "tst_dashboardendpoints.moc"
