#pragma once
// The relay's extra event-loop threads: sessions that outlive their HTTP request (Realtime WebSockets) are moved
// off the server thread onto one of these, so their frames are relayed on as many cores as there are loops. Each
// loop runs an EpollEventDispatcher (one pass costs what is ready, not what is open). A loop is picked by load:
// the one with the fewest objects placed on it and not yet released.
#include <QtCore/QObject>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace RelayDesk::Relay {

class RelayLoops final
{
public:
    // RELAYDESK_RELAY_LOOPS when set (0: none — everything stays on the server thread), else one per core.
    static int configuredCount();

    // Starts `count` threads named "relay-loop-<i>".
    explicit RelayLoops(int count);
    // Quits and joins every loop; what still lives there must be gone (or be deleted by its thread's end).
    ~RelayLoops();

    int count() const { return int(m_loops.size()); }
    // The least loaded loop; its load goes up by one until release(index).
    int acquire();
    void release(int index);
    int load(int index) const;
    QThread *thread(int index) const;
    // An object living on loop `index` as long as the loops do: a target for queued calls onto that loop.
    QObject *anchor(int index) const;
    // Runs f on loop `index` and waits for it (never call from that loop, nor while it waits on the caller).
    void runBlocking(int index, const std::function<void()> &f) const;
    // CPU seconds each loop thread has used so far (CLOCK_THREAD_CPUTIME_ID, read on the thread).
    std::vector<double> cpuSeconds() const;

private:
    struct Loop;
    std::vector<std::unique_ptr<Loop>> m_loops;
};

} // namespace RelayDesk::Relay
