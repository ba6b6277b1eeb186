#pragma once
// A Prometheus histogram's state: fixed upper bounds, a count per bucket, the sum and the count of what was
// observed. Counts are kept per bucket (not cumulative) so two histograms of the same bounds merge by adding;
// ExpositionWriter makes them cumulative when it writes them.
#include <QtCore/QtGlobal>

#include <vector>

namespace RelayDesk::Metrics {

class Histogram final
{
public:
    // Request and upstream latency: 5 ms … 5 min (a long stream is one observation of its whole duration).
    static const std::vector<double> &latencyBounds();
    // A ledger commit: 0.1 ms … 1 s (SQLite's group commit is one fsync).
    static const std::vector<double> &commitBounds();

    Histogram() = default; // no bounds: only +Inf
    explicit Histogram(const std::vector<double> &bounds);

    void observe(double value);
    // Adds `other`'s observations (same bounds; an empty histogram takes other's bounds).
    void merge(const Histogram &other);

    const std::vector<double> &bounds() const { return m_bounds; }
    // Observations ≤ bounds()[i] (i < bounds().size()), or all of them (i == bounds().size(), le="+Inf").
    quint64 cumulative(size_t i) const;
    double sum() const { return m_sum; }
    quint64 count() const { return m_count; }

private:
    std::vector<double> m_bounds;
    std::vector<quint64> m_buckets; // bounds().size() + 1 (the last one is above every bound)
    double m_sum = 0;
    quint64 m_count = 0;
};

} // namespace RelayDesk::Metrics
