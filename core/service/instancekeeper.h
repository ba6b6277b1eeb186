#pragma once
// Keeps this process's instance row alive and recovers the reservations of instances that are gone.
//
// registerSelf() adds the row and makes it the owner of every reservation made through the Database.
// A keeper for that id, on the thread it lives on (a thread of its own in Runtime), refreshes the heartbeat every
// lease/3 and sweeps: reservations of instances that stopped, whose lease lapsed or that are dead on this machine are
// settled at what they had charged (Billing::Ledger::recoverOrphans; each claimed by exactly one
// survivor). A process that finds it missed its own lease (a stall: suspended, swapping, a debugger) says
// so: peers may have recovered some of its reservations, and the ledger refuses to settle those again.
#include "store/result.h"

#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <memory>

namespace RelayDesk::Store { class Database; }

namespace RelayDesk::Service {

class InstanceKeeper final : public QObject
{
    Q_OBJECT

public:
    static constexpr qint64 kDefaultLeaseMs = 30'000;

    // Adds this process's row and sets it as the Database's reservation owner; returns its id.
    // leaseMs is stored with the row: readers (the console) judge its heartbeat by it.
    static Store::Result<QString> registerSelf(Store::Database &db, const QString &address,
                                               qint64 leaseMs = kDefaultLeaseMs);

    InstanceKeeper(std::shared_ptr<Store::Database> db, QString instanceId, qint64 leaseMs,
                   QObject *parent = nullptr);

    // One heartbeat and one recovery sweep now; returns how many reservations were recovered.
    Store::Result<int> tick();
    // Periodic ticks on this object's thread.
    void startTimer();
    // Marks the row stopped (its reservations are then recoverable at once). Call after the relay settled
    // what it had in flight.
    void markStopped();

    QString instanceId() const { return m_id; }
    qint64 leaseMs() const { return m_leaseMs; }

Q_SIGNALS:
    void recovered(int count);

private:
    std::shared_ptr<Store::Database> m_db;
    qint64 m_leaseMs;
    QString m_id;
    qint64 m_lastBeatMs = 0;
    QTimer *m_timer; // a child: lives and dies on this object's thread
};

} // namespace RelayDesk::Service
