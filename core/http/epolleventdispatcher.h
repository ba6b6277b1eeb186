#pragma once
// An event dispatcher for the relay's event-loop threads (Linux): socket notifiers on one epoll set, so a pass
// costs what is ready, not what is open. Qt's default (glib, or its poll() fallback) hands the kernel every
// registered socket on every pass; with a thousand Realtime sessions (two sockets each) that walk was most of
// the relay's CPU. Install it on a QThread before start() (QThread::setEventDispatcher); it then serves that
// thread only, like any dispatcher.
//
// Qt semantics it keeps: socket notifiers are level-triggered (a readable socket fires again until read) and a
// notifier deleted or disabled by an earlier handler of the same pass is not fired; timers of every
// Qt::TimerType (precise and coarse fire at their deadline — coarse accuracy is a bound Qt allows, not a delay it
// requires; very coarse intervals are rounded to whole seconds), a periodic timer keeps its phase, a timer is
// never re-entered from its own handler, remainingTime() and registeredTimers() for
// QObject::moveToThread; posted events each pass; wakeUp() from any thread (an eventfd); interrupt(); the
// WaitForMoreEvents and ExcludeSocketNotifiers flags (user input does not exist here).
//
// The set is changed lazily: a pass's net change is applied before epoll_wait() (a socket's write notifier is
// enabled by a write and disabled once it drained — often both within one pass), except that a descriptor leaving
// the set leaves at once (it may be closed and its number reused next).
#include <QtCore/QAbstractEventDispatcher>
#include <QtCore/QHash>

#include <atomic>
#include <map>
#include <vector>

struct epoll_event;
QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace RelayDesk::Relay {

class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    // False when epoll or eventfd could not be created (then the caller keeps Qt's dispatcher).
    bool isValid() const { return m_epoll >= 0 && m_wake >= 0; }

    // Gives `thread` (not started yet) an EpollEventDispatcher, which the thread then owns — unless
    // RELAYDESK_RELAY_DISPATCHER=qt asks for Qt's own (for comparison) or epoll is unavailable. Returns whether it did.
    static bool installOn(QThread &thread);

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void startingUp() override;
    void wakeUp() override;
    void interrupt() override;

private:
    // The notifiers of one descriptor (at most one per type, as Qt allows).
    struct Watch
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
        quint32 applied = 0; // the events the kernel's set has for it (0: not in the set)
        bool dirty = false;  // listed in m_dirty
        bool isEmpty() const { return !read && !write && !exception; }
    };
    struct Timer
    {
        int id = 0;
        qint64 interval = 0; // ms
        Qt::TimerType type = Qt::CoarseTimer;
        QObject *object = nullptr;
        qint64 deadline = 0; // ns on the monotonic clock
        bool active = false; // inside its own timerEvent: not fired again until it returns
        std::multimap<qint64, int>::iterator slot;
    };

    // A notifier of `fd` came or went: dropped from the set at once when none is left (the descriptor may be
    // closed next), otherwise changed lazily, before the next epoll_wait().
    void updateWatch(int fd, Watch &watch);
    // The lazy changes: a socket's write notifier is enabled by a write and disabled once it drained, often within
    // one pass or from one pass to the next; only the net change reaches the kernel.
    void applyChanges();
    void schedule(Timer &timer, qint64 nowNs);
    // Milliseconds to wait for the next timer (-1: none), 0 when one is due.
    int timeToNextTimer(qint64 nowNs) const;
    bool activateTimers();
    bool dispatchSockets(const ::epoll_event *events, int count);
    void drainWakeUp();

    int m_epoll = -1;
    int m_wake = -1; // eventfd: wakeUp() from any thread
    std::atomic<bool> m_interrupt{false};
    std::atomic<bool> m_wakeUpPending{false}; // a wake-up since the pass began: do not block
    std::atomic<Qt::HANDLE> m_owner{nullptr};  // the loop's thread (its wake-ups need no eventfd write)
    // By descriptor number (small and dense, unlike a hash's buckets: one indexed load per notifier change and per
    // event). A descriptor with no notifier has an empty Watch.
    std::vector<Watch> m_watches;
    std::vector<int> m_dirty; // descriptors whose wanted events differ from those applied
    QHash<int, Timer> m_timers;            // by timer id
    std::multimap<qint64, int> m_schedule; // deadline → timer id
};

} // namespace RelayDesk::Relay
