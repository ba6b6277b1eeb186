#pragma once
// Watches the spend alerts of users and keys (Store::AlertRepository) and fires each once per crossing:
//  - a budget alert when its window's spend reaches the percent of the window's cap; it fires once per calendar
//    period (day/week/month in the budget time zone), and a rolling window's once until its spend is seen below
//    the threshold again;
//  - a balance alert when the user's balance (or a limited key's remaining quota) is below the threshold; it
//    fires again only after the balance was seen at or above it (a top-up).
// It evaluates the owners that just spent (Billing::SpendNotifier, coalesced over a short delay) and sweeps every
// rule now and then (re-arming, and what other processes spent). Firing is a conditional write, so several
// instances watching one database fire each crossing once. Lives on a thread of its own (AlertService): the relay
// thread only emits a signal.
#include "store/alertrepository.h"

#include <QtCore/QObject>
#include <QtCore/QSet>
#include <QtCore/QTimer>

#include <memory>

namespace RelayDesk::Billing { class SpendNotifier; }
namespace RelayDesk::Store { class Database; }

namespace RelayDesk::Service {

class AlertWatcher final : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        int settleDelayMs = 250; // after a spend: lets the relay's group commit land before the store is read
        int sweepMs = 30'000;    // every rule, for re-arming and other processes' spend
    };
    static constexpr const char *kBudgetEvent = "budget.threshold";
    static constexpr const char *kBalanceEvent = "balance.low";

    explicit AlertWatcher(std::shared_ptr<Store::Database> db, QObject *parent = nullptr);
    AlertWatcher(std::shared_ptr<Store::Database> db, Options options, QObject *parent = nullptr);

    // Evaluates now (on the calling thread) the rules of a user and a key (either may be 0), or every rule;
    // returns the events fired by this call (each also emitted as fired()).
    QList<Store::AlertEvent> evaluateOwners(qint64 userId, qint64 keyId, qint64 nowMs);
    QList<Store::AlertEvent> evaluateAll(qint64 nowMs);

    // Evaluates the owners `notifier` reports (any thread; the connection exists when this returns).
    void follow(Billing::SpendNotifier &notifier);
    // The periodic sweep of every rule (call on this object's thread).
    void startSweep();
    // Queues the owners for evaluation after settleDelayMs (coalesced).
    void touch(qint64 userId, qint64 keyId);

Q_SIGNALS:
    void fired(const RelayDesk::Store::AlertEvent &event);
    void failed(const QString &message); // a store error while evaluating (logged by the owner)

private:
    QList<Store::AlertEvent> evaluate(const QList<Store::AlertRule> &rules, qint64 nowMs);
    void evaluateTouched();
    void settleSoon();

    std::shared_ptr<Store::Database> m_db;
    Options m_options;
    QSet<std::pair<qint64, qint64>> m_touched; // (user, key) that spent since the last evaluation
    Billing::SpendNotifier *m_notifier = nullptr; // followed: its owners are taken when the settle delay ends
    QTimer *m_settle;
    QTimer *m_sweep;
};

} // namespace RelayDesk::Service
