#include "logs/csvexport.h"

#include "service/consolequeries.h"

#include <QSaveFile>

namespace RelayDesk::Ui {

std::shared_ptr<CsvExport> CsvExport::start(Service::AdminService *admin, const Store::LogFilter &filter, const QString &fileName)
{
    // deleteLater: the last reference may be dropped on the worker; the object lives on the caller's thread.
    std::shared_ptr<CsvExport> job(new CsvExport, [](CsvExport *e) { e->deleteLater(); });
    admin->async([job, filter, fileName](Service::AdminService &s) {
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
    return job;
}

} // namespace RelayDesk::Ui
