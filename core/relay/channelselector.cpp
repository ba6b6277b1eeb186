#include "relay/channelselector.h"

#include "relay/secretscrubber.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/storelane.h"

#include <QtCore/QDateTime>
#include <QtCore/QMutexLocker>

#include <algorithm>

namespace RelayDesk::Relay {

using Store::ChannelHealth;

ChannelSelector::ChannelSelector(std::shared_ptr<Store::Database> db, ChannelHealthPolicy policy)
    : m_db(std::move(db))
    , m_policy(policy)
{
}

void ChannelSelector::setClock(Clock clock)
{
    QMutexLocker lock(&m_healthMutex);
    m_clock = std::move(clock);
}

qint64 ChannelSelector::now() const
{
    return m_clock ? m_clock() : QDateTime::currentMSecsSinceEpoch();
}

std::shared_ptr<const QList<Store::Channel>> ChannelSelector::channels()
{
    QMutexLocker lock(&m_mutex);
    if (m_stale.exchange(false) || !m_cache)
        m_cache = std::make_shared<const QList<Store::Channel>>(Store::ChannelRepository(*m_db).list());
    return m_cache;
}

bool ChannelSelector::reload()
{
    m_stale.store(false); // an invalidate() from here on is honoured by the next select()
    auto fresh = std::make_shared<const QList<Store::Channel>>(Store::ChannelRepository(*m_db).list());
    if (fresh->isEmpty() && !m_db->ping()) {
        m_stale.store(true);
        return false;
    }
    QMutexLocker lock(&m_mutex);
    m_cache = std::move(fresh);
    return true;
}

bool ChannelSelector::eligible(const Store::Channel &c, const QString &model, const QString &group,
                               Store::ChannelWire wire)
{
    return c.status == Store::RowStatus::Enabled && Store::ChannelType::wireOf(c.type) == wire &&
           c.models.contains(model) &&
           (c.groups.contains(group) || c.groups.contains(QStringLiteral("*")));
}

QList<const Store::Channel *> ChannelSelector::candidates(const QList<Store::Channel> &all, const QString &model,
                                                          const QString &group, const QSet<qint64> &exclude,
                                                          Store::ChannelWire wire) const
{
    QList<const Store::Channel *> out;
    for (const Store::Channel &c : all)
        if (eligible(c, model, group, wire) && !exclude.contains(c.id))
            out.append(&c);
    return out;
}

void ChannelSelector::loadHealthLocked()
{
    if (m_healthLoaded)
        return;
    m_healthLoaded = true;
    // Another run (or another process) may have left channels backing off: start from what it saw.
    for (const ChannelHealth &row : Store::ChannelHealthRepository(*m_db).list()) {
        if (row.state == ChannelHealth::State::Healthy)
            continue;
        Health h;
        h.row = row;
        h.lastFailureMs = row.updatedAtMs;
        m_health.insert(row.channelId, h);
    }
}

bool ChannelSelector::availableLocked(qint64 channelId, qint64 at) const
{
    const auto it = m_health.constFind(channelId);
    return it == m_health.cend() || it->row.state == ChannelHealth::State::Healthy || at >= it->row.retryAtMs;
}

const Store::Channel *ChannelSelector::weightedPick(const QList<const Store::Channel *> &pool)
{
    QList<const Store::Channel *> top;
    int best = std::numeric_limits<int>::min();
    for (const Store::Channel *c : pool) {
        if (c->priority > best) {
            best = c->priority;
            top.clear();
        }
        if (c->priority == best)
            top.append(c);
    }
    if (top.isEmpty())
        return nullptr;
    qint64 total = 0;
    for (const auto *c : top)
        total += std::max(0, c->weight);
    if (total <= 0) // all weights 0: uniform
        return top.at(std::uniform_int_distribution<qsizetype>(0, top.size() - 1)(m_rng));
    qint64 pick = std::uniform_int_distribution<qint64>(0, total - 1)(m_rng);
    for (const auto *c : top) {
        pick -= std::max(0, c->weight);
        if (pick < 0)
            return c;
    }
    return top.back();
}

std::optional<Store::Channel> ChannelSelector::enabledChannel(qint64 channelId)
{
    const auto all = channels();
    for (const Store::Channel &c : *all)
        if (c.id == channelId && c.status == Store::RowStatus::Enabled)
            return c;
    return std::nullopt;
}

std::optional<Store::Channel> ChannelSelector::select(const QString &model, const QString &group,
                                                      const QSet<qint64> &exclude, Store::ChannelWire wire)
{
    const auto all = channels();
    const QList<const Store::Channel *> pool = candidates(*all, model, group, exclude, wire);
    if (pool.isEmpty())
        return std::nullopt;
    std::optional<ChannelHealth> probe;
    const Store::Channel *picked = nullptr;
    {
        QMutexLocker lock(&m_healthMutex);
        loadHealthLocked();
        const qint64 at = now();
        QList<const Store::Channel *> available;
        for (const Store::Channel *c : pool)
            if (availableLocked(c->id, at))
                available.append(c);
        if (available.isEmpty()) {
            // Everything is backing off: the least recently failed channel is the best bet.
            picked = *std::min_element(pool.begin(), pool.end(), [this](const auto *a, const auto *b) {
                return m_health.value(a->id).lastFailureMs < m_health.value(b->id).lastFailureMs;
            });
        } else {
            picked = weightedPick(available);
            auto it = m_health.find(picked->id);
            if (it != m_health.end() && it->row.state != ChannelHealth::State::Healthy) {
                // Half-open: this call is the probe; the others keep away until it reports (or its lease ends).
                it->row.state = ChannelHealth::State::Probing;
                it->row.retryAtMs = at + m_policy.probeLeaseMs;
                it->row.updatedAtMs = at;
                probe = it->row;
            }
        }
    }
    if (probe)
        persist(*probe);
    return *picked;
}

bool ChannelSelector::hasCandidate(const QString &model, const QString &group, const QSet<qint64> &exclude,
                                   Store::ChannelWire wire)
{
    const auto all = channels();
    return !candidates(*all, model, group, exclude, wire).isEmpty();
}

bool ChannelSelector::serves(const QString &model, const QString &group, Store::ChannelWire wire)
{
    const auto all = channels();
    return std::any_of(all->begin(), all->end(),
                       [&](const Store::Channel &c) { return eligible(c, model, group, wire); });
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

qint64 ChannelSelector::backoffMs(ChannelFailure kind, int failures) const
{
    const bool auth = kind == ChannelFailure::Auth;
    const qint64 base = auth ? m_policy.authBaseBackoffMs : m_policy.baseBackoffMs;
    const qint64 cap = auth ? m_policy.authMaxBackoffMs : m_policy.maxBackoffMs;
    qint64 backoff = base;
    for (int i = 1; i < failures && backoff < cap; ++i)
        backoff *= 2;
    return std::min(backoff, cap);
}

void ChannelSelector::reportSuccess(qint64 channelId)
{
    ChannelHealth row;
    {
        QMutexLocker lock(&m_healthMutex);
        loadHealthLocked();
        const auto it = m_health.find(channelId);
        if (it == m_health.end()) // healthy already: nothing to write
            return;
        m_health.erase(it);
        row.channelId = channelId;
        row.updatedAtMs = now();
    }
    persist(row);
}

void ChannelSelector::reportFailure(qint64 channelId, ChannelFailure kind, const QString &detail)
{
    QString secret;
    for (const Store::Channel &c : *channels())
        if (c.id == channelId)
            secret = c.secret;
    const QString scrubbed = SecretScrubber::scrub(detail, secret).left(500);
    ChannelHealth row;
    {
        QMutexLocker lock(&m_healthMutex);
        loadHealthLocked();
        const qint64 at = now();
        Health &h = m_health[channelId];
        h.row.channelId = channelId;
        // Calls that were already in flight when the channel went down fail too: they confirm the current
        // back-off rather than start the next one. A failed probe (or a failure after the back-off) does.
        const bool newEpisode = h.row.state != ChannelHealth::State::Unhealthy || at >= h.row.retryAtMs;
        if (newEpisode) {
            h.row.failures += 1;
            h.row.retryAtMs = at + backoffMs(kind, h.row.failures);
        }
        h.row.state = ChannelHealth::State::Unhealthy;
        h.row.lastError = scrubbed;
        h.row.updatedAtMs = at;
        h.lastKind = kind;
        h.lastFailureMs = at;
        row = h.row;
    }
    persist(row);
}

ChannelHealth ChannelSelector::health(qint64 channelId)
{
    QMutexLocker lock(&m_healthMutex);
    loadHealthLocked();
    const auto it = m_health.constFind(channelId);
    if (it != m_health.cend())
        return it->row;
    ChannelHealth row;
    row.channelId = channelId;
    return row;
}

void ChannelSelector::setLane(Store::StoreLane *lane)
{
    m_lane = lane;
}

void ChannelSelector::persist(const ChannelHealth &row)
{
    // Rare (changes of state only) and small; a failure to write costs the CLI's view, never the relay.
    if (m_lane) {
        m_lane->write(QStringLiteral("recording the health of channel %1").arg(row.channelId),
                      [row](const Store::Database &db) { return Store::ChannelHealthRepository(db).save(row); });
        return;
    }
    if (const auto s = Store::ChannelHealthRepository(*m_db).save(row); !s)
        qWarning("relay: cannot record the health of channel %lld: %s", row.channelId, qPrintable(s.error()));
}

} // namespace RelayDesk::Relay
