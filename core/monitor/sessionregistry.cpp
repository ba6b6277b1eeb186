#include "sessionregistry.h"

#include <QMetaObject>
#include <QMutexLocker>

#include <algorithm>

namespace RelayDesk::Monitor {

namespace {
constexpr qint64 kRateWindowMs = 5000;
constexpr int kPruneIntervalMs = 1000;

qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }
} // namespace

QString kindName(SessionKind kind)
{
    switch (kind) {
    case SessionKind::Http: return QStringLiteral("http");
    case SessionKind::Realtime: return QStringLiteral("realtime");
    case SessionKind::Responses: return QStringLiteral("responses");
    case SessionKind::ResponsesWebSocket: return QStringLiteral("responses_ws");
    case SessionKind::Embeddings: return QStringLiteral("embeddings");
    case SessionKind::Completion: return QStringLiteral("completion");
    case SessionKind::Moderation: return QStringLiteral("moderation");
    case SessionKind::Transcription: return QStringLiteral("transcription");
    case SessionKind::Speech: return QStringLiteral("speech");
    case SessionKind::Image: return QStringLiteral("image");
    case SessionKind::Messages: return QStringLiteral("messages");
    }
    return QStringLiteral("http");
}

QString stateName(SessionState state)
{
    switch (state) {
    case SessionState::Connecting: return QStringLiteral("connecting");
    case SessionState::Active: return QStringLiteral("active");
    case SessionState::Streaming: return QStringLiteral("streaming");
    case SessionState::Ended: return QStringLiteral("ended");
    case SessionState::Failed: return QStringLiteral("failed");
    }
    return {};
}

QString directionName(EventDirection direction)
{
    switch (direction) {
    case EventDirection::FromClient: return QStringLiteral("client");
    case EventDirection::FromUpstream: return QStringLiteral("upstream");
    case EventDirection::Internal: return QStringLiteral("relay");
    }
    return {};
}

QString mediaPathName(MediaPath path)
{
    switch (path) {
    case MediaPath::Relayed: return QStringLiteral("relayed");
    case MediaPath::DirectWebRtc: return QStringLiteral("direct (WebRTC)");
    }
    return {};
}

qint64 SessionInfo::durationMs(const QDateTime &now) const
{
    const QDateTime end = endedAt.isValid() ? endedAt : now;
    return startedAt.isValid() ? std::max<qint64>(0, startedAt.msecsTo(end)) : 0;
}

SessionRegistry::SessionRegistry(QObject *parent)
    : SessionRegistry(Limits{}, parent)
{
}

SessionRegistry::SessionRegistry(Limits limits, QObject *parent)
    : QObject(parent)
    , m_limits(limits)
    , m_timer(new QTimer(this))
{
    qRegisterMetaType<RelayDesk::Monitor::SessionInfo>();
    qRegisterMetaType<QList<RelayDesk::Monitor::SessionInfo>>();
    qRegisterMetaType<QList<quint64>>();
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &SessionRegistry::publish);
}

SessionRegistry::~SessionRegistry() = default;

quint64 SessionRegistry::open(SessionInfo initial)
{
    QMutexLocker lock(&m_mutex);
    const quint64 id = m_nextId++;
    initial.id = id;
    if (!initial.startedAt.isValid())
        initial.startedAt = QDateTime::currentDateTimeUtc();
    const auto it = m_entries.insert(id, Entry{std::move(initial), {}, {}, {}});
    markDirty(id, *it, false);
    return id;
}

void SessionRegistry::setState(quint64 id, SessionState state)
{
    QMutexLocker lock(&m_mutex);
    if (auto it = m_entries.find(id); it != m_entries.end() && it->info.isLive()) {
        it->info.state = state;
        markDirty(id, *it, false);
    }
}

void SessionRegistry::setModel(quint64 id, const QString &model, const QString &upstreamModel,
                               const QString &channel)
{
    QMutexLocker lock(&m_mutex);
    if (auto it = m_entries.find(id); it != m_entries.end()) {
        it->info.model = model;
        it->info.upstreamModel = upstreamModel;
        it->info.channel = channel;
        markDirty(id, *it, false);
    }
}

void SessionRegistry::setKind(quint64 id, SessionKind kind)
{
    QMutexLocker lock(&m_mutex);
    if (auto it = m_entries.find(id); it != m_entries.end()) {
        it->info.kind = kind;
        markDirty(id, *it, false);
    }
}

