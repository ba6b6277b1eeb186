#pragma once

#include "records.h"
#include "result.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>

namespace RelayDesk::Store {

class Database;

// Every field is optional; set fields are ANDed.
struct LogFilter
{
    std::optional<qint64> userId;
    std::optional<qint64> keyId;
    std::optional<qint64> channelId;
    std::optional<LogType> type;
    QString model;              // exact; empty = any
    QString requestId;          // exact; empty = any
    // The endpoint (the logged request path without its query; Monitor::endpointPaths gives a kind's paths):
    // any of requestPaths (empty = any) and none of excludedRequestPaths. Each list is bounded by
    // kMaxFilterPaths; a longer one is refused (the query matches no row) rather than silently cut.
    QStringList requestPaths;
    QStringList excludedRequestPaths;
    static constexpr qsizetype kMaxFilterPaths = 64;
    std::optional<qint64> fromMs; // created_at >= fromMs
    std::optional<qint64> toMs;   // created_at <  toMs
};

// Keyset cursor: the (created_at, id) of the last row of the previous page. Paging this way costs the
// same on page 1 and page 10 000 (no OFFSET scans).
struct LogCursor
{
    qint64 createdAt = 0;
    qint64 id = 0;
};

struct LogPage
{
    QList<LogRecord> rows;             // newest first
    std::optional<LogCursor> next;     // set when more rows may follow
};

struct LogBucket
{
    qint64 bucketStartMs = 0;
    qint64 requests = 0;
    qint64 quota = 0;
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
};

struct LogGroupTotal
{
    QString key; // model name, user/channel/key id as text, or the request path ("" for a row without one)
    qint64 requests = 0;
    qint64 quota = 0;
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
};

class LogRepository final
{
public:
    enum class GroupBy { Model, User, Channel, Key, RequestPath };

    explicit LogRepository(const Database &db) : m_db(db) {}

    // Inserts on this thread's connection (joins the caller's open transaction, if any).
    Result<qint64> insert(const LogRecord &record) const;
    std::optional<LogRecord> byId(qint64 id) const;
    LogPage page(const LogFilter &filter, int limit, const std::optional<LogCursor> &after = std::nullopt) const;
    qint64 count(const LogFilter &filter) const;
    qint64 sumQuota(const LogFilter &filter) const;
    // Time series for charts: buckets of bucketMs width (aligned to the epoch), oldest first.
    QList<LogBucket> timeSeries(const LogFilter &filter, qint64 bucketMs) const;
    // Totals per model / user / channel / key / request path, largest quota first.
    QList<LogGroupTotal> totals(const LogFilter &filter, GroupBy by, int limit = 20) const;

    // What the request_path column holds for a row's `other`: other.request_path without a query string or
    // fragment, at most 256 characters (the same rule as Monitor::normalizedRequestPath; the store cannot link the
    // monitor), "" when absent.
    static QString requestPathOf(const QJsonObject &other);

private:
    const Database &m_db;
};

} // namespace RelayDesk::Store
