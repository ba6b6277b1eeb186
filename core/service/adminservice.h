#pragma once
// The one API for administering RelayDesk: users, keys, channels, groups, pricing, logs and the audit trail.
// The console, `relaydeskd admin` and (later) an admin HTTP API all go through it, so every edit is validated
// the same way and leaves the same trace: the write, its audit row (who, what, before → after, secrets masked)
// and its change-feed row commit in ONE transaction, or none of them does. changed() is emitted after commit
// for listeners in this process; other processes learn of it from the change feed.
//
// The methods are synchronous and may be called from any thread (the Database hands out one connection per
// thread). The console calls them through async(), which runs them one at a time on a worker thread of its
// own, so its writes stay in order and the GUI thread never waits on SQL.
#include "adminserviceedits.h"

#include "billing/pricebook.h"
#include "monitor/sessionregistry.h"
#include "service/instanceoverview.h"
#include "store/auditrepository.h"
#include "store/changerepository.h"
#include "store/channelhealthrepository.h"
#include "store/apikeyrepository.h"
#include "store/logrepository.h"
#include "store/records.h"
#include "store/result.h"

#include <QFuture>
#include <QObject>
#include <QPromise>
#include <QThreadPool>

#include <functional>
#include <memory>
#include <type_traits>

namespace RelayDesk::Billing {
class PricingService;
}

namespace RelayDesk::Store {
class Database;
}

namespace RelayDesk::Service {

class AdminService final : public QObject
{
    Q_OBJECT

public:
    enum class Actor { Console, Cli, Api };

    AdminService(std::shared_ptr<Store::Database> db, Actor actor, QObject *parent = nullptr);
    ~AdminService() override; // waits for the async() work still queued

    static QString actorName(Actor actor); // console | cli | api
    Actor actor() const { return m_actor; }
    const std::shared_ptr<Store::Database> &database() const { return m_db; }

    // ---- users
    QList<Store::User> users() const;
    std::optional<Store::User> user(qint64 id) const;
    std::optional<Store::User> userByName(const QString &name) const;
    Store::Result<Store::User> addUser(const QString &name, const QString &group, qint64 quota);
    Store::Result<Store::User> setUserQuota(qint64 userId, qint64 quota); // also writes a manage log row
    Store::Result<Store::User> setUserGroup(qint64 userId, const QString &group);

    // ---- keys
    QList<Store::ApiKey> keys(qint64 userId) const;
    std::optional<Store::ApiKey> key(qint64 id) const;
    std::optional<Store::ApiKey> keyByName(const QString &name) const;
    // An empty spec.name becomes "<user>-key-<n>", the first free n. The plain key is in the result only.
    Store::Result<Store::CreatedApiKey> addKey(Store::NewApiKey spec);
    Store::Result<Store::ApiKey> setKeyStatus(qint64 keyId, Store::RowStatus status);
    Store::Result<Store::ApiKey> editKey(qint64 keyId, const KeyEdit &edit);

    // ---- channels
    QList<Store::Channel> channels() const;
    std::optional<Store::Channel> channel(qint64 id) const;
    std::optional<Store::Channel> channelByName(const QString &name) const;
    QList<Store::ChannelHealth> channelHealth() const;
    Store::Result<Store::Channel> addChannel(const Store::Channel &channel);
    Store::Result<Store::Channel> editChannel(qint64 channelId, const ChannelEdit &edit);
    Store::Result<Store::Channel> setChannelStatus(qint64 channelId, Store::RowStatus status);
    Store::Result<Store::Channel> removeChannel(qint64 channelId); // returns the channel as it was

    // ---- groups: every group a user, key or channel names, or the price book rates; sorted
    QStringList groups() const;

    // ---- pricing (new-api option JSON; maps named in the edit replace the stored ones, others are kept)
    Store::Result<PricingImport> importPricing(const QJsonObject &edit);
    // The whole price book (the console's Apply): every map is replaced, absent maps become empty.
    Store::Result<PricingImport> replacePricing(const QJsonObject &book);
    Store::Result<QJsonObject> exportPricing() const;
    // The stored book (for quotes); a fresh database is seeded with the default table first.
    Store::Result<Billing::PriceBookPtr> priceBook() const;