void SessionRegistry::addUsage(quint64 id, const SessionUsage &delta)
{
    QMutexLocker lock(&m_mutex);
    if (auto it = m_entries.find(id); it != m_entries.end()) {
        it->info.usage += delta;
        markDirty(id, *it, false);
    }
}

void SessionRegistry::setUsage(quint64 id, const SessionUsage &total)
{
    QMutexLocker lock(&m_mutex);
    if (auto it = m_entries.find(id); it != m_entries.end()) {
        it->info.usage = total;
        markDirty(id, *it, false);
    }
}

void SessionRegistry::setUnits(quint64 id, const Billing::Units &units)
{
    QMutexLocker lock(&m_mutex);
    if (auto it = m_entries.find(id); it != m_entries.end()) {
        it->info.units = units;
        markDirty(id, *it, false);
    }
}

void SessionRegistry::setQuota(quint64 id, qint64 reserved, qint64 charged)
{
    QMutexLocker lock(&m_mutex);
    if (auto it = m_entries.find(id); it != m_entries.end()) {
        it->info.reservedQuota = reserved;
        it->info.chargedQuota = charged;
        markDirty(id, *it, false);
    }
}

void SessionRegistry::addQuota(quint64 id, qint64 reserved, qint64 charged)
{
    QMutexLocker lock(&m_mutex);
    if (auto it = m_entries.find(id); it != m_entries.end()) {
        it->info.reservedQuota += reserved;
        it->info.chargedQuota += charged;
        markDirty(id, *it, false);
    }
}

void SessionRegistry::recordEvent(quint64 id, SessionEvent event)
{
    QMutexLocker lock(&m_mutex);
    if (auto it = m_entries.find(id); it != m_entries.end())
        appendEvent(id, *it, std::move(event));
}

void SessionRegistry::recordEvent(quint64 id, SessionEvent event, const SessionUsage &usage)
{
    QMutexLocker lock(&m_mutex);
    if (auto it = m_entries.find(id); it != m_entries.end()) {
        it->info.usage = usage;
        appendEvent(id, *it, std::move(event));
    }
}

void SessionRegistry::appendEvent(quint64 id, Entry &entry, SessionEvent event)
{
    if (event.atMs == 0)
        event.atMs = nowMs();
    ++entry.info.eventCount;
    entry.recentEventTimes.push_back(event.atMs);
    while (!entry.recentEventTimes.empty() && entry.recentEventTimes.front() < event.atMs - kRateWindowMs)
        entry.recentEventTimes.pop_front();
    entry.events.push_back(std::move(event));
    while (entry.events.size() > size_t(m_limits.eventsPerSession))
        entry.events.pop_front();
    markDirty(id, entry, true);
}

void SessionRegistry::addTurn(quint64 id, SessionTurn turn)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_entries.find(id);
    if (it == m_entries.end())
        return;
    Entry &entry = *it;
    turn.number = ++entry.info.turnCount;
    entry.turns.push_back(std::move(turn));
    while (entry.turns.size() > size_t(std::max(1, m_limits.turnsPerSession))) {
        entry.turns.pop_front();
        ++entry.info.turnsDropped;
    }
    markDirty(id, entry, false);
}

void SessionRegistry::close(quint64 id, SessionState finalState, const QString &reason)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_entries.find(id);
    if (it == m_entries.end() || !it->info.isLive())
        return;
    it->info.state = finalState == SessionState::Failed ? SessionState::Failed : SessionState::Ended;
    it->info.endedAt = QDateTime::currentDateTimeUtc();
    it->info.endReason = reason;
    m_ended.push_back(id);
    markDirty(id, *it, false);
}

QList<SessionInfo> SessionRegistry::sessions() const
{
    QMutexLocker lock(&m_mutex);
    const qint64 now = nowMs();
    QList<SessionInfo> result;
    result.reserve(m_entries.size());
    for (const Entry &entry : m_entries) {
        result.append(entry.info);
        result.back().eventsPerSecond = eventsPerSecond(entry, now);
    }
    std::sort(result.begin(), result.end(),
              [](const SessionInfo &a, const SessionInfo &b) { return a.id < b.id; });
    return result;
}

