#pragma once
// The one mapping between a session as the monitor holds it (Monitor::SessionInfo) and as the `live_sessions`
// table holds it (Store::LiveSession): what an instance publishes, and what a console reads back. The table keeps
// a subset (no events, turns or units); the hint of the key, never the key.
#include "monitor/sessionregistry.h"
#include "store/records.h"

namespace RelayDesk::Service::LiveSessionRows {

Store::LiveSession toRow(const Monitor::SessionInfo &session, const QString &instanceId, qint64 nowMs);
// instanceId is set from the row; unknown names (a newer instance's kind) read as HTTP / active.
Monitor::SessionInfo fromRow(const Store::LiveSession &row);

} // namespace RelayDesk::Service::LiveSessionRows
