#include "commands.h"

#include <QTextStream>

namespace RelayDesk::Cli {

int runAdmin(const QStringList &)
{
    QTextStream(stderr) << "relaydeskd admin: not available in this build yet\n";
    return 1;
}

} // namespace RelayDesk::Cli
