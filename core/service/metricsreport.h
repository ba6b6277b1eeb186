#pragma once
// The text a scrape of /metrics answers (Prometheus exposition 0.0.4, see docs in README "Using the relay"):
// RelayMetrics' counters and histograms, and what is read at scrape time instead of counted — each user's
// balance, the open reservations, the live sessions by kind. Runs on the metrics server's thread.
#include "metrics/metricssnapshot.h"

#include <QtCore/QByteArray>

namespace RelayDesk::Store { class Database; }
namespace RelayDesk::Monitor { class SessionRegistry; }

namespace RelayDesk::Service {

class MetricsReport final
{
public:
    // Balance gauges are one series per user: at most this many (lowest ids first), so a store with many users
    // cannot make a scrape unbounded; relaydesk_users says how many there are in all.
    static constexpr int kMaxBalanceSeries = 1000;

    MetricsReport(const Store::Database &db, const Monitor::SessionRegistry *sessions)
        : m_db(db), m_sessions(sessions) {}

    QByteArray render(const Metrics::MetricsSnapshot &counted) const;

private:
    const Store::Database &m_db;
    const Monitor::SessionRegistry *m_sessions; // optional
};

} // namespace RelayDesk::Service
