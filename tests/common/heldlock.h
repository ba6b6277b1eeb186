#pragma once
// Another session's lock on the database, as a console write (SQLite: BEGIN IMMEDIATE) or another instance holding
// a row (PostgreSQL: SELECT … FOR UPDATE) takes it: `statements` run on a connection of a thread of its own, whose
// transaction stays open from construction until release() (or destruction), then rolls back.
#include "store/database.h"

#include <QtCore/QSemaphore>
#include <QtCore/QStringList>
#include <QtCore/QThread>
#include <QtSql/QSqlQuery>

#include <memory>

namespace RelayDeskTest {

class HeldLock final
{
public:
    HeldLock(const RelayDesk::Store::Database &db, const QStringList &statements)
    {
        m_thread.reset(QThread::create([this, &db, statements] {
            QSqlQuery q = db.query();
            m_locked = true;
            for (const QString &sql : statements)
                m_locked = m_locked && q.exec(sql);
            m_held.release();
            m_release.acquire();
            q.exec(QStringLiteral("ROLLBACK"));
        }));
        m_thread->start();
        m_held.acquire();
    }
    HeldLock(const HeldLock &) = delete;
    HeldLock &operator=(const HeldLock &) = delete;
    ~HeldLock() { release(); }

    // Whether every statement succeeded: the lock is held.
    bool isLocked() const { return m_locked; }
    void release()
    {
        if (!m_thread)
            return;
        m_release.release();
        m_thread->wait();
        m_thread.reset();
    }

private:
    std::unique_ptr<QThread> m_thread;
    QSemaphore m_held, m_release;
    bool m_locked = false;
};

} // namespace RelayDeskTest
