#include "metrics/metricssnapshot.h"

namespace RelayDesk::Metrics {

namespace {

template<typename Map>
void addCounts(Map *into, const Map &from)
{
    for (const auto &[key, value] : from)
        (*into)[key] += value;
}

template<typename Map>
void addHistograms(Map *into, const Map &from)
{
    for (const auto &[key, h] : from)
        (*into)[key].merge(h);
}

} // namespace

void MetricsSnapshot::merge(const MetricsSnapshot &other)
{
    addCounts(&requests, other.requests);
    addHistograms(&requestSeconds, other.requestSeconds);
    addHistograms(&upstreamFirstByteSeconds, other.upstreamFirstByteSeconds);
    addCounts(&spent, other.spent);
    addCounts(&tokens, other.tokens);
    ledgerCommitSeconds.merge(other.ledgerCommitSeconds);
}

} // namespace RelayDesk::Metrics
