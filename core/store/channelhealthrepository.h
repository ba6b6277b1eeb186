#pragma once
// The channel_health table: the relay's view of each upstream channel (healthy, or failing and skipped until
// retry_at), written by the process that relays so that another process (the CLI, a second console) can show it.
// The relay keeps the authoritative copy in memory (Relay::ChannelSelector); this is its durable mirror.
#include "result.h"

#include <QList>
#include <QString>

#include <optional>

namespace RelayDesk::Store {

class Database;

struct ChannelHealth
{
    enum class State { Healthy, Unhealthy, Probing };

    qint64 channelId = 0;
    State state = State::Healthy;
    int failures = 0;        // consecutive failures (0 when healthy)
    qint64 retryAtMs = 0;    // unix ms; skipped until then (0 when healthy)
    QString lastError;       // what went wrong last, scrubbed of secrets by the writer
    qint64 updatedAtMs = 0;  // unix ms of the last change

    static QString stateName(State state);
    static std::optional<State> stateFromName(const QString &name);
};

class ChannelHealthRepository final
{
public:
    explicit ChannelHealthRepository(const Database &db) : m_db(db) {}

    // Insert or replace the row of health.channelId (updated_at_ms = now when 0).
    Status save(const ChannelHealth &health) const;
    std::optional<ChannelHealth> byChannel(qint64 channelId) const;
    QList<ChannelHealth> list() const;
    Status remove(qint64 channelId) const;

private:
    const Database &m_db;
};

} // namespace RelayDesk::Store
