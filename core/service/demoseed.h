#pragma once

#include "store/result.h"

#include <QString>

#include <memory>

#include <QtGlobal>

namespace RelayDesk::Store { class Database; }

namespace RelayDesk::Service {

// Fills an empty database with demo users, keys, channels and `logRows` consumption logs spread over the
// last `days` days, through the store repositories (used by screenshot mode and the console benchmarks; run it
// before a window shows, or on AdminService's worker).
// With routableChannels = false the seeded upstream channels serve only the vip/svip groups, so a running
// relay keeps sending the demo user's (default group) traffic to the demo channel.
Store::Status seedDemoStore(const Store::Database &db, int logRows = 3000, int days = 7, quint32 seed = 7,
                            bool routableChannels = true);

// A SQLite database in `dir` (created), for screenshot mode's stand-alone console.
Store::Result<std::shared_ptr<Store::Database>> openDemoDatabase(const QString &dir);

} // namespace RelayDesk::Service
