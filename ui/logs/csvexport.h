#pragma once

#include "service/adminservice.h"

#include <QObject>

#include <atomic>
#include <memory>

namespace RelayDesk::Ui {

// One CSV export of the logs, streamed on AdminService's worker: the file is opened, written a page at a time
// and committed there, so the GUI thread never waits on SQL or on the disk. progress() and finished() arrive
// as queued signals on the thread that called start(); the export reaches the worker only once that thread's
// event loop runs again, so connections made right after start() hear every signal. The export holds itself
// alive until it finished, so a page closed mid-export does not cut it short; cancel() stops it after the page
// being written.
class CsvExport final : public QObject
{
    Q_OBJECT

public:
    static std::shared_ptr<CsvExport> start(Service::AdminService *admin, const Store::LogFilter &filter, const QString &fileName);
    void cancel() { m_cancelled = true; }

signals:
    void progress(qint64 done, qint64 total);
    void finished(bool ok, const QString &error, qint64 rows);

private:
    CsvExport() = default;
    static void run(Service::AdminService &admin, const std::shared_ptr<CsvExport> &job, const Store::LogFilter &filter,
                    const QString &fileName);
    std::atomic<bool> m_cancelled{false};
};

} // namespace RelayDesk::Ui
