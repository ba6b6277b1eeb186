#include "datadir.h"

#include <QDir>
#include <QStandardPaths>

namespace RelayDesk {

QString resolveDataDir(const QString &explicitDir)
{
    if (!explicitDir.isEmpty())
        return QDir(explicitDir).absolutePath();
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

bool ensureDataDir(const QString &dir, QString *error)
{
    if (dir.isEmpty()) {
        if (error)
            *error = QStringLiteral("no data directory could be determined");
        return false;
    }
    if (QDir().mkpath(dir))
        return true;
    if (error)
        *error = QStringLiteral("cannot create data directory %1").arg(dir);
    return false;
}

} // namespace RelayDesk
