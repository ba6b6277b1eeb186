#pragma once

#include "result.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include <memory>

namespace RelayDesk::Store {

// The RelayDesk database: SQLite (default, <dataDir>/relaydesk.sqlite) or PostgreSQL (postgres:// URL).
//
// Thread safety: a QSqlDatabase connection may only be used by the thread that opened it, and the relay
// and the console run on different threads. connection() therefore hands out one connection per
// (Database, thread), opened lazily and removed automatically when that thread ends. Every repository
// call goes through connection(), so repositories work from any thread. Destroy the Database only after
// the worker threads that used it have stopped using it.
class Database final
{
public:
    enum class Backend { Sqlite, Postgres };

    static constexpr const char *kSqliteFileName = "relaydesk.sqlite";

    // Opens (and migrates) the SQLite database in dataDir, creating the directory when missing.
    static Result<std::shared_ptr<Database>> openDataDir(const QString &dataDir);
    // Opens (and migrates) a database by URL: "postgres://user:pass@host:port/db[?sslmode=…]" or
    // "postgresql://…", or "sqlite:///abs/path.sqlite" / a plain file path.
    static Result<std::shared_ptr<Database>> openUrl(const QString &url);
    // --data DIR / --db URL as given on a command line (url wins when both are set).
    static Result<std::shared_ptr<Database>> open(const QString &dataDir, const QString &url);

    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    Backend backend() const;
    bool isPostgres() const { return backend() == Backend::Postgres; }
    // A human-readable location without the password.
    QString description() const;

    // This thread's connection (opened on first use). Check isOpen() — a failed open is returned closed.
    QSqlDatabase connection() const;
    // A forward-only query on this thread's connection.
    QSqlQuery query() const;

    int schemaVersion() const;
    Status migrate();

    // Number of connections currently open (all threads) — for tests and diagnostics.
    int openConnectionCount() const;

    struct Shared;

private:
    explicit Database(std::shared_ptr<Shared> shared);
    std::shared_ptr<Shared> m_shared;
};

// A write transaction on this thread's connection; rolls back unless commit() succeeded.
// SQLite uses BEGIN IMMEDIATE so concurrent writers queue on the busy timeout instead of failing
// when a read transaction would have to be upgraded.
class Transaction final
{
public:
    explicit Transaction(const Database &db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    bool isActive() const { return m_active; }
    const QString &error() const { return m_error; }
    bool commit();
    void rollback();

private:
    QSqlDatabase m_db;
    bool m_active = false;
    QString m_error;
};

// Executes a prepared query, returning false with "<what>: <driver message>" on failure.
bool execQuery(QSqlQuery &q, QString *error, const char *what);
QString queryError(const QSqlQuery &q, const char *what);
qint64 nowMs();
// Qt binds a null QString as SQL NULL; TEXT NOT NULL columns need an empty string instead.
inline QString nn(const QString &s) { return s.isNull() ? QStringLiteral("") : s; }
qint64 nowSecs();

} // namespace RelayDesk::Store
