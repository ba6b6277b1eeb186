#include "commands.h"

#include <QTextStream>

namespace RelayDesk::Cli {

int runServe(const QStringList &)
{
    QTextStream(stderr) << "relaydeskd serve: not available in this build yet\n";
    return 1;
}

} // namespace RelayDesk::Cli
