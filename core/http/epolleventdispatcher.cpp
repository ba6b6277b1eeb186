#include "http/epolleventdispatcher.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QSocketNotifier>
#include <QtCore/QThread>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <ctime>
#include <vector>

namespace RelayDesk::Relay {

namespace {

constexpr int kMaxEventsPerPass = 256;
constexpr qint64 kNsPerMs = 1'000'000;

qint64 monotonicNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

quint32 epollMask(const QSocketNotifier *read, const QSocketNotifier *write, const QSocketNotifier *exception)
{
    quint32 mask = 0;
    if (read)
        mask |= EPOLLIN | EPOLLRDHUP;
    if (write)
        mask |= EPOLLOUT;
    if (exception)
        mask |= EPOLLPRI;
    return mask;
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (m_epoll >= 0 && m_wake >= 0) {
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.fd = m_wake;
        if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &event) != 0)
            qWarning("EpollEventDispatcher: cannot watch the wake-up eventfd: %s", strerror(errno));
    }
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    if (m_wake >= 0)
        ::close(m_wake);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

bool EpollEventDispatcher::installOn(QThread &thread)
{
    if (qEnvironmentVariable("RELAYDESK_RELAY_DISPATCHER") == QLatin1String("qt"))
        return false;
    auto *dispatcher = new EpollEventDispatcher;
    if (!dispatcher->isValid()) {
        delete dispatcher;
        return false;
    }
    thread.setEventDispatcher(dispatcher);
    return true;
}

// ---- socket notifiers

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    if (fd < 0)
        return;
    if (size_t(fd) >= m_watches.size())
        m_watches.resize(size_t(fd) + 1);
    Watch &watch = m_watches[size_t(fd)];
    switch (notifier->type()) {
    case QSocketNotifier::Read: watch.read = notifier; break;
    case QSocketNotifier::Write: watch.write = notifier; break;
    case QSocketNotifier::Exception: watch.exception = notifier; break;
    }
    updateWatch(fd, watch);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    if (fd < 0 || size_t(fd) >= m_watches.size())
        return;
    Watch &watch = m_watches[size_t(fd)];
    for (QSocketNotifier **slot : {&watch.read, &watch.write, &watch.exception})
        if (*slot == notifier)
            *slot = nullptr;
    updateWatch(fd, watch);
}

void EpollEventDispatcher::updateWatch(int fd, Watch &watch)
{
    if (watch.isEmpty()) {
        // Now, not lazily: the descriptor may be closed and its number reused before the next pass.
        if (watch.applied != 0)
            epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr); // fails harmlessly when already closed
        watch = Watch{}; // a stale m_dirty entry finds it clean
        return;
    }
    if (!watch.dirty && epollMask(watch.read, watch.write, watch.exception) != watch.applied) {
        watch.dirty = true;
        m_dirty.push_back(fd);
    }
}

void EpollEventDispatcher::applyChanges()
{
    for (const int fd : m_dirty) {
        if (size_t(fd) >= m_watches.size() || !m_watches[size_t(fd)].dirty)
            continue;
        Watch *it = &m_watches[size_t(fd)];
        it->dirty = false;
        const quint32 wanted = epollMask(it->read, it->write, it->exception);
        if (wanted == it->applied)
            continue; // enabled and disabled again (or the reverse) since the last pass: nothing to tell the kernel
        epoll_event event{};
        event.events = wanted;
        event.data.fd = fd;
        const bool inSet = it->applied != 0;
        // A descriptor closed and reused, or one epoll forgot: the other operation once.
        if (epoll_ctl(m_epoll, inSet ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event) != 0
            && epoll_ctl(m_epoll, inSet ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event) != 0) {
            qWarning("EpollEventDispatcher: cannot watch socket %d: %s", fd, strerror(errno));
            continue;
        }
        it->applied = wanted;
    }
    m_dirty.clear();
}

bool EpollEventDispatcher::dispatchSockets(const epoll_event *events, int count)
{
    bool dispatched = false;
    for (int i = 0; i < count; ++i) {
        const int fd = events[i].data.fd;
        if (fd == m_wake)
            continue;
        const quint32 happened = events[i].events;
        // Hang-up and error read as readable and writable, as with poll(): the handler's read or write finds out.
        const bool failed = happened & (EPOLLERR | EPOLLHUP);
        const bool readable = failed || (happened & (EPOLLIN | EPOLLRDHUP));
        const bool writable = failed || (happened & EPOLLOUT);
        const bool urgent = happened & EPOLLPRI;
        // Looked up again before each notifier: an earlier handler of this pass may have removed or replaced it.
        const auto fire = [this, fd](QSocketNotifier *Watch::*slot) {
            QSocketNotifier *notifier = size_t(fd) < m_watches.size() ? m_watches[size_t(fd)].*slot : nullptr;
            if (!notifier)
                return false;
            QEvent event(QEvent::SockAct);
            QCoreApplication::sendEvent(notifier, &event);
            return true;
        };
        if (urgent)
            dispatched |= fire(&Watch::exception);
        if (readable)
            dispatched |= fire(&Watch::read);
        if (writable)
            dispatched |= fire(&Watch::write);
    }
    return dispatched;
}

// ---- timers

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    Timer timer;
    timer.id = timerId;
    timer.type = timerType;
    // Very coarse timers run on whole seconds (Qt rounds to the nearest one).
    timer.interval = timerType == Qt::VeryCoarseTimer ? ((interval + 500) / 1000) * 1000 : interval;
    timer.object = object;
    const qint64 now = monotonicNs();
    timer.deadline = now;
    auto &stored = *m_timers.insert(timerId, timer);
    schedule(stored, now);
}

