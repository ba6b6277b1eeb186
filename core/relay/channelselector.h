#pragma once
// Picks the upstream channel for (model, group): enabled channels that list the model and serve the group,
// highest priority first, then weighted random among that priority. A retry excludes channels already tried
// and may fall to a lower priority. The channel list is cached and reloaded after invalidate() (call it from
// any thread after a channel edit).
//
// Health. A channel that fails (connect error, timeout, 5xx, upstream 401/403) is skipped for a back-off that
// doubles with each consecutive failure: 5 s, 10 s, … up to 5 min; an auth failure (a revoked or wrong channel
// key will not fix itself) starts at 1 min and goes up to 30 min. Once the back-off has passed, the channel is
// "half-open": the next real call is let through as the probe (state probing; other calls keep skipping it for
// probeLeaseMs) and its outcome closes the circuit (success: healthy again) or re-opens it (failure: the next,
// longer back-off). When every channel a call could use is backing off, the least recently failed one is tried
// anyway, so a model never answers "no channel" just because all of its channels failed once.
//
// The state lives here, in memory (the relay thread reports outcomes), and is mirrored to the channel_health
// table on every change of state (never on the hot path of a healthy channel) so the CLI and other consoles
// can show it. A new selector starts from the persisted state.
#include "store/channelhealthrepository.h"
#include "store/channeltype.h"
#include "store/records.h"

#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QMutex>
#include <QtCore/QPointer>
#include <QtCore/QSet>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <random>

namespace RelayDesk::Store {
class Database;
class StoreLane;
}

namespace RelayDesk::Relay {

enum class ChannelFailure { Connect, Timeout, ServerError, Auth };

struct ChannelHealthPolicy
{
    qint64 baseBackoffMs = 5'000;
    qint64 maxBackoffMs = 300'000;
    qint64 authBaseBackoffMs = 60'000;
    qint64 authMaxBackoffMs = 1'800'000;
    // A half-open probe that never reports (client gone, relay stopped) frees the channel for another probe after this.
    qint64 probeLeaseMs = 30'000;
};

class ChannelSelector final
{
public:
    using Clock = std::function<qint64()>; // unix milliseconds

    explicit ChannelSelector(std::shared_ptr<Store::Database> db, ChannelHealthPolicy policy = {});

    // Only channels that speak `wire` (their type, Store::ChannelType) are candidates: an OpenAI body never
    // goes to an Anthropic channel, nor a Messages body to an OpenAI one.
    std::optional<Store::Channel> select(const QString &model, const QString &group,
                                         const QSet<qint64> &exclude = {},
                                         Store::ChannelWire wire = Store::ChannelWire::OpenAi);
    // The enabled channel with this id (a call pinned to the channel that owns its state), or nullopt.
    std::optional<Store::Channel> enabledChannel(qint64 channelId);
    // True when select() with the same arguments would return a channel (without starting a probe).
    bool hasCandidate(const QString &model, const QString &group, const QSet<qint64> &exclude = {},
                      Store::ChannelWire wire = Store::ChannelWire::OpenAi);
    // True when some enabled channel serves (model, group) — distinguishes 404 from "all tried".
    bool serves(const QString &model, const QString &group, Store::ChannelWire wire = Store::ChannelWire::OpenAi);
    // Every model some enabled channel serves to the group, sorted.
    QStringList modelsFor(const QString &group);
    // The channel's model mapping applied to `model` (unchanged when unmapped).
    static QString upstreamModel(const Store::Channel &channel, const QString &model);

    // Outcomes of upstream calls. Success is any answer that proves the channel reachable and its key accepted.
    void reportSuccess(qint64 channelId);
    // `detail` is scrubbed of the channel's secret before it is kept or written.
    void reportFailure(qint64 channelId, ChannelFailure kind, const QString &detail);
    // The current view of a channel (Healthy with no failures when nothing was ever reported).
    Store::ChannelHealth health(qint64 channelId);
    // Back-off after `failures` consecutive failures of this kind.
    qint64 backoffMs(ChannelFailure kind, int failures) const;

    // Health changes are written through the relay's store lane from now on (never on the relay thread, where a
    // locked database would stall it); without one, or once it is gone, they are written in place.
    void setLane(Store::StoreLane *lane);

    void invalidate() { m_stale.store(true); }
    // Reads the channel list now and swaps it in (the change feed calls it on the relay thread, between
    // requests): calls keep the list they picked from, later calls see the new one. When the store does not
    // answer, the current list stays in force and false is returned.
    bool reload();
    // For tests: a deterministic weighted pick, and a controllable clock.
    void seed(quint32 seed) { m_rng.seed(seed); }
    void setClock(Clock clock);

private:
    struct Health
    {
        Store::ChannelHealth row;
        ChannelFailure lastKind = ChannelFailure::Connect;
        qint64 lastFailureMs = 0;
    };
    std::shared_ptr<const QList<Store::Channel>> channels();
    static bool eligible(const Store::Channel &c, const QString &model, const QString &group,
                         Store::ChannelWire wire);
    QList<const Store::Channel *> candidates(const QList<Store::Channel> &all, const QString &model,
                                             const QString &group, const QSet<qint64> &exclude,
                                             Store::ChannelWire wire) const;
    // Not backing off (healthy, or half-open and not already probed by another call). Call with m_healthMutex held.
    bool availableLocked(qint64 channelId, qint64 now) const;
    const Store::Channel *weightedPick(const QList<const Store::Channel *> &pool);
    void loadHealthLocked();
    void persist(const Store::ChannelHealth &row);
    qint64 now() const;

    std::shared_ptr<Store::Database> m_db;
    QPointer<Store::StoreLane> m_lane;
    ChannelHealthPolicy m_policy;
    QMutex m_mutex;
    std::shared_ptr<const QList<Store::Channel>> m_cache;
    std::atomic<bool> m_stale{true};
    std::mt19937 m_rng{std::random_device{}()};
    QMutex m_healthMutex;
    QHash<qint64, Health> m_health; // channels with something to remember; absent = healthy
    bool m_healthLoaded = false;
    Clock m_clock;
};

} // namespace RelayDesk::Relay
