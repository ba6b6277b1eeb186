// LogsModel / LogsPage over a real SQLite store through AdminService (reads on its worker thread):
// 1 000 000 log rows generated through LogRepository, paged through completely with keyset paging (every
// row exactly once, newest first), filters, the detail rendering of `other`, the loading state, and CSV
// export streamed on the worker.
#include "logs/logsmodel.h"
#include "logs/logspage.h"

#include "service/consolequeries.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "store/userrepository.h"
#include "tempdatabase.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QElapsedTimer>
#include <QComboBox>
#include <QJsonDocument>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTableView>
#include <QtTest>

using namespace RelayDesk;
using RelayDesk::Ui::LogsModel;

// Bounded wait, events running, until the model's reads landed.
// Every wait on the admin worker (a million rows; other tests share the 2 cores) has the same bound.
constexpr int kWorkerWaitMs = 30000;
#define SETTLE(model) QTRY_VERIFY_WITH_TIMEOUT(!(model).isLoading(), kWorkerWaitMs)

class TestLogsModel final : public QObject
{
    Q_OBJECT

private:
    static constexpr qint64 kRows = 1'000'000;
    Testing::TempDatabase m_tmp;
    std::unique_ptr<Service::AdminService> m_admin;
    qint64 m_alice = 0, m_bob = 0;
    qint64 m_aliceRows = 0;
    qint64 m_base = 1'700'000'000'000;

private slots:
    void initTestCase()
    {
        QVERIFY2(m_tmp.isValid(), qPrintable(m_tmp.error()));
        const Store::UserRepository users(m_tmp.db());
        m_alice = users.create(QStringLiteral("alice"))->id;
        m_bob = users.create(QStringLiteral("bob"))->id;
        const Store::LogRepository logs(m_tmp.db());
        QElapsedTimer t;
        t.start();
        // Generated through the store API in large transactions. Several rows share a timestamp so the
        // (created_at, id) keyset tie-break is exercised.
        for (qint64 start = 0; start < kRows; start += 100'000) {
            Store::Transaction tx(m_tmp.db());
            QVERIFY2(tx.isActive(), qPrintable(tx.error()));
            for (qint64 i = start; i < start + 100'000; ++i) {
                Store::LogRecord r;
                r.createdAt = m_base + i / 3;
                r.type = i % 50 == 0 ? Store::LogType::Error : Store::LogType::Consume;
                r.userId = i % 4 == 0 ? m_alice : m_bob;
                r.model = i % 2 ? QStringLiteral("gpt-4o-mini") : QStringLiteral("gpt-realtime");
                r.promptTokens = i % 1000;
                r.completionTokens = i % 77;
                r.quota = i;
                r.requestId = QStringLiteral("req-%1").arg(i);
                if (i % 100'000 == 7)
                    r.other = QJsonObject{{QStringLiteral("model_ratio"), 0.075},
                                          {QStringLiteral("usage"), QJsonObject{{QStringLiteral("audio_input"), 1234}}}};
                QVERIFY(logs.insert(r).ok());
                if (r.userId == m_alice)
                    ++m_aliceRows;
            }
            QVERIFY(tx.commit());
        }
        qInfo("generated %lld log rows in %lld ms", kRows, t.elapsed());
        m_admin = std::make_unique<Service::AdminService>(m_tmp.shared(), Service::AdminService::Actor::Console);
    }

    void cleanupTestCase()
    {
        m_admin.reset();
    }

    void modelContract()
    {
        LogsModel model(m_admin.get());
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPageSize(100);
        SETTLE(model);
        QCOMPARE(model.rowCount(), 100);
        QVERIFY(model.nextPage());
        SETTLE(model);
        QVERIFY(model.previousPage());
        SETTLE(model);
        Store::LogFilter f;
        f.userId = m_alice;
        model.setFilter(f);
        SETTLE(model);
        QCOMPARE(model.rowCount(), 100);
        QCOMPARE(model.index(0, LogsModel::User).data().toString(), QStringLiteral("alice"));
    }

    void pagesThroughAMillionRows()
    {
        LogsModel model(m_admin.get());
        model.setPageSize(5000);
        SETTLE(model);
        QCOMPARE(model.totalCount(), std::optional<qint64>(kRows));
        QCOMPARE(model.pageNumber(), 1);
        QVERIFY(!model.hasPreviousPage());
        // Newest first: the very first row is the last inserted one.
        QCOMPARE(model.recordAt(0)->quota, kRows - 1);

        qint64 seen = 0;
        qint64 expectedQuota = kRows - 1; // quota == insertion index, so strictly decreasing, no gaps
        QElapsedTimer t;
        t.start();
        for (;;) {
            for (int r = 0; r < model.rowCount(); ++r) {
                QCOMPARE(model.recordAt(r)->quota, expectedQuota);
                --expectedQuota;
            }
            seen += model.rowCount();
            if (!model.nextPage())
                break;
            SETTLE(model);
        }
        qInfo("paged through %lld rows (%d pages) in %lld ms", seen, model.pageNumber(), t.elapsed());
        QCOMPARE(seen, kRows);
        QCOMPARE(model.pageNumber(), int(kRows / 5000));
        QVERIFY(!model.hasNextPage());
        QCOMPARE(model.recordAt(model.rowCount() - 1)->quota, 0LL);

        // Going back retraces the same pages.
        QVERIFY(model.previousPage());
        SETTLE(model);
        QCOMPARE(model.recordAt(0)->quota, 2LL * 5000 - 1);
        model.firstPage();
        SETTLE(model);
        QCOMPARE(model.recordAt(0)->quota, kRows - 1);
    }

    void filtersUseTheStoreAndPagingStaysExact()
    {
        LogsModel model(m_admin.get());
        model.setPageSize(5000);
        Store::LogFilter f;
        f.userId = m_alice;
        f.type = Store::LogType::Consume;
        model.setFilter(f);
        SETTLE(model);
        qint64 seen = 0;
        qint64 previous = std::numeric_limits<qint64>::max();
        for (;;) {
            for (int r = 0; r < model.rowCount(); ++r) {
                const Store::LogRecord *rec = model.recordAt(r);
                QCOMPARE(rec->userId, m_alice);
                QCOMPARE(rec->type, Store::LogType::Consume);
                QVERIFY(rec->quota < previous);
                previous = rec->quota;
            }
            seen += model.rowCount();
            if (!model.nextPage())
                break;
            SETTLE(model);
        }
        // i % 4 == 0 (alice) and not i % 50 == 0 (error): 250 000 − 5 000 (multiples of 100).
        QCOMPARE(seen, m_aliceRows - kRows / 100);
        QCOMPARE(model.totalCount(), std::optional<qint64>(seen));

        Store::LogFilter timeRange;
        timeRange.fromMs = m_base + 1000;
        timeRange.toMs = m_base + 2000;
        model.setFilter(timeRange);
        SETTLE(model);
        QCOMPARE(model.totalCount(), std::optional<qint64>(3000));
        QCOMPARE(model.rowCount(), 3000);
    }

    void detailRendersOtherJsonReadably()
    {
        LogsModel model(m_admin.get());
        Store::LogFilter f;
        f.requestId = QStringLiteral("req-7");
        model.setFilter(f);
        SETTLE(model);
        QCOMPARE(model.rowCount(), 1);
        const QString text = model.describe(*model.recordAt(0));
        QVERIFY2(text.contains(QStringLiteral("Model ratio: 0.075")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("Audio input tokens: 1,234")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("req-7")));
        QVERIFY(!text.contains(QLatin1Char('{')));
    }

    // Issue 10 item 4: a row whose upstream usage was implausible (other.disputed) is marked for an operator —
    // the Flags column, a highlight, a tooltip and a line in the detail — and ordinary rows are not.
    void disputedRowsAreMarked_data()
    {
        QTest::addColumn<QByteArray>("other");
        QTest::addColumn<bool>("disputed");
        QTest::addColumn<QString>("flags");
        QTest::newRow("plain") << QByteArray(R"({"model_ratio":0.075})") << false << QString();
        QTest::newRow("chat disputed")
            << QByteArray(R"({"disputed":{"prompt_tokens":9007199254740992,"completion_tokens":9,"claimed_quota":675539944105574,"capped_at":1200}})")
            << true << QStringLiteral("disputed");
        QTest::newRow("realtime disputed, overage")
            << QByteArray(R"({"ws":true,"overage":{"amount":5},"disputed":{"entries":[{"id":"resp_1"}],"claimed_quota":2.9e17,"capped_at":131072}})")
            << true << QStringLiteral("disputed, overage");
        QTest::newRow("malformed usage") << QByteArray(R"({"upstream_usage_rejected":{"problem":"'prompt_tokens' is negative"}})")
                                         << false << QStringLiteral("usage rejected");
    }

    void disputedRowsAreMarked()
    {
        QFETCH(QByteArray, other);
        QFETCH(bool, disputed);
        QFETCH(QString, flags);
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        Store::LogRecord r;
        r.type = Store::LogType::Consume;
        r.model = QStringLiteral("gpt-realtime");
        r.quota = 1200;
        r.requestId = QStringLiteral("req-disputed");
        r.other = QJsonDocument::fromJson(other).object();
        QVERIFY(Store::LogRepository(tmp.db()).insert(r).ok());

        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        LogsModel model(&admin);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        SETTLE(model);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.headerData(LogsModel::Flags, Qt::Horizontal).toString(), QStringLiteral("Flags"));
        const QModelIndex flagsCell = model.index(0, LogsModel::Flags);
        QCOMPARE(model.data(flagsCell).toString(), flags);
        QCOMPARE(model.data(flagsCell, LogsModel::DisputedRole).toBool(), disputed);
        QCOMPARE(model.data(model.index(0, LogsModel::Quota), Qt::BackgroundRole).isValid(), disputed);
        QCOMPARE(model.data(flagsCell, Qt::ToolTipRole).toString().contains(QStringLiteral("implausible")), disputed);
        const QString text = model.describe(*model.recordAt(0));
        QCOMPARE(text.contains(QStringLiteral("DISPUTED")), disputed);
        if (disputed)
            QVERIFY2(text.contains(QStringLiteral("Charged (capped at the hold):")), qPrintable(text));
    }

