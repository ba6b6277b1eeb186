#pragma once

#include "result.h"
#include "servercall.h"
#include "statement.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include <memory>
#include <span>
#include <vector>

namespace RelayDesk::Store {

// A prepared statement leased from this thread's statement cache (see Database::prepared()).
// Bind with positional bindValue(i, v) before every exec(). When the lease ends the statement is reset
// (finish()), so a cached SELECT never keeps an SQLite read snapshot or a PostgreSQL result alive.
class CachedQuery final
{
public:
    CachedQuery() = default;
    CachedQuery(Statement *shared, bool *inUse) : m_query(shared), m_inUse(inUse) { *m_inUse = true; }
    explicit CachedQuery(std::unique_ptr<Statement> own) : m_own(std::move(own)), m_query(m_own.get()) {}
    ~CachedQuery();
    CachedQuery(CachedQuery &&other) noexcept;
    CachedQuery &operator=(CachedQuery &&) = delete;
    CachedQuery(const CachedQuery &) = delete;
    CachedQuery &operator=(const CachedQuery &) = delete;

    Statement &operator*() const { return *m_query; }
    Statement *operator->() const { return m_query; }

private:
    std::unique_ptr<Statement> m_own; // used when the cached statement is already leased (nested use)
    Statement *m_query = nullptr;
    bool *m_inUse = nullptr;
};

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
    static constexpr int kSqliteBusyTimeoutMs = 15'000; // how long a SQLite statement waits for another's write lock
    // A new SQLite database's page size. Each commit appends every page it changed to the WAL, whole and
    // checksummed: an accounted request changes ~18 (its log row and 8 indexes, the reservation, user, key and
    // channel rows), so 2 KiB pages instead of SQLite's 4 KiB cut its instructions 5 % (bench/chat/README.md)
    // while a log row with its other_json still fits one page. An existing database keeps the size it has.
    static constexpr int kSqlitePageSize = 2048;

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
    // `sql` prepared once per (connection, SQL text) and reused: re-preparing costs more than running
    // the hot ledger statements (and two extra round trips on PostgreSQL). The cache belongs to this
    // thread's connection and goes with it. Check lastError()/exec() as usual; a failed prepare is
    // retried on the next call.
    CachedQuery prepared(const QString &sql) const;

    // Group commit on this thread's connection. beginBatch() opens one write transaction; every
    // Transaction on this thread then runs inside it as a savepoint, and commitBatch() makes them all
    // durable at once (one WAL append and one lock cycle instead of one per ledger operation). See
    // StoreLane, whose thread batches the relay's writes. lockTimeoutMs > 0 (PostgreSQL): a statement of the batch
    // waits at most that long for a row lock (SET LOCAL lock_timeout, sent with the BEGIN in one round trip).
    bool beginBatch(QString *error = nullptr, int lockTimeoutMs = 0) const;
    // SQLite only: beginBatch() if no other connection holds the write lock now, else false at once — never
    // waiting, for a thread that must not block (an event loop). False on PostgreSQL.
    bool tryBeginBatch(QString *error = nullptr) const;
    bool commitBatch(QString *error = nullptr) const;
    bool inBatch() const;

    // Asks the server `calls` on this thread's connection, all sent before the first answer is read (PostgreSQL
    // pipeline mode, see PgPipeline): n questions, one round trip. Inside a batch or transaction they run in it.
    // One answer per call, in order; on SQLite every answer is an error (it has no server to ask).
    std::vector<ServerAnswer> ask(std::span<const ServerCall *const> calls) const;
    ServerAnswer ask(const ServerCall &call) const;

    int schemaVersion() const;
    Status migrate();

    // The instance (see InstanceRepository) this process relays as: every reservation made through this
    // Database names it as its owner. Empty until a relaying process registers. Thread-safe.
    QString instanceId() const;
    void setInstanceId(const QString &id);

    // Number of connections currently open (all threads) — for tests and diagnostics.
    int openConnectionCount() const;

    // Whether the server answered last time anyone asked (cheap; no round trip). A broken PostgreSQL
    // connection is reopened on its thread's next use, with a back-off, between transactions.
    bool isAvailable() const;
    // One round trip (SELECT 1) on this thread's connection; updates isAvailable().
    bool ping() const;

    struct Shared;

private:
    friend class Transaction;
    // This thread's top-level transactions: a broken connection is never swapped under one.
    void transactionBegan() const;
    void transactionEnded() const;
    bool inTransaction() const; // a top-level Transaction is open on this thread's connection

    explicit Database(std::shared_ptr<Shared> shared);
    std::shared_ptr<Shared> m_shared;
};

// A write transaction on this thread's connection; rolls back unless commit() succeeded.
// SQLite uses BEGIN IMMEDIATE so concurrent writers queue on the busy timeout instead of failing
// when a read transaction would have to be upgraded. Inside a batch (Database::beginBatch) it is a
// savepoint: commit() releases it, and it becomes durable when the batch commits. Likewise a Transaction
// opened while another is open on this thread's connection nests as a savepoint, so a repository method that
// keeps its own writes atomic composes into a caller's larger transaction (AdminService: write, audit, change).
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
    bool run(const QString &sql, const char *what);

    const Database &m_database;
    QSqlDatabase m_db;
    bool m_active = false;
    bool m_savepoint = false;
    QString m_error;
};

// "<what>: <driver message>" for a QSqlQuery or a Statement.
template<typename Query>
QString queryError(const Query &q, const char *what)
{
    return QStringLiteral("%1: %2").arg(QLatin1String(what), q.lastError().text());
}

// Executes a prepared query (a QSqlQuery or a Statement), returning false with queryError() in *error on failure.
template<typename Query>
bool execQuery(Query &q, QString *error, const char *what)
{
    if (q.exec())
        return true;
    if (error)
        *error = queryError(q, what);
    return false;
}
qint64 nowMs();
// Qt binds a null QString as SQL NULL; TEXT NOT NULL columns need an empty string instead.
inline QString nn(const QString &s) { return s.isNull() ? QStringLiteral("") : s; }
qint64 nowSecs();

} // namespace RelayDesk::Store
