#include "alertwatcher.h"

#include "billing/quotamath.h"
#include "billing/spendnotifier.h"
#include "common/budgetwindow.h"
#include "store/apikeyrepository.h"
#include "store/database.h"
#include "store/limitrepository.h"
#include "store/userrepository.h"

#include <QtCore/QDateTime>

namespace RelayDesk::Service {
namespace {

// Where a rule stands now: whether its condition holds, in which period, and what an event would say.
struct Check
{
    bool holds = false;
    qint64 period = 1; // calendar budget windows: the period's start; otherwise 1 (one crossing at a time)
    QJsonObject payload;
};

QJsonValue usd(qint64 quota)
{
    return Billing::QuotaMath::toUsd(quota);
}

QJsonObject ownerJson(const Store::Database &db, const Store::AlertRule &rule)
{
    QJsonObject owner{{QStringLiteral("kind"), rule.ownerKind}, {QStringLiteral("id"), rule.ownerId}};
    if (rule.ownerKind == QLatin1String(Store::LimitRepository::kKey)) {
        if (const auto key = Store::ApiKeyRepository(db).byId(rule.ownerId)) {
            owner.insert(QStringLiteral("name"), key->name);
            owner.insert(QStringLiteral("key_hint"), key->keyHint); // never the key
            owner.insert(QStringLiteral("user_id"), key->userId);
            if (const auto user = Store::UserRepository(db).byId(key->userId))
                owner.insert(QStringLiteral("user"), user->name);
        }
    } else if (const auto user = Store::UserRepository(db).byId(rule.ownerId)) {
        owner.insert(QStringLiteral("name"), user->name);
    }
    return owner;
}

std::optional<Check> checkBudget(const Store::Database &db, const Store::AlertRule &rule, qint64 nowSecs,
                                 const QTimeZone &zone)
{
    const Store::LimitRepository limits(db);
    for (const Store::BudgetLimit &limit : limits.budgets(rule.ownerKind, rule.ownerId)) {
        if (limit.window != rule.window)
            continue;
        const auto state = limits.state(limit, nowSecs, zone);
        const auto window = BudgetWindow::parse(limit.window);
        if (!state || !window || limit.cap <= 0)
            return std::nullopt;
        Check c;
        c.holds = state->spent * 100 >= rule.threshold * limit.cap;
        if (!window->isRolling())
            c.period = state->periodStart;
        c.payload = {{QStringLiteral("window"), limit.window},
                     {QStringLiteral("threshold_percent"), rule.threshold},
                     {QStringLiteral("cap_quota"), limit.cap},
                     {QStringLiteral("spent_quota"), state->spent},
                     {QStringLiteral("cap_usd"), usd(limit.cap)},
                     {QStringLiteral("spent_usd"), usd(state->spent)},
                     {QStringLiteral("spent_percent"), double(state->spent) * 100.0 / double(limit.cap)},
                     {QStringLiteral("period_start"), state->periodStart},
                     {QStringLiteral("resets_at"), state->resetAt},
                     {QStringLiteral("time_zone"), QString::fromUtf8(zone.id())}};
        return c;
    }
    return std::nullopt; // the window was removed: nothing to watch
}

std::optional<Check> checkBalance(const Store::Database &db, const Store::AlertRule &rule)
{
    qint64 balance = 0;
    if (rule.ownerKind == QLatin1String(Store::LimitRepository::kKey)) {
        const auto key = Store::ApiKeyRepository(db).byId(rule.ownerId);
        if (!key || key->unlimited)
            return std::nullopt;
        balance = key->remainQuota;
    } else {
        const auto user = Store::UserRepository(db).byId(rule.ownerId);
        if (!user)
            return std::nullopt;
        balance = user->quota;
    }
    Check c;
    c.holds = balance < rule.threshold;
    c.payload = {{QStringLiteral("threshold_quota"), rule.threshold},
                 {QStringLiteral("balance_quota"), balance},
                 {QStringLiteral("threshold_usd"), usd(rule.threshold)},
                 {QStringLiteral("balance_usd"), usd(balance)}};
    return c;
}

} // namespace

AlertWatcher::AlertWatcher(std::shared_ptr<Store::Database> db, QObject *parent)
    : AlertWatcher(std::move(db), Options(), parent)
{
}

AlertWatcher::AlertWatcher(std::shared_ptr<Store::Database> db, Options options, QObject *parent)
    : QObject(parent), m_db(std::move(db)), m_options(options), m_settle(new QTimer(this)), m_sweep(new QTimer(this))
{
    m_settle->setSingleShot(true);
    m_settle->setInterval(m_options.settleDelayMs);
    connect(m_settle, &QTimer::timeout, this, &AlertWatcher::evaluateTouched);
    m_sweep->setInterval(m_options.sweepMs);
    connect(m_sweep, &QTimer::timeout, this, [this] { evaluateAll(QDateTime::currentMSecsSinceEpoch()); });
}

void AlertWatcher::follow(Billing::SpendNotifier &notifier)
{
    m_notifier = &notifier;
    // A spend only starts the settle delay. Its owner waits in the notifier's set, where later spends join it
    // without a signal, until evaluateTouched() takes them: this thread wakes once per delay, however busy the relay.
    connect(&notifier, &Billing::SpendNotifier::spending, this, &AlertWatcher::settleSoon, Qt::QueuedConnection);
    // What was recorded before (no listener took it) is evaluated too — and taking it lets the next record be heard.
    QMetaObject::invokeMethod(this, &AlertWatcher::settleSoon, Qt::QueuedConnection);
}

void AlertWatcher::startSweep()
{
    m_sweep->start();
}

void AlertWatcher::touch(qint64 userId, qint64 keyId)
{
    m_touched.insert({userId, keyId});
    settleSoon();
}

void AlertWatcher::settleSoon()
{
    if (!m_settle->isActive())
        m_settle->start();
}

void AlertWatcher::evaluateTouched()
{
    if (m_notifier) {
        for (const auto &owner : m_notifier->take())
            m_touched.insert(owner);
    }
    const auto touched = std::exchange(m_touched, {});
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const auto &[userId, keyId] : touched)
        evaluateOwners(userId, keyId, now);
}

