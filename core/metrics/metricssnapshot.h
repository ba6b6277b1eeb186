#pragma once
// What RelayMetrics has counted, as plain values: one per thread while recording, merged into one at scrape
// time. Ordered maps, so a scrape lists series in a stable order.
#include "metrics/histogram.h"

#include <QtCore/QString>

#include <map>
#include <tuple>

namespace RelayDesk::Metrics {

struct MetricsSnapshot
{
    // (endpoint kind, model, HTTP status) → finished calls.
    std::map<std::tuple<QString, QString, int>, quint64> requests;
    // endpoint kind → whole-call duration / time to the upstream's first byte.
    std::map<QString, Histogram> requestSeconds;
    std::map<QString, Histogram> upstreamFirstByteSeconds;
    // (user id, model) → quota settled (what the consume log rows say was debited).
    std::map<std::pair<qint64, QString>, qint64> spent;
    // (direction, modality, model) → settled tokens.
    std::map<std::tuple<QString, QString, QString>, qint64> tokens;
    Histogram ledgerCommitSeconds{Histogram::commitBounds()};

    void merge(const MetricsSnapshot &other);
};

} // namespace RelayDesk::Metrics