std::optional<SessionInfo> SessionRegistry::session(quint64 id) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_entries.constFind(id);
    if (it == m_entries.constEnd())
        return std::nullopt;
    SessionInfo info = it->info;
    info.eventsPerSecond = eventsPerSecond(*it, nowMs());
    return info;
}

QList<SessionEvent> SessionRegistry::recentEvents(quint64 id) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_entries.constFind(id);
    if (it == m_entries.constEnd())
        return {};
    return QList<SessionEvent>(it->events.begin(), it->events.end());
}

QList<SessionTurn> SessionRegistry::turns(quint64 id) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_entries.constFind(id);
    if (it == m_entries.constEnd())
        return {};
    return QList<SessionTurn>(it->turns.begin(), it->turns.end());
}

int SessionRegistry::liveCount() const
{
    QMutexLocker lock(&m_mutex);
    return int(std::count_if(m_entries.cbegin(), m_entries.cend(),
                             [](const Entry &e) { return e.info.isLive(); }));
}

quint64 SessionRegistry::openedCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_nextId - 1;
}

// Called with m_mutex held. Publishing happens on the registry's own thread, so the timer is
// (re)started there through a queued call when a writer on another thread dirties a session.
void SessionRegistry::markDirty(quint64 id, Entry &entry, bool withEvents)
{
    if (!entry.dirty) {
        entry.dirty = true;
        m_dirty.push_back(id);
    }
    if (withEvents && !entry.dirtyEvents) {
        entry.dirtyEvents = true;
        m_dirtyEvents.push_back(id);
    }
    if (m_publishScheduled)
        return;
    m_publishScheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (!m_timer->isActive() || m_timer->remainingTime() > m_limits.publishIntervalMs)
                m_timer->start(m_limits.publishIntervalMs);
        },
        Qt::QueuedConnection);
}

void SessionRegistry::publish()
{
    QList<SessionInfo> changed;
    QList<quint64> withEvents;
    QList<quint64> removed;
    bool keepPruning = false;
    {
        QMutexLocker lock(&m_mutex);
        const qint64 now = nowMs();
        for (const quint64 id : m_dirty) {
            const auto it = m_entries.find(id);
            if (it == m_entries.end())
                continue;
            it->dirty = false;
            changed.append(it->info);
            changed.back().eventsPerSecond = eventsPerSecond(*it, now);
        }
        withEvents.reserve(qsizetype(m_dirtyEvents.size()));
        for (const quint64 id : m_dirtyEvents) {
            if (const auto it = m_entries.find(id); it != m_entries.end()) {
                it->dirtyEvents = false;
                withEvents.append(id);
            }
        }
        m_dirty.clear();
        m_dirtyEvents.clear();
        m_publishScheduled = false;
        pruneEnded(now, &removed);
        keepPruning = !m_ended.empty();
    }
    std::sort(changed.begin(), changed.end(),
              [](const SessionInfo &a, const SessionInfo &b) { return a.id < b.id; });
    if (!changed.isEmpty())
        emit sessionsUpdated(changed);
    if (!withEvents.isEmpty())
        emit eventsAppended(withEvents);
    if (!removed.isEmpty())
        emit sessionsRemoved(removed);
    if (keepPruning && !m_timer->isActive())
        m_timer->start(std::max(m_limits.publishIntervalMs, kPruneIntervalMs));
}

void SessionRegistry::pruneEnded(qint64 now, QList<quint64> *removed)
{
    while (!m_ended.empty()) {
        const quint64 id = m_ended.front();
        const bool overflow = m_ended.size() > size_t(std::max(0, m_limits.maxEndedSessions));
        const auto it = m_entries.constFind(id);
        const bool expired = it->info.endedAt.toMSecsSinceEpoch() + m_limits.retainEndedMs <= now;
        if (!overflow && !expired)
            break; // the ones behind it ended later
        m_entries.erase(it); // not dirty: publish() has just taken the dirty list
        removed->append(id);
        m_ended.pop_front();
    }
}

double SessionRegistry::eventsPerSecond(const Entry &entry, qint64 now)
{
    const auto recent = std::count_if(entry.recentEventTimes.cbegin(), entry.recentEventTimes.cend(),
                                      [now](qint64 t) { return t >= now - kRateWindowMs; });
    return double(recent) * 1000.0 / double(kRateWindowMs);
}

} // namespace RelayDesk::Monitor
