#include "database.h"
#include "pgpipeline.h"
#include "statement.h"

#include "channelrepository.h"
#include "migrations.h"

#include "common/datadir.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QMutex>
#include <QSqlDriver>
#include <QSqlError>
#include <QThread>
#include <QUrl>
#include <QUrlQuery>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>
#include <unordered_map>

namespace RelayDesk::Store {

struct Database::Shared
{
    quint64 serial = 0;
    Backend backend = Backend::Sqlite;
    QString sqlitePath;
    QString pgHost, pgUser, pgPassword, pgDatabase, pgOptions;
    int pgPort = 5432;

    mutable QMutex mutex;
    QStringList connectionNames; // every open connection of this database, all threads
    bool closed = false;
    QString instanceId; // guarded by mutex
    // Last known state of the server: false after a connection broke or could not be (re)opened, true
    // after a successful open or ping. Written by every thread, read by /healthz and auth.
    std::atomic<bool> available{true};

    void release(const QString &name)
    {
        QMutexLocker lock(&mutex);
        if (!connectionNames.removeOne(name))
            return;
        removeConnection(name);
    }

    // removeDatabase() alone: it closes the connection with its last handle. (Fetching the handle with
    // QSqlDatabase::database() would warn when called during thread exit, after Qt forgot the thread.)
    static void removeConnection(const QString &name) { QSqlDatabase::removeDatabase(name); }
};

namespace {

std::atomic<quint64> g_serial{0};
std::atomic<quint64> g_connectionCounter{0};

// Per-thread connection cache. Its destructor runs when the thread exits and removes that thread's
// connections (if their Database still exists), so short-lived worker threads leave nothing behind.
// Each entry keeps the connection handle (QSqlDatabase::database() takes a global lock) and the
// prepared statements of that connection; both are dropped before the connection is removed.
struct ThreadConnections
{
    struct CachedStatement
    {
        std::unique_ptr<Statement> query;
        bool inUse = false;
    };
    struct Entry
    {
        std::weak_ptr<Database::Shared> owner;
        QString name;
        QSqlDatabase db;
        std::unordered_map<QString, CachedStatement> statements;
        // The same statements by the address of a literal's text (QStringLiteral: static data, no allocation), so the
        // lookups of the hot paths skip hashing the SQL. A hit is compared with its key: a raw buffer reused for
        // other SQL at the same address cannot alias.
        std::unordered_map<const void *, std::pair<const QString *, CachedStatement *>> byLiteral;
        PgPipeline::PreparedNames asked; // statements Database::ask prepared on this connection
        bool batch = false; // a group-commit transaction is open (Database::beginBatch)
        int transactions = 0; // top-level Transactions open on this connection
        qint64 reopenAtMs = 0; // back-off: no reconnect attempt before this
        qint64 backoffMs = 0;

        // Text that no allocation of its own holds: a literal's (or a raw buffer's, hence the comparison on a hit).
        static bool literal(const QString &sql) { return sql.capacity() == 0 && !sql.isEmpty(); }

        CachedStatement &statement(const QString &sql)
        {
            if (literal(sql)) {
                const auto it = byLiteral.find(sql.constData());
                if (it != byLiteral.end() && *it->second.first == sql)
                    return *it->second.second;
            }
            auto it = statements.find(sql);
            if (it == statements.end()) // the key copies the text: a raw buffer's QString would share the buffer
                it = statements.try_emplace(QString(sql.constData(), sql.size())).first;
            if (literal(sql))
                byLiteral[sql.constData()] = {&it->first, &it->second};
            return it->second;
        }

        void forget(const QString &sql) // rare (a failed prepare): every literal that maps to it goes too
        {
            const auto it = statements.find(sql);
            if (it == statements.end())
                return;
            std::erase_if(byLiteral, [st = &it->second](const auto &entry) { return entry.second.second == st; });
            statements.erase(it);
        }

        void clearStatements()
        {
            byLiteral.clear();
            statements.clear();
        }

