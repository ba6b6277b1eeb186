#pragma once
// Registers an instance row that stands for a process of this machine that has exited (a crashed relay):
// InstanceRepository::isDeadHere() is true for it, so its reservations are recoverable at once.
#include "store/database.h"
#include "store/instancerepository.h"

#include <QtCore/QString>

#include <sys/wait.h>
#include <unistd.h>

namespace RelayDeskTest {

inline qint64 exitedPid()
{
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0); // reaped: the pid names no process now
    return child;
}

// Adds the row; when `own` the Database then makes its reservations as that instance.
inline QString registerDeadInstance(RelayDesk::Store::Database &db, bool own = true)
{
    RelayDesk::Store::Instance dead = RelayDesk::Store::InstanceRepository::describeSelf(QStringLiteral("crashed"));
    dead.pid = exitedPid();
    if (!RelayDesk::Store::InstanceRepository(db).add(dead))
        return {};
    if (own)
        db.setInstanceId(dead.id);
    return dead.id;
}

} // namespace RelayDeskTest
