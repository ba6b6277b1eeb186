#pragma once
// The relay's ledger writes, off its event loop. A metered call submits each write (reserve, settle, refund, its
// log row) here and goes on serving; the write runs on the lane's own thread and connection, and the call hears of
// it back on its thread once the write is durable.
//
// Group commit, on SQLite and PostgreSQL alike: the lane thread takes every write queued meanwhile and runs them in
// one transaction, then commits once and reports each outcome, in the order submitted. While one batch commits the
// next one fills. Each write keeps itself atomic with a Store::Transaction, which inside the batch is a savepoint:
// a failed write is rolled back alone and the others commit. (A write must not run a statement outside one — on
// PostgreSQL a failed statement would abort the whole batch; the lane adds no savepoint of its own because two
// nested ones per ledger operation were a sixth of the round trips of a call.)
//
// On PostgreSQL the common hold and settlement are one function call each (migration 15). Submitted staged
// (submitStaged), they are asked ahead: the lane sends the calls of a batch's staged writes all at once in libpq's
// pipeline mode (Database::ask) — one round trip for the batch instead of one per write — and then runs the batch,
// each write finishing with its answer. The functions never raise (they catch their own errors), so one cannot
// spoil another or the batch; should a statement outside a savepoint fail anyway, the batch's commit reports it
// lost rather than PostgreSQL's silent rollback.
//
// A locked row delays only the writes that need it. On PostgreSQL a batch waits at most kBatchLockTimeoutMs for
// a row another session holds (SET LOCAL lock_timeout); a write that fails in a batch for a store reason (its
// retrySolo says so) is rolled back and run again "solo" — alone, in its own transaction, on a thread of a small
// pool, as long as the lock takes — while later batches and other solo writes go on. (Two instances locking users
// in different orders inside their batches break each other's waits the same way, never deadlocking.) SQLite locks
// the whole database for a write, so there every write waits its turn on the busy timeout, but never on the event
// loop.
//
// When its owner allows it (setInlineWhenIdle), an idle lane runs a write at once on the caller's thread (SQLite
// only, and only for a caller on the lane's own thread): when nothing is queued, running or solo and the write lock
// is free right now, the write runs there in a batch of its own — the same savepoint, commit and queued delivery
// as on the lane thread, minus two thread wake-ups, which for a lone request were most of its added latency. If
// the lock is taken (another connection or process writes) it goes to the lane thread as usual: the caller never
// waits for a lock. Under load it is the wrong trade — every write would commit alone, on the caller's thread,
// instead of in a group beside it — so the relay allows it only while a single call is in flight (CallEngine).
#include "database.h"

#include <QtCore/QMetaObject>
#include <QtCore/QObject>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

class QThread;
class QThreadPool;

namespace RelayDesk::Store {

class StoreLane final : public QObject
{
    Q_OBJECT

public:
    static constexpr int kBatchLockTimeoutMs = 100;
    static constexpr int kSoloThreads = 8; // writes waiting on locks at once before the next solo one queues

    explicit StoreLane(std::shared_ptr<Database> db, QObject *parent = nullptr);
    ~StoreLane() override; // drain()s, then stops its threads

    // Writes of one caller (a metered call) share a chain: afterCommit(then, chain) waits for those of them that
    // went solo, and for nobody else's. 0: no chain.
    using Chain = quint64;
    static Chain newChain();

    // Runs op() on the lane thread, in the current batch; done(result, committed) then runs on this object's thread
    // once that batch committed (true) or was lost (false). retrySolo(result) true: op failed in a way running it
    // alone may cure (a lock wait that timed out); its savepoint is rolled back and it runs again solo, and done()
    // receives that outcome (committed true: a solo write commits on its own).
    template<class R>
    void submit(std::function<R()> op, std::function<void(const R &, bool committed)> done,
                std::function<bool(const R &)> retrySolo = {}, Chain chain = 0)
    {
        auto result = std::make_shared<std::optional<R>>();
        Job job;
        job.run = [op = std::move(op), retrySolo = std::move(retrySolo), result] {
            *result = op();
            return retrySolo && retrySolo(**result);
        };
        if (done)
            job.deliver = [done = std::move(done), result](bool committed) { done(**result, committed); };
        job.chain = chain;
        enqueue(std::move(job));
    }