void EpollEventDispatcher::schedule(Timer &timer, qint64 nowNs)
{
    // Periodic timers keep their phase (deadline + interval) unless the loop fell a whole interval behind.
    qint64 next = timer.deadline + timer.interval * kNsPerMs;
    if (next < nowNs || timer.deadline == nowNs)
        next = nowNs + timer.interval * kNsPerMs;
    timer.deadline = next;
    timer.slot = m_schedule.emplace(next, timer.id);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    m_schedule.erase(it->slot);
    m_timers.erase(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->object != object) {
            ++it;
            continue;
        }
        m_schedule.erase(it->slot);
        it = m_timers.erase(it);
        any = true;
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> infos;
    for (const Timer &timer : m_timers)
        if (timer.object == object)
            infos.append(TimerInfo(timer.id, int(timer.interval), timer.type));
    return infos;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.constFind(timerId);
    if (it == m_timers.constEnd())
        return -1;
    const qint64 left = it->deadline - monotonicNs();
    return left <= 0 ? 0 : int((left + kNsPerMs - 1) / kNsPerMs);
}

int EpollEventDispatcher::timeToNextTimer(qint64 nowNs) const
{
    for (const auto &[deadline, id] : m_schedule) {
        if (m_timers.value(id).active)
            continue; // inside its own handler: it cannot fire, so it must not keep the loop from sleeping
        if (deadline <= nowNs)
            return 0;
        const qint64 ms = (deadline - nowNs + kNsPerMs - 1) / kNsPerMs;
        return int(std::min<qint64>(ms, std::numeric_limits<int>::max()));
    }
    return -1;
}

bool EpollEventDispatcher::activateTimers()
{
    const qint64 now = monotonicNs();
    // Only the timers due when the pass began: one that reschedules itself at 0 ms waits for the next pass, so
    // sockets and posted events are never starved.
    std::vector<int> due;
    for (auto it = m_schedule.begin(); it != m_schedule.end() && it->first <= now; ++it)
        due.push_back(it->second);
    bool fired = false;
    for (const int id : due) {
        auto it = m_timers.find(id);
        // Unregistered (or re-registered under the same id) by an earlier handler of this pass.
        if (it == m_timers.end() || it->active || it->deadline > now)
            continue;
        m_schedule.erase(it->slot);
        schedule(*it, now);
        it->active = true;
        QObject *object = it->object;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
        fired = true;
        // The handler may have killed the timer, or another with this id may exist now: look it up again.
        if (auto after = m_timers.find(id); after != m_timers.end() && after->object == object)
            after->active = false;
    }
    return fired;
}

// ---- the loop

void EpollEventDispatcher::startingUp()
{
    m_owner.store(QThread::currentThreadId());
}

void EpollEventDispatcher::wakeUp()
{
    // Coalesced: one wake-up per pass. The loop's own thread (an event posted while it dispatches, the common case)
    // only marks it: the loop is awake and will not block on it; other threads write the eventfd.
    if (m_wakeUpPending.exchange(true) || QThread::currentThreadId() == m_owner.load())
        return;
    const quint64 one = 1;
    while (::write(m_wake, &one, sizeof one) < 0 && errno == EINTR) {
    }
}

void EpollEventDispatcher::interrupt()
{
    m_interrupt.store(true, std::memory_order_release);
    wakeUp();
}

void EpollEventDispatcher::drainWakeUp()
{
    quint64 value = 0;
    while (::read(m_wake, &value, sizeof value) < 0 && errno == EINTR) {
    }
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupt.store(false, std::memory_order_relaxed);
    if (m_owner.load() == nullptr)
        m_owner.store(QThread::currentThreadId()); // a dispatcher installed without startingUp()
    Q_EMIT awake();
    // Posted events first (deferred deletes, queued calls from other threads). A post from now on marks the loop
    // awake (seq_cst, before the posted events are read: none is missed), and it then does not block below.
    m_wakeUpPending.store(false);
    QCoreApplication::sendPostedEvents();

    const bool mayWait = (flags & QEventLoop::WaitForMoreEvents) && !m_interrupt.load(std::memory_order_acquire)
        && !m_wakeUpPending.load();
    int timeout = 0;
    if (mayWait) {
        timeout = timeToNextTimer(monotonicNs());
        if (timeout != 0)
            Q_EMIT aboutToBlock();
    }

    applyChanges();
    epoll_event events[kMaxEventsPerPass];
    int count = epoll_wait(m_epoll, events, kMaxEventsPerPass, timeout);
    if (count < 0) {
        if (errno != EINTR)
            qWarning("EpollEventDispatcher: epoll_wait: %s", strerror(errno));
        count = 0;
    }
    if (mayWait && timeout != 0)
        Q_EMIT awake();

    bool woken = false;
    for (int i = 0; i < count; ++i) {
        if (events[i].data.fd == m_wake) {
            drainWakeUp();
            woken = true;
        }
    }
    if (m_interrupt.load(std::memory_order_acquire))
        return false;

    bool dispatched = false;
    if (!(flags & QEventLoop::ExcludeSocketNotifiers))
        dispatched |= dispatchSockets(events, count);
    dispatched |= activateTimers();
    return dispatched || woken;
}

} // namespace RelayDesk::Relay
