#pragma once
// What the console's Instances page and `relaydeskd admin instances` show of each relaying process on the
// database: its row (address, version, start), its state, heartbeat age, uptime, live sessions (rows it published
// to `live_sessions`) and request rate (the counter it publishes with them; see LiveSessionPublisher).
#include "store/records.h"
#include "store/result.h"

#include <QList>
#include <QString>

namespace RelayDesk::Store { class Database; }

namespace RelayDesk::Service {

struct InstanceOverview
{
    // Running: heartbeat within its lease. Lapsed: no heartbeat for longer than its lease and never marked stopped
    // (crashed, hung, cut off). Stopped: stopped cleanly.
    enum class State { Running, Stopped, Lapsed };
    // Stopped instances are listed this long after they stopped (every start adds a row; old ones are noise).
    static constexpr qint64 kStoppedShownMs = 24 * 3600 * 1000;

    Store::Instance instance;
    State state = State::Running;
    qint64 heartbeatAgeMs = 0;
    qint64 uptimeMs = 0;      // to now, or to its stop
    int liveSessions = 0;     // 0 unless running
    double requestsPerSecond = 0.0;

    static QString stateName(State state); // running | stopped | lapsed
    // Running and lapsed instances, and those stopped within kStoppedShownMs; by start time.
    static Store::Result<QList<InstanceOverview>> load(const Store::Database &db, qint64 nowMs);
};

} // namespace RelayDesk::Service
