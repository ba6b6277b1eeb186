#pragma once

#include <QString>

#include <optional>

namespace RelayDesk {

// Where RelayDesk keeps its database, TLS material and settings.
// An explicit directory (from --data) wins; otherwise the platform's per-user app data location.
QString resolveDataDir(const QString &explicitDir = {});

// Creates the directory (and parents) when missing, mode 0700: it holds the database, the secret key and the
// TLS key. An existing directory that group or others can access is tightened to 0700 with a notice on
// stderr (unless it is a shared sticky directory such as /tmp, or not ours, which is only warned about).
// Returns false with a message on failure.
bool ensureDataDir(const QString &dir, QString *error);

// The environment variable that may carry the database URL (so a password need not be in argv).
inline constexpr const char *kDatabaseUrlEnv = "RELAYDESK_DB_URL";

// Where the database URL came from on a command line.
struct DatabaseUrlOptions
{
    QString url;             // --db URL (visible to other users in /proc/PID/cmdline)
    QString urlFile;         // --db-file FILE: the URL is its first line, trimmed
    bool dataDirGiven = false; // --data DIR was given: then RELAYDESK_DB_URL is not consulted
};

// The database URL to use: --db, else --db-file, else $RELAYDESK_DB_URL (only when no --data was given),
// else "" (the data dir's SQLite). std::nullopt with *error when both --db and --db-file are given or the
// file cannot be read or is empty. *warning is set when --db carries a password.
std::optional<QString> resolveDatabaseUrl(const DatabaseUrlOptions &options, QString *error, QString *warning);

// True when a postgres:// URL carries a password.
bool urlHasPassword(const QString &url);

} // namespace RelayDesk
