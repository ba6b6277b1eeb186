#include "service/instancekeeper.h"

#include "billing/ledger.h"
#include "store/database.h"
#include "store/instancerepository.h"

#include <QtCore/QLoggingCategory>

namespace RelayDesk::Service {

InstanceKeeper::InstanceKeeper(std::shared_ptr<Store::Database> db, QString instanceId, qint64 leaseMs,
                               QObject *parent)
    : QObject(parent)
    , m_db(std::move(db))
    , m_leaseMs(leaseMs > 0 ? leaseMs : kDefaultLeaseMs)
    , m_id(std::move(instanceId))
    , m_lastBeatMs(Store::nowMs())
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(int(std::max<qint64>(m_leaseMs / 3, 100)));
    connect(m_timer, &QTimer::timeout, this, [this] { tick(); });
}

Store::Result<QString> InstanceKeeper::registerSelf(Store::Database &db, const QString &address, qint64 leaseMs)
{
    Store::Instance self = Store::InstanceRepository::describeSelf(address);
    self.leaseMs = leaseMs > 0 ? leaseMs : kDefaultLeaseMs;
    if (Store::Status added = Store::InstanceRepository(db).add(self); !added)
        return Store::Result<QString>::failure(added.error());
    db.setInstanceId(self.id);
    return self.id;
}

Store::Result<int> InstanceKeeper::tick()
{
    const qint64 now = Store::nowMs();
    const auto beat = Store::InstanceRepository(*m_db).heartbeat(m_id, now);
    if (!beat) {
        qWarning("instance %s: heartbeat failed: %s", qPrintable(m_id), qPrintable(beat.error()));
        return Store::Result<int>::failure(beat.error());
    }
    if (now - m_lastBeatMs > m_leaseMs)
        qWarning("instance %s: no heartbeat for %lld ms (lease %lld ms); other instances may have recovered "
                 "reservations of this one, which will not be settled twice",
                 qPrintable(m_id), static_cast<long long>(now - m_lastBeatMs), static_cast<long long>(m_leaseMs));
    m_lastBeatMs = now;
    const auto recovered = Billing::Ledger(*m_db).recoverOrphans(m_id, m_leaseMs);
    if (!recovered) {
        qWarning("instance %s: recovery sweep failed: %s", qPrintable(m_id), qPrintable(recovered.error()));
        return recovered;
    }
    if (*recovered > 0) {
        qInfo("instance %s: recovered %d reservation(s) of instances that are gone", qPrintable(m_id), *recovered);
        Q_EMIT this->recovered(*recovered);
    }
    return recovered;
}

void InstanceKeeper::startTimer()
{
    m_timer->start();
}

void InstanceKeeper::markStopped()
{
    m_timer->stop();
    if (m_id.isEmpty())
        return;
    if (const auto stopped = Store::InstanceRepository(*m_db).markStopped(m_id, Store::nowMs()); !stopped)
        qWarning("instance %s: cannot mark stopped: %s", qPrintable(m_id), qPrintable(stopped.error()));
}

} // namespace RelayDesk::Service
