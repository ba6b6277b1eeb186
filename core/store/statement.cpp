#include "statement.h"

#include <QtCore/QDateTime>
#include <QtCore/QMetaType>
#include <QtSql/QSqlDriver>
#include <QtSql/QSqlQuery>

#include <sqlite3.h>

#include <cstring>

namespace RelayDesk::Store {

sqlite3 *sqliteHandle(const QSqlDatabase &db)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    if (!handle.isValid() || std::strcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.constData());
}

namespace {

// Whether Qt Sql would bind `v` as SQL NULL: a null variant, and (unlike QVariant::isNull in Qt 6) a null string or
// byte array, or an invalid date-time.
bool boundAsNull(const QVariant &v)
{
    if (v.isNull())
        return true;
    switch (v.typeId()) {
    case QMetaType::QString: return static_cast<const QString *>(v.constData())->isNull();
    case QMetaType::QByteArray: return static_cast<const QByteArray *>(v.constData())->isNull();
    case QMetaType::QDateTime: return !static_cast<const QDateTime *>(v.constData())->isValid();
    case QMetaType::QTime: return !static_cast<const QTime *>(v.constData())->isValid();
    default: return false;
    }
}

} // namespace

std::unique_ptr<Statement> Statement::prepare(const QSqlDatabase &db, const QString &sql)
{
    std::unique_ptr<Statement> s(new Statement);
    s->m_db = db.isOpen() ? sqliteHandle(db) : nullptr;
    if (!s->m_db) {
        s->m_query = std::make_unique<QSqlQuery>(db);
        s->m_query->setForwardOnly(true);
        s->m_query->prepare(sql);
        return s;
    }
    const QByteArray utf8 = sql.toUtf8();
    const int rc = sqlite3_prepare_v2(s->m_db, utf8.constData(), int(utf8.size()), &s->m_stmt, nullptr);
    if (rc != SQLITE_OK)
        s->failSqlite(rc, QStringLiteral("Unable to execute statement"));
    return s;
}

Statement::~Statement()
{
    sqlite3_finalize(m_stmt); // a no-op on null
}

bool Statement::failSqlite(int code, const QString &driverText)
{
    m_error = QSqlError(driverText, QString::fromUtf8(sqlite3_errmsg(m_db)), QSqlError::StatementError,
                        QString::number(code));
    return false;
}

void Statement::bindValue(int index, const QVariant &value)
{
    if (m_query) {
        m_query->bindValue(index, value);
        return;
    }
    if (!m_stmt)
        return;
    finish(); // SQLite refuses new values while a run is under way
    bindSqlite(index + 1, value);
}

void Statement::bindSqlite(int index, const QVariant &value)
{
    if (boundAsNull(value)) {
        sqlite3_bind_null(m_stmt, index);
        return;
    }
    switch (value.typeId()) {
    case QMetaType::Bool:
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::Long:
    case QMetaType::LongLong:
    case QMetaType::Short:
    case QMetaType::Char:
        sqlite3_bind_int64(m_stmt, index, value.toLongLong());
        return;
    case QMetaType::ULong:
    case QMetaType::ULongLong:
    case QMetaType::UShort:
    case QMetaType::UChar:
        sqlite3_bind_int64(m_stmt, index, qint64(value.toULongLong()));
        return;
    case QMetaType::Double:
    case QMetaType::Float:
        sqlite3_bind_double(m_stmt, index, value.toDouble());
        return;
    case QMetaType::QByteArray: {
        const QByteArray &bytes = keep(index, value.toByteArray());
        sqlite3_bind_blob64(m_stmt, index, bytes.constData(), sqlite3_uint64(bytes.size()), SQLITE_STATIC);
        return;
    }
    case QMetaType::QDateTime: // as Qt's SQLite driver writes them
        bindText(index, value.toDateTime().toString(Qt::ISODateWithMs));
        return;
    case QMetaType::QTime:
        bindText(index, value.toTime().toString(u"hh:mm:ss.zzz"));
        return;
    default: // QString, and whatever else Qt would have bound as its text
        bindText(index, value.toString());
        return;
    }
}

void Statement::bindText(int index, const QString &text)
{
    const QByteArray &utf8 = keep(index, text.toUtf8());
    sqlite3_bind_text64(m_stmt, index, utf8.constData(), sqlite3_uint64(utf8.size()), SQLITE_STATIC, SQLITE_UTF8);
}

const QByteArray &Statement::keep(int index, QByteArray bytes)
{
    if (std::size_t(index) > m_bound.size())
        m_bound.resize(std::size_t(index));
    return m_bound[std::size_t(index) - 1] = std::move(bytes);
}

bool Statement::exec()
{
    if (m_query)
        return m_query->exec();
    if (!m_stmt)
        return false;
    finish();
    m_error = QSqlError();
    m_running = true;
    switch (const int rc = sqlite3_step(m_stmt)) {
    case SQLITE_ROW:
        m_rowPending = true;
        return true;
    case SQLITE_DONE:
        finish(); // as Qt Sql: a statement that ran to its end holds no snapshot or lock (SQLite does not promise
                  // to release them before a reset)
        return true;
    default:
        failSqlite(rc, QStringLiteral("Unable to fetch row"));
        finish();
        return false;
    }
}

bool Statement::next()
{
    if (m_query)
        return m_query->next();
    if (m_rowPending) {
        m_rowPending = false;
        m_onRow = true;
        return true;
    }
    if (!m_onRow)
        return false;
    switch (const int rc = sqlite3_step(m_stmt)) {
    case SQLITE_ROW:
        return true;
    case SQLITE_DONE:
        finish();
        return false;
    default:
        m_onRow = false;
        failSqlite(rc, QStringLiteral("Unable to fetch row"));
        finish();
        return false;
    }
}

QVariant Statement::value(int column) const
{
    if (m_query)
        return m_query->value(column);
    if (!m_onRow)
        return {};
    switch (sqlite3_column_type(m_stmt, column)) {
    case SQLITE_INTEGER: return QVariant(qint64(sqlite3_column_int64(m_stmt, column)));
    case SQLITE_FLOAT: return QVariant(sqlite3_column_double(m_stmt, column));
    case SQLITE_TEXT: {
        const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
        return QVariant(QString::fromUtf8(text, sqlite3_column_bytes(m_stmt, column)));
    }
    case SQLITE_BLOB: {
        const auto *bytes = static_cast<const char *>(sqlite3_column_blob(m_stmt, column));
        return QVariant(QByteArray(bytes, sqlite3_column_bytes(m_stmt, column)));
    }
    default: return {};
    }
}

bool Statement::isNull(int column) const
{
    if (m_query)
        return m_query->isNull(column);
    return !m_onRow || sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

int Statement::numRowsAffected() const
{
    if (m_query)
        return m_query->numRowsAffected();
    return m_stmt ? sqlite3_changes(m_db) : -1;
}

QVariant Statement::lastInsertId() const
{
    if (m_query)
        return m_query->lastInsertId();
    return m_stmt ? QVariant(qint64(sqlite3_last_insert_rowid(m_db))) : QVariant();
}

QSqlError Statement::lastError() const
{
    return m_query ? m_query->lastError() : m_error;
}

void Statement::finish()
{
    if (m_query) {
        m_query->finish();
        return;
    }
    if (m_running) {
        sqlite3_reset(m_stmt);
        m_running = false;
    }
    m_rowPending = m_onRow = false;
}

} // namespace RelayDesk::Store
