#pragma once
// Group commit for one thread's event loop. Under load many requests reach the ledger in the same
// event-loop pass; committing each of them costs a WAL append and a lock cycle, which dominated the relay's
// CPU. join() opens one transaction for the pass (ledger operations run inside it as savepoints, so each
// still succeeds or fails on its own), and it is committed when control returns to the event loop.
// Work that must not happen before the writes are durable — calling the upstream after a reservation,
// answering the client after a settlement — goes into afterCommit().
//
// SQLite only: on PostgreSQL a failed statement would abort the whole shared transaction, and the server
// groups commits itself (commit_delay), so there join() does nothing and every operation commits alone.
#include <QtCore/QObject>

#include <functional>
#include <memory>

namespace RelayDesk::Store {

class Database;

class CommitBatch final : public QObject
{
    Q_OBJECT

public:
    explicit CommitBatch(std::shared_ptr<Database> db, QObject *parent = nullptr);
    ~CommitBatch() override; // commits what is open

    // Makes this thread's next writes part of the current batch, opening it (and scheduling its commit)
    // when none is open. When the batch cannot be opened the writes simply commit one by one.
    void join();
    // Runs `then(committed)` after the open batch has been committed (true) or lost (false); at once,
    // with true, when no batch is open. Continuations run in the order they were added.
    void afterCommit(std::function<void(bool committed)> then);
    // Commits now and runs the continuations. Returns false when the commit failed (the batch's writes are
    // then rolled back; the reservations they belonged to are settled by crash recovery if need be).
    bool commit();

    bool isOpen() const; // this thread's connection has the batch open
    quint64 batches() const { return m_batches; } // committed so far (diagnostics, tests)

private:
    std::shared_ptr<Database> m_db;
    std::vector<std::function<void(bool)>> m_continuations;
    quint64 m_batches = 0;
    bool m_scheduled = false;
};

} // namespace RelayDesk::Store
