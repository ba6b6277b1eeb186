#include "service/instanceoverview.h"

#include "store/database.h"
#include "store/instancerepository.h"
#include "store/livesessionrepository.h"

namespace RelayDesk::Service {

QString InstanceOverview::stateName(State state)
{
    switch (state) {
    case State::Running: return QStringLiteral("running");
    case State::Stopped: return QStringLiteral("stopped");
    case State::Lapsed: return QStringLiteral("lapsed");
    }
    return {};
}

Store::Result<QList<InstanceOverview>> InstanceOverview::load(const Store::Database &db, qint64 now)
{
    // list() swallows errors: ping first so a store that does not answer is an error, not "no instances".
    if (!db.ping())
        return Store::Result<QList<InstanceOverview>>::failure(QStringLiteral("the database does not answer"));
    const QHash<QString, int> sessions = Store::LiveSessionRepository(db).countByInstance();
    QList<InstanceOverview> out;
    for (const Store::Instance &i : Store::InstanceRepository(db).list()) {
        if (i.stoppedAt > 0 && i.stoppedAt < now - kStoppedShownMs)
            continue;
        InstanceOverview o;
        o.instance = i;
        o.state = i.stoppedAt > 0                                  ? State::Stopped
                  : Store::InstanceRepository::isLapsed(i, now) ? State::Lapsed
                                                                  : State::Running;
        o.heartbeatAgeMs = std::max<qint64>(0, now - i.heartbeatAt);
        o.uptimeMs = std::max<qint64>(0, (i.stoppedAt > 0 ? i.stoppedAt : now) - i.startedAt);
        o.liveSessions = o.state == State::Running ? sessions.value(i.id) : 0;
        o.requestsPerSecond = o.state == State::Running ? double(i.requestRateMilli) / 1000.0 : 0.0;
        out << o;
    }
    return out;
}

} // namespace RelayDesk::Service
