#include "dashboarddata.h"

#include "adminservice.h"

#include "store/logrepository.h"
#include "store/database.h"

#include <QJsonObject>
#include <QMap>

namespace RelayDesk::Service {

DashboardData DashboardData::load(const AdminService &admin, qint64 nowMs, qint64 bucketMs, int bucketCount, Metric metric,
                                  GroupBy groupBy, int topN, int sampleLimit)
{
    DashboardData d;
    d.bucketMs = bucketMs;
    const qint64 lastBucket = (nowMs / bucketMs) * bucketMs;
    d.fromMs = lastBucket - qint64(bucketCount - 1) * bucketMs;
    for (int i = 0; i < bucketCount; ++i)
        d.buckets << d.fromMs + qint64(i) * bucketMs;

    const Store::LogRepository logs(*admin.database());
    Store::LogFilter base;
    base.fromMs = d.fromMs;
    base.toMs = lastBucket + bucketMs;
    base.type = Store::LogType::Consume;

    auto value = [metric](const auto &b) { return metric == Metric::Quota ? b.quota : b.promptTokens + b.completionTokens; };
    auto toValues = [&](const QList<Store::LogBucket> &series) {
        QList<qint64> values(bucketCount, 0);
        for (const Store::LogBucket &b : series) {
            const qint64 i = (b.bucketStartMs - d.fromMs) / bucketMs;
            if (i >= 0 && i < bucketCount)
                values[i] += value(b);
        }
        return values;
    };

    // Endpoint totals: per logged path, summed per kind (a bounded number of distinct paths).
    QMap<Monitor::EndpointKind, EndpointTotal> byKind;
    for (const Store::LogGroupTotal &g : logs.totals(base, Store::LogRepository::GroupBy::RequestPath, 10000)) {
        const Monitor::EndpointKind kind = Monitor::endpointKindForPath(g.key);
        EndpointTotal &t = byKind[kind];
        t.kind = kind;
        t.requests += g.requests;
        t.tokens += g.promptTokens + g.completionTokens;
        t.quota += g.quota;
    }
    for (Monitor::EndpointKind kind : Monitor::allEndpointKinds())
        if (byKind.contains(kind))
            d.endpoints << byKind.value(kind);
    std::stable_sort(d.endpoints.begin(), d.endpoints.end(), [](const EndpointTotal &a, const EndpointTotal &b) {
        return a.quota != b.quota ? a.quota > b.quota : a.requests > b.requests;
    });

    if (groupBy == GroupBy::Endpoint) {
        // Every row is in exactly one kind (Other = no listed path), so the stacks add up to the total.
        for (const EndpointTotal &t : std::as_const(d.endpoints)) {
            Store::LogFilter f = base;
            if (t.kind == Monitor::EndpointKind::Other)
                f.excludedRequestPaths = Monitor::knownEndpointPaths();
            else
                f.requestPaths = Monitor::endpointPaths(t.kind);
            d.series << Series{Monitor::endpointKindId(t.kind), toValues(logs.timeSeries(f, bucketMs)), t.kind};
        }
        loadTotalsAndSample(logs, base, sampleLimit, &d);
        return d;
    }

    const QList<qint64> total = toValues(logs.timeSeries(base, bucketMs));
    QHash<QString, QString> userNames;
    if (groupBy == GroupBy::User)
        for (const auto &u : admin.users())
            userNames.insert(QString::number(u.id), u.name);
    const auto top = logs.totals(base, groupBy == GroupBy::Model ? Store::LogRepository::GroupBy::Model
                                                                 : Store::LogRepository::GroupBy::User, topN);
    QList<qint64> rest = total;
    for (const Store::LogGroupTotal &g : top) {
        Store::LogFilter f = base;
        if (groupBy == GroupBy::Model)
            f.model = g.key;
        else
            f.userId = g.key.toLongLong();
        Series s{groupBy == GroupBy::Model ? g.key : userNames.value(g.key, QStringLiteral("#") + g.key),
                 toValues(logs.timeSeries(f, bucketMs)), std::nullopt};
        for (int i = 0; i < bucketCount; ++i)
            rest[i] -= s.values[i];
        d.series << s;
    }
    if (std::any_of(rest.cbegin(), rest.cend(), [](qint64 v) { return v != 0; }))
        d.series << Series{QStringLiteral("other"), rest, std::nullopt};
    loadTotalsAndSample(logs, base, sampleLimit, &d);
    return d;
}

void DashboardData::loadTotalsAndSample(const Store::LogRepository &logs, const Store::LogFilter &base, int sampleLimit,
                                        DashboardData *out)
{
    DashboardData &d = *out;
    for (const Store::LogGroupTotal &g : logs.totals(base, Store::LogRepository::GroupBy::Model, 10000)) {
        d.requests += g.requests;
        d.tokens += g.promptTokens + g.completionTokens;
        d.quota += g.quota;
    }

    // Usage split sample: newest rows first, keyset pages, bounded.
    std::optional<Store::LogCursor> cursor;
    while (d.sampledRows < sampleLimit) {
        const Store::LogPage page = logs.page(base, int(std::min<qint64>(1000, sampleLimit - d.sampledRows)), cursor);
        for (const Store::LogRecord &r : page.rows) {
            const QJsonObject usage = r.other.value(QStringLiteral("usage")).toObject();
            if (usage.isEmpty()) {
                d.textInput += r.promptTokens; // no breakdown recorded: count it as text
                d.textOutput += r.completionTokens;
            } else {
                d.textInput += usage.value(QStringLiteral("text_input")).toInteger();
                d.audioInput += usage.value(QStringLiteral("audio_input")).toInteger();
                d.textOutput += usage.value(QStringLiteral("text_output")).toInteger();
                d.audioOutput += usage.value(QStringLiteral("audio_output")).toInteger();
            }
        }
        d.sampledRows += page.rows.size();
        if (!page.next)
            break;
        cursor = page.next;
    }
}

} // namespace RelayDesk::Service
