#include "relay/channelselector.h"

#include "store/channelrepository.h"
#include "store/database.h"

#include <QtCore/QMutexLocker>

#include <algorithm>

namespace RelayDesk::Relay {

ChannelSelector::ChannelSelector(std::shared_ptr<Store::Database> db)
    : m_db(std::move(db))
{
}

std::shared_ptr<const QList<Store::Channel>> ChannelSelector::channels()
{
    QMutexLocker lock(&m_mutex);
    if (m_stale.exchange(false) || !m_cache)
        m_cache = std::make_shared<const QList<Store::Channel>>(Store::ChannelRepository(*m_db).list());
    return m_cache;
}

bool ChannelSelector::eligible(const Store::Channel &c, const QString &model, const QString &group)
{
    return c.status == Store::RowStatus::Enabled && c.models.contains(model) &&
           (c.groups.contains(group) || c.groups.contains(QStringLiteral("*")));
}

std::optional<Store::Channel> ChannelSelector::select(const QString &model, const QString &group,
                                                      const QSet<qint64> &exclude)
{
    const auto all = channels();
    QList<const Store::Channel *> candidates;
    int best = std::numeric_limits<int>::min();
    for (const Store::Channel &c : *all) {
        if (!eligible(c, model, group) || exclude.contains(c.id))
            continue;
        if (c.priority > best) {
            best = c.priority;
            candidates.clear();
        }
        if (c.priority == best)
            candidates.append(&c);
    }
    if (candidates.isEmpty())
        return std::nullopt;
    qint64 total = 0;
    for (const auto *c : candidates)
        total += std::max(0, c->weight);
    if (total <= 0) // all weights 0: uniform
        return *candidates.at(std::uniform_int_distribution<qsizetype>(0, candidates.size() - 1)(m_rng));
    qint64 pick = std::uniform_int_distribution<qint64>(0, total - 1)(m_rng);
    for (const auto *c : candidates) {
        pick -= std::max(0, c->weight);
        if (pick < 0)
            return *c;
    }
    return *candidates.back();
}

bool ChannelSelector::serves(const QString &model, const QString &group)
{
    const auto all = channels();
    return std::any_of(all->begin(), all->end(), [&](const Store::Channel &c) { return eligible(c, model, group); });
}

QStringList ChannelSelector::modelsFor(const QString &group)
{
    QStringList out;
    for (const Store::Channel &c : *channels()) {
        if (c.status != Store::RowStatus::Enabled ||
            !(c.groups.contains(group) || c.groups.contains(QStringLiteral("*"))))
            continue;
        for (const QString &m : c.models)
            if (!out.contains(m))
                out.append(m);
    }
    out.sort();
    return out;
}

QString ChannelSelector::upstreamModel(const Store::Channel &channel, const QString &model)
{
    const QString mapped = channel.modelMapping.value(model).toString();
    return mapped.isEmpty() ? model : mapped;
}

} // namespace RelayDesk::Relay
