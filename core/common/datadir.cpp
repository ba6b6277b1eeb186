#include "datadir.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QUrl>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace RelayDesk {

namespace {

constexpr mode_t kPrivateDirMode = S_IRWXU; // 0700

// Tightens an existing data dir that group or others may enter. A sticky, world-writable directory is a
// shared scratch area (/tmp): changing its mode would break every other user of it, so only warn.
void tightenDataDir(const QString &dir)
{
    const QByteArray path = QFile::encodeName(dir);
    struct stat st{};
    if (::stat(path.constData(), &st) != 0 || (st.st_mode & (S_IRWXG | S_IRWXO)) == 0)
        return;
    const unsigned oldMode = st.st_mode & 07777;
    if ((st.st_mode & S_ISVTX) || st.st_uid != ::geteuid()) {
        std::fprintf(stderr, "relaydesk: warning: data directory %s is accessible to other users (mode %04o); "
                             "use a private directory\n", path.constData(), oldMode);
        return;
    }
    if (::chmod(path.constData(), kPrivateDirMode) == 0)
        std::fprintf(stderr, "relaydesk: notice: data directory %s was mode %04o; tightened to 0700\n",
                     path.constData(), oldMode);
    else
        std::fprintf(stderr, "relaydesk: warning: cannot tighten data directory %s (mode %04o) to 0700\n",
                     path.constData(), oldMode);
}

} // namespace

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
    const QString absolute = QDir(dir).absolutePath();
    if (!QFileInfo(absolute).isDir()) {
        // Parents get the usual mode; the data dir itself is created private (umask cannot widen it).
        const QString parent = QFileInfo(absolute).absolutePath();
        if (!QDir().mkpath(parent)
            || (::mkdir(QFile::encodeName(absolute).constData(), kPrivateDirMode) != 0 && errno != EEXIST)) {
            if (error)
                *error = QStringLiteral("cannot create data directory %1").arg(dir);
            return false;
        }
    }
    if (!QFileInfo(absolute).isDir()) {
        if (error)
            *error = QStringLiteral("cannot create data directory %1").arg(dir);
        return false;
    }
    tightenDataDir(absolute);
    return true;
}

bool urlHasPassword(const QString &url)
{
    if (!url.startsWith(u"postgres://") && !url.startsWith(u"postgresql://"))
        return false;
    return !QUrl(url).password().isEmpty();
}

std::optional<QString> resolveDatabaseUrl(const DatabaseUrlOptions &options, QString *error, QString *warning)
{
    if (!options.url.isEmpty() && !options.urlFile.isEmpty()) {
        *error = QStringLiteral("give either --db URL or --db-file FILE, not both");
        return std::nullopt;
    }
    if (!options.url.isEmpty()) {
        if (urlHasPassword(options.url))
            *warning = QStringLiteral("a password on the command line is visible to other users (/proc/PID/cmdline); "
                                      "use %1 or --db-file").arg(QLatin1String(kDatabaseUrlEnv));
        return options.url;
    }
    if (!options.urlFile.isEmpty()) {
        QFile file(options.urlFile);
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read --db-file %1: %2").arg(options.urlFile, file.errorString());
            return std::nullopt;
        }
        const QString url = QString::fromUtf8(file.readLine(64 * 1024)).trimmed();
        if (url.isEmpty()) {
            *error = QStringLiteral("--db-file %1: the first line holds no database URL").arg(options.urlFile);
            return std::nullopt;
        }
        return url;
    }
    if (options.dataDirGiven)
        return QString();
    return qEnvironmentVariable(kDatabaseUrlEnv).trimmed();
}

} // namespace RelayDesk
