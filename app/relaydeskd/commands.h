#pragma once

#include <QStringList>

// Sub-commands of relaydeskd. Each receives the arguments after its own name and returns the
// process exit code: 0 success, 1 runtime failure, 2 bad arguments or bad input.
namespace RelayDesk::Cli {

int runCount(const QStringList &args);
int runAdmin(const QStringList &args);
int runServe(const QStringList &args);

} // namespace RelayDesk::Cli