QList<Store::AlertEvent> AlertWatcher::evaluateOwners(qint64 userId, qint64 keyId, qint64 nowMs)
{
    const auto rules = Store::AlertRepository(*m_db).rulesFor(userId, keyId);
    if (!rules) {
        Q_EMIT failed(rules.error());
        return {};
    }
    return evaluate(*rules, nowMs);
}

QList<Store::AlertEvent> AlertWatcher::evaluateAll(qint64 nowMs)
{
    const auto rules = Store::AlertRepository(*m_db).allRules();
    if (!rules) {
        Q_EMIT failed(rules.error());
        return {};
    }
    return evaluate(*rules, nowMs);
}

QList<Store::AlertEvent> AlertWatcher::evaluate(const QList<Store::AlertRule> &rules, qint64 nowMs)
{
    QList<Store::AlertEvent> fired;
    if (rules.isEmpty())
        return fired;
    const Store::AlertRepository alerts(*m_db);
    const QTimeZone zone = Store::LimitRepository(*m_db).timeZone();
    const qint64 nowSecs = nowMs / 1000;
    for (const Store::AlertRule &rule : rules) {
        const bool budget = rule.kind == QLatin1String(Store::AlertRepository::kBudget);
        const auto check = budget ? checkBudget(*m_db, rule, nowSecs, zone) : checkBalance(*m_db, rule);
        if (!check)
            continue;
        if (!check->holds) {
            if (rule.firedPeriod != 0)
                if (Store::Status s = alerts.rearm(rule.id); !s)
                    Q_EMIT failed(s.error());
            continue;
        }
        if (rule.firedPeriod == check->period)
            continue; // fired in this period already (the conditional write would say so too)
        QJsonObject payload = check->payload;
        payload.insert(QStringLiteral("type"), QLatin1String(budget ? kBudgetEvent : kBalanceEvent));
        payload.insert(QStringLiteral("owner"), ownerJson(*m_db, rule));
        payload.insert(QStringLiteral("rule_id"), rule.id);
        const auto event = alerts.fire(rule, check->period, nowMs, payload);
        if (!event) {
            Q_EMIT failed(event.error());
            continue;
        }
        if (event->has_value()) {
            fired << **event;
            Q_EMIT this->fired(**event);
        }
    }
    return fired;
}

} // namespace RelayDesk::Service