    // ---- logs and the audit trail (newest first)
    Store::LogPage logs(const Store::LogFilter &filter, int limit,
                        const std::optional<Store::LogCursor> &after = std::nullopt) const;
    QList<Store::AuditEntry> audit(int limit = 100) const;

    // ---- limits: budget windows of a user or a key (each as it stands now: spent, period start, reset time).
    // Setting replaces the owner's set (an empty list clears it): a window kept keeps what it counted, with the
    // new cap. Windows are counted in the budget time zone (option RelayDeskBudgetTimeZone, IANA id, default UTC).
    Store::Result<QList<Store::BudgetState>> userBudgets(qint64 userId) const;
    Store::Result<QList<Store::BudgetState>> keyBudgets(qint64 keyId) const;
    Store::Result<QList<Store::BudgetState>> setUserBudgets(qint64 userId, const BudgetWindows &windows);
    Store::Result<QList<Store::BudgetState>> setKeyBudgets(qint64 keyId, const BudgetWindows &windows);
    QString budgetTimeZone() const; // the IANA id in force ("UTC" by default)
    // An IANA id; every user's calendar windows then count in it (announced as a change of all users).
    Store::Result<QString> setBudgetTimeZone(const QString &ianaId);
    // IP allow-lists of a user or a key (canonical CIDRs; empty: every address). Setting replaces the list (an
    // empty one clears it); every entry must parse (Cidr), or nothing is written.
    QStringList userAllowedIps(qint64 userId) const;
    QStringList keyAllowedIps(qint64 keyId) const;
    Store::Result<QStringList> setUserAllowedIps(qint64 userId, const QStringList &cidrs);
    Store::Result<QStringList> setKeyAllowedIps(qint64 keyId, const QStringList &cidrs);
    // The proxies whose X-Forwarded-For is believed (option RelayDeskTrustedProxies; announced as a change of all
    // users, which reloads them).
    QStringList trustedProxies() const;
    Store::Result<QStringList> setTrustedProxies(const QStringList &cidrs);
    // ---- limits: rate limits of a user or a key (rpm, tpm, rpd, concurrency; see Store::RateLedger), each with what
    // its current window counts (concurrency: the open reservations). Setting changes the kinds named (0 removes).
    Store::Result<QList<Store::RateState>> userRates(qint64 userId) const;
    Store::Result<QList<Store::RateState>> keyRates(qint64 keyId) const;
    Store::Result<QList<Store::RateState>> setUserRates(qint64 userId, const RateCaps &caps);
    Store::Result<QList<Store::RateState>> setKeyRates(qint64 keyId, const RateCaps &caps);

    // ---- spend alerts (see AlertWatcher). A budget alert names one of the owner's budget windows and a percent
    // (1..1000) of its cap; a balance alert a quota (> 0; a key's only when it is limited). Setting replaces the
    // owner's rules (an empty list clears them); a rule kept keeps its state (it does not fire again).
    QList<Store::AlertRule> userAlerts(qint64 userId) const;
    QList<Store::AlertRule> keyAlerts(qint64 keyId) const;
    Store::Result<QList<Store::AlertRule>> setUserAlerts(qint64 userId, const AlertRules &rules);
    Store::Result<QList<Store::AlertRule>> setKeyAlerts(qint64 keyId, const AlertRules &rules);
    AlertWebhookConfig alertWebhook() const;
    // An http(s) URL (empty: none); secret: nullopt keeps the stored one, empty removes it. Audited, secret masked.
    Store::Result<AlertWebhookConfig> setAlertWebhook(const QString &url, const std::optional<QString> &secret);
    // Fired alerts, newest first (afterId > 0: only newer ones).
    QList<Store::AlertEvent> alertEvents(int limit, qint64 afterId = 0) const;

