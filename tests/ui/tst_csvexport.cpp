// CsvExport: the export runs on AdminService's worker, and its signals reach the thread that started it. The
// caller connects right after start(); the export must not be able to finish before that (an empty one takes a
// millisecond), or its finished() is lost and the Logs page waits for an end that never comes.
#include "logs/csvexport.h"

#include "service/adminservice.h"
#include "store/logrepository.h"
#include "tempdatabase.h"

#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace RelayDesk;

class TestCsvExport final : public QObject
{
    Q_OBJECT

private slots:
    void finishedReachesAConnectionMadeAfterStart()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        Store::LogRecord row;
        row.model = QStringLiteral("gpt-4o-mini");
        row.requestId = QStringLiteral("req-1");
        QVERIFY(Store::LogRepository(tmp.db()).insert(row).ok());
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("logs.csv"));

        const std::shared_ptr<Ui::CsvExport> job = Ui::CsvExport::start(&admin, Store::LogFilter{}, file);
        // Whatever the worker was given by now has run once a job queued after it has: the slowest a caller can be.
        QSemaphore drained;
        admin.async([&drained](Service::AdminService &) {
            drained.release();
            return 0;
        });
        QVERIFY(drained.tryAcquire(1, 30'000));
        QSignalSpy finished(job.get(), &Ui::CsvExport::finished);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30'000);
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
        QCOMPARE(finished.first().at(2).toLongLong(), 1);
        QFile csv(file);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(csv.readAll().count('\n'), 2); // the header and the row
    }
};

QTEST_MAIN(TestCsvExport)
#include "tst_csvexport.moc"
