#include "metrics/relaymetrics.h"

namespace RelayDesk::Metrics {

RelayMetrics &RelayMetrics::global()
{
    static RelayMetrics metrics;
    return metrics;
}

RelayMetrics::Shard &RelayMetrics::shard()
{
    // One registry per process, so one shard per thread is enough.
    thread_local std::shared_ptr<Shard> mine;
    if (!mine) {
        mine = std::make_shared<Shard>();
        QMutexLocker lock(&m_shardsMutex);
        m_shards.append(mine);
    }
    return *mine;
}

void RelayMetrics::callFinished(const QString &kind, const QString &model, int httpStatus, double seconds,
                                double upstreamFirstByteSeconds)
{
    Shard &s = shard();
    QMutexLocker lock(&s.mutex);
    ++s.data.requests[{kind, model, httpStatus}];
    s.data.requestSeconds.try_emplace(kind, Histogram::latencyBounds()).first->second.observe(seconds);
    if (upstreamFirstByteSeconds >= 0)
        s.data.upstreamFirstByteSeconds.try_emplace(kind, Histogram::latencyBounds())
            .first->second.observe(upstreamFirstByteSeconds);
}

void RelayMetrics::settled(qint64 userId, const QString &model, qint64 quota, const QList<Tokens> &tokens)
{
    Shard &s = shard();
    QMutexLocker lock(&s.mutex);
    s.data.spent[{userId, model}] += quota;
    for (const Tokens &t : tokens)
        if (t.count > 0)
            s.data.tokens[{QString::fromLatin1(t.direction), QString::fromLatin1(t.modality), model}] += t.count;
}

void RelayMetrics::ledgerCommitted(double seconds)
{
    Shard &s = shard();
    QMutexLocker lock(&s.mutex);
    s.data.ledgerCommitSeconds.observe(seconds);
}

MetricsSnapshot RelayMetrics::snapshot() const
{
    QList<std::shared_ptr<Shard>> shards;
    {
        QMutexLocker lock(&m_shardsMutex);
        shards = m_shards;
    }
    MetricsSnapshot total;
    for (const auto &s : shards) {
        QMutexLocker lock(&s->mutex);
        total.merge(s->data);
    }
    return total;
}

} // namespace RelayDesk::Metrics
