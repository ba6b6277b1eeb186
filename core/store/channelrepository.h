#pragma once

#include "records.h"
#include "result.h"

#include <QList>

namespace RelayDesk::Store {

class Database;

class ChannelRepository final
{
public:
    explicit ChannelRepository(const Database &db) : m_db(db) {}

    Result<Channel> create(const Channel &channel) const;
    Status update(const Channel &channel) const; // by id; every column but used_quota/created_at
    Status setStatus(qint64 id, RowStatus status) const;
    Status remove(qint64 id) const;
    std::optional<Channel> byId(qint64 id) const;
    std::optional<Channel> byName(const QString &name) const;
    QList<Channel> list() const;

    // Checks a channel before it is written: name, http(s) base URL, at least one model, weight ≥ 0.
    static Status validate(const Channel &channel);

private:
    const Database &m_db;
};

} // namespace RelayDesk::Store
