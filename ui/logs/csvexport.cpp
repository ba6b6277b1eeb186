#include "logs/csvexport.h"

#include "service/consolequeries.h"

#include <QPointer>
#include <QSaveFile>

namespace RelayDesk::Ui {

std::shared_ptr<CsvExport> CsvExport::start(Service::AdminService *admin, const Store::LogFilter &filter, const QString &fileName)
{
    // deleteLater: the last reference may be dropped on the worker; the object lives on the caller's thread.
    std::shared_ptr<CsvExport> job(new CsvExport, [](CsvExport *e) { e->deleteLater(); });
    // Handed to the worker from this thread's event loop, not now: the caller connects to the job after start()
    // returns, and an export the worker finished before that (an empty one takes a millisecond) emitted finished()
    // to nobody.
    QMetaObject::invokeMethod(job.get(), [job, admin = QPointer<Service::AdminService>(admin), filter, fileName] {
        if (admin)
            run(*admin, job, filter, fileName);
        else
            emit job->finished(false, tr("No database is open."), 0); // the console's store closed first
    }, Qt::QueuedConnection);
    return job;
}

void CsvExport::run(Service::AdminService &admin, const std::shared_ptr<CsvExport> &job,
                    const Store::LogFilter &filter, const QString &fileName)
{
    admin.async([job, filter, fileName](Service::AdminService &s) {
        QSaveFile file(fileName);
        if (!file.open(QIODevice::WriteOnly)) {
            emit job->finished(false, tr("Cannot write %1: %2").arg(fileName, file.errorString()), 0);
            return 0;
        }
        const auto written = Service::ConsoleQueries::exportLogsCsv(s, filter, &file, [&job](qint64 done, qint64 total) {
            emit job->progress(done, total); // queued to the caller's thread
            return !job->m_cancelled.load();
        });
        if (!written) {
            file.cancelWriting();
            emit job->finished(false, job->m_cancelled ? tr("Export cancelled.") : written.error(), 0);
        } else if (!file.commit()) {
            emit job->finished(false, tr("Cannot write %1: %2").arg(fileName, file.errorString()), 0);
        } else {
            emit job->finished(true, {}, written.value());
        }
        return 0;
    });
}

} // namespace RelayDesk::Ui
