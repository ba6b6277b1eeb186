#pragma once
// A question for the database server that a write asks first — one statement, answered with one row (PostgreSQL's
// ledger functions, migration 15) — and the write staged around it. Staged writes let the store lane ask the
// questions of a whole batch at once (PostgreSQL pipeline mode: one round trip for all of them, see
// Database::ask) and then finish each write with its answer, in order.
#include <QtCore/QString>
#include <QtCore/QVariant>

#include <functional>
#include <optional>

namespace RelayDesk::Store {

struct ServerCall
{
    QString sql;         // one statement, parameters $1..$n
    QVariantList params; // qint64/int/bool/double/QString values; a null QVariant is SQL NULL
};

// The first row of a call's result, typed by the column's type (integers as qint64, booleans as bool, the rest
// as QString), or why there is none.
struct ServerAnswer
{
    QString error;       // non-empty: the statement failed (or was never run: its pipeline broke first)
    QVariantList row;    // empty: no row
    bool ok() const { return error.isEmpty(); }
    QVariant value(int column) const { return column < row.size() ? row.at(column) : QVariant(); }
};

template<class R>
struct Staged
{
    std::optional<ServerCall> question; // none: the write asks nothing first (SQLite, or not the common case)
    // Finishes the write given the question's answer; called with none when nobody asked, and then asks itself.
    std::function<R(std::optional<ServerAnswer>)> finish;
};

} // namespace RelayDesk::Store
