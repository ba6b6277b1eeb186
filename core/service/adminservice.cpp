#include "adminservice.h"

#include "adminservicejson.h"

#include "billing/pricebook.h"
#include "billing/pricingservice.h"
#include "common/budgetwindow.h"
#include "common/cidr.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "service/livesessionrows.h"
#include "store/limitrepository.h"
#include "store/livesessionrepository.h"
#include "store/optionrepository.h"
#include "store/userrepository.h"

#include <QJsonArray>
#include <QUrl>

#include <algorithm>
#include <set>

namespace RelayDesk::Service {

using Store::ChangeKind;
using Store::Result;
using Store::Status;

// What one write tells the audit trail; filled by the write's body.
struct AdminService::Audit
{
    QString action;
    QString entityKind;
    qint64 entityId = 0;
    QString entityName;
    QJsonObject before;
    QJsonObject after;
};

namespace {

template<class T>
Result<T> failure(const QString &error)
{
    return Result<T>::failure(error);
}

// Every row of a paged list(limit, offset), however many there are.
template<class Fetch>
auto allPages(const Fetch &fetch)
{
    constexpr int kPage = 1000;
    decltype(fetch(kPage, 0)) all;
    for (int offset = 0;; offset += kPage) {
        const auto page = fetch(kPage, offset);
        all += page;
        if (page.size() < kPage)
            return all;
    }
}

// The maps of `book` that `edit` names: what a price import replaced, or what it put in their place.
QJsonObject namedMaps(const QJsonObject &book, const QJsonObject &edit, qint64 snapshotId)
{
    QJsonObject maps;
    for (auto it = edit.begin(); it != edit.end(); ++it)
        maps.insert(it.key(), book.value(it.key()));
    return {{QStringLiteral("snapshot_id"), snapshotId}, {QStringLiteral("maps"), maps}};
}

// What the audit trail records of an owner's budget windows.
QJsonObject budgetsJson(const QList<Store::BudgetLimit> &budgets)
{
    QJsonArray list;
    for (const Store::BudgetLimit &b : budgets)
        list.append(QJsonObject{{QStringLiteral("window"), b.window}, {QStringLiteral("cap"), b.cap}});
    return {{QStringLiteral("budgets"), list}};
}

// What the audit trail records of an owner's rate limits.
QJsonObject ratesJson(const QList<Store::RateLimit> &rates)
{
    QJsonArray list;
    for (const Store::RateLimit &r : rates)
        list.append(QJsonObject{{QStringLiteral("kind"), r.kind}, {QStringLiteral("cap"), r.cap}});
    return {{QStringLiteral("rates"), list}};
}

} // namespace

AdminService::AdminService(std::shared_ptr<Store::Database> db, Actor actor, QObject *parent)
    : QObject(parent), m_db(std::move(db)), m_actor(actor)
{
    m_pool.setMaxThreadCount(1); // one worker: the console's edits apply in the order they were made
    m_pool.setObjectName(QStringLiteral("AdminService"));
}

AdminService::~AdminService()
{
    m_pool.waitForDone();
}

QString AdminService::actorName(Actor actor)
{
    switch (actor) {
    case Actor::Console: return QStringLiteral("console");
    case Actor::Cli: return QStringLiteral("cli");
    case Actor::Api: return QStringLiteral("api");
    }
    return QStringLiteral("api");
}

// The write, its audit row and its change row in one transaction; changed() only once it is durable.
template<class T>
Result<T> AdminService::write(ChangeKind kind, const std::function<Result<T>(Audit &)> &body)
{
    Store::Transaction tx(*m_db);
    if (!tx.isActive())
        return failure<T>(tx.error());
    Audit audit;
    Result<T> result = body(audit);
    if (!result)
        return result; // the transaction rolls back: nothing of the write stays
    Store::AuditEntry entry;
    entry.actor = actorName(m_actor);
    entry.action = audit.action;
    entry.entityKind = audit.entityKind;
    entry.entityId = audit.entityId;
    entry.entityName = audit.entityName;
    entry.before = audit.before;
    entry.after = audit.after;
    if (auto inserted = Store::AuditRepository(*m_db).insert(entry); !inserted)
        return failure<T>(inserted.error());
    if (auto recorded = Store::ChangeRepository(*m_db).record(kind, audit.entityId); !recorded)
        return failure<T>(recorded.error());
    if (!tx.commit())
        return failure<T>(tx.error());
    emit written(kind, audit.entityId);
    emit changed(kind, audit.entityId);
    return result;
}

void AdminService::announce(ChangeKind kind, qint64 entityId)
{
    emit changed(kind, entityId);
}

// An edit of an existing entity: read it, change it, read it back, audit before → after — in write()'s
// transaction. `entity` names the kind in messages and the audit row ("user", "key", "channel").
template<class Repo, class T>
Result<T> AdminService::editEntity(ChangeKind kind, const QString &entity, qint64 id, const QString &action,
                             QJsonObject (*toJson)(const T &), const std::function<Status(const Repo &, const T &)> &change)
{
    return write<T>(kind, [&](Audit &audit) -> Result<T> {
        const Repo repo(*m_db);
        const auto before = repo.byId(id);
        if (!before)
            return failure<T>(QStringLiteral("no %1 with id %2").arg(entity).arg(id));
        if (Status s = change(repo, *before); !s)
            return failure<T>(s.error());
        const T after = *repo.byId(id);
        audit = {action, entity, id, after.name, toJson(*before), toJson(after)};
        return after;
    });
}

// ---- users ----------------------------------------------------------------------------------------

QList<Store::User> AdminService::users() const
{
    const Store::UserRepository repo(*m_db);
    return allPages([&](int limit, int offset) { return repo.list(limit, offset); });
}

std::optional<Store::User> AdminService::user(qint64 id) const
{
    return Store::UserRepository(*m_db).byId(id);
}

std::optional<Store::User> AdminService::userByName(const QString &name) const
{
    return Store::UserRepository(*m_db).byName(name);
}

Result<Store::User> AdminService::addUser(const QString &name, const QString &group, qint64 quota)
{
    return write<Store::User>(ChangeKind::User, [&](Audit &audit) {
        auto created = Store::UserRepository(*m_db).create(name, group, quota);
        if (created)
            audit = {QStringLiteral("user.add"), QStringLiteral("user"), created->id, created->name, {},
                     AuditJson::user(*created)};
        return created;
    });
}

Result<Store::User> AdminService::setUserQuota(qint64 userId, qint64 quota)
{
    return editEntity<Store::UserRepository, Store::User>(
        ChangeKind::User, QStringLiteral("user"), userId, QStringLiteral("user.set-quota"), &AuditJson::user,
        [&](const Store::UserRepository &repo, const Store::User &) { return repo.setQuota(userId, quota); });
}

Result<Store::User> AdminService::setUserGroup(qint64 userId, const QString &group)
{
    return editEntity<Store::UserRepository, Store::User>(
        ChangeKind::User, QStringLiteral("user"), userId, QStringLiteral("user.set-group"), &AuditJson::user,
        [&](const Store::UserRepository &repo, const Store::User &) { return repo.setGroup(userId, group); });
}

// ---- keys -----------------------------------------------------------------------------------------

QList<Store::ApiKey> AdminService::keys(qint64 userId) const
{
    return Store::ApiKeyRepository(*m_db).listForUser(userId);
}

std::optional<Store::ApiKey> AdminService::key(qint64 id) const
{
    return Store::ApiKeyRepository(*m_db).byId(id);
}

std::optional<Store::ApiKey> AdminService::keyByName(const QString &name) const
{
    return Store::ApiKeyRepository(*m_db).byName(name);
}

Result<Store::CreatedApiKey> AdminService::addKey(Store::NewApiKey spec)
{
    using R = Result<Store::CreatedApiKey>;
    if (spec.unlimited && spec.quota != 0)
        return R::failure(QStringLiteral("give either a quota or unlimited, not both"));
    return write<Store::CreatedApiKey>(ChangeKind::Key, [&](Audit &audit) -> R {
        const Store::ApiKeyRepository repo(*m_db);
        const auto owner = Store::UserRepository(*m_db).byId(spec.userId);
        if (!owner)
            return R::failure(QStringLiteral("no user with id %1").arg(spec.userId));
        for (int n = 1; spec.name.isEmpty(); ++n)
            if (const QString name = QStringLiteral("%1-key-%2").arg(owner->name).arg(n); !repo.byName(name))
                spec.name = name;
        auto created = repo.create(spec);
        if (created)
            audit = {QStringLiteral("key.add"), QStringLiteral("key"), created->key.id, created->key.name, {},
                     AuditJson::key(created->key)};
        return created;
    });
}

Result<Store::ApiKey> AdminService::setKeyStatus(qint64 keyId, Store::RowStatus status)
{
    const QString action = status == Store::RowStatus::Enabled ? QStringLiteral("key.enable") : QStringLiteral("key.disable");
    return editEntity<Store::ApiKeyRepository, Store::ApiKey>(
        ChangeKind::Key, QStringLiteral("key"), keyId, action, &AuditJson::key,
        [&](const Store::ApiKeyRepository &repo, const Store::ApiKey &) { return repo.setStatus(keyId, status); });
}

Result<Store::ApiKey> AdminService::editKey(qint64 keyId, const KeyEdit &edit)
{
    using R = Result<Store::ApiKey>;
    if (edit.quota && edit.unlimited)
        return R::failure(QStringLiteral("give either a quota or unlimited, not both"));
    if (edit.quota && *edit.quota < 0)
        return R::failure(QStringLiteral("key quota must not be negative"));
    if (edit.expiresAt && *edit.expiresAt < 0)
        return R::failure(QStringLiteral("key expiry must not be negative"));
    return editEntity<Store::ApiKeyRepository, Store::ApiKey>(
        ChangeKind::Key, QStringLiteral("key"), keyId, QStringLiteral("key.set"), &AuditJson::key,
        [&](const Store::ApiKeyRepository &repo, Store::ApiKey k) {
            if (edit.quota) {
                k.remainQuota = *edit.quota;
                k.unlimited = false;
            }
            if (edit.unlimited) {
                k.remainQuota = 0;
                k.unlimited = true;
            }
            if (edit.models)
                k.modelLimits = *edit.models;
            if (edit.expiresAt)
                k.expiresAt = *edit.expiresAt;
            if (edit.group)
                k.group = *edit.group;
            return repo.update(k);
        });
}

// ---- channels -------------------------------------------------------------------------------------

QList<Store::Channel> AdminService::channels() const
{
    return Store::ChannelRepository(*m_db).list();
}

std::optional<Store::Channel> AdminService::channel(qint64 id) const
{
    return Store::ChannelRepository(*m_db).byId(id);
}

std::optional<Store::Channel> AdminService::channelByName(const QString &name) const
{
    return Store::ChannelRepository(*m_db).byName(name);
}

QList<Store::ChannelHealth> AdminService::channelHealth() const
{
    return Store::ChannelHealthRepository(*m_db).list();
}

Result<Store::Channel> AdminService::addChannel(const Store::Channel &channel)
{
    using R = Result<Store::Channel>;
    if (channel.secret.isEmpty())
        return R::failure(QStringLiteral("a channel needs its upstream key"));
    if (Status valid = Store::ChannelRepository::validate(channel); !valid)
        return R::failure(valid.error());
    return write<Store::Channel>(ChangeKind::Channel, [&](Audit &audit) {
        auto created = Store::ChannelRepository(*m_db).create(channel);
        if (created)
            audit = {QStringLiteral("channel.add"), QStringLiteral("channel"), created->id, created->name, {},
                     AuditJson::channel(*created)};
        return created;
    });
}

Result<Store::Channel> AdminService::editChannel(qint64 channelId, const ChannelEdit &edit)
{
    using R = Result<Store::Channel>;
    if (edit.secret && edit.secret->isEmpty())
        return R::failure(QStringLiteral("a channel's upstream key must not be empty"));
    return editEntity<Store::ChannelRepository, Store::Channel>(
        ChangeKind::Channel, QStringLiteral("channel"), channelId, QStringLiteral("channel.set"), &AuditJson::channel,
        [&](const Store::ChannelRepository &repo, Store::Channel c) {
            c.baseUrl = edit.baseUrl.value_or(c.baseUrl);
            c.secret = edit.secret.value_or(c.secret);
            c.models = edit.models.value_or(c.models);
            c.groups = edit.groups.value_or(c.groups);
            c.priority = edit.priority.value_or(c.priority);
            c.weight = edit.weight.value_or(c.weight);
            c.modelMapping = edit.modelMapping.value_or(c.modelMapping);
            return repo.update(c);
        });
}

Result<Store::Channel> AdminService::setChannelStatus(qint64 channelId, Store::RowStatus status)
{
    const QString action =
        status == Store::RowStatus::Enabled ? QStringLiteral("channel.enable") : QStringLiteral("channel.disable");
    return editEntity<Store::ChannelRepository, Store::Channel>(
        ChangeKind::Channel, QStringLiteral("channel"), channelId, action, &AuditJson::channel,
        [&](const Store::ChannelRepository &repo, const Store::Channel &) { return repo.setStatus(channelId, status); });
}

Result<Store::Channel> AdminService::removeChannel(qint64 channelId)
{
    using R = Result<Store::Channel>;
    return write<Store::Channel>(ChangeKind::Channel, [&](Audit &audit) -> R {
        const Store::ChannelRepository repo(*m_db);
        const auto before = repo.byId(channelId);
        if (!before)
            return R::failure(QStringLiteral("no channel with id %1").arg(channelId));
        if (Status s = repo.remove(channelId); !s)
            return R::failure(s.error());
        audit = {QStringLiteral("channel.remove"), QStringLiteral("channel"), channelId, before->name,
                 AuditJson::channel(*before), {}};
        return *before;
    });
}

// ---- groups ---------------------------------------------------------------------------------------

QStringList AdminService::groups() const
{
    std::set<QString> names;
    for (const Store::User &u : users())
        names.insert(u.group);
    for (const Store::Channel &c : channels())
        names.insert(c.groups.cbegin(), c.groups.cend());
    const Store::ApiKeyRepository keys(*m_db);
    for (const Store::ApiKey &k : allPages([&](int limit, int offset) { return keys.list(limit, offset); }))
        if (!k.group.isEmpty())
            names.insert(k.group);
    if (const auto book = exportPricing())
        for (const QString &g : book->value(QStringLiteral("GroupRatio")).toObject().keys())
            names.insert(g);
    return QStringList(names.cbegin(), names.cend());
}

// ---- pricing --------------------------------------------------------------------------------------

Result<PricingImport> AdminService::importPricing(const QJsonObject &edit)
{
    if (edit.isEmpty())
        return Result<PricingImport>::failure(QStringLiteral("the price import names no pricing map"));
    return editPricing(QStringLiteral("pricing.import"), edit,
                       [&](Billing::PricingService &pricing) { return pricing.apply(edit); });
}

Result<PricingImport> AdminService::replacePricing(const QJsonObject &book)
{
    return editPricing(QStringLiteral("pricing.replace"), {},
                       [&](Billing::PricingService &pricing) { return pricing.replace(book); });
}

Result<PricingImport> AdminService::editPricing(const QString &action, const QJsonObject &named,
                                                const std::function<Status(Billing::PricingService &)> &change)
{
    using R = Result<PricingImport>;
    return write<PricingImport>(ChangeKind::Pricing, [&](Audit &audit) -> R {
        // A PricingService of our own persists the edit (options + snapshot) inside this transaction; the
        // relays' services pick the new book up from the change this write records.
        Billing::PricingService pricing(*m_db);
        if (Status s = pricing.load(); !s)
            return R::failure(s.error());
        const QJsonObject before = pricing.exportJson();
        const qint64 beforeId = pricing.current()->snapshotId();
        if (Status s = change(pricing); !s)
            return R::failure(s.error());
        const auto book = pricing.current();
        const QJsonObject after = pricing.exportJson();
        QJsonObject maps = named; // none named: a replace, every map old or new is audited
        if (maps.isEmpty())
            for (const QJsonObject &side : {before, after})
                for (auto it = side.begin(); it != side.end(); ++it)
                    maps.insert(it.key(), QJsonValue());
        audit = {action, QStringLiteral("pricing"), 0, QString(), namedMaps(before, maps, beforeId),
                 namedMaps(after, maps, book->snapshotId())};
        return PricingImport{book->snapshotId(), int(book->models().size())};
    });
}

Result<QJsonObject> AdminService::exportPricing() const
{
    const auto book = priceBook();
    if (!book)
        return Result<QJsonObject>::failure(book.error());
    return (*book)->toJson();
}

Result<Billing::PriceBookPtr> AdminService::priceBook() const
{
    Billing::PricingService pricing(*m_db);
    if (Status s = pricing.load(); !s)
        return Result<Billing::PriceBookPtr>::failure(s.error());
    return pricing.current();
}

// ---- logs and audit -------------------------------------------------------------------------------

Store::LogPage AdminService::logs(const Store::LogFilter &filter, int limit,
                                  const std::optional<Store::LogCursor> &after) const
{
    return Store::LogRepository(*m_db).page(filter, limit, after);
}

Store::Result<QList<Monitor::SessionInfo>> AdminService::liveSessions() const
{
    const qint64 now = Store::nowMs();
    const Store::LiveSessionRepository repo(*m_db);
    int gone = 0;
    const auto rows = repo.listRunning(now, &gone);
    if (!rows)
        return Store::Result<QList<Monitor::SessionInfo>>::failure(rows.error());
    // A crashed instance never deletes its rows: whoever sees them does (idempotent, so racing readers are fine).
    if (gone > 0)
        if (const auto purged = repo.purgeGone(now); !purged)
            qWarning("live sessions: cannot delete those of gone instances: %s", qPrintable(purged.error()));
    QList<Monitor::SessionInfo> out;
    out.reserve(rows->size());
    for (const Store::LiveSession &row : *rows)
        out << LiveSessionRows::fromRow(row);
    return out;
}

Store::Result<QList<InstanceOverview>> AdminService::instances() const
{
    return InstanceOverview::load(*m_db, Store::nowMs());
}

QList<Store::AuditEntry> AdminService::audit(int limit) const
{
    return Store::AuditRepository(*m_db).list(limit);
}

// ---- console additions -----------------------------------------------------------------------------

Result<Store::User> AdminService::addUserQuota(qint64 userId, qint64 delta)
{
    return editEntity<Store::UserRepository, Store::User>(
        ChangeKind::User, QStringLiteral("user"), userId, QStringLiteral("user.top-up"), &AuditJson::user,
        [&](const Store::UserRepository &repo, const Store::User &) { return repo.addQuota(userId, delta); });
}

Result<Store::User> AdminService::setUserStatus(qint64 userId, Store::RowStatus status)
{
    const QString action = status == Store::RowStatus::Enabled ? QStringLiteral("user.enable") : QStringLiteral("user.disable");
    return editEntity<Store::UserRepository, Store::User>(
        ChangeKind::User, QStringLiteral("user"), userId, action, &AuditJson::user,
        [&](const Store::UserRepository &repo, const Store::User &) { return repo.setStatus(userId, status); });
}

// ---- limits ---------------------------------------------------------------------------------------

Result<QList<Store::BudgetState>> AdminService::budgets(const QString &ownerKind, qint64 ownerId) const
{
    const Store::LimitRepository limits(*m_db);
    const QTimeZone zone = limits.timeZone();
    const qint64 now = Store::nowSecs();
    QList<Store::BudgetState> states;
    for (const Store::BudgetLimit &b : limits.budgets(ownerKind, ownerId)) {
        auto state = limits.state(b, now, zone);
        if (!state)
            return failure<QList<Store::BudgetState>>(state.error());
        states << *state;
    }
    return states;
}

Result<QList<Store::BudgetState>> AdminService::userBudgets(qint64 userId) const
{
    return budgets(QString::fromLatin1(Store::LimitRepository::kUser), userId);
}

Result<QList<Store::BudgetState>> AdminService::keyBudgets(qint64 keyId) const
{
    return budgets(QString::fromLatin1(Store::LimitRepository::kKey), keyId);
}

Result<QList<Store::BudgetState>> AdminService::setBudgets(const QString &ownerKind, qint64 ownerId,
                                                           const QString &name, const BudgetWindows &windows)
{
    using R = Result<QList<Store::BudgetState>>;
    BudgetWindows canonical;
    std::set<QString> seen;
    for (const auto &[text, cap] : windows) {
        const auto window = BudgetWindow::parse(text);
        if (!window)
            return failure<QList<Store::BudgetState>>(
                QStringLiteral("unknown budget window '%1' (day, week, month or 1h..%2h)")
                    .arg(text)
                    .arg(BudgetWindow::kMaxRollingHours));
        if (cap < 0)
            return failure<QList<Store::BudgetState>>(QStringLiteral("a budget cap must not be negative"));
        if (!seen.insert(window->name()).second)
            return failure<QList<Store::BudgetState>>(QStringLiteral("budget window '%1' given twice").arg(window->name()));
        canonical.append({window->name(), cap});
    }
    const bool key = ownerKind == QLatin1String(Store::LimitRepository::kKey);
    const auto set = write<bool>(key ? ChangeKind::Key : ChangeKind::User, [&](Audit &audit) -> Result<bool> {
        const Store::LimitRepository limits(*m_db);
        const auto before = limits.budgets(ownerKind, ownerId);
        if (Status s = limits.setBudgets(ownerKind, ownerId, canonical); !s)
            return failure<bool>(s.error());
        audit = {ownerKind + QStringLiteral(".set-limits"), ownerKind, ownerId, name, budgetsJson(before),
                 budgetsJson(limits.budgets(ownerKind, ownerId))};
        return true;
    });
    if (!set)
        return R::failure(set.error());
    return budgets(ownerKind, ownerId);
}

Result<QList<Store::BudgetState>> AdminService::setUserBudgets(qint64 userId, const BudgetWindows &windows)
{
    const auto user = Store::UserRepository(*m_db).byId(userId);
    if (!user)
        return failure<QList<Store::BudgetState>>(QStringLiteral("no user with id %1").arg(userId));
    return setBudgets(QString::fromLatin1(Store::LimitRepository::kUser), userId, user->name, windows);
}

Result<QList<Store::BudgetState>> AdminService::setKeyBudgets(qint64 keyId, const BudgetWindows &windows)
{
    const auto key = Store::ApiKeyRepository(*m_db).byId(keyId);
    if (!key)
        return failure<QList<Store::BudgetState>>(QStringLiteral("no key with id %1").arg(keyId));
    return setBudgets(QString::fromLatin1(Store::LimitRepository::kKey), keyId, key->name, windows);
}

Result<QList<Store::RateState>> AdminService::rates(const QString &ownerKind, qint64 ownerId) const
{
    const Store::LimitRepository limits(*m_db);
    const QTimeZone zone = limits.timeZone();
    const qint64 now = Store::nowSecs();
    QList<Store::RateState> states;
    for (const Store::RateLimit &r : limits.rates(ownerKind, ownerId)) {
        auto state = limits.rateState(r, now, zone);
        if (!state)
            return failure<QList<Store::RateState>>(state.error());
        states << *state;
    }
    return states;
}

Result<QList<Store::RateState>> AdminService::userRates(qint64 userId) const
{
    return rates(QString::fromLatin1(Store::LimitRepository::kUser), userId);
}

Result<QList<Store::RateState>> AdminService::keyRates(qint64 keyId) const
{
    return rates(QString::fromLatin1(Store::LimitRepository::kKey), keyId);
}

Result<QList<Store::RateState>> AdminService::setRates(const QString &ownerKind, qint64 ownerId, const QString &name,
                                                       const RateCaps &caps)
{
    std::set<QString> seen;
    for (const auto &[kind, cap] : caps) {
        if (!Store::LimitRepository::rateKinds().contains(kind))
            return failure<QList<Store::RateState>>(
                QStringLiteral("unknown rate limit '%1' (rpm, tpm, rpd or concurrency)").arg(kind));
        if (cap < 0)
            return failure<QList<Store::RateState>>(QStringLiteral("a rate limit must not be negative"));
        if (!seen.insert(kind).second)
            return failure<QList<Store::RateState>>(QStringLiteral("rate limit '%1' given twice").arg(kind));
    }
    const bool key = ownerKind == QLatin1String(Store::LimitRepository::kKey);
    const auto set = write<bool>(key ? ChangeKind::Key : ChangeKind::User, [&](Audit &audit) -> Result<bool> {
        const Store::LimitRepository limits(*m_db);
        const auto before = limits.rates(ownerKind, ownerId);
        if (Status s = limits.setRates(ownerKind, ownerId, caps); !s)
            return failure<bool>(s.error());
        audit = {ownerKind + QStringLiteral(".set-limits"), ownerKind, ownerId, name, ratesJson(before),
                 ratesJson(limits.rates(ownerKind, ownerId))};
        return true;
    });
    if (!set)
        return failure<QList<Store::RateState>>(set.error());
    return rates(ownerKind, ownerId);
}

Result<QList<Store::RateState>> AdminService::setUserRates(qint64 userId, const RateCaps &caps)
{
    const auto user = Store::UserRepository(*m_db).byId(userId);
    if (!user)
        return failure<QList<Store::RateState>>(QStringLiteral("no user with id %1").arg(userId));
    return setRates(QString::fromLatin1(Store::LimitRepository::kUser), userId, user->name, caps);
}

Result<QList<Store::RateState>> AdminService::setKeyRates(qint64 keyId, const RateCaps &caps)
{
    const auto key = Store::ApiKeyRepository(*m_db).byId(keyId);
    if (!key)
        return failure<QList<Store::RateState>>(QStringLiteral("no key with id %1").arg(keyId));
    return setRates(QString::fromLatin1(Store::LimitRepository::kKey), keyId, key->name, caps);
}

QString AdminService::budgetTimeZone() const
{
    return QString::fromUtf8(Store::LimitRepository(*m_db).timeZone().id());
}

Result<QString> AdminService::setBudgetTimeZone(const QString &ianaId)
{
    if (!QTimeZone::isTimeZoneIdAvailable(ianaId.toUtf8()))
        return failure<QString>(QStringLiteral("unknown time zone '%1' (an IANA name like Europe/Berlin)").arg(ianaId));
    const QString option = QString::fromLatin1(Store::LimitRepository::kTimeZoneOption);
    // Every user's calendar windows move to the new zone: announced as a change of all users (entity 0).
    return write<QString>(ChangeKind::User, [&](Audit &audit) -> Result<QString> {
        const QString before = budgetTimeZone();
        if (Status s = Store::OptionRepository(*m_db).set(option, ianaId); !s)
            return failure<QString>(s.error());
        audit = {QStringLiteral("option.set"), QStringLiteral("option"), 0, option,
                 {{QStringLiteral("value"), before}}, {{QStringLiteral("value"), ianaId}}};
        return ianaId;
    });
}

// ---- IP allow-lists and trusted proxies -------------------------------------------------------------

QStringList AdminService::userAllowedIps(qint64 userId) const
{
    return Store::LimitRepository(*m_db).allowedIps(QString::fromLatin1(Store::LimitRepository::kUser), userId);
}

QStringList AdminService::keyAllowedIps(qint64 keyId) const
{
    return Store::LimitRepository(*m_db).allowedIps(QString::fromLatin1(Store::LimitRepository::kKey), keyId);
}

Result<QStringList> AdminService::setAllowedIps(const QString &ownerKind, qint64 ownerId, const QString &name,
                                                const QStringList &cidrs)
{
    QString error;
    const auto list = Cidr::parseList(cidrs, &error);
    if (!list)
        return failure<QStringList>(error);
    const QStringList canonical = Cidr::toStrings(*list);
    const bool key = ownerKind == QLatin1String(Store::LimitRepository::kKey);
    const auto json = [](const QStringList &l) { return QJsonObject{{QStringLiteral("allow_ip"), QJsonArray::fromStringList(l)}}; };
    return write<QStringList>(key ? ChangeKind::Key : ChangeKind::User, [&](Audit &audit) -> Result<QStringList> {
        const Store::LimitRepository limits(*m_db);
        const QStringList before = limits.allowedIps(ownerKind, ownerId);
        if (Status s = limits.setAllowedIps(ownerKind, ownerId, canonical); !s)
            return failure<QStringList>(s.error());
        audit = {ownerKind + QStringLiteral(".set-limits"), ownerKind, ownerId, name, json(before), json(canonical)};
        return canonical;
    });
}

Result<QStringList> AdminService::setUserAllowedIps(qint64 userId, const QStringList &cidrs)
{
    const auto user = Store::UserRepository(*m_db).byId(userId);
    if (!user)
        return failure<QStringList>(QStringLiteral("no user with id %1").arg(userId));
    return setAllowedIps(QString::fromLatin1(Store::LimitRepository::kUser), userId, user->name, cidrs);
}

Result<QStringList> AdminService::setKeyAllowedIps(qint64 keyId, const QStringList &cidrs)
{
    const auto key = Store::ApiKeyRepository(*m_db).byId(keyId);
    if (!key)
        return failure<QStringList>(QStringLiteral("no key with id %1").arg(keyId));
    return setAllowedIps(QString::fromLatin1(Store::LimitRepository::kKey), keyId, key->name, cidrs);
}

QStringList AdminService::trustedProxies() const
{
    return Store::LimitRepository(*m_db).trustedProxies();
}

Result<QStringList> AdminService::setTrustedProxies(const QStringList &cidrs)
{
    QString error;
    const auto list = Cidr::parseList(cidrs, &error);
    if (!list)
        return failure<QStringList>(error);
    const QStringList canonical = Cidr::toStrings(*list);
    const QString option = QString::fromLatin1(Store::LimitRepository::kTrustedProxiesOption);
    // Who the caller is changes for every key: announced as a change of all users (entity 0), like the time zone.
    return write<QStringList>(ChangeKind::User, [&](Audit &audit) -> Result<QStringList> {
        const QStringList before = trustedProxies();
        if (Status s = Store::OptionRepository(*m_db).set(option, canonical.join(u',')); !s)
            return failure<QStringList>(s.error());
        audit = {QStringLiteral("option.set"), QStringLiteral("option"), 0, option,
                 {{QStringLiteral("value"), before.join(u',')}}, {{QStringLiteral("value"), canonical.join(u',')}}};
        return canonical;
    });
}

} // namespace RelayDesk::Service