        bool statementLeased() const
        {
            for (const auto &[sql, st] : statements)
                if (st.inUse)
                    return true;
            return false;
        }

        void drop()
        {
            clearStatements();
            asked.clear();
            db = QSqlDatabase();
        }
    };
    std::unordered_map<quint64, Entry> bySerial;

    ~ThreadConnections()
    {
        for (auto &[serial, entry] : bySerial) {
            entry.drop();
            if (auto shared = entry.owner.lock())
                shared->release(entry.name);
        }
    }
};

thread_local ThreadConnections t_connections;

Result<std::shared_ptr<Database::Shared>> parsePostgresUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return Result<std::shared_ptr<Database::Shared>>::failure(
            QStringLiteral("invalid database URL (expected postgres://user:pass@host:port/db)"));
    auto s = std::make_shared<Database::Shared>();
    s->backend = Database::Backend::Postgres;
    s->pgHost = url.host();
    s->pgPort = url.port(5432);
    s->pgUser = url.userName();
    s->pgPassword = url.password();
    s->pgDatabase = url.path().mid(1);
    if (s->pgDatabase.isEmpty())
        s->pgDatabase = s->pgUser.isEmpty() ? QStringLiteral("postgres") : s->pgUser;
    QStringList options;
    const auto items = QUrlQuery(url).queryItems(QUrl::FullyDecoded);
    for (const auto &[key, value] : items)
        options << key + u'=' + value;
    s->pgOptions = options.join(u';');
    return s;
}

// The database holds balances and channel secrets: owner-only (0600) whatever the umask. A new file is
// created 0600 before SQLite opens it, and SQLite gives the -wal and -shm files it creates the main file's
// mode. Files left group/world readable by older versions (and their -wal/-shm) are tightened by path:
// never open and close an existing database file here, since closing any descriptor of it drops the POSIX
// locks SQLite holds on it in this process.
bool makeSqliteFilesPrivate(const QString &path, QString *error)
{
    const QByteArray file = QFile::encodeName(path);
    constexpr mode_t kPrivate = S_IRUSR | S_IWUSR;
    const int fd = ::open(file.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kPrivate);
    if (fd >= 0) {
        const bool ok = ::fchmod(fd, kPrivate) == 0; // the umask may have taken bits away
        ::close(fd);
        if (!ok) {
            *error = QStringLiteral("cannot make database file %1 private (mode 0600)").arg(path);
            return false;
        }
    } else if (errno != EEXIST) {
        *error = QStringLiteral("cannot create database file %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    for (const char *suffix : {"", "-wal", "-shm"}) {
        const QByteArray each = file + suffix;
        struct stat st{};
        if (::stat(each.constData(), &st) == 0 && (st.st_mode & 077) != 0 && ::chmod(each.constData(), kPrivate) != 0)
            qWarning("cannot make database file %s private (mode 0600): not its owner?", each.constData());
    }
    return true;
}

// SQLite counts every allocation it makes under a global mutex (SQLITE_CONFIG_MEMSTATUS, on by default): ~270
// lock pairs a relayed request, for statistics nothing here reads. Set once, before the process's first SQLite
// connection opens (later, sqlite3_config refuses: SQLITE_MISUSE, and the default stays).
void configureSqliteOnce()
{
    static std::once_flag once;
    std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

// Opens the entry's connection and sets the session up. A failure is remembered (Database::isAvailable)
// and retried with a back-off from 100 ms doubling to 5 s, so a server that is down costs each caller
// one failed attempt at most per back-off period instead of a connect timeout per statement.
void openSession(Database::Shared &shared, ThreadConnections::Entry &entry)
{
    if (shared.backend == Database::Backend::Sqlite)
        configureSqliteOnce();
    if (!entry.db.open()) {
        entry.backoffMs = std::clamp<qint64>(entry.backoffMs * 2, 100, 5'000);
        entry.reopenAtMs = nowMs() + entry.backoffMs;
        shared.available.store(false);
        return;
    }
    entry.backoffMs = 0;
    shared.available.store(true);
    QSqlQuery q(entry.db);
    if (shared.backend == Database::Backend::Sqlite) {
        // First, while a new file is still empty (a no-op on a database that has pages already).
        q.exec(QStringLiteral("PRAGMA page_size=%1").arg(Database::kSqlitePageSize));
        // WAL lets readers (the console) run beside the relay's writer; NORMAL is durable across
        // application crashes in WAL mode and an order of magnitude faster than FULL.
        q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
        q.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
        q.exec(QStringLiteral("PRAGMA foreign_keys=ON"));
        q.exec(QStringLiteral("PRAGMA busy_timeout=%1").arg(Database::kSqliteBusyTimeoutMs));
    } else {
        q.exec(QStringLiteral("SET client_min_messages TO WARNING"));
    }
}

// The libpq connection under Qt's driver, for what the driver cannot do (see postgresConnectionBad, Database::ask).
PGconn *postgresHandle(const QSqlDatabase &db)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    // Qt names the type by the struct PGconn aliases.
    if (!handle.isValid() || (qstrcmp(handle.typeName(), "pg_conn*") != 0 && qstrcmp(handle.typeName(), "PGconn*") != 0))
        return nullptr;
    return *static_cast<PGconn *const *>(handle.constData());
}

// libpq marks a connection bad once a call on it found the server gone (restart, failover, a killed
// backend). The driver's handle is the way to ask: Qt reports such failures as ordinary statement errors.
bool postgresConnectionBad(const QSqlDatabase &db)
{
    if (!db.driver() || db.driver()->dbmsType() != QSqlDriver::PostgreSQL)
        return false;
    PGconn *conn = postgresHandle(db);
    return !conn || PQstatus(conn) == CONNECTION_BAD;
}

// Reopens this thread's connection when it is closed (a failed open) or broken, but only between
// operations: never under an open transaction, batch or leased statement, which belong to the old one.
void reconnectIfBroken(Database::Shared &shared, ThreadConnections::Entry &entry)
{
    const bool broken = !entry.db.isOpen() || (shared.backend == Database::Backend::Postgres &&
                                               postgresConnectionBad(entry.db));
    if (!broken)
        return;
    shared.available.store(false);
    if (entry.batch || entry.transactions > 0 || entry.statementLeased() || nowMs() < entry.reopenAtMs)
        return;
    entry.clearStatements(); // prepared on the old connection
    entry.asked.clear();
    entry.db.close();
    openSession(shared, entry);
    if (entry.db.isOpen())
        qInfo("database: reconnected to %s", qPrintable(shared.backend == Database::Backend::Postgres
                                                             ? shared.pgHost : shared.sqlitePath));
}


} // namespace

Database::Database(std::shared_ptr<Shared> shared) : m_shared(std::move(shared)) {}

Database::~Database()
{
    // This thread's cached statements and handle must go before the connection is removed.
    t_connections.bySerial.erase(m_shared->serial);
    QMutexLocker lock(&m_shared->mutex);
    m_shared->closed = true;
    for (const QString &name : std::as_const(m_shared->connectionNames))
        Shared::removeConnection(name);
    m_shared->connectionNames.clear();
}

Result<std::shared_ptr<Database>> Database::openDataDir(const QString &dataDir)
{
    QString error;
    if (!ensureDataDir(dataDir, &error))
        return Result<std::shared_ptr<Database>>::failure(error);
    return openUrl(QDir(dataDir).filePath(QString::fromLatin1(kSqliteFileName)));
}

Result<std::shared_ptr<Database>> Database::open(const QString &dataDir, const QString &url)
{
    if (!url.isEmpty())
        return openUrl(url);
    return openDataDir(resolveDataDir(dataDir));
}

Result<std::shared_ptr<Database>> Database::openUrl(const QString &url)
{
    using R = Result<std::shared_ptr<Database>>;
    std::shared_ptr<Shared> shared;
    if (url.startsWith(u"postgres://") || url.startsWith(u"postgresql://")) {
        auto parsed = parsePostgresUrl(url);
        if (!parsed)
            return R::failure(parsed.error());
        shared = parsed.value();
    } else {
        shared = std::make_shared<Shared>();
        QString path = url;
        if (path.startsWith(u"sqlite://"))
            path = QUrl(path).path();
        if (path.isEmpty())
            return R::failure(QStringLiteral("empty database path"));
        shared->sqlitePath = QFileInfo(path).absoluteFilePath();
        if (QString error; !makeSqliteFilesPrivate(shared->sqlitePath, &error))
            return R::failure(error);
    }
    shared->serial = ++g_serial;
    std::shared_ptr<Database> db(new Database(shared));
    QSqlDatabase conn = db->connection();
    if (!conn.isOpen())
        return R::failure(QStringLiteral("cannot open database %1: %2")
                              .arg(db->description(), conn.lastError().text()));
    if (Status migrated = db->migrate(); !migrated)
        return R::failure(migrated.error());
    // Channel secrets: a key that cannot open them fails the open (naming the key file); plaintext left
    // by older versions is encrypted now.
    if (Status secrets = ChannelRepository(*db).prepareSecretsOnOpen(); !secrets)
        return R::failure(secrets.error());
    return db;
}

Database::Backend Database::backend() const
{
    return m_shared->backend;
}

QString Database::description() const
{
    if (m_shared->backend == Backend::Sqlite)
        return m_shared->sqlitePath;
    return QStringLiteral("postgres://%1@%2:%3/%4")
        .arg(m_shared->pgUser, m_shared->pgHost).arg(m_shared->pgPort).arg(m_shared->pgDatabase);
}

QSqlDatabase Database::connection() const
{
    auto it = t_connections.bySerial.find(m_shared->serial);
    if (it != t_connections.bySerial.end()) {
        reconnectIfBroken(*m_shared, it->second);
        return it->second.db;
    }

    const QString name = QStringLiteral("relaydesk-%1-%2").arg(m_shared->serial).arg(++g_connectionCounter);
    QSqlDatabase db;
    if (m_shared->backend == Backend::Sqlite) {
        db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(m_shared->sqlitePath);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(Database::kSqliteBusyTimeoutMs));
    } else {
        db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(m_shared->pgHost);
        db.setPort(m_shared->pgPort);
        db.setUserName(m_shared->pgUser);
        db.setPassword(m_shared->pgPassword);
        db.setDatabaseName(m_shared->pgDatabase);
        db.setConnectOptions(m_shared->pgOptions);
    }
    {
        QMutexLocker lock(&m_shared->mutex);
        m_shared->connectionNames << name;
    }
    ThreadConnections::Entry &entry = t_connections.bySerial[m_shared->serial];
    entry.owner = m_shared;
    entry.name = name;
    entry.db = db;
    // QThread::wait() returns before thread_local destructors run, so also release on finished()
    // (emitted in the finishing thread itself): by the time wait() returns the connection is gone.
    const QCoreApplication *app = QCoreApplication::instance();
    if (QThread *thread = QThread::currentThread(); thread && (!app || thread != app->thread())) {
        const quint64 serial = m_shared->serial;
        QObject::connect(thread, &QThread::finished, thread,
                         [owner = std::weak_ptr<Shared>(m_shared), name, serial] {
                             t_connections.bySerial.erase(serial); // statements and handle first
                             if (auto shared = owner.lock())
                                 shared->release(name);
                         }, Qt::DirectConnection);
    }
    openSession(*m_shared, t_connections.bySerial[m_shared->serial]);
    return db;
}

void Database::transactionBegan() const
{
    if (auto it = t_connections.bySerial.find(m_shared->serial); it != t_connections.bySerial.end())
        ++it->second.transactions;
}

void Database::transactionEnded() const
{
    if (auto it = t_connections.bySerial.find(m_shared->serial); it != t_connections.bySerial.end())
        it->second.transactions = std::max(0, it->second.transactions - 1);
}

bool Database::inTransaction() const
{
    const auto it = t_connections.bySerial.find(m_shared->serial);
    return it != t_connections.bySerial.end() && it->second.transactions > 0;
}

bool Database::isAvailable() const
{
    return m_shared->available.load();
}

bool Database::ping() const
{
    QSqlQuery q = query();
    const bool ok = q.exec(QStringLiteral("SELECT 1")) && q.next();
    m_shared->available.store(ok);
    return ok;
}

CachedQuery Database::prepared(const QString &sql) const
{
    QSqlDatabase db = connection();
    auto entry = t_connections.bySerial.find(m_shared->serial);
    auto prepare = [&db, &sql] { return Statement::prepare(db, sql); };
    if (entry == t_connections.bySerial.end() || !db.isOpen())
        return CachedQuery(prepare());
    ThreadConnections::CachedStatement &st = entry->second.statement(sql);
    if (st.inUse) // the same SQL is already leased further up this thread's stack
        return CachedQuery(prepare());
    if (!st.query) {
        st.query = prepare();
        if (st.query->lastError().isValid()) { // do not keep a failed prepare; report it once
            auto failed = std::move(st.query);
            entry->second.forget(sql);
            return CachedQuery(std::move(failed));
        }
    }
    return CachedQuery(st.query.get(), &st.inUse);
}

CachedQuery::~CachedQuery()
{
    if (m_query)
        m_query->finish();
    if (m_inUse)
        *m_inUse = false;
}

CachedQuery::CachedQuery(CachedQuery &&other) noexcept
    : m_own(std::move(other.m_own)), m_query(std::exchange(other.m_query, nullptr)),
      m_inUse(std::exchange(other.m_inUse, nullptr))
{
}

std::vector<ServerAnswer> Database::ask(std::span<const ServerCall *const> calls) const
{
    if (!isPostgres())
        return PgPipeline::unanswered(calls.size(), QStringLiteral("only PostgreSQL answers server calls"));
    const QSqlDatabase db = connection();
    auto entry = t_connections.bySerial.find(m_shared->serial);
    if (!db.isOpen() || entry == t_connections.bySerial.end())
        return PgPipeline::unanswered(calls.size(), QStringLiteral("database not open"));
    std::vector<ServerAnswer> answers = PgPipeline::run(postgresHandle(db), calls, &entry->second.asked);
    bool ok = true;
    for (const ServerAnswer &a : answers)
        ok = ok && a.ok();
    if (!ok && postgresConnectionBad(db))
        m_shared->available.store(false);
    return answers;
}

ServerAnswer Database::ask(const ServerCall &call) const
{
    const ServerCall *one[] = {&call};
    return std::move(ask(one).front());
}

QSqlQuery Database::query() const
{
    QSqlQuery q(connection());
    q.setForwardOnly(true);
    return q;
}

int Database::schemaVersion() const
{
    return currentSchemaVersion(*this);
}

Status Database::migrate()
{
    return runMigrations(*this);
}

QString Database::instanceId() const
{
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->instanceId;
}

void Database::setInstanceId(const QString &id)
{
    QMutexLocker lock(&m_shared->mutex);
    m_shared->instanceId = id;
}

int Database::openConnectionCount() const
{
    QMutexLocker lock(&m_shared->mutex);
    return int(m_shared->connectionNames.size());
}

namespace {

bool runStatement(const Database &database, const QString &sql, QString *error, const char *what)
{
    // SQLite runs BEGIN/COMMIT/ROLLBACK as cached prepared statements; PostgreSQL cannot PREPARE them, so
    // they go as plain (single round trip) statements there.
    if (database.backend() == Database::Backend::Sqlite) {
        CachedQuery q = database.prepared(sql);
        return execQuery(*q, error, what);
    }
    QSqlQuery q(database.connection());
    if (q.exec(sql))
        return true;
    if (error)
        *error = queryError(q, what);
    return false;
}

QString beginSql(Database::Backend backend)
{
    return backend == Database::Backend::Sqlite ? QStringLiteral("BEGIN IMMEDIATE") : QStringLiteral("BEGIN");
}

} // namespace

bool Database::inBatch() const
{
    const auto it = t_connections.bySerial.find(m_shared->serial);
    return it != t_connections.bySerial.end() && it->second.batch;
}

bool Database::beginBatch(QString *error, int lockTimeoutMs) const
{
    if (inBatch())
        return true;
    if (!connection().isOpen()) {
        if (error)
            *error = QStringLiteral("database not open");
        return false;
    }
    const QString begin = isPostgres() && lockTimeoutMs > 0
        ? beginSql(backend()) + QStringLiteral("; SET LOCAL lock_timeout = '%1ms'").arg(lockTimeoutMs)
        : beginSql(backend());
    if (!runStatement(*this, begin, error, "begin batch"))
        return false;
    t_connections.bySerial[m_shared->serial].batch = true;
    return true;
}

bool Database::tryBeginBatch(QString *error) const
{
    if (inBatch())
        return true;
    sqlite3 *handle = isPostgres() ? nullptr : sqliteHandle(connection());
    if (!handle) {
        if (error)
            *error = QStringLiteral("a batch that does not wait needs an open SQLite connection");
        return false;
    }
    // BEGIN IMMEDIATE takes the write lock or fails at once; the batch's statements then never wait (in WAL mode a
    // writer holding the lock waits for nobody, readers included).
    sqlite3_busy_timeout(handle, 0);
    const bool begun = beginBatch(error);
    sqlite3_busy_timeout(handle, kSqliteBusyTimeoutMs);
    return begun;
}

bool Database::commitBatch(QString *error) const
{
    if (!inBatch())
        return true;
    t_connections.bySerial[m_shared->serial].batch = false;
    // PostgreSQL answers COMMIT of a transaction a failed statement aborted with success — and rolls it back.
    if (isPostgres()) {
        PGconn *conn = postgresHandle(connection());
        if (conn && PQtransactionStatus(conn) == PQTRANS_INERROR) {
            if (error)
                *error = QStringLiteral("commit batch: a statement outside its savepoint failed, aborting the batch");
            runStatement(*this, QStringLiteral("ROLLBACK"), nullptr, "rollback batch");
            return false;
        }
    }
    if (runStatement(*this, QStringLiteral("COMMIT"), error, "commit batch"))
        return true;
    runStatement(*this, QStringLiteral("ROLLBACK"), nullptr, "rollback batch");
    return false;
}

Transaction::Transaction(const Database &db) : m_database(db), m_db(db.connection())
{
    if (!m_db.isOpen()) {
        m_error = QStringLiteral("database not open: ") + m_db.lastError().text();
        return;
    }
    m_savepoint = db.inBatch() || db.inTransaction();
    m_active = run(m_savepoint ? QStringLiteral("SAVEPOINT rd_tx") : beginSql(db.backend()),
                   "begin transaction");
    if (m_active && !m_savepoint)
        m_database.transactionBegan();
}

bool Transaction::run(const QString &sql, const char *what)
{
    return runStatement(m_database, sql, &m_error, what);
}

Transaction::~Transaction()
{
    rollback();
}

bool Transaction::commit()
{
    if (!m_active)
        return false;
    if (!run(m_savepoint ? QStringLiteral("RELEASE rd_tx") : QStringLiteral("COMMIT"), "commit")) {
        const QString error = m_error;
        rollback();
        m_error = error;
        return false;
    }
    m_active = false;
    if (!m_savepoint)
        m_database.transactionEnded();
    return true;
}

void Transaction::rollback()
{
    if (!m_active)
        return;
    m_active = false;
    const QString error = m_error;
    if (m_savepoint) { // undo this operation only; the batch goes on
        run(QStringLiteral("ROLLBACK TO rd_tx"), "rollback");
        run(QStringLiteral("RELEASE rd_tx"), "rollback");
    } else {
        run(QStringLiteral("ROLLBACK"), "rollback");
        m_database.transactionEnded();
    }
    m_error = error;
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

qint64 nowSecs()
{
    return QDateTime::currentSecsSinceEpoch();
}

} // namespace RelayDesk::Store
