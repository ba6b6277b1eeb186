#pragma once

#include <QList>
#include <QString>
#include <QtGlobal>

namespace RelayDesk::Service {

class AdminService;

// What the Dashboard draws, computed from LogRepository aggregates (indexed GROUP BY queries; no row
// scans except the bounded usage sample below).
struct DashboardData
{
    enum class Metric { Tokens, Quota };
    enum class GroupBy { Model, User };

    struct Series
    {
        QString name;            // model name or user name; "other" for the rest
        QList<qint64> values;    // one per bucket
    };

    qint64 fromMs = 0;
    qint64 bucketMs = 0;
    QList<qint64> buckets;       // bucket start times (ms since epoch), oldest first
    QList<Series> series;        // top groups (+ "other"), stacked
    qint64 requests = 0;
    qint64 tokens = 0;
    qint64 quota = 0;

    // Text vs audio split, from the `usage` object of the newest consume logs in range (at most
    // sampleLimit rows): the store has no aggregate over the JSON details yet.
    qint64 textInput = 0, audioInput = 0, textOutput = 0, audioOutput = 0;
    qint64 sampledRows = 0;

    // Range = [nowMs - buckets × bucketMs, now), buckets aligned to bucketMs like LogRepository::timeSeries.
    // Runs SQL: call it inside AdminService::async() from the console.
    static DashboardData load(const AdminService &admin, qint64 nowMs, qint64 bucketMs, int bucketCount, Metric metric,
                              GroupBy groupBy, int topN = 5, int sampleLimit = 5000);
};

} // namespace RelayDesk::Service
