#pragma once

#include "monitor/endpointkind.h"

#include <QList>
#include <QString>
#include <QtGlobal>

#include <optional>

namespace RelayDesk::Store {
class LogRepository;
struct LogFilter;
}

namespace RelayDesk::Service {

class AdminService;

// What the Dashboard draws, computed from LogRepository aggregates (indexed GROUP BY queries; no row
// scans except the bounded usage sample below).
struct DashboardData
{
    enum class Metric { Tokens, Quota };
    // Endpoint: one series per endpoint kind present in the range (Monitor::EndpointKind, at most ten: no "other").
    enum class GroupBy { Model, User, Endpoint };

    struct Series
    {
        QString name;            // model name, user name or endpoint kind id; "other" for the rest
        QList<qint64> values;    // one per bucket
        std::optional<Monitor::EndpointKind> endpoint; // set when grouped by endpoint (the UI names it)
    };

    // Requests, tokens and quota of one endpoint kind over the range (consume rows).
    struct EndpointTotal
    {
        Monitor::EndpointKind kind = Monitor::EndpointKind::Other;
        qint64 requests = 0;
        qint64 tokens = 0;
        qint64 quota = 0;
    };

    qint64 fromMs = 0;
    qint64 bucketMs = 0;
    QList<qint64> buckets;       // bucket start times (ms since epoch), oldest first
    QList<Series> series;        // top groups (+ "other"), stacked
    qint64 requests = 0;
    qint64 tokens = 0;
    qint64 quota = 0;
    // Every endpoint kind with a request in the range, largest quota first (then most requests): one GROUP BY over
    // the indexed request_path column, mapped to kinds through Monitor::endpointKindForPath.
    QList<EndpointTotal> endpoints;

    // Text vs audio split, from the `usage` object of the newest consume logs in range (at most
    // sampleLimit rows): the store has no aggregate over the JSON details yet.
    qint64 textInput = 0, audioInput = 0, textOutput = 0, audioOutput = 0;
    qint64 sampledRows = 0;

    // Range = [nowMs - buckets × bucketMs, now), buckets aligned to bucketMs like LogRepository::timeSeries.
    // Runs SQL: call it inside AdminService::async() from the console.
    static DashboardData load(const AdminService &admin, qint64 nowMs, qint64 bucketMs, int bucketCount, Metric metric,
                              GroupBy groupBy, int topN = 5, int sampleLimit = 5000);

private:
    // The headline totals and the text/audio sample, the same for every grouping.
    static void loadTotalsAndSample(const Store::LogRepository &logs, const Store::LogFilter &base, int sampleLimit,
                                    DashboardData *out);
};

} // namespace RelayDesk::Service
