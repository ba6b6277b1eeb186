#include "metrics/histogram.h"

#include <algorithm>

namespace RelayDesk::Metrics {

const std::vector<double> &Histogram::latencyBounds()
{
    static const std::vector<double> bounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
    return bounds;
}

const std::vector<double> &Histogram::commitBounds()
{
    static const std::vector<double> bounds{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                            0.025,  0.05,    0.1,    0.25,  0.5,    1};
    return bounds;
}

Histogram::Histogram(const std::vector<double> &bounds) : m_bounds(bounds), m_buckets(bounds.size() + 1, 0)
{
    Q_ASSERT(std::is_sorted(m_bounds.begin(), m_bounds.end()));
}

void Histogram::observe(double value)
{
    if (m_buckets.empty())
        m_buckets.assign(1, 0);
    // The first bound ≥ value: Prometheus buckets are "less than or equal".
    const auto it = std::lower_bound(m_bounds.begin(), m_bounds.end(), value);
    ++m_buckets[size_t(it - m_bounds.begin())];
    m_sum += value;
    ++m_count;
}

void Histogram::merge(const Histogram &other)
{
    if (other.m_count == 0 && other.m_buckets.empty())
        return;
    if (m_count == 0 && m_bounds.empty()) {
        *this = other;
        return;
    }
    Q_ASSERT(m_bounds == other.m_bounds);
    for (size_t i = 0; i < m_buckets.size() && i < other.m_buckets.size(); ++i)
        m_buckets[i] += other.m_buckets[i];
    m_sum += other.m_sum;
    m_count += other.m_count;
}

quint64 Histogram::cumulative(size_t i) const
{
    quint64 n = 0;
    for (size_t b = 0; b <= i && b < m_buckets.size(); ++b)
        n += m_buckets[b];
    return n;
}

} // namespace RelayDesk::Metrics