// ---- spend alerts

namespace RelayDesk::Service {
namespace {

QJsonObject alertsJson(const QList<Store::AlertRule> &rules)
{
    QJsonArray list;
    for (const Store::AlertRule &r : rules) {
        QJsonObject o{{QStringLiteral("kind"), r.kind}, {QStringLiteral("threshold"), r.threshold}};
        if (!r.window.isEmpty())
            o.insert(QStringLiteral("window"), r.window);
        list.append(o);
    }
    return {{QStringLiteral("alerts"), list}};
}

// Checks and canonicalises the rules against what the owner has (its budget windows; a key's unlimited flag).
Result<AlertRules> checkedAlerts(const AlertRules &rules, const QList<Store::BudgetLimit> &windows, bool unlimitedKey)
{
    AlertRules out;
    std::set<QString> seen;
    for (Store::AlertRepository::Spec spec : rules) {
        if (spec.kind == QLatin1String(Store::AlertRepository::kBudget)) {
            const auto window = BudgetWindow::parse(spec.window);
            if (!window)
                return failure<AlertRules>(QStringLiteral("unknown budget window '%1' in an alert").arg(spec.window));
            spec.window = window->name();
            const bool has = std::any_of(windows.begin(), windows.end(),
                                         [&](const Store::BudgetLimit &b) { return b.window == spec.window; });
            if (!has)
                return failure<AlertRules>(
                    QStringLiteral("no '%1' budget window to alert on: set the budget first").arg(spec.window));
            if (spec.threshold < 1 || spec.threshold > Store::AlertRepository::kMaxPercent)
                return failure<AlertRules>(QStringLiteral("a budget alert's percent must be 1..%1 (got %2)")
                                               .arg(Store::AlertRepository::kMaxPercent)
                                               .arg(spec.threshold));
        } else if (spec.kind == QLatin1String(Store::AlertRepository::kBalance)) {
            spec.window.clear();
            if (spec.threshold < 1)
                return failure<AlertRules>(QStringLiteral("a balance alert's quota must be at least 1"));
            if (unlimitedKey)
                return failure<AlertRules>(QStringLiteral("an unlimited key has no balance to alert on"));
        } else {
            return failure<AlertRules>(QStringLiteral("unknown alert kind '%1'").arg(spec.kind));
        }
        const QString id = spec.kind + u'|' + spec.window + u'|' + QString::number(spec.threshold);
        if (!seen.insert(id).second)
            return failure<AlertRules>(QStringLiteral("the same alert is given twice"));
        out.append(spec);
    }
    return out;
}

} // namespace

QList<Store::AlertRule> AdminService::userAlerts(qint64 userId) const
{
    return Store::AlertRepository(*m_db).rules(QString::fromLatin1(Store::LimitRepository::kUser), userId);
}

QList<Store::AlertRule> AdminService::keyAlerts(qint64 keyId) const
{
    return Store::AlertRepository(*m_db).rules(QString::fromLatin1(Store::LimitRepository::kKey), keyId);
}

Result<QList<Store::AlertRule>> AdminService::setAlerts(const QString &ownerKind, qint64 ownerId, const QString &name,
                                                        const AlertRules &rules)
{
    const bool key = ownerKind == QLatin1String(Store::LimitRepository::kKey);
    return write<QList<Store::AlertRule>>(key ? ChangeKind::Key : ChangeKind::User,
                                          [&](Audit &audit) -> Result<QList<Store::AlertRule>> {
        const Store::AlertRepository alerts(*m_db);
        std::optional<Store::ApiKey> owner;
        if (key)
            owner = Store::ApiKeyRepository(*m_db).byId(ownerId);
        const auto checked = checkedAlerts(rules, Store::LimitRepository(*m_db).budgets(ownerKind, ownerId),
                                           owner && owner->unlimited);
        if (!checked)
            return failure<QList<Store::AlertRule>>(checked.error());
        const auto before = alerts.rules(ownerKind, ownerId);
        if (Status s = alerts.setRules(ownerKind, ownerId, *checked); !s)
            return failure<QList<Store::AlertRule>>(s.error());
        const auto after = alerts.rules(ownerKind, ownerId);
        audit = {ownerKind + QStringLiteral(".set-alerts"), ownerKind, ownerId, name, alertsJson(before),
                 alertsJson(after)};
        return after;
    });
}

Result<QList<Store::AlertRule>> AdminService::setUserAlerts(qint64 userId, const AlertRules &rules)
{
    const auto user = Store::UserRepository(*m_db).byId(userId);
    if (!user)
        return failure<QList<Store::AlertRule>>(QStringLiteral("no user with id %1").arg(userId));
    return setAlerts(QString::fromLatin1(Store::LimitRepository::kUser), userId, user->name, rules);
}

Result<QList<Store::AlertRule>> AdminService::setKeyAlerts(qint64 keyId, const AlertRules &rules)
{
    const auto key = Store::ApiKeyRepository(*m_db).byId(keyId);
    if (!key)
        return failure<QList<Store::AlertRule>>(QStringLiteral("no key with id %1").arg(keyId));
    return setAlerts(QString::fromLatin1(Store::LimitRepository::kKey), keyId, key->name, rules);
}

AlertWebhookConfig AdminService::alertWebhook() const
{
    const Store::OptionRepository options(*m_db);
    AlertWebhookConfig c;
    c.url = options.value(QString::fromLatin1(Store::AlertRepository::kWebhookUrlOption)).value_or(QString());
    c.hasSecret = !options.value(QString::fromLatin1(Store::AlertRepository::kWebhookSecretOption))
                       .value_or(QString()).isEmpty();
    return c;
}

Result<AlertWebhookConfig> AdminService::setAlertWebhook(const QString &url, const std::optional<QString> &secret)
{
    const QUrl parsed(url.trimmed(), QUrl::StrictMode);
    const bool web = parsed.scheme() == QLatin1String("http") || parsed.scheme() == QLatin1String("https");
    if (!url.trimmed().isEmpty() && (!parsed.isValid() || !web || parsed.host().isEmpty()))
        return failure<AlertWebhookConfig>(QStringLiteral("the webhook URL must be an http(s) URL (got '%1')").arg(url));
    if (secret && secret->size() > 4096)
        return failure<AlertWebhookConfig>(QStringLiteral("the webhook secret is longer than 4096 characters"));
    const auto json = [](const AlertWebhookConfig &c) {
        return QJsonObject{{QStringLiteral("url"), c.url}, {QStringLiteral("secret"), c.hasSecret ? QStringLiteral("(set)")
                                                                                                   : QString()}};
    };
    // Nothing in the relay caches these (the webhook reads them at each delivery): announced as a change of all
    // users, the kind other option edits use.
    return write<AlertWebhookConfig>(ChangeKind::User, [&](Audit &audit) -> Result<AlertWebhookConfig> {
        const AlertWebhookConfig before = alertWebhook();
        QHash<QString, QString> values{{QString::fromLatin1(Store::AlertRepository::kWebhookUrlOption),
                                        parsed.toString()}};
        if (secret) {
            const auto sealed = Store::ChannelRepository(*m_db).sealSecret(*secret);
            if (!sealed)
                return failure<AlertWebhookConfig>(sealed.error());
            values.insert(QString::fromLatin1(Store::AlertRepository::kWebhookSecretOption), *sealed);
        }
        if (Status s = Store::OptionRepository(*m_db).setMany(values); !s)
            return failure<AlertWebhookConfig>(s.error());
        const AlertWebhookConfig after = alertWebhook();
        audit = {QStringLiteral("option.set"), QStringLiteral("option"), 0,
                 QString::fromLatin1(Store::AlertRepository::kWebhookUrlOption), json(before), json(after)};
        return after;
    });
}

QList<Store::AlertEvent> AdminService::alertEvents(int limit, qint64 afterId) const
{
    return Store::AlertRepository(*m_db).events(limit, afterId);
}

} // namespace RelayDesk::Service
