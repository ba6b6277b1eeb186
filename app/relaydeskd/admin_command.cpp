// relaydeskd admin: users, keys, channels, pricing, quotes and logs, as JSON for scripts.
// Arguments are validated completely before the database is opened, so bad input writes nothing.
#include "commands.h"

#include "admin_args.h"

#include "billing/pricingservice.h"
#include "billing/quotamath.h"
#include "common/datadir.h"
#include "common/secretmask.h"
#include "service/adminservice.h"
#include "store/apikeyrepository.h"
#include "store/channelhealthrepository.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "store/userrepository.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>

#include <functional>

namespace RelayDesk::Cli {
namespace {

using Store::Database;

constexpr int kOk = 0;
constexpr int kFailure = 1;
constexpr int kBadInput = 2;

const char *const kUsage =
    "usage: relaydeskd admin <command> [--data DIR | --db URL | --db-file FILE]\n"
    "  user add NAME [--group G] [--quota Q]\n"
    "  user show NAME\n"
    "  user set-quota NAME Q\n"
    "  user list\n"
    "  key add --user NAME [--name N] [--quota Q | --unlimited] [--models m1,m2] [--group G]\n"
    "  key show NAME\n"
    "  key enable|disable NAME\n"
    "  channel add --name N --base-url URL --key K --models m1,m2 [--groups g1,g2] [--priority P]\n"
    "              [--weight W] [--model-mapping JSON]\n"
    "  channel list               (with each channel's health: healthy | unhealthy | probing)\n"
    "  channel enable|disable|remove NAME\n"
    "  pricing import FILE        (new-api option JSON; '-' reads stdin)\n"
    "  pricing export\n"
    "  quote --model M [--group G] [--prompt N] [--completion N] [--cached N] [--audio-in N]\n"
    "        [--audio-out N] [--image-in N] [--cached-audio N] [--cache-write N]\n"
    "  logs [--user NAME] [--limit N]   (one JSON object per line, newest first)\n"
    "Quota: 500000 = US$1. Output is JSON; errors go to stderr (exit 2 bad input, 1 failure).\n"
    "The database URL may also come from $RELAYDESK_DB_URL or --db-file (its first line), which keep a\n"
    "password out of the command line.\n";

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

int fail(int code, const QString &message)
{
    err() << "relaydeskd admin: " << message << '\n';
    err().flush();
    return code;
}

int badInput(const QString &message)
{
    return fail(kBadInput, message);
}

void print(const QJsonValue &value, QJsonDocument::JsonFormat format = QJsonDocument::Compact)
{
    const QJsonDocument doc = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    out() << QString::fromUtf8(doc.toJson(format)).trimmed() << '\n';
    out().flush();
}

QString statusName(Store::RowStatus s)
{
    return s == Store::RowStatus::Enabled ? QStringLiteral("enabled") : QStringLiteral("disabled");
}

QJsonObject userJson(const Store::User &u)
{
    return {{QStringLiteral("id"), u.id},
            {QStringLiteral("name"), u.name},
            {QStringLiteral("group"), u.group},
            {QStringLiteral("quota"), u.quota},
            {QStringLiteral("used_quota"), u.usedQuota},
            {QStringLiteral("request_count"), u.requestCount},
            {QStringLiteral("status"), statusName(u.status)}};
}

QJsonObject keyJson(const Store::ApiKey &k, const QString &userName)
{
    return {{QStringLiteral("id"), k.id},
            {QStringLiteral("name"), k.name},
            {QStringLiteral("user"), userName},
            {QStringLiteral("hint"), k.keyHint},
            {QStringLiteral("status"), statusName(k.status)},
            {QStringLiteral("quota"), k.remainQuota},
            {QStringLiteral("unlimited"), k.unlimited},
            {QStringLiteral("used_quota"), k.usedQuota},
            {QStringLiteral("models"), QJsonArray::fromStringList(k.modelLimits)},
            {QStringLiteral("group"), k.group},
            {QStringLiteral("expires_at"), k.expiresAt}};
}

QJsonObject channelJson(const Store::Channel &c)
{
    return {{QStringLiteral("id"), c.id},
            {QStringLiteral("name"), c.name},
            {QStringLiteral("type"), c.type},
            {QStringLiteral("base_url"), c.baseUrl},
            {QStringLiteral("key"), maskSecret(c.secret)},
            {QStringLiteral("models"), QJsonArray::fromStringList(c.models)},
            {QStringLiteral("groups"), QJsonArray::fromStringList(c.groups)},
            {QStringLiteral("model_mapping"), c.modelMapping},
            {QStringLiteral("priority"), c.priority},
            {QStringLiteral("weight"), c.weight},
            {QStringLiteral("status"), statusName(c.status)},
            {QStringLiteral("used_quota"), c.usedQuota}};
}

// As the relaying process last recorded it: skipped until retry_at_ms; probing = one call is testing it.
QJsonObject channelHealthJson(const Store::ChannelHealth &h)
{
    QJsonObject o{{QStringLiteral("state"), Store::ChannelHealth::stateName(h.state)},
                  {QStringLiteral("failures"), h.failures}};
    if (h.state == Store::ChannelHealth::State::Healthy)
        return o;
    o.insert(QStringLiteral("retry_at_ms"), h.retryAtMs);
    o.insert(QStringLiteral("skipped"), h.retryAtMs > QDateTime::currentMSecsSinceEpoch());
    o.insert(QStringLiteral("last_error"), h.lastError);
    o.insert(QStringLiteral("updated_at_ms"), h.updatedAtMs);
    return o;
}

QString logTypeName(Store::LogType t)
{
    switch (t) {
    case Store::LogType::Topup: return QStringLiteral("topup");
    case Store::LogType::Consume: return QStringLiteral("consume");
    case Store::LogType::Manage: return QStringLiteral("manage");
    case Store::LogType::System: return QStringLiteral("system");
    case Store::LogType::Error: return QStringLiteral("error");
    case Store::LogType::Refund: return QStringLiteral("refund");
    case Store::LogType::Unknown: break;
    }
    return QStringLiteral("unknown");
}

QJsonObject logJson(const Store::LogRecord &r, const QString &userName)
{
    return {{QStringLiteral("id"), r.id},
            {QStringLiteral("created_at"), r.createdAt},
            {QStringLiteral("time"), QDateTime::fromMSecsSinceEpoch(r.createdAt, Qt::UTC).toString(Qt::ISODateWithMs)},
            {QStringLiteral("type"), logTypeName(r.type)},
            {QStringLiteral("user"), userName},
            {QStringLiteral("user_id"), r.userId},
            {QStringLiteral("key_id"), r.keyId},
            {QStringLiteral("channel_id"), r.channelId},
            {QStringLiteral("model"), r.model},
            {QStringLiteral("upstream_model"), r.upstreamModel},
            {QStringLiteral("prompt_tokens"), r.promptTokens},
            {QStringLiteral("completion_tokens"), r.completionTokens},
            {QStringLiteral("quota"), r.quota},
            {QStringLiteral("use_ms"), r.useMs},
            {QStringLiteral("is_stream"), r.isStream},
            {QStringLiteral("request_id"), r.requestId},
            {QStringLiteral("content"), r.content},
            {QStringLiteral("price_snapshot_id"), r.priceSnapshotId},
            {QStringLiteral("other"), r.other}};
}

struct Location
{
    QString dataDir;
    QString url;
};

// Opens the database only after the command's arguments were accepted.
int withDatabase(const Location &where, const std::function<int(const Database &)> &body)
{
    auto db = Database::open(where.dataDir, where.url);
    if (!db)
        return fail(kFailure, db.error());
    return body(*db.value());
}

// Every edit goes through the AdminService (actor `cli`): validated, audited, announced on the change feed.
int withAdmin(const Location &where, const std::function<int(Service::AdminService &)> &body)
{
    auto db = Database::open(where.dataDir, where.url);
    if (!db)
        return fail(kFailure, db.error());
    Service::AdminService admin(db.value(), Service::AdminService::Actor::Cli);
    return body(admin);
}

std::optional<qint64> requireCount(const QString &text, const QString &what, QString *error)
{
    const auto v = AdminArgs::parseCount(text);
    if (!v)
        *error = QStringLiteral("%1 must be a whole number ≥ 0 (got '%2')").arg(what, text);
    return v;
}

// ---- user -------------------------------------------------------------------------------------

int userCommand(const QString &sub, const QStringList &rest, const Location &where)
{
    QString error;
    if (sub == u"add") {
        const AdminArgs a(rest, {QStringLiteral("--group"), QStringLiteral("--quota")});
        if (!a.ok() || !a.expectPositional({QStringLiteral("NAME")}, &error))
            return badInput(a.ok() ? error : a.error());
        const auto quota = a.count(QStringLiteral("--quota"), 0, &error);
        const QString group = a.value(QStringLiteral("--group"), QStringLiteral("default"));
        if (!quota)
            return badInput(error);
        if (!Store::UserRepository::isValidName(a.positional()[0]) || !Store::UserRepository::isValidName(group))
            return badInput(QStringLiteral("names and groups use 1-64 of A-Z a-z 0-9 _ . @ -"));
        return withAdmin(where, [&](Service::AdminService &admin) {
            auto user = admin.addUser(a.positional()[0], group, *quota);
            if (!user)
                return badInput(user.error());
            print(userJson(*user));
            return kOk;
        });
    }
    if (sub == u"show" || sub == u"set-quota") {
        const AdminArgs a(rest, {});
        const QStringList names = sub == u"show" ? QStringList{QStringLiteral("NAME")}
                                                 : QStringList{QStringLiteral("NAME"), QStringLiteral("Q")};
        if (!a.ok() || !a.expectPositional(names, &error))
            return badInput(a.ok() ? error : a.error());
        std::optional<qint64> quota;
        if (sub == u"set-quota" && !(quota = requireCount(a.positional()[1], QStringLiteral("Q"), &error)))
            return badInput(error);
        return withAdmin(where, [&](Service::AdminService &admin) {
            auto user = admin.userByName(a.positional()[0]);
            if (!user)
                return badInput(QStringLiteral("no user named '%1'").arg(a.positional()[0]));
            if (quota) {
                auto set = admin.setUserQuota(user->id, *quota);
                if (!set)
                    return fail(kFailure, set.error());
                user = *set;
            }
            print(userJson(*user));
            return kOk;
        });
    }
    if (sub == u"list") {
        const AdminArgs a(rest, {});
        if (!a.ok() || !a.expectPositional({}, &error))
            return badInput(a.ok() ? error : a.error());
        return withDatabase(where, [&](const Database &db) {
            QJsonArray list;
            for (const Store::User &u : Store::UserRepository(db).list(100000))
                list.append(userJson(u));
            print(list);
            return kOk;
        });
    }
    return badInput(QStringLiteral("unknown user command '%1' (add, show, set-quota, list)").arg(sub));
}

// ---- key --------------------------------------------------------------------------------------

int keyCommand(const QString &sub, const QStringList &rest, const Location &where)
{
    QString error;
    if (sub == u"add") {
        const AdminArgs a(rest,
                          {QStringLiteral("--user"), QStringLiteral("--name"), QStringLiteral("--quota"),
                           QStringLiteral("--models"), QStringLiteral("--group")},
                          {QStringLiteral("--unlimited")});
        if (!a.ok() || !a.expectPositional({}, &error))
            return badInput(a.ok() ? error : a.error());
        if (!a.has(QStringLiteral("--user")))
            return badInput(QStringLiteral("key add needs --user NAME"));
        if (a.has(QStringLiteral("--quota")) && a.has(QStringLiteral("--unlimited")))
            return badInput(QStringLiteral("give either --quota or --unlimited, not both"));
        const auto quota = a.count(QStringLiteral("--quota"), 0, &error);
        if (!quota)
            return badInput(error);
        const QString name = a.value(QStringLiteral("--name"));
        if (a.has(QStringLiteral("--name")) && !Store::UserRepository::isValidName(name))
            return badInput(QStringLiteral("invalid key name '%1' (1-64 of A-Z a-z 0-9 _ . @ -)").arg(name));
        const QString group = a.value(QStringLiteral("--group"));
        if (a.has(QStringLiteral("--group")) && !Store::UserRepository::isValidName(group))
            return badInput(QStringLiteral("invalid group name '%1'").arg(group));
        const QStringList models = AdminArgs::splitList(a.value(QStringLiteral("--models")));
        if (a.has(QStringLiteral("--models")) && models.isEmpty())
            return badInput(QStringLiteral("--models needs at least one model name"));
        return withAdmin(where, [&](Service::AdminService &admin) {
            const auto user = admin.userByName(a.value(QStringLiteral("--user")));
            if (!user)
                return badInput(QStringLiteral("no user named '%1'").arg(a.value(QStringLiteral("--user"))));
            Store::NewApiKey spec;
            spec.userId = user->id;
            spec.name = name; // empty: the service picks "<user>-key-<n>"
            spec.quota = *quota;
            spec.unlimited = a.has(QStringLiteral("--unlimited"));
            spec.modelLimits = models;
            spec.group = group;
            auto created = admin.addKey(spec);
            if (!created)
                return badInput(created.error());
            QJsonObject json = keyJson(created->key, user->name);
            // The one and only time the full key is shown.
            json.insert(QStringLiteral("key"), created->plainKey);
            print(json);
            return kOk;
        });
    }
    if (sub == u"show" || sub == u"disable" || sub == u"enable") {
        const AdminArgs a(rest, {});
        if (!a.ok() || !a.expectPositional({QStringLiteral("NAME")}, &error))
            return badInput(a.ok() ? error : a.error());
        return withAdmin(where, [&](Service::AdminService &admin) {
            auto key = admin.keyByName(a.positional()[0]);
            if (!key)
                return badInput(QStringLiteral("no key named '%1'").arg(a.positional()[0]));
            if (sub != u"show") {
                auto set = admin.setKeyStatus(key->id, sub == u"enable" ? Store::RowStatus::Enabled
                                                                        : Store::RowStatus::Disabled);
                if (!set)
                    return fail(kFailure, set.error());
                key = *set;
            }
            const auto user = admin.user(key->userId);
            print(keyJson(*key, user ? user->name : QString()));
            return kOk;
        });
    }
    return badInput(QStringLiteral("unknown key command '%1' (add, show, enable, disable)").arg(sub));
}

// ---- channel ----------------------------------------------------------------------------------

int channelCommand(const QString &sub, const QStringList &rest, const Location &where)
{
    QString error;
    if (sub == u"add") {
        const AdminArgs a(rest, {QStringLiteral("--name"), QStringLiteral("--base-url"), QStringLiteral("--key"),
                                 QStringLiteral("--models"), QStringLiteral("--groups"), QStringLiteral("--priority"),
                                 QStringLiteral("--weight"), QStringLiteral("--model-mapping"), QStringLiteral("--type")});
        if (!a.ok() || !a.expectPositional({}, &error))
            return badInput(a.ok() ? error : a.error());
        for (const char *required : {"--name", "--base-url", "--key", "--models"})
            if (!a.has(QLatin1String(required)))
                return badInput(QStringLiteral("channel add needs %1").arg(QLatin1String(required)));
        Store::Channel c;
        c.name = a.value(QStringLiteral("--name"));
        c.baseUrl = a.value(QStringLiteral("--base-url"));
        c.secret = a.value(QStringLiteral("--key"));
        c.type = a.value(QStringLiteral("--type"), QStringLiteral("openai"));
        c.models = AdminArgs::splitList(a.value(QStringLiteral("--models")));
        if (a.has(QStringLiteral("--groups")))
            c.groups = AdminArgs::splitList(a.value(QStringLiteral("--groups")));
        bool ok = true;
        if (a.has(QStringLiteral("--priority")))
            c.priority = a.value(QStringLiteral("--priority")).toInt(&ok);
        if (!ok)
            return badInput(QStringLiteral("--priority must be an integer"));
        const auto weight = a.count(QStringLiteral("--weight"), 1, &error);
        if (!weight || *weight > 1000000)
            return badInput(error.isEmpty() ? QStringLiteral("--weight is too large") : error);
        c.weight = int(*weight);
        if (a.has(QStringLiteral("--model-mapping"))) {
            QJsonParseError perr;
            const QJsonDocument doc = QJsonDocument::fromJson(a.value(QStringLiteral("--model-mapping")).toUtf8(), &perr);
            if (perr.error != QJsonParseError::NoError || !doc.isObject())
                return badInput(QStringLiteral("--model-mapping must be a JSON object like {\"requested\":\"upstream\"}"));
            c.modelMapping = doc.object();
        }
        if (c.secret.isEmpty())
            return badInput(QStringLiteral("--key must not be empty"));
        if (auto valid = Store::ChannelRepository::validate(c); !valid)
            return badInput(valid.error());
        return withAdmin(where, [&](Service::AdminService &admin) {
            auto created = admin.addChannel(c);
            if (!created)
                return badInput(created.error());
            print(channelJson(*created));
            return kOk;
        });
    }
    if (sub == u"list") {
        const AdminArgs a(rest, {});
        if (!a.ok() || !a.expectPositional({}, &error))
            return badInput(a.ok() ? error : a.error());
        return withDatabase(where, [&](const Database &db) {
            QHash<qint64, Store::ChannelHealth> health;
            for (const Store::ChannelHealth &h : Store::ChannelHealthRepository(db).list())
                health.insert(h.channelId, h);
            QJsonArray list;
            for (const Store::Channel &c : Store::ChannelRepository(db).list()) {
                QJsonObject o = channelJson(c);
                o.insert(QStringLiteral("health"), channelHealthJson(health.value(c.id)));
                list.append(o);
            }
            print(list);
            return kOk;
        });
    }
    if (sub == u"enable" || sub == u"disable" || sub == u"remove") {
        const AdminArgs a(rest, {});
        if (!a.ok() || !a.expectPositional({QStringLiteral("NAME")}, &error))
            return badInput(a.ok() ? error : a.error());
        return withAdmin(where, [&](Service::AdminService &admin) {
            const auto channel = admin.channelByName(a.positional()[0]);
            if (!channel)
                return badInput(QStringLiteral("no channel named '%1'").arg(a.positional()[0]));
            const auto done = sub == u"remove" ? admin.removeChannel(channel->id)
                                               : admin.setChannelStatus(channel->id, sub == u"enable"
                                                                                         ? Store::RowStatus::Enabled
                                                                                         : Store::RowStatus::Disabled);
            if (!done)
                return fail(kFailure, done.error());
            QJsonObject json = channelJson(*done);
            if (sub == u"remove")
                json.insert(QStringLiteral("removed"), true);
            print(json);
            return kOk;
        });
    }
    return badInput(QStringLiteral("unknown channel command '%1' (add, list, enable, disable, remove)").arg(sub));
}

// ---- pricing and quote ------------------------------------------------------------------------

int pricingCommand(const QString &sub, const QStringList &rest, const Location &where)
{
    QString error;
    const AdminArgs a(rest, {});
    if (sub == u"import") {
        if (!a.ok() || !a.expectPositional({QStringLiteral("FILE")}, &error))
            return badInput(a.ok() ? error : a.error());
        QFile file(a.positional()[0]);
        const bool opened = a.positional()[0] == u"-" ? file.open(stdin, QIODevice::ReadOnly)
                                                      : file.open(QIODevice::ReadOnly);
        if (!opened)
            return badInput(QStringLiteral("cannot read %1: %2").arg(a.positional()[0], file.errorString()));
        const QByteArray bytes = file.readAll();
        // Validate before touching the database: a malformed file changes nothing.
        QJsonParseError perr;
        const QJsonDocument doc = QJsonDocument::fromJson(bytes, &perr);
        if (perr.error != QJsonParseError::NoError || !doc.isObject())
            return badInput(QStringLiteral("%1 is not a JSON object: %2").arg(a.positional()[0], perr.errorString()));
        if (auto check = Billing::PriceBook::empty()->withEdit(doc.object()); !check)
            return badInput(check.error());
        return withAdmin(where, [&](Service::AdminService &admin) {
            const auto imported = admin.importPricing(doc.object());
            if (!imported)
                return badInput(imported.error());
            print(QJsonObject{{QStringLiteral("ok"), true},
                              {QStringLiteral("snapshot_id"), imported->snapshotId},
                              {QStringLiteral("models"), imported->models}});
            return kOk;
        });
    }
    if (sub == u"export") {
        if (!a.ok() || !a.expectPositional({}, &error))
            return badInput(a.ok() ? error : a.error());
        return withDatabase(where, [&](const Database &db) {
            Billing::PricingService pricing(db);
            if (auto s = pricing.load(); !s)
                return fail(kFailure, s.error());
            print(pricing.exportJson(), QJsonDocument::Indented);
            return kOk;
        });
    }
    return badInput(QStringLiteral("unknown pricing command '%1' (import, export)").arg(sub));
}

int quoteCommand(const QStringList &rest, const Location &where)
{
    QString error;
    const QStringList counts = {QStringLiteral("--prompt"),   QStringLiteral("--completion"), QStringLiteral("--cached"),
                                QStringLiteral("--audio-in"), QStringLiteral("--audio-out"),  QStringLiteral("--image-in"),
                                QStringLiteral("--cached-audio"), QStringLiteral("--cache-write")};
    const AdminArgs a(rest, counts + QStringList{QStringLiteral("--model"), QStringLiteral("--group")});
    if (!a.ok() || !a.expectPositional({}, &error))
        return badInput(a.ok() ? error : a.error());
    if (a.value(QStringLiteral("--model")).trimmed().isEmpty())
        return badInput(QStringLiteral("quote needs --model M"));
    QHash<QString, qint64> n;
    for (const QString &c : counts) {
        const auto v = a.count(c, 0, &error);
        if (!v)
            return badInput(error);
        n.insert(c, *v);
    }
    Billing::Usage usage;
    usage.inputText = n.value(QStringLiteral("--prompt"));
    usage.cachedText = n.value(QStringLiteral("--cached"));
    usage.cacheWrite = n.value(QStringLiteral("--cache-write"));
    usage.outputText = n.value(QStringLiteral("--completion"));
    usage.inputAudio = n.value(QStringLiteral("--audio-in"));
    usage.cachedAudio = n.value(QStringLiteral("--cached-audio"));
    usage.outputAudio = n.value(QStringLiteral("--audio-out"));
    usage.inputImage = n.value(QStringLiteral("--image-in"));
    if (usage.cachedText > usage.inputText)
        return badInput(QStringLiteral("--cached counts part of --prompt and cannot exceed it"));
    if (usage.cachedAudio > usage.inputAudio)
        return badInput(QStringLiteral("--cached-audio counts part of --audio-in and cannot exceed it"));
    const QString group = a.value(QStringLiteral("--group"), QStringLiteral("default"));
    const QString model = a.value(QStringLiteral("--model")).trimmed();
    return withDatabase(where, [&](const Database &db) {
        Billing::PricingService pricing(db);
        if (auto s = pricing.load(); !s)
            return fail(kFailure, s.error());
        const auto priced = pricing.current()->pricing(model, group, group);
        if (!priced)
            return badInput(priced.error());
        const Billing::Quote quote = Billing::QuotaMath::settle(*priced, usage);
        QJsonObject ratios = priced->toJson();
        ratios.remove(QStringLiteral("price_snapshot_id"));
        print(QJsonObject{{QStringLiteral("model"), model},
                          {QStringLiteral("group"), group},
                          {QStringLiteral("quota"), quote.quota},
                          {QStringLiteral("usd"), Billing::QuotaMath::toUsd(quote.quota)},
                          {QStringLiteral("exact"), quote.exactText()},
                          {QStringLiteral("fixed_price"), priced->fixedPrice},
                          {QStringLiteral("ratios"), ratios},
                          {QStringLiteral("usage"), usage.toJson()},
                          {QStringLiteral("price_snapshot_id"), priced->snapshotId}});
        return kOk;
    });
}

// ---- logs -------------------------------------------------------------------------------------

int logsCommand(const QStringList &rest, const Location &where)
{
    QString error;
    const AdminArgs a(rest, {QStringLiteral("--user"), QStringLiteral("--limit")});
    if (!a.ok() || !a.expectPositional({}, &error))
        return badInput(a.ok() ? error : a.error());
    const auto limit = a.count(QStringLiteral("--limit"), 50, &error);
    if (!limit)
        return badInput(error);
    if (*limit < 1 || *limit > 100000)
        return badInput(QStringLiteral("--limit must be between 1 and 100000"));
    return withDatabase(where, [&](const Database &db) {
        Store::UserRepository users(db);
        Store::LogFilter filter;
        if (a.has(QStringLiteral("--user"))) {
            const auto user = users.byName(a.value(QStringLiteral("--user")));
            if (!user)
                return badInput(QStringLiteral("no user named '%1'").arg(a.value(QStringLiteral("--user"))));
            filter.userId = user->id;
        }
        QHash<qint64, QString> names;
        qint64 remaining = *limit;
        std::optional<Store::LogCursor> cursor;
        Store::LogRepository logs(db);
        do {
            const Store::LogPage page = logs.page(filter, int(std::min<qint64>(remaining, 1000)), cursor);
            for (const Store::LogRecord &r : page.rows) {
                if (!names.contains(r.userId)) {
                    const auto u = users.byId(r.userId);
                    names.insert(r.userId, u ? u->name : QString());
                }
                print(logJson(r, names.value(r.userId)));
            }
            remaining -= page.rows.size();
            cursor = page.next;
        } while (cursor && remaining > 0);
        return kOk;
    });
}

} // namespace

int runAdmin(const QStringList &args)
{
    // --data / --db / --db-file may appear anywhere; pull them out first.
    Location where;
    QString dbFile;
    QStringList rest;
    for (int i = 0; i < args.size(); ++i) {
        const QString &arg = args[i];
        QString *target = arg == u"--data" ? &where.dataDir : arg == u"--db" ? &where.url
                        : arg == u"--db-file" ? &dbFile : nullptr;
        if (arg.startsWith(QStringLiteral("--data=")))
            where.dataDir = arg.mid(7);
        else if (arg.startsWith(QStringLiteral("--db=")))
            where.url = arg.mid(5);
        else if (arg.startsWith(QStringLiteral("--db-file=")))
            dbFile = arg.mid(10);
        else if (!target)
            rest << arg;
        else if (i + 1 >= args.size())
            return badInput(QStringLiteral("%1 needs a value").arg(arg));
        else
            *target = args[++i];
    }
    if (!where.dataDir.isEmpty() && (!where.url.isEmpty() || !dbFile.isEmpty()))
        return badInput(QStringLiteral("give either --data DIR or --db URL, not both"));
    QString dbError, dbWarning;
    const auto url = resolveDatabaseUrl({where.url, dbFile, !where.dataDir.isEmpty()}, &dbError, &dbWarning);
    if (!dbWarning.isEmpty())
        err() << "relaydeskd admin: warning: " << dbWarning << '\n';
    if (!url)
        return badInput(dbError);
    where.url = *url;
    if (rest.isEmpty()) {
        err() << kUsage;
        return kBadInput;
    }
    const QString command = rest.takeFirst();
    if (command == u"--help" || command == u"-h" || command == u"help") {
        out() << kUsage;
        return kOk;
    }
    if (command == u"quote")
        return quoteCommand(rest, where);
    if (command == u"logs")
        return logsCommand(rest, where);
    if (command != u"user" && command != u"key" && command != u"channel" && command != u"pricing")
        return badInput(QStringLiteral("unknown command '%1'\n").arg(command) + QString::fromLatin1(kUsage));
    if (rest.isEmpty())
        return badInput(QStringLiteral("'%1' needs a sub-command\n").arg(command) + QString::fromLatin1(kUsage));
    const QString sub = rest.takeFirst();
    if (command == u"user")
        return userCommand(sub, rest, where);
    if (command == u"key")
        return keyCommand(sub, rest, where);
    if (command == u"channel")
        return channelCommand(sub, rest, where);
    return pricingCommand(sub, rest, where);
}

} // namespace RelayDesk::Cli
