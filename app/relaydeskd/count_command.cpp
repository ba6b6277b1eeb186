#include "commands.h"

#include <QTextStream>

namespace RelayDesk::Cli {

int runCount(const QStringList &)
{
    QTextStream(stderr) << "relaydeskd count: not available in this build yet\n";
    return 1;
}

} // namespace RelayDesk::Cli
