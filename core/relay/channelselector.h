#pragma once
// Picks the upstream channel for (model, group): enabled channels that list the model and serve the group,
// highest priority first, then weighted random among that priority. A retry excludes channels already tried
// and may fall to a lower priority. The channel list is cached and reloaded after invalidate() (call it from
// any thread after a channel edit).
#include "store/records.h"

#include <QtCore/QList>
#include <QtCore/QMutex>
#include <QtCore/QSet>

#include <atomic>
#include <memory>
#include <optional>
#include <random>

namespace RelayDesk::Store { class Database; }

namespace RelayDesk::Relay {

class ChannelSelector final
{
public:
    explicit ChannelSelector(std::shared_ptr<Store::Database> db);

    std::optional<Store::Channel> select(const QString &model, const QString &group,
                                         const QSet<qint64> &exclude = {});
    // True when some enabled channel serves (model, group) — distinguishes 404 from "all tried".
    bool serves(const QString &model, const QString &group);
    // Every model some enabled channel serves to the group, sorted.
    QStringList modelsFor(const QString &group);
    // The channel's model mapping applied to `model` (unchanged when unmapped).
    static QString upstreamModel(const Store::Channel &channel, const QString &model);

    void invalidate() { m_stale.store(true); }
    // For tests: a deterministic weighted pick.
    void seed(quint32 seed) { m_rng.seed(seed); }

private:
    std::shared_ptr<const QList<Store::Channel>> channels();
    static bool eligible(const Store::Channel &c, const QString &model, const QString &group);

    std::shared_ptr<Store::Database> m_db;
    QMutex m_mutex;
    std::shared_ptr<const QList<Store::Channel>> m_cache;
    std::atomic<bool> m_stale{true};
    std::mt19937 m_rng{std::random_device{}()};
};

} // namespace RelayDesk::Relay