    // ---- instances and their live sessions (LiveSessionPublisher writes them; see InstanceOverview)
    // Every running instance's published sessions (instanceId set on each), by instance start then id. Rows of
    // instances that stopped or lapsed are left out and deleted.
    Store::Result<QList<Monitor::SessionInfo>> liveSessions() const;
    Store::Result<QList<InstanceOverview>> instances() const;

    // ---- console additions (user top-up and enable/disable; appended for the console's Users page)
    Store::Result<Store::User> addUserQuota(qint64 userId, qint64 delta); // a top-up: also writes a log row
    Store::Result<Store::User> setUserStatus(qint64 userId, Store::RowStatus status);

    // Runs f(*this) on this service's worker thread; calls run one at a time, in the order given. A QPromise
    // rather than QtConcurrent::run: waiting on a QtConcurrent future runs a task not yet started on the waiting
    // thread, which would put SQL on the GUI thread and let a later edit overtake an earlier one.
    template<class F>
    auto async(F f) -> QFuture<std::invoke_result_t<F, AdminService &>>
    {
        using R = std::invoke_result_t<F, AdminService &>;
        auto promise = std::make_shared<QPromise<R>>();
        auto call = std::make_shared<F>(std::move(f)); // QThreadPool wants a copyable callable; f may not be
        QFuture<R> future = promise->future();
        promise->start();
        m_pool.start([this, promise, call] {
            promise->addResult((*call)(*this));
            promise->finish();
        });
        return future;
    }

    // Tells this process's listeners of a change seen through the change feed (an edit of another process — or
    // this one's again, a moment after written()): emits changed(). The console connects Runtime::storeChanged here,
    // so its pages show what the CLI or another console did.
    void announce(Store::ChangeKind kind, qint64 entityId);

signals:
    // After a write of this service committed (never for one that failed), and for each change announce()d.
    // entityId 0 = the whole kind (a price import). Pages refresh on it.
    void changed(Store::ChangeKind kind, qint64 entityId);
    // After a write of this service committed, only: what this process's relay applies at once (Runtime::follow);
    // the relay learns of other processes' edits from its own change feed.
    void written(Store::ChangeKind kind, qint64 entityId);

private:
    struct Audit;
    template<class T>
    Store::Result<T> write(Store::ChangeKind kind, const std::function<Store::Result<T>(Audit &)> &body);
    // Loads the stored book, lets `change` edit it and audits the maps `named` lists (none: every map) before → after.
    Store::Result<PricingImport> editPricing(const QString &action, const QJsonObject &named,
                                             const std::function<Store::Status(Billing::PricingService &)> &change);
    Store::Result<QList<Store::BudgetState>> budgets(const QString &ownerKind, qint64 ownerId) const;
    Store::Result<QList<Store::BudgetState>> setBudgets(const QString &ownerKind, qint64 ownerId, const QString &name,
                                                        const BudgetWindows &windows);
    Store::Result<QStringList> setAllowedIps(const QString &ownerKind, qint64 ownerId, const QString &name,
                                             const QStringList &cidrs);
    Store::Result<QList<Store::AlertRule>> setAlerts(const QString &ownerKind, qint64 ownerId, const QString &name,
                                                     const AlertRules &rules);
    Store::Result<QList<Store::RateState>> rates(const QString &ownerKind, qint64 ownerId) const;
    Store::Result<QList<Store::RateState>> setRates(const QString &ownerKind, qint64 ownerId, const QString &name,
                                                    const RateCaps &caps);
    template<class Repo, class T>
    Store::Result<T> editEntity(Store::ChangeKind kind, const QString &entity, qint64 id, const QString &action,
                                QJsonObject (*toJson)(const T &),
                                const std::function<Store::Status(const Repo &, const T &)> &change);

    std::shared_ptr<Store::Database> m_db;
    Actor m_actor;
    QThreadPool m_pool;
};

} // namespace RelayDesk::Service
