#include "storelane.h"

#include "database.h"
#include "metrics/relaymetrics.h"
#include "pgpipeline.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QThread>
#include <QtCore/QThreadPool>

#include <atomic>
#include <unordered_set>

namespace RelayDesk::Store {

StoreLane::StoreLane(std::shared_ptr<Database> db, QObject *parent)
    : QObject(parent)
    , m_db(std::move(db))
    , m_soloPool(new QThreadPool(this))
{
    m_soloPool->setMaxThreadCount(kSoloThreads);
    m_batchThread = QThread::create([this] { batchLoop(); });
    m_batchThread->setObjectName(QStringLiteral("relaydesk-ledger"));
    m_batchThread->start();
}

StoreLane::~StoreLane()
{
    drain();
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_batchThread->wait();
    delete m_batchThread;
    m_soloPool->waitForDone();
}

StoreLane::Chain StoreLane::newChain()
{
    static std::atomic<Chain> next{0};
    return ++next;
}

void StoreLane::afterCommit(std::function<void(bool committed)> then, Chain chain)
{
    Job barrier;
    barrier.deliver = std::move(then);
    barrier.chain = chain;
    enqueue(std::move(barrier));
}

void StoreLane::setInlineWhenIdle(bool on)
{
    std::lock_guard lock(m_mutex);
    m_inlineWhenIdle = on && !m_db->isPostgres();
}

void StoreLane::enqueue(Job job)
{
    if (runInline(job))
        return;
    {
        std::lock_guard lock(m_mutex);
        m_batch.push_back(std::move(job));
    }
    m_wake.notify_all();
}

bool StoreLane::runInline(Job &job)
{
    if (QThread::currentThread() != thread())
        return false;
    {
        std::lock_guard lock(m_mutex);
        if (!m_inlineWhenIdle || m_stop || !idle())
            return false;
        m_inlineBusy = true; // drain() waits for it, and a write submitted meanwhile from elsewhere queues
    }
    bool ran = true;
    if (job.run) {
        std::deque<Job> one;
        one.push_back(std::move(job));
        ran = runBatch(one, false);
        if (!ran)
            job = std::move(one.front());
    } else { // a barrier: with the lane idle, everything before it is durable (its delivery follows theirs)
        std::vector<std::pair<Job, bool>> now;
        now.emplace_back(std::move(job), true);
        {
            std::lock_guard lock(m_mutex);
            ++m_undelivered;
        }
        deliver(std::move(now));
    }
    {
        std::lock_guard lock(m_mutex);
        m_inlineBusy = false;
        if (ran)
            ++m_inlineRuns;
    }
    m_settled.notify_all();
    return ran;
}

void StoreLane::batchLoop()
{
    for (;;) {
        std::deque<Job> jobs;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stop || !m_batch.empty(); });
            if (m_batch.empty())
                return; // stopping, nothing left
            jobs.swap(m_batch);
            m_batchBusy = true;
        }
        runBatch(jobs);
        {
            std::lock_guard lock(m_mutex);
            m_batchBusy = false;
        }
        m_settled.notify_all();
    }
}

bool StoreLane::runBatch(std::deque<Job> &jobs, bool waitForLock)
{
    QString error;
    QElapsedTimer took;
    took.start();
    const bool batched = waitForLock ? m_db->beginBatch(&error, kBatchLockTimeoutMs) : m_db->tryBeginBatch();
    if (!batched && !waitForLock)
        return false;
    if (!batched)
        qWarning("ledger: cannot open a commit batch (%s); committing one by one", qPrintable(error));

    if (batched && m_db->isPostgres())
        askAhead(jobs);

    std::vector<std::pair<Job, bool>> finished;
    std::vector<Job> solo;
    for (Job &job : jobs) {
        const bool again = job.run && job.run(); // its own Transaction (a savepoint here) undid a failed write
        if (again)
            solo.push_back(std::move(job));
        else
            finished.emplace_back(std::move(job), true);
    }
    bool committed = true;
    if (batched) {
        committed = m_db->commitBatch(&error);
        if (committed)
            Metrics::RelayMetrics::global().ledgerCommitted(took.nsecsElapsed() / 1e9);
        else
            qWarning("ledger: commit of a batch failed (%s); its writes were rolled back", qPrintable(error));
    }
    std::vector<std::pair<Job, bool>> now;
    {
        std::lock_guard lock(m_mutex);
        if (committed && batched)
            ++m_batches;
        for (const Job &job : solo) {
            ++m_solo;
            ++m_soloByChain[job.chain];
            ++m_soloRuns;
        }
        for (auto &[job, ok] : finished) {
            if (!job.run && job.chain != 0 && m_soloByChain.count(job.chain)) // its chain's solo writes first
                m_heldBarriers.push_back(std::move(job));
            else
                now.emplace_back(std::move(job), committed);
        }
        m_undelivered += int(now.size());
    }
    for (Job &job : solo)
        m_soloPool->start([this, job = std::move(job)]() mutable { runSolo(std::move(job)); });
    deliver(std::move(now));
    return true;
}

