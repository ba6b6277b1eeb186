#pragma once
// Reads the console needs beyond AdminService's own methods: id → name maps for the log view, log counts and
// sums, the CSV export and the validation rules its dialogs check before asking for a write. Each takes the
// service and runs on the calling thread; the console calls them inside AdminService::async(), so they run on
// the service's worker and the GUI thread never waits on SQL. Kept apart from adminservice.* on purpose: the
// console's needs grow with its pages.
#include "adminservice.h"

#include <QHash>
#include <QString>

#include <functional>

class QIODevice;

namespace RelayDesk::Service::ConsoleQueries {

struct Names
{
    QHash<qint64, QString> users, keys, channels;
};

Names names(const AdminService &admin);
QList<Store::ApiKey> allKeys(const AdminService &admin); // every user's keys
qint64 logCount(const AdminService &admin, const Store::LogFilter &filter);
qint64 quotaSum(const AdminService &admin, const Store::LogFilter &filter);

// The rules the write will apply, for a dialog to check first (pure, no SQL).
bool isValidUserName(const QString &name);
Store::Status validateChannel(const Store::Channel &channel);

// Every log row matching `filter` as CSV (header + one line per row), newest first, a page at a time.
// `progress(done, total)` runs after each page (on the calling thread); returning false cancels.
// Returns the rows written, or the error.
Store::Result<qint64> exportLogsCsv(const AdminService &admin, const Store::LogFilter &filter, QIODevice *out,
                                    const std::function<bool(qint64 done, qint64 total)> &progress = {});

} // namespace RelayDesk::Service::ConsoleQueries
