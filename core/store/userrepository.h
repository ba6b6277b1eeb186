#pragma once

#include "records.h"
#include "result.h"

#include <QList>

namespace RelayDesk::Store {

class Database;

class UserRepository final
{
public:
    explicit UserRepository(const Database &db) : m_db(db) {}

    Result<User> create(const QString &name, const QString &group = QStringLiteral("default"), qint64 quota = 0) const;
    std::optional<User> byId(qint64 id) const;
    std::optional<User> byName(const QString &name) const;
    QList<User> list(int limit = 1000, int offset = 0) const;
    qint64 count() const;

    // Sets the balance outright (admin edit). Writes a manage log row with the change.
    Status setQuota(qint64 id, qint64 quota) const;
    // Adds (or with a negative delta removes) balance; writes a topup/manage log row.
    Status addQuota(qint64 id, qint64 delta) const;
    Status setGroup(qint64 id, const QString &group) const;
    Status setStatus(qint64 id, RowStatus status) const;

    static bool isValidName(const QString &name);

private:
    const Database &m_db;
};

} // namespace RelayDesk::Store
