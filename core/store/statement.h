#pragma once
// One prepared statement on this thread's connection, with the part of QSqlQuery's interface the repositories use
// (bind by position, exec, step through rows, read columns, count changes, read the error).
//
// On SQLite it drives the driver's own sqlite3 handle directly. Qt Sql names every positional bind with
// QString::arg, keeps each value in a QVariant record and has SQLite translate every text to UTF-16 and back: in a
// profile of one small relayed chat request that was a fifth of the relay's instructions (bench/chat/README.md),
// for ~20 ledger statements. On PostgreSQL it is a QSqlQuery (the ledger's hot calls there go through libpq
// already, see PgPipeline).
#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtCore/QVariant>
#include <QtSql/QSqlDatabase>
#include <QtSql/QSqlError>

#include <memory>
#include <vector>

class QSqlQuery;
struct sqlite3;
struct sqlite3_stmt;

namespace RelayDesk::Store {

// The driver's sqlite3 handle when `db` is an open Qt SQLite connection (Qt names its type "sqlite3*"), else null.
sqlite3 *sqliteHandle(const QSqlDatabase &db);

class Statement final
{
public:
    // Prepares `sql` on `db`; a failed prepare is reported by lastError() (and every exec() fails).
    static std::unique_ptr<Statement> prepare(const QSqlDatabase &db, const QString &sql);
    ~Statement();
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    // As QSqlQuery: values stay bound across exec(); a null QVariant (or a null QString) binds SQL NULL.
    void bindValue(int index, const QVariant &value);
    bool exec();
    bool next();
    // The current row's column; SQL NULL reads as a null QVariant.
    QVariant value(int column) const;
    bool isNull(int column) const;
    int numRowsAffected() const;
    QVariant lastInsertId() const;
    QSqlError lastError() const;
    // Ends the current execution: SQLite releases its read snapshot or write statement (bindings stay).
    void finish();

private:
    Statement() = default;
    bool failSqlite(int code, const QString &driverText);
    void bindSqlite(int index, const QVariant &value);
    void bindText(int index, const QString &text);
    // Holds the bytes bound to parameter `index` (1-based) until it is bound again: SQLite reads them in place.
    const QByteArray &keep(int index, QByteArray bytes);

    std::unique_ptr<QSqlQuery> m_query; // PostgreSQL (or any other driver)
    sqlite3 *m_db = nullptr;            // SQLite: the driver's connection
    sqlite3_stmt *m_stmt = nullptr;
    std::vector<QByteArray> m_bound; // by parameter: the bytes of a bound text or blob (bound SQLITE_STATIC)
    QSqlError m_error;
    bool m_rowPending = false; // exec() stepped onto a row that next() has not handed out yet
    bool m_onRow = false;
    bool m_running = false; // stepped since the last reset
};

} // namespace RelayDesk::Store
