#pragma once

#include "store/result.h"

#include <QtGlobal>

namespace RelayDesk::Store { class Database; }

namespace RelayDesk::Ui {

// Fills an empty database with demo users, keys, channels and `logRows` consumption logs spread over the
// last `days` days, through the store repositories (used by screenshot mode).
// With routableChannels = false the seeded upstream channels serve only the vip/svip groups, so a running
// relay keeps sending the demo user's (default group) traffic to the demo channel.
Store::Status seedDemoStore(const Store::Database &db, int logRows = 3000, int days = 7, quint32 seed = 7,
                            bool routableChannels = true);

} // namespace RelayDesk::Ui
