#pragma once

#include <QString>

namespace RelayDesk::Ui {

// `relaydesk --screenshot FILE --page PAGE`: builds the console over a temporary data dir filled with demo
// data (simulated live sessions, seeded users/keys/channels/logs), renders PAGE (live, detail, pricing,
// users, channels, logs, dashboard) and saves it as PNG. Returns the process exit code (0 = written).
int renderScreenshot(const QString &file, const QString &page, QString *error);

} // namespace RelayDesk::Ui