    void csvExportWritesEveryMatchingRow()
    {
        Store::LogFilter f;
        f.fromMs = m_base;
        f.toMs = m_base + 10'000; // 30 000 rows
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        qint64 lastDone = 0, calls = 0;
        const auto result = Service::ConsoleQueries::exportLogsCsv(*m_admin, f, &buffer, [&](qint64 done, qint64 total) {
            ++calls;
            lastDone = done;
            return total == 30'000;
        });
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(result.value(), 30'000LL);
        QCOMPARE(lastDone, 30'000LL);
        QVERIFY(calls >= 15);
        const QList<QByteArray> lines = buffer.data().split('\n');
        QCOMPARE(lines.size(), 30'000 + 2); // header + rows + trailing empty
        QVERIFY(lines[0].startsWith("id,created_at,type"));
        QVERIFY(lines[1].contains(",req-29999,"));

        QBuffer cancelled;
        cancelled.open(QIODevice::WriteOnly);
        const auto stopped = Service::ConsoleQueries::exportLogsCsv(*m_admin, f, &cancelled, [](qint64, qint64) { return false; });
        QVERIFY(!stopped.ok());
    }

    void pageShowsDetailAndExportsFromTheGui()
    {
        // The worker is held so the page's first reads are still queued: the page says it is loading.
        QSemaphore gate;
        m_admin->async([&gate](Service::AdminService &) { gate.acquire(); return 0; });
        Ui::LogsPage page(m_admin.get());
        page.resize(1200, 700);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(page.isLoading());
        QVERIFY(page.findChild<QWidget *>(QStringLiteral("loadingLabel"))->isVisible());
        gate.release();
        SETTLE(page);
        QVERIFY(!page.findChild<QWidget *>(QStringLiteral("loadingLabel"))->isVisible());
        QVERIFY(page.model()->rowCount() > 0);
        page.table()->selectRow(0);
        QTRY_VERIFY_WITH_TIMEOUT(page.detail()->toPlainText().contains(QStringLiteral("Log #")), kWorkerWaitMs);
        QTemporaryDir dir;
        QCOMPARE(page.currentFilter().userId.has_value(), false);
        // Narrow to a small slice through the model filter the page uses, then export it.
        const QString file = dir.filePath(QStringLiteral("logs.csv"));
        auto *userCombo = page.findChild<QComboBox *>(QStringLiteral("logUser"));
        QVERIFY(userCombo);
        auto *model = page.findChild<QLineEdit *>(QStringLiteral("logModel"));
        model->setText(QStringLiteral("no-such-model"));
        QMetaObject::invokeMethod(model, "editingFinished");
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 0, kWorkerWaitMs);
        QSignalSpy finished(&page, &Ui::LogsPage::exportFinished);
        QVERIFY(page.exportCsv(file));
        QVERIFY(finished.wait(kWorkerWaitMs));
        QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
        QFile csv(file);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(csv.readAll().count('\n'), 1); // header only
    }
};

QTEST_MAIN(TestLogsModel)
#include "tst_logsmodel.moc"