void StoreLane::askAhead(std::deque<Job> &jobs)
{
    std::vector<Job *> asking;
    std::vector<const ServerCall *> calls;
    std::unordered_set<Chain> seen;
    for (Job &job : jobs) {
        const bool firstOfChain = job.chain == 0 || seen.insert(job.chain).second;
        if (!job.stage || !firstOfChain)
            continue;
        if (const ServerCall *call = job.stage()) {
            asking.push_back(&job);
            calls.push_back(call);
        }
    }
    if (calls.empty())
        return;
    std::vector<ServerAnswer> answers = m_db->ask(calls);
    for (std::size_t i = 0; i < asking.size(); ++i)
        asking[i]->answer(std::move(answers[i]));
    std::lock_guard lock(m_mutex);
    m_askedAhead += calls.size();
    m_askRoundTrips += (calls.size() + PgPipeline::kMaxInFlight - 1) / PgPipeline::kMaxInFlight;
}

void StoreLane::runSolo(Job job)
{
    job.run(); // alone, in its own transaction, waiting as long as the lock takes
    const Chain chain = job.chain;
    std::vector<std::pair<Job, bool>> done;
    done.emplace_back(std::move(job), true);
    {
        std::lock_guard lock(m_mutex);
        --m_solo;
        if (--m_soloByChain[chain] == 0) {
            m_soloByChain.erase(chain);
            for (auto it = m_heldBarriers.begin(); it != m_heldBarriers.end();) {
                if (it->chain == chain) {
                    done.emplace_back(std::move(*it), true);
                    it = m_heldBarriers.erase(it);
                } else {
                    ++it;
                }
            }
        }
        m_undelivered += int(done.size()); // with the decrement above: drain() never sees neither
    }
    deliver(std::move(done));
    m_settled.notify_all();
}

void StoreLane::deliver(std::vector<std::pair<Job, bool>> finished)
{
    if (finished.empty())
        return;
    const int n = int(finished.size());
    auto batch = std::make_shared<std::vector<std::pair<Job, bool>>>(std::move(finished));
    QMetaObject::invokeMethod(this, [this, batch, n] {
        for (auto &[job, committed] : *batch)
            if (job.deliver)
                job.deliver(committed);
        {
            std::lock_guard lock(m_mutex);
            m_undelivered -= n;
        }
        m_settled.notify_all();
    }, Qt::QueuedConnection);
}

bool StoreLane::idle() const
{
    return m_batch.empty() && !m_batchBusy && !m_inlineBusy && m_solo == 0;
}

void StoreLane::drain()
{
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_settled.wait(lock, [this] { return idle(); });
            if (m_undelivered == 0)
                return;
        }
        // What the threads finished waits as posted events for this thread: deliver it now. Its done() may
        // submit more (a refund after a reservation), hence the loop.
        QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
    }
}

quint64 StoreLane::batches() const
{
    std::lock_guard lock(m_mutex);
    return m_batches;
}

quint64 StoreLane::inlineRuns() const
{
    std::lock_guard lock(m_mutex);
    return m_inlineRuns;
}

quint64 StoreLane::soloRuns() const
{
    std::lock_guard lock(m_mutex);
    return m_soloRuns;
}

quint64 StoreLane::askedAhead() const
{
    std::lock_guard lock(m_mutex);
    return m_askedAhead;
}

quint64 StoreLane::askRoundTrips() const
{
    std::lock_guard lock(m_mutex);
    return m_askRoundTrips;
}

} // namespace RelayDesk::Store

