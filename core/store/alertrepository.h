#pragma once
// Spend alerts of users and keys (migration 12). A rule is a `limits` row: kind alert_budget (span = the budget
// window it watches, cap = the percent of that window's cap) or alert_balance (cap = the balance, in quota, under
// which it fires). alert_state holds the period a rule last fired in (0 = armed): fire() is one conditional update,
// so a crossing fires once however many instances see it, and the event lands in the alert_events outbox in the
// same transaction. The webhook claims events from the outbox (claim(): the next attempt time is the claim's lease).
#include "result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace RelayDesk::Store {

class Database;

struct AlertRule
{
    qint64 id = 0;
    QString ownerKind;     // "user" | "key"
    qint64 ownerId = 0;
    QString kind;          // AlertRepository::kBudget | kBalance
    QString window;        // budget alerts: the window watched ("day", "24h", …)
    qint64 threshold = 0;  // budget: percent of the window's cap; balance: quota
    qint64 firedPeriod = 0; // 0 = armed; else the period (see AlertWatcher) it fired in
    qint64 firedAt = 0;     // unix milliseconds of the last firing
};

struct AlertEvent
{
    qint64 id = 0;
    qint64 ruleId = 0;
    QString ownerKind;
    qint64 ownerId = 0;
    QString kind;
    QJsonObject payload;   // what the webhook posts
    qint64 createdAt = 0;  // unix milliseconds
    int attempts = 0;
    qint64 nextAttemptAt = 0;
    qint64 deliveredAt = 0; // 0 = not (yet)
    qint64 failedAt = 0;    // 0 = still being tried
    QString lastError;
};

class AlertRepository final
{
public:
    static constexpr const char *kBudget = "alert_budget";
    static constexpr const char *kBalance = "alert_balance";
    // Percent thresholds a budget alert may name (over 100: an overage alert).
    static constexpr qint64 kMaxPercent = 1000;
    // Where the webhook posts (an http(s) URL; unset: events are kept, marked not sent) and the secret it signs
    // with (sealed like channel secrets; unset: no signature header).
    static constexpr const char *kWebhookUrlOption = "RelayDeskAlertWebhookUrl";
    static constexpr const char *kWebhookSecretOption = "RelayDeskAlertWebhookSecret";

    explicit AlertRepository(const Database &db) : m_db(db) {}

    // One rule to set: kind, window (budget alerts), threshold.
    struct Spec
    {
        QString kind;
        QString window;
        qint64 threshold = 0;
    };

    QList<AlertRule> rules(const QString &ownerKind, qint64 ownerId) const;
    // The rules of a user and of a key (either may be 0) with one statement.
    Result<QList<AlertRule>> rulesFor(qint64 userId, qint64 keyId) const;
    Result<QList<AlertRule>> allRules() const;
    // Replaces the owner's rules (an empty list clears them). A rule kept (same kind, window, threshold) keeps
    // its state: replacing the set does not fire a crossing again.
    Status setRules(const QString &ownerKind, qint64 ownerId, const QList<Spec> &specs) const;

    // Fires `rule` for `period` unless it already fired in it: marks the state and writes the event, in one
    // transaction. Returns the event written, or nullopt when another caller (instance) fired it first.
    Result<std::optional<AlertEvent>> fire(const AlertRule &rule, qint64 period, qint64 nowMs,
                                           const QJsonObject &payload) const;
    // Arms the rule again (its condition no longer holds).
    Status rearm(qint64 ruleId) const;

    // Claims up to `max` events due at nowMs (undelivered, not given up, next attempt reached): each claimed one
    // has its attempt counted and its next attempt set to nowMs + leaseMs, so no other instance takes it meanwhile.
    Result<QList<AlertEvent>> claimDue(qint64 nowMs, qint64 leaseMs, int max) const;
    Status markDelivered(qint64 eventId, qint64 nowMs) const;
    Status retryAt(qint64 eventId, qint64 nextMs, const QString &error) const;
    Status markFailed(qint64 eventId, qint64 nowMs, const QString &error) const;
    // The newest events first (afterId > 0: only newer than it).
    QList<AlertEvent> events(int limit, qint64 afterId = 0) const;

private:
    const Database &m_db;
};

} // namespace RelayDesk::Store
