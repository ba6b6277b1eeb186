#include "http/relayloops.h"

#include "http/epolleventdispatcher.h"

#include <QtCore/QThread>

#include <ctime>

namespace RelayDesk::Relay {

struct RelayLoops::Loop
{
    QThread thread;
    QObject anchor; // affinity `thread`: blocking calls run there
    std::atomic<int> load{0};
};

int RelayLoops::configuredCount()
{
    bool ok = false;
    const int configured = qEnvironmentVariableIntValue("RELAYDESK_RELAY_LOOPS", &ok);
    if (ok && configured >= 0)
        return std::min(configured, 256);
    return std::max(1, QThread::idealThreadCount());
}

RelayLoops::RelayLoops(int count)
{
    for (int i = 0; i < count; ++i) {
        auto loop = std::make_unique<Loop>();
        loop->thread.setObjectName(QStringLiteral("relay-loop-%1").arg(i));
        EpollEventDispatcher::installOn(loop->thread);
        loop->anchor.moveToThread(&loop->thread);
        loop->thread.start();
        m_loops.push_back(std::move(loop));
    }
}

RelayLoops::~RelayLoops()
{
    for (const auto &loop : m_loops)
        loop->thread.quit();
    for (const auto &loop : m_loops)
        loop->thread.wait();
}

int RelayLoops::acquire()
{
    int best = 0;
    for (int i = 1; i < count(); ++i)
        if (m_loops[i]->load.load() < m_loops[best]->load.load())
            best = i;
    ++m_loops[best]->load;
    return best;
}

void RelayLoops::release(int index)
{
    if (index >= 0 && index < count())
        --m_loops[index]->load;
}

int RelayLoops::load(int index) const
{
    return m_loops.at(index)->load.load();
}

QThread *RelayLoops::thread(int index) const
{
    return &m_loops.at(index)->thread;
}

QObject *RelayLoops::anchor(int index) const
{
    return &m_loops.at(index)->anchor;
}

void RelayLoops::runBlocking(int index, const std::function<void()> &f) const
{
    QMetaObject::invokeMethod(&m_loops.at(index)->anchor, f, Qt::BlockingQueuedConnection);
}

std::vector<double> RelayLoops::cpuSeconds() const
{
    std::vector<double> seconds;
    for (int i = 0; i < count(); ++i) {
        double cpu = 0;
        runBlocking(i, [&cpu] {
            timespec ts{};
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
            cpu = double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
        });
        seconds.push_back(cpu);
    }
    return seconds;
}

} // namespace RelayDesk::Relay