    // A write staged around one question for the server (Staged): on PostgreSQL the lane asks the questions of a
    // batch's staged writes together, in one round trip (Database::ask), before it runs the batch; each write then
    // finishes with its answer, in submission order. A write whose chain has an earlier write in the same batch is
    // not asked ahead: it asks when its turn comes, after that write's outcome. stage() runs on the lane thread.
    // Otherwise as submit(): a write the answer shows failed for a store reason (retrySolo) runs again solo, and
    // asks again. The question must never raise (it runs outside the write's savepoint, see Database::ask).
    template<class R>
    void submitStaged(std::function<Staged<R>()> stage, std::function<void(const R &, bool committed)> done,
                      std::function<bool(const R &)> retrySolo = {}, Chain chain = 0)
    {
        auto make = std::make_shared<std::function<Staged<R>()>>(std::move(stage));
        auto staged = std::make_shared<Staged<R>>();
        auto answer = std::make_shared<std::optional<ServerAnswer>>();
        auto result = std::make_shared<std::optional<R>>();
        Job job;
        job.stage = [make, staged]() -> const ServerCall * {
            *staged = (*make)();
            return staged->question ? &*staged->question : nullptr;
        };
        job.answer = [answer](ServerAnswer a) { *answer = std::move(a); };
        job.run = [make, staged, answer, result, retrySolo = std::move(retrySolo)] {
            if (!staged->finish)
                *staged = (*make)();
            *result = staged->finish(std::exchange(*answer, std::nullopt)); // a solo rerun asks again
            return retrySolo && retrySolo(**result);
        };
        if (done)
            job.deliver = [done = std::move(done), result](bool committed) { done(**result, committed); };
        job.chain = chain;
        enqueue(std::move(job));
    }

    // A write whose outcome matters only when it fails (an error log row, a route): op(db) — returning a Status or
    // a Result — runs atomically in a Transaction of its own (a savepoint of the batch), again solo if it failed,
    // and a failure is logged naming `what`.
    template<class Op>
    void write(const QString &what, Op op, Chain chain = 0)
    {
        submit<QString>(
            [db = m_db, op = std::move(op)]() -> QString {
                Transaction tx(*db);
                if (const auto r = op(*db); !r)
                    return r.error();
                return tx.commit() ? QString() : tx.error();
            },
            [what](const QString &error, bool) {
                if (!error.isEmpty())
                    qWarning("store: %s failed: %s", qPrintable(what), qPrintable(error));
            },
            [](const QString &error) { return !error.isEmpty(); }, chain);
    }

    // then(committed) once everything submitted before it is durable (committed false: its batch was lost) —
    // including the writes of `chain` that went solo; other chains' solo writes do not hold it back.
    void afterCommit(std::function<void(bool committed)> then, Chain chain = 0);

    // Whether an idle lane runs a write on the submitting thread (see above). Off by default; never on PostgreSQL,
    // where every write is a round trip the event loop must not wait for.
    void setInlineWhenIdle(bool on);

    // Blocks until every write submitted so far — and every write their done() submitted — has run and been
    // reported. For shutdown and tests; the relay never waits on the lane otherwise.
    void drain();

    // Diagnostics and tests: batches committed, writes that went solo, staged writes asked ahead and the round
    // trips that asked them.
    quint64 batches() const;
    quint64 soloRuns() const;
    quint64 askedAhead() const;
    quint64 askRoundTrips() const;
    quint64 inlineRuns() const; // writes and barriers handled on the caller's thread

private:
    struct Job
    {
        std::function<bool()> run;         // the write; true = run it again alone. Empty: an afterCommit barrier
        std::function<void(bool)> deliver; // on this object's thread
        Chain chain = 0;
        std::function<const ServerCall *()> stage; // a staged write's question (none: it asks nothing)
        std::function<void(ServerAnswer)> answer;  // hands it the answer, before run()
    };

    void enqueue(Job job);
    // The idle lane's shortcut: true if `job` ran (or, a barrier, was delivered) here and now.
    bool runInline(Job &job);
    void batchLoop();
    // Runs `jobs` in one batch on this thread's connection and delivers them. waitForLock false: if the write lock
    // is taken, returns false at once and runs nothing.
    bool runBatch(std::deque<Job> &jobs, bool waitForLock = true);
    // Asks the questions of the batch's staged writes, each the first of its chain in the batch, at once.
    void askAhead(std::deque<Job> &jobs);
    // On a thread of the solo pool: the write alone, then its delivery and the barriers it held back.
    void runSolo(Job job);
    // Hands finished jobs to this object's thread (queued: never inside submit()); the caller has counted them in
    // m_undelivered, in the same critical section that took them off the books.
    void deliver(std::vector<std::pair<Job, bool>> finished);
    bool idle() const; // m_mutex held: nothing queued, running (here or inline), solo or held back

    std::shared_ptr<Database> m_db;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;    // work for the batch thread, or stop
    std::condition_variable m_settled; // something finished or was delivered (drain waits on it)
    std::deque<Job> m_batch;
    bool m_batchBusy = false;
    bool m_inlineWhenIdle = false;
    bool m_inlineBusy = false; // a write runs on the caller's thread
    std::unordered_map<Chain, int> m_soloByChain; // writes running solo, not yet delivered, per chain
    int m_solo = 0;                               // all of them
    std::vector<Job> m_heldBarriers;              // barriers waiting for their chain's solo writes
    int m_undelivered = 0; // jobs run but not yet delivered on this thread
    bool m_stop = false;
    quint64 m_batches = 0;
    quint64 m_soloRuns = 0;
    quint64 m_askedAhead = 0;
    quint64 m_askRoundTrips = 0;
    quint64 m_inlineRuns = 0;
    QThread *m_batchThread = nullptr;
    QThreadPool *m_soloPool = nullptr;
};

} // namespace RelayDesk::Store
