#pragma once
// The one log row of a call, by its request id (nullopt unless there is exactly one).
#include "store/database.h"
#include "store/logrepository.h"

#include <optional>

namespace RelayDeskTest {

inline std::optional<RelayDesk::Store::LogRecord> logFor(const RelayDesk::Store::Database &db, const QString &requestId)
{
    RelayDesk::Store::LogFilter filter;
    filter.requestId = requestId;
    const auto page = RelayDesk::Store::LogRepository(db).page(filter, 5);
    if (page.rows.size() != 1)
        return std::nullopt;
    return page.rows.first();
}

} // namespace RelayDeskTest
