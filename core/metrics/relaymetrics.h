#pragma once
// The process's Prometheus counters and histograms (like a Prometheus client's default registry: one per
// process, so the ledger and the store record into it without being handed it). Each thread records into its
// own shard, whose lock only a scrape ever contends for; snapshot() merges the shards. What is read at scrape
// time rather than counted (balances, open reservations, live sessions) is Service::MetricsReport's.
//
// Where it is recorded, once each: a call's end in MeteredCall::finish (requests, latencies), a settlement in
// Billing::Ledger (spent quota and tokens — exactly what the consume log row says), a group commit in
// Store::StoreLane (ledger commit latency of a batch).
#include "metrics/metricssnapshot.h"

#include <QtCore/QList>
#include <QtCore/QMutex>

#include <memory>

namespace RelayDesk::Metrics {

class RelayMetrics final
{
public:
    // Settled tokens of one direction ("input", "output") and modality ("text", "cached_text", "audio", …).
    struct Tokens
    {
        const char *direction;
        const char *modality;
        qint64 count;
    };

    static RelayMetrics &global();

    // A relayed call ended: its endpoint kind ("chat", …), requested model, HTTP status, how long it took and
    // how long its upstream took to send a first byte (negative: no upstream answer).
    void callFinished(const QString &kind, const QString &model, int httpStatus, double seconds,
                      double upstreamFirstByteSeconds);
    // A settlement was written (consume log row): quota debited and tokens, by user and model.
    void settled(qint64 userId, const QString &model, qint64 quota, const QList<Tokens> &tokens);
    void ledgerCommitted(double seconds);

    // Everything counted so far, all threads merged.
    MetricsSnapshot snapshot() const;

private:
    struct Shard
    {
        QMutex mutex;
        MetricsSnapshot data;
    };

    RelayMetrics() = default;
    Shard &shard();

    mutable QMutex m_shardsMutex;
    // A thread's shard outlives the thread (its counts stay in the totals).
    QList<std::shared_ptr<Shard>> m_shards;
};

} // namespace RelayDesk::Metrics
