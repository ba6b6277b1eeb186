// relaydeskd admin: users, keys, channels, pricing, quotes, logs and the audit trail, as JSON for scripts.
// Every sub-command goes through Service::AdminService (actor `cli`), so an edit is validated, audited and
// announced on the change feed exactly as the console's are. Arguments are checked completely before the
// database is opened, so bad input writes nothing (not even the data dir); a write the service refuses
// leaves nothing behind either (its transaction rolls back).
#include "commands.h"

#include "admin_args.h"
#include "admin_json.h"
#include "read_input.h"

#include "billing/quotamath.h"
#include "common/budgetwindow.h"
#include "common/cidr.h"
#include "common/datadir.h"
#include "service/adminservice.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/limitrepository.h"
#include "store/userrepository.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTextStream>

#include <algorithm>
#include <functional>

namespace RelayDesk::Cli {
namespace {

using Service::AdminService;

constexpr int kOk = 0;
constexpr int kFailure = 1;
constexpr int kBadInput = 2;

const char *const kUsage =
    "usage: relaydeskd admin <command> [--data DIR | --db URL | --db-file FILE]\n"
    "  user add NAME [--group G] [--quota Q]\n"
    "  user show NAME\n"
    "  user set-quota NAME Q\n"
    "  user set-group NAME G\n"
    "  user list\n"
    "  key add --user NAME [--name N] [--quota Q | --unlimited] [--models m1,m2] [--group G]\n"
    "  key show NAME\n"
    "  key enable|disable NAME\n"
    "  key set NAME [--quota Q | --unlimited] [--models m1,m2 | --models '*'] [--expires ISO-8601|never]\n"
    "  user|key set-limits NAME [--budget WINDOW=QUOTA]... [--rpm N] [--tpm N] [--rpd N] [--concurrency N]\n"
    "                             [--allow-ip CIDR]... [--alert-budget WINDOW=PERCENT]... [--alert-balance QUOTA]...\n"
    "                             [--clear]\n"
    "                             (WINDOW: day, week, month or Nh rolling, 1..720; QUOTA: quota, $5.00, or none to\n"
    "                             drop that window; rates: requests/min, tokens/min, requests/day, open requests, 0\n"
    "                             or none removes; --allow-ip: the addresses allowed, replacing the list, none clears\n"
    "                             it; --alert-budget: fire when a window's spend reaches PERCENT of its cap, once per\n"
    "                             period; --alert-balance: fire when the balance falls below QUOTA, again after a\n"
    "                             top-up; either replaces that kind of alert, none clears it; --clear drops every\n"
    "                             window, rate limit, alert and the IP list first)\n"
    "  user|key show-limits NAME  (each window: cap, spent this period, period start, reset time; each rate: cap,\n"
    "                             used in this minute/day or open now, reset time; the IP list)\n"
    "  budget-timezone [--set ZONE]  (the IANA zone day/week/month budgets count in; default UTC)\n"
    "  alert-webhook [--url URL|none] [--secret-file FILE | --no-secret]\n"
    "                             (where fired alerts are POSTed, signed with the file's secret: HMAC-SHA256)\n"
    "  alerts [--limit N]         (fired alerts, newest first, with their webhook delivery status)\n"
    "  trusted-proxies [--set CIDR]... (proxies whose X-Forwarded-For names the caller; --set none: no proxy)\n"
    "  channel add --name N --base-url URL --key K --models m1,m2 [--groups g1,g2] [--priority P]\n"
    "              [--weight W] [--model-mapping JSON] [--type openai|anthropic|azure|demo]\n"
    "  channel set NAME [--base-url URL] [--key K] [--models m1,m2] [--groups g1,g2] [--priority P]\n"
    "              [--weight W] [--model-mapping JSON]\n"
    "  channel enable|disable|remove NAME\n"
    "  channel list               (with each channel's health: healthy | unhealthy | probing)\n"
    "  pricing import FILE        (new-api option JSON; '-' reads stdin)\n"
    "  pricing export\n"
    "  quote --model M [--group G] [--prompt N] [--completion N] [--cached N] [--audio-in N]\n"
    "        [--audio-out N] [--image-in N] [--cached-audio N] [--cache-write N]\n"
    "        [--seconds S] [--chars N] [--images N [--size WxH] [--quality Q]]\n"
    "                             (units at MinutePrice, CharacterPrice, ImagePrice; S may be fractional: 90.5)\n"
    "  logs [--user NAME] [--limit N]   (one JSON object per line, newest first)\n"
    "  audit [--limit N]              (who changed what, before -> after; one JSON object per line, newest first)\n"
    "  instances                  (every relaying process on this database, one JSON object per line: id, address,\n"
    "                             version, state running|stopped|lapsed, started_at, heartbeat_age_s, live_sessions,\n"
    "                             requests_per_s; stopped ones for a day after they stopped)\n"
    "Options take --opt VALUE or --opt=VALUE. Quota: 500000 = US$1. Output is JSON; errors go to stderr\n"
    "(exit 2 bad input, 1 failure). The database URL may also come from $RELAYDESK_DB_URL or --db-file (its\n"
    "first line), which keep a password out of the command line.\n";

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

struct Location
{
    QString dataDir;
    QString url;
};

// Opens the database only after the command's arguments were accepted; the service acts as `cli`.
int withAdmin(const Location &where, const std::function<int(AdminService &)> &body)
{
    auto db = Store::Database::open(where.dataDir, where.url);
    if (!db)
        return fail(kFailure, db.error());
    AdminService admin(db.value(), AdminService::Actor::Cli);
    return body(admin);
}

// A write the service refused: bad input (a name taken, a value out of range) unless the store failed.
int refused(const AdminService &admin, const QString &error)
{
    return admin.database()->isAvailable() ? badInput(error) : fail(kFailure, error);
}

std::optional<qint64> requireCount(const QString &text, const QString &what, QString *error)
{
    const auto v = AdminArgs::parseCount(text);
    if (!v)
        *error = QStringLiteral("%1 must be a whole number ≥ 0 (got '%2')").arg(what, text);
    return v;
}

QString invalidName(const QString &what, const QString &name)
{
    return QStringLiteral("invalid %1 '%2' (1-64 of A-Z a-z 0-9 _ . @ -)").arg(what, name);
}

// ---- user -------------------------------------------------------------------------------------

int userAdd(const AdminArgs &a, const Location &where)
{
    QString error;
    const auto quota = a.count(QStringLiteral("quota"), 0, &error);
    const QString group = a.value(QStringLiteral("group"), QStringLiteral("default"));
    if (!quota)
        return badInput(error);
    if (!Store::UserRepository::isValidName(a.positional()[0]) || !Store::UserRepository::isValidName(group))
        return badInput(QStringLiteral("names and groups use 1-64 of A-Z a-z 0-9 _ . @ -"));
    return withAdmin(where, [&](AdminService &admin) {
        auto user = admin.addUser(a.positional()[0], group, *quota);
        if (!user)
            return refused(admin, user.error());
        print(AdminJson::user(*user));
        return kOk;
    });
}

// show, set-quota and set-group: NAME first, then what to set.
int userByName(const QString &sub, const AdminArgs &a, const Location &where)
{
    QString error;
    std::optional<qint64> quota;
    if (sub == u"set-quota" && !(quota = requireCount(a.positional()[1], QStringLiteral("Q"), &error)))
        return badInput(error);
    if (sub == u"set-group" && !Store::UserRepository::isValidName(a.positional()[1]))
        return badInput(invalidName(QStringLiteral("group name"), a.positional()[1]));
    return withAdmin(where, [&](AdminService &admin) {
        auto user = admin.userByName(a.positional()[0]);
        if (!user)
            return badInput(QStringLiteral("no user named '%1'").arg(a.positional()[0]));
        if (sub != u"show") {
            auto set = quota ? admin.setUserQuota(user->id, *quota) : admin.setUserGroup(user->id, a.positional()[1]);
            if (!set)
                return refused(admin, set.error());
            user = *set;
        }
        print(AdminJson::user(*user));
        return kOk;
    });
}

int userList(const AdminArgs &, const Location &where)
{
    return withAdmin(where, [&](AdminService &admin) {
        QJsonArray list;
        for (const Store::User &u : admin.users())
            list.append(AdminJson::user(u));
        print(list);
        return kOk;
    });
}

// ---- key --------------------------------------------------------------------------------------

// --models for a key: a list, or '*' for every model (no limit).
std::optional<QStringList> keyModels(const AdminArgs &a, QString *error)
{
    const QString text = a.value(QStringLiteral("models")).trimmed();
    if (text == u"*")
        return QStringList();
    const QStringList models = AdminArgs::splitList(text);
    if (models.isEmpty())
        *error = QStringLiteral("--models needs at least one model name (or '*' for every model)");
    return models.isEmpty() ? std::nullopt : std::optional<QStringList>(models);
}

int keyAdd(const AdminArgs &a, const Location &where)
{
    QString error;
    if (!a.has(QStringLiteral("user")))
        return badInput(QStringLiteral("key add needs --user NAME"));
    if (a.has(QStringLiteral("quota")) && a.has(QStringLiteral("unlimited")))
        return badInput(QStringLiteral("give either --quota or --unlimited, not both"));
    const auto quota = a.count(QStringLiteral("quota"), 0, &error);
    if (!quota)
        return badInput(error);
    const QString name = a.value(QStringLiteral("name"));
    if (a.has(QStringLiteral("name")) && !Store::UserRepository::isValidName(name))
        return badInput(invalidName(QStringLiteral("key name"), name));
    const QString group = a.value(QStringLiteral("group"));
    if (a.has(QStringLiteral("group")) && !Store::UserRepository::isValidName(group))
        return badInput(invalidName(QStringLiteral("group name"), group));
    std::optional<QStringList> models = QStringList();
    if (a.has(QStringLiteral("models")) && !(models = keyModels(a, &error)))
        return badInput(error);
    return withAdmin(where, [&](AdminService &admin) {
        const auto user = admin.userByName(a.value(QStringLiteral("user")));
        if (!user)
            return badInput(QStringLiteral("no user named '%1'").arg(a.value(QStringLiteral("user"))));
        Store::NewApiKey spec;
        spec.userId = user->id;
        spec.name = name; // empty: the service picks "<user>-key-<n>"
        spec.quota = *quota;
        spec.unlimited = a.has(QStringLiteral("unlimited"));
        spec.modelLimits = *models;
        spec.group = group;
        auto created = admin.addKey(spec);
        if (!created)
            return refused(admin, created.error());
        QJsonObject json = AdminJson::key(created->key, user->name);
        // The one and only time the full key is shown.
        json.insert(QStringLiteral("key"), created->plainKey);
        print(json);
        return kOk;
    });
}

// "never" → 0; an ISO-8601 time (UTC when it gives no offset) → unix seconds.
std::optional<qint64> parseExpiry(const QString &text, QString *error)
{
    if (text.trimmed() == u"never")
        return 0;
    QDateTime t = QDateTime::fromString(text.trimmed(), Qt::ISODate);
    if (t.isValid() && t.timeSpec() == Qt::LocalTime)
        t.setTimeSpec(Qt::UTC); // no offset given: read it as UTC, whatever this machine's zone
    if (!t.isValid() || t.toSecsSinceEpoch() <= 0) {
        *error = QStringLiteral("--expires must be an ISO-8601 time like 2027-01-31T00:00:00Z, or 'never' (got '%1')")
                     .arg(text);
        return std::nullopt;
    }
    return t.toSecsSinceEpoch();
}

int keySet(const AdminArgs &a, const Location &where)
{
    QString error;
    Service::KeyEdit edit;
    if (a.has(QStringLiteral("quota")) && a.has(QStringLiteral("unlimited")))
        return badInput(QStringLiteral("give either --quota or --unlimited, not both"));
    if (a.has(QStringLiteral("quota")) && !(edit.quota = a.count(QStringLiteral("quota"), 0, &error)))
        return badInput(error);
    edit.unlimited = a.has(QStringLiteral("unlimited"));
    if (a.has(QStringLiteral("models")) && !(edit.models = keyModels(a, &error)))
        return badInput(error);
    if (a.has(QStringLiteral("expires")) && !(edit.expiresAt = parseExpiry(a.value(QStringLiteral("expires")), &error)))
        return badInput(error);
    if (!edit.quota && !edit.unlimited && !edit.models && !edit.expiresAt)
        return badInput(QStringLiteral("key set needs at least one of --quota, --unlimited, --models, --expires"));
    return withAdmin(where, [&](AdminService &admin) {
        const auto key = admin.keyByName(a.positional()[0]);
        if (!key)
            return badInput(QStringLiteral("no key named '%1'").arg(a.positional()[0]));
        const auto set = admin.editKey(key->id, edit);
        if (!set)
            return refused(admin, set.error());
        const auto user = admin.user(set->userId);
        print(AdminJson::key(*set, user ? user->name : QString()));
        return kOk;
    });
}

// show, enable and disable.
int keyByName(const QString &sub, const AdminArgs &a, const Location &where)
{
    return withAdmin(where, [&](AdminService &admin) {
        auto key = admin.keyByName(a.positional()[0]);
        if (!key)
            return badInput(QStringLiteral("no key named '%1'").arg(a.positional()[0]));
        if (sub != u"show") {
            auto set = admin.setKeyStatus(key->id, sub == u"enable" ? Store::RowStatus::Enabled
                                                                    : Store::RowStatus::Disabled);
            if (!set)
                return refused(admin, set.error());
            key = *set;
        }
        const auto user = admin.user(key->userId);
        print(AdminJson::key(*key, user ? user->name : QString()));
        return kOk;
    });
}

// ---- channel ----------------------------------------------------------------------------------

// The channel options add and set share, checked for form; the service checks the whole channel.
std::optional<Service::ChannelEdit> channelEdit(const AdminArgs &a, QString *error)
{
    Service::ChannelEdit edit;
    if (a.has(QStringLiteral("base-url")))
        edit.baseUrl = a.value(QStringLiteral("base-url"));
    if (a.has(QStringLiteral("key")))
        edit.secret = a.value(QStringLiteral("key"));
    if (edit.secret && edit.secret->isEmpty())
        *error = QStringLiteral("--key must not be empty");
    if (a.has(QStringLiteral("models")))
        edit.models = AdminArgs::splitList(a.value(QStringLiteral("models")));
    if (edit.models && edit.models->isEmpty())
        *error = QStringLiteral("--models needs at least one model name");
    if (a.has(QStringLiteral("groups")))
        edit.groups = AdminArgs::splitList(a.value(QStringLiteral("groups")));
    if (edit.groups && edit.groups->isEmpty())
        *error = QStringLiteral("--groups needs at least one group name");
    if (a.has(QStringLiteral("priority"))) {
        bool ok = false;
        edit.priority = a.value(QStringLiteral("priority")).trimmed().toInt(&ok);
        if (!ok)
            *error = QStringLiteral("--priority must be an integer");
    }
    if (a.has(QStringLiteral("weight"))) {
        const auto weight = a.count(QStringLiteral("weight"), 1, error);
        if (weight && *weight > 1000000)
            *error = QStringLiteral("--weight is too large (at most 1000000)");
        edit.weight = int(weight.value_or(0));
    }
    if (a.has(QStringLiteral("model-mapping"))) {
        QJsonParseError perr;
        const QJsonDocument doc = QJsonDocument::fromJson(a.value(QStringLiteral("model-mapping")).toUtf8(), &perr);
        if (perr.error != QJsonParseError::NoError || !doc.isObject())
            *error = QStringLiteral("--model-mapping must be a JSON object like {\"requested\":\"upstream\"}");
        edit.modelMapping = doc.object();
    }
    if (!error->isEmpty())
        return std::nullopt;
    return edit;
}

int channelAdd(const AdminArgs &a, const Location &where)
{
    QString error;
    for (const char *required : {"name", "base-url", "key", "models"})
        if (!a.has(QLatin1String(required)))
            return badInput(QStringLiteral("channel add needs --%1").arg(QLatin1String(required)));
    const auto edit = channelEdit(a, &error);
    if (!edit)
        return badInput(error);
    Store::Channel c;
    c.name = a.value(QStringLiteral("name"));
    c.type = a.value(QStringLiteral("type"), QStringLiteral("openai"));
    c.baseUrl = *edit->baseUrl;
    c.secret = *edit->secret;
    c.models = *edit->models;
    c.groups = edit->groups.value_or(c.groups);
    c.priority = edit->priority.value_or(c.priority);
    c.weight = edit->weight.value_or(c.weight);
    c.modelMapping = edit->modelMapping.value_or(c.modelMapping);
    if (auto valid = Store::ChannelRepository::validate(c); !valid)
        return badInput(valid.error());
    return withAdmin(where, [&](AdminService &admin) {
        auto created = admin.addChannel(c);
        if (!created)
            return refused(admin, created.error());
        print(AdminJson::channel(*created));
        return kOk;
    });
}

int channelSet(const AdminArgs &a, const Location &where)
{
    QString error;
    const auto edit = channelEdit(a, &error);
    if (!edit)
        return badInput(error);
    if (!edit->baseUrl && !edit->secret && !edit->models && !edit->groups && !edit->priority && !edit->weight
        && !edit->modelMapping)
        return badInput(QStringLiteral("channel set needs at least one of --base-url, --key, --models, --groups, "
                                       "--priority, --weight, --model-mapping"));
    return withAdmin(where, [&](AdminService &admin) {
        const auto channel = admin.channelByName(a.positional()[0]);
        if (!channel)
            return badInput(QStringLiteral("no channel named '%1'").arg(a.positional()[0]));
        const auto set = admin.editChannel(channel->id, *edit);
        if (!set)
            return refused(admin, set.error());
        print(AdminJson::channel(*set));
        return kOk;
    });
}

// enable, disable and remove.
int channelByName(const QString &sub, const AdminArgs &a, const Location &where)
{
    return withAdmin(where, [&](AdminService &admin) {
        const auto channel = admin.channelByName(a.positional()[0]);
        if (!channel)
            return badInput(QStringLiteral("no channel named '%1'").arg(a.positional()[0]));
        const auto done = sub == u"remove" ? admin.removeChannel(channel->id)
                                           : admin.setChannelStatus(channel->id, sub == u"enable"
                                                                                     ? Store::RowStatus::Enabled
                                                                                     : Store::RowStatus::Disabled);
        if (!done)
            return refused(admin, done.error());
        QJsonObject json = AdminJson::channel(*done);
        if (sub == u"remove")
            json.insert(QStringLiteral("removed"), true);
        print(json);
        return kOk;
    });
}

int channelList(const AdminArgs &, const Location &where)
{
    return withAdmin(where, [&](AdminService &admin) {
        QHash<qint64, Store::ChannelHealth> health;
        for (const Store::ChannelHealth &h : admin.channelHealth())
            health.insert(h.channelId, h);
        QJsonArray list;
        for (const Store::Channel &c : admin.channels()) {
            QJsonObject o = AdminJson::channel(c);
            o.insert(QStringLiteral("health"), AdminJson::channelHealth(health.value(c.id)));
            list.append(o);
        }
        print(list);
        return kOk;
    });
}

// ---- pricing and quote ------------------------------------------------------------------------

int pricingImport(const AdminArgs &a, const Location &where)
{
    const QString path = a.positional()[0];
    QString error;
    const std::optional<QByteArray> text = readInput(path, &error);
    if (!text)
        return badInput(error);
    // Validate before touching the database: a malformed file changes nothing.
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(*text, &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject())
        return badInput(QStringLiteral("%1 is not a JSON object: %2").arg(path, perr.errorString()));
    if (auto check = Billing::PriceBook::empty()->withEdit(doc.object()); !check)
        return badInput(check.error());
    return withAdmin(where, [&](AdminService &admin) {
        const auto imported = admin.importPricing(doc.object());
        if (!imported)
            return refused(admin, imported.error());
        print(QJsonObject{{QStringLiteral("ok"), true},
                          {QStringLiteral("snapshot_id"), imported->snapshotId},
                          {QStringLiteral("models"), imported->models}});
        return kOk;
    });
}

int pricingExport(const AdminArgs &, const Location &where)
{
    return withAdmin(where, [&](AdminService &admin) {
        const auto book = admin.exportPricing();
        if (!book)
            return fail(kFailure, book.error());
        print(*book, QJsonDocument::Indented);
        return kOk;
    });
}

const QStringList kQuoteCounts = {QStringLiteral("prompt"),   QStringLiteral("completion"), QStringLiteral("cached"),
                                  QStringLiteral("audio-in"), QStringLiteral("audio-out"),  QStringLiteral("image-in"),
                                  QStringLiteral("cached-audio"), QStringLiteral("cache-write")};

// Audio seconds as whole milliseconds: "90.5" → 90 500. Exact decimal text (no binary rounding), at most
// millisecond precision, at most kMaxQuoteSeconds.
constexpr qint64 kMaxQuoteSeconds = 1000000000; // ~31 years of audio
std::optional<qint64> parseSeconds(const QString &text, QString *error)
{
    static const QRegularExpression re(QStringLiteral("^(\\d{1,10})(?:\\.(\\d{1,3})0*)?$"));
    const auto m = re.match(text.trimmed());
    const qint64 whole = m.hasMatch() ? m.captured(1).toLongLong() : -1;
    if (!m.hasMatch() || whole > kMaxQuoteSeconds) {
        *error = QStringLiteral("--seconds must be a number of seconds ≥ 0 and ≤ %1 with at most 3 decimals "
                                "(got '%2')").arg(kMaxQuoteSeconds).arg(text);
        return std::nullopt;
    }
    return whole * 1000 + m.captured(2).leftJustified(3, u'0').toLongLong();
}

// The units a quote is asked for (--seconds, --chars, --images, --size, --quality); nullopt on bad input.
std::optional<Billing::Units> quoteUnits(const AdminArgs &a, QString *error)
{
    Billing::Units units;
    if (a.has(QStringLiteral("seconds"))) {
        const auto ms = parseSeconds(a.value(QStringLiteral("seconds")), error);
        if (!ms)
            return std::nullopt;
        units.audioMs = *ms;
    }
    const auto chars = a.count(QStringLiteral("chars"), 0, error);
    const auto images = chars ? a.count(QStringLiteral("images"), 0, error) : std::nullopt;
    if (!chars || !images)
        return std::nullopt;
    units.characters = *chars;
    units.images = *images;
    const QString size = a.value(QStringLiteral("size")), quality = a.value(QStringLiteral("quality"));
    if ((a.has(QStringLiteral("size")) || a.has(QStringLiteral("quality"))) && !a.has(QStringLiteral("images"))) {
        *error = QStringLiteral("--size and --quality describe --images N");
        return std::nullopt;
    }
    if (const auto key = Billing::PriceBook::imagePriceKey(size, quality); !key) {
        *error = QStringLiteral("--size/--quality: ") + key.error();
        return std::nullopt;
    }
    units.imageSize = size.trimmed().toLower();
    units.imageQuality = quality.trimmed().toLower();
    return units;
}

// Each unit's share of the cost (exact quota and US$) and the price it was charged at; a unit asked for
// that the model has no price for is listed in "unpriced" (it costs nothing).
QJsonObject unitsPart(const Billing::ModelPricing &priced, const Billing::Units &units)
{
    QJsonObject parts;
    QJsonArray unpriced;
    const auto part = [&](const char *name, bool asked, const std::optional<Billing::Ratio> &price,
                          const Billing::Units &only) {
        if (!asked)
            return;
        if (!price || priced.fixedPrice) {
            unpriced.append(QLatin1String(name));
            return;
        }
        Billing::Quote q;
        q.exact = Billing::QuotaMath::unitsCost(priced, only);
        parts.insert(QLatin1String(name), QJsonObject{{QStringLiteral("price"), price->toJson()},
                                                      {QStringLiteral("exact"), q.exactText()},
                                                      {QStringLiteral("usd"), q.exact.get_d() / Billing::QuotaMath::kQuotaPerUnit}});
    };
    Billing::Units audio, chars, images;
    audio.audioMs = units.audioMs;
    chars.characters = units.characters;
    images.images = units.images;
    images.imageSize = units.imageSize;
    images.imageQuality = units.imageQuality;
    part("audio", units.audioMs > 0, priced.minutePrice, audio);
    part("characters", units.characters > 0, priced.characterPrice, chars);
    part("images", units.images > 0, priced.imagePrice(units.imageSize, units.imageQuality), images);
    Billing::Quote total;
    total.exact = Billing::QuotaMath::unitsCost(priced, units);
    parts.insert(QStringLiteral("exact"), total.exactText());
    if (!unpriced.isEmpty())
        parts.insert(QStringLiteral("unpriced"), unpriced);
    return parts;
}

QJsonObject unitPrices(const Billing::ModelPricing &priced)
{
    QJsonObject images;
    for (auto it = priced.imagePrices.cbegin(); it != priced.imagePrices.cend(); ++it)
        images.insert(it.key(), it.value().toJson());
    return {{QStringLiteral("minute_price"), priced.minutePrice ? priced.minutePrice->toJson() : QJsonValue()},
            {QStringLiteral("character_price"), priced.characterPrice ? priced.characterPrice->toJson() : QJsonValue()},
            {QStringLiteral("image_price"), images}};
}

int quote(const AdminArgs &a, const Location &where)
{
    QString error;
    if (a.value(QStringLiteral("model")).trimmed().isEmpty())
        return badInput(QStringLiteral("quote needs --model M"));
    QHash<QString, qint64> n;
    for (const QString &c : kQuoteCounts) {
        const auto v = a.count(c, 0, &error);
        if (!v)
            return badInput(error);
        n.insert(c, *v);
    }
    const auto units = quoteUnits(a, &error);
    if (!units)
        return badInput(error);
    Billing::Usage usage;
    usage.inputText = n.value(QStringLiteral("prompt"));
    usage.cachedText = n.value(QStringLiteral("cached"));
    usage.cacheWrite = n.value(QStringLiteral("cache-write"));
    usage.outputText = n.value(QStringLiteral("completion"));
    usage.inputAudio = n.value(QStringLiteral("audio-in"));
    usage.cachedAudio = n.value(QStringLiteral("cached-audio"));
    usage.outputAudio = n.value(QStringLiteral("audio-out"));
    usage.inputImage = n.value(QStringLiteral("image-in"));
    if (usage.cachedText > usage.inputText)
        return badInput(QStringLiteral("--cached counts part of --prompt and cannot exceed it"));
    if (usage.cachedAudio > usage.inputAudio)
        return badInput(QStringLiteral("--cached-audio counts part of --audio-in and cannot exceed it"));
    const QString group = a.value(QStringLiteral("group"), QStringLiteral("default"));
    const QString model = a.value(QStringLiteral("model")).trimmed();
    return withAdmin(where, [&](AdminService &admin) {
        const auto book = admin.priceBook();
        if (!book)
            return fail(kFailure, book.error());
        const auto priced = (*book)->pricing(model, group, group);
        if (!priced)
            return badInput(priced.error());
        const Billing::Quote quote = Billing::QuotaMath::settle(*priced, usage, {}, *units);
        QJsonObject ratios = priced->toJson();
        ratios.remove(QStringLiteral("price_snapshot_id"));
        QJsonObject result{{QStringLiteral("model"), model},
                           {QStringLiteral("group"), group},
                           {QStringLiteral("quota"), quote.quota},
                           {QStringLiteral("usd"), Billing::QuotaMath::toUsd(quote.quota)},
                           {QStringLiteral("exact"), quote.exactText()},
                           {QStringLiteral("fixed_price"), priced->fixedPrice},
                           {QStringLiteral("ratios"), ratios},
                           {QStringLiteral("usage"), usage.toJson()},
                           {QStringLiteral("price_snapshot_id"), priced->snapshotId}};
        if (priced->hasUnitPrices())
            result.insert(QStringLiteral("unit_prices"), unitPrices(*priced));
        if (!units->isEmpty()) {
            result.insert(QStringLiteral("units"), units->toJson());
            result.insert(QStringLiteral("units_cost"), unitsPart(*priced, *units));
            Billing::Quote tokens;
            tokens.exact = Billing::QuotaMath::exactCost(*priced, usage);
            result.insert(QStringLiteral("tokens_cost"), QJsonObject{{QStringLiteral("exact"), tokens.exactText()}});
        }
        print(result);
        return kOk;
    });
}

// ---- logs and audit ---------------------------------------------------------------------------

constexpr qint64 kMaxLimit = 100000;

std::optional<int> limitOption(const AdminArgs &a, QString *error)
{
    const auto limit = a.count(QStringLiteral("limit"), 50, error);
    if (limit && (*limit < 1 || *limit > kMaxLimit))
        *error = QStringLiteral("--limit must be between 1 and %1").arg(kMaxLimit);
    return error->isEmpty() && limit ? std::optional<int>(int(*limit)) : std::nullopt;
}

int logs(const AdminArgs &a, const Location &where)
{
    QString error;
    const auto limit = limitOption(a, &error);
    if (!limit)
        return badInput(error);
    return withAdmin(where, [&](AdminService &admin) {
        Store::LogFilter filter;
        if (a.has(QStringLiteral("user"))) {
            const auto user = admin.userByName(a.value(QStringLiteral("user")));
            if (!user)
                return badInput(QStringLiteral("no user named '%1'").arg(a.value(QStringLiteral("user"))));
            filter.userId = user->id;
        }
        QHash<qint64, QString> names;
        int remaining = *limit;
        std::optional<Store::LogCursor> cursor;
        do {
            const Store::LogPage page = admin.logs(filter, std::min(remaining, 1000), cursor);
            for (const Store::LogRecord &r : page.rows) {
                if (!names.contains(r.userId)) {
                    const auto u = admin.user(r.userId);
                    names.insert(r.userId, u ? u->name : QString());
                }
                print(AdminJson::log(r, names.value(r.userId)));
            }
            remaining -= int(page.rows.size());
            cursor = page.next;
        } while (cursor && remaining > 0);
        return kOk;
    });
}

int audit(const AdminArgs &a, const Location &where)
{
    QString error;
    const auto limit = limitOption(a, &error);
    if (!limit)
        return badInput(error);
    return withAdmin(where, [&](AdminService &admin) {
        for (const Store::AuditEntry &e : admin.audit(*limit))
            print(AdminJson::audit(e));
        return kOk;
    });
}

// ---- instances --------------------------------------------------------------------------------

int instances(const AdminArgs &, const Location &where)
{
    return withAdmin(where, [&](AdminService &admin) {
        const auto all = admin.instances();
        if (!all)
            return fail(kFailure, all.error());
        for (const Service::InstanceOverview &o : *all)
            print(AdminJson::instance(o));
        return kOk;
    });
}

// ---- limits -----------------------------------------------------------------------------------

// A budget's QUOTA: whole quota ("2500000") or dollars ("$5.00", "$0.000002" = 1 quota), exact: dollars must come
// to whole quota. nullopt with *error set otherwise.
std::optional<qint64> parseBudgetQuota(const QString &text, QString *error)
{
    const QString t = text.trimmed();
    if (!t.startsWith(u'$')) {
        const auto v = AdminArgs::parseCount(t);
        if (!v)
            *error = QStringLiteral("budget quota must be a whole number ≥ 0 or dollars like $5.00 (got '%1')").arg(text);
        return v;
    }
    static const QRegularExpression dollars(QStringLiteral("^\\$(\\d{1,9})(?:\\.(\\d{1,6}))?$"));
    const QRegularExpressionMatch m = dollars.match(t);
    if (!m.hasMatch()) {
        *error = QStringLiteral("budget dollars must look like $5 or $5.00 (got '%1')").arg(text);
        return std::nullopt;
    }
    const QString fraction = m.captured(2);
    qint64 scale = 1;
    for (int i = 0; i < fraction.size(); ++i)
        scale *= 10;
    const qint64 micros = m.captured(1).toLongLong() * scale + (fraction.isEmpty() ? 0 : fraction.toLongLong());
    const qint64 quota = micros * Billing::QuotaMath::kQuotaPerUnit;
    if (quota % scale != 0) {
        *error = QStringLiteral("%1 is not a whole number of quota (US$1 = %2 quota)").arg(text).arg(
            Billing::QuotaMath::kQuotaPerUnit);
        return std::nullopt;
    }
    return quota / scale;
}

// --budget WINDOW=QUOTA… (QUOTA none: drop the window) onto `current` (cleared first with --clear).
std::optional<Service::BudgetWindows> budgetEdit(const AdminArgs &a, Service::BudgetWindows current, QString *error)
{
    if (a.has(QStringLiteral("clear")))
        current.clear();
    QStringList named;
    for (const QString &item : a.values(QStringLiteral("budget"))) {
        const qsizetype eq = item.indexOf(u'=');
        const auto window = BudgetWindow::parse(item.left(eq));
        if (eq < 0 || !window) {
            *error = QStringLiteral("--budget wants WINDOW=QUOTA with WINDOW day, week, month or 1h..%1h (got '%2')")
                         .arg(BudgetWindow::kMaxRollingHours)
                         .arg(item);
            return std::nullopt;
        }
        if (named.contains(window->name())) {
            *error = QStringLiteral("--budget %1 given twice").arg(window->name());
            return std::nullopt;
        }
        named << window->name();
        current.removeIf([&](const auto &w) { return w.first == window->name(); });
        if (item.mid(eq + 1).trimmed() == u"none")
            continue;
        const auto quota = parseBudgetQuota(item.mid(eq + 1), error);
        if (!quota)
            return std::nullopt;
        current.append({window->name(), *quota});
    }
    return current;
}

// A list option's CIDRs (each value may hold several, comma-separated); `none` alone: the empty list. nullopt with
// *error set when an entry does not parse.
std::optional<QStringList> cidrList(const AdminArgs &a, const QString &option, QString *error)
{
    QStringList items;
    for (const QString &value : a.values(option))
        items += AdminArgs::splitList(value);
    if (items.isEmpty()) {
        *error = QStringLiteral("--%1 wants a CIDR (or none)").arg(option);
        return std::nullopt;
    }
    if (items.contains(QStringLiteral("none"))) {
        if (items.size() == 1)
            return QStringList();
        *error = QStringLiteral("--%1 none clears the list: give it alone").arg(option);
        return std::nullopt;
    }
    const auto list = Cidr::parseList(items, error);
    if (!list) {
        *error = QStringLiteral("--%1: %2").arg(option, *error);
        return std::nullopt;
    }
    return Cidr::toStrings(*list);
}

// --allow-ip replaces the list; --clear alone empties it; neither keeps it (nullopt).
std::optional<QStringList> allowIpEdit(const AdminArgs &a, QString *error)
{
    if (a.has(QStringLiteral("allow-ip")))
        return cidrList(a, QStringLiteral("allow-ip"), error);
    return a.has(QStringLiteral("clear")) ? std::optional<QStringList>(QStringList()) : std::nullopt;
}

// --rpm/--tpm/--rpd/--concurrency N (0 or none removes; --clear removes the kinds not given). Empty: no rate named.
std::optional<Service::RateCaps> rateEdit(const AdminArgs &a, QString *error)
{
    Service::RateCaps caps;
    for (const QString &kind : Store::LimitRepository::rateKinds()) {
        if (!a.has(kind)) {
            if (a.has(QStringLiteral("clear")))
                caps.append({kind, 0});
            continue;
        }
        const QString text = a.value(kind).trimmed();
        const auto cap = text == u"none" ? std::optional<qint64>(0) : AdminArgs::parseCount(text);
        if (!cap) {
            *error = QStringLiteral("--%1 wants a whole number ≥ 0 or none (got '%2')").arg(kind, a.value(kind));
            return std::nullopt;
        }
        caps.append({kind, *cap});
    }
    return caps;
}

// --alert-budget WINDOW=PERCENT… and --alert-balance QUOTA… onto the owner's `current` rules: each option given
// replaces that kind (none alone: clears it); --clear alone clears both. nullopt: nothing named, *error empty.
std::optional<Service::AlertRules> alertEdit(const AdminArgs &a, const QList<Store::AlertRule> &current, QString *error)
{
    const QString budgetKind = QString::fromLatin1(Store::AlertRepository::kBudget);
    const QString balanceKind = QString::fromLatin1(Store::AlertRepository::kBalance);
    const bool budgets = a.has(QStringLiteral("alert-budget"));
    const bool balances = a.has(QStringLiteral("alert-balance"));
    // --clear alone with no alerts to drop writes nothing (and audits nothing), as for the rates.
    if (!budgets && !balances && (!a.has(QStringLiteral("clear")) || current.isEmpty()))
        return std::nullopt;
    Service::AlertRules rules;
    if (!a.has(QStringLiteral("clear")))
        for (const Store::AlertRule &r : current)
            if (!(r.kind == budgetKind ? budgets : balances))
                rules.append({r.kind, r.window, r.threshold});
    const auto nothingElse = [&](const QString &option) {
        const QStringList v = a.values(option);
        if (v.contains(QStringLiteral("none")) && v.size() > 1)
            *error = QStringLiteral("--%1 none clears that kind of alert: give it alone").arg(option);
        return v.contains(QStringLiteral("none"));
    };
    if (budgets && !nothingElse(QStringLiteral("alert-budget")))
        for (const QString &item : a.values(QStringLiteral("alert-budget"))) {
            const qsizetype eq = item.indexOf(u'=');
            QString percent = item.mid(eq + 1).trimmed();
            if (percent.endsWith(u'%'))
                percent.chop(1);
            const auto value = AdminArgs::parseCount(percent);
            if (eq < 0 || !value) {
                *error = QStringLiteral("--alert-budget wants WINDOW=PERCENT, like day=80 (got '%1')").arg(item);
                return std::nullopt;
            }
            rules.append({budgetKind, item.left(eq).trimmed(), *value});
        }
    if (balances && !nothingElse(QStringLiteral("alert-balance")))
        for (const QString &item : a.values(QStringLiteral("alert-balance"))) {
            const auto quota = parseBudgetQuota(item, error);
            if (!quota)
                return std::nullopt;
            rules.append({balanceKind, QString(), *quota});
        }
    if (!error->isEmpty())
        return std::nullopt;
    return rules;
}

bool namesRate(const AdminArgs &a)
{
    for (const QString &kind : Store::LimitRepository::rateKinds())
        if (a.has(kind))
            return true;
    return false;
}

// user|key set-limits and show-limits.
int limits(const QString &owner, bool set, const AdminArgs &a, const Location &where)
{
    QString error;
    const bool budgetsNamed = a.has(QStringLiteral("budget")) || a.has(QStringLiteral("clear"));
    const bool alertsNamed = a.has(QStringLiteral("alert-budget")) || a.has(QStringLiteral("alert-balance"));
    if (set && !budgetsNamed && !namesRate(a) && !a.has(QStringLiteral("allow-ip")) && !alertsNamed)
        return badInput(QStringLiteral("%1 set-limits needs --budget WINDOW=QUOTA, --rpm/--tpm/--rpd/--concurrency N, "
                                       "--allow-ip CIDR, --alert-budget WINDOW=PERCENT, --alert-balance QUOTA or --clear")
                            .arg(owner));
    if (set && !budgetEdit(a, {}, &error)) // checked before the database is opened
        return badInput(error);
    if (set && (alertEdit(a, {}, &error), !error.isEmpty()))
        return badInput(error);
    const auto allowIps = set ? allowIpEdit(a, &error) : std::nullopt;
    if (!error.isEmpty())
        return badInput(error);
    const auto caps = set ? rateEdit(a, &error) : std::optional<Service::RateCaps>(Service::RateCaps{});
    if (!caps)
        return badInput(error);
    const bool key = owner == u"key";
    const QString name = a.positional()[0];
    return withAdmin(where, [&](AdminService &admin) {
        qint64 id = 0;
        if (const auto k = key ? admin.keyByName(name) : std::nullopt)
            id = k->id;
        if (const auto u = key ? std::nullopt : admin.userByName(name))
            id = u->id;
        if (id == 0)
            return badInput(QStringLiteral("no %1 named '%2'").arg(owner, name));
        auto states = key ? admin.keyBudgets(id) : admin.userBudgets(id);
        if (states && allowIps) {
            const auto ips = key ? admin.setKeyAllowedIps(id, *allowIps) : admin.setUserAllowedIps(id, *allowIps);
            if (!ips)
                return refused(admin, ips.error());
        }
        if (states && set && budgetsNamed) {
            Service::BudgetWindows current;
            for (const Store::BudgetState &s : *states)
                current.append({s.limit.window, s.limit.cap});
            const auto windows = budgetEdit(a, current, &error);
            states = key ? admin.setKeyBudgets(id, *windows) : admin.setUserBudgets(id, *windows);
        }
        if (!states)
            return refused(admin, states.error());
        auto rates = key ? admin.keyRates(id) : admin.userRates(id);
        // --clear removes the rates the owner has; with none and none named there is nothing to write (or audit).
        Service::RateCaps edit;
        for (const auto &[kind, cap] : *caps)
            if (a.has(kind) || (rates && std::any_of(rates->cbegin(), rates->cend(),
                                                     [&](const Store::RateState &r) { return r.limit.kind == kind; })))
                edit.append({kind, cap});
        if (rates && !edit.isEmpty())
            rates = key ? admin.setKeyRates(id, edit) : admin.setUserRates(id, edit);
        if (!rates)
            return refused(admin, rates.error());
        auto alerts = key ? admin.keyAlerts(id) : admin.userAlerts(id);
        if (const auto edit = set ? alertEdit(a, alerts, &error) : std::nullopt) {
            const auto written = key ? admin.setKeyAlerts(id, *edit) : admin.setUserAlerts(id, *edit);
            if (!written)
                return refused(admin, written.error());
            alerts = *written;
        }
        QJsonObject shown = AdminJson::budgets(owner, name, admin.budgetTimeZone(), *states);
        shown.insert(QStringLiteral("alerts"), AdminJson::alerts(alerts));
        shown.insert(QStringLiteral("rates"), AdminJson::rates(*rates));
        shown.insert(QStringLiteral("allow_ip"),
                     QJsonArray::fromStringList(key ? admin.keyAllowedIps(id) : admin.userAllowedIps(id)));
        print(shown);
        return kOk;
    });
}

int trustedProxies(const AdminArgs &a, const Location &where)
{
    QString error;
    const auto set = a.has(QStringLiteral("set")) ? cidrList(a, QStringLiteral("set"), &error) : std::nullopt;
    if (!error.isEmpty())
        return badInput(error);
    return withAdmin(where, [&](AdminService &admin) {
        if (set) {
            const auto written = admin.setTrustedProxies(*set);
            if (!written)
                return refused(admin, written.error());
        }
        print(QJsonObject{{QStringLiteral("trusted_proxies"), QJsonArray::fromStringList(admin.trustedProxies())}});
        return kOk;
    });
}

// alert-webhook: shows (and with --url / --secret-file / --no-secret sets) where alerts are posted.
int alertWebhook(const AdminArgs &a, const Location &where)
{
    std::optional<QString> secret;
    if (a.has(QStringLiteral("secret-file")) && a.has(QStringLiteral("no-secret")))
        return badInput(QStringLiteral("give --secret-file or --no-secret, not both"));
    if (a.has(QStringLiteral("no-secret")))
        secret = QString();
    if (a.has(QStringLiteral("secret-file"))) {
        // From a file (or stdin), never from the command line, where other users' `ps` would see it.
        const QString path = a.value(QStringLiteral("secret-file"));
        QString error;
        const std::optional<QByteArray> text = readInput(path, &error, 8192);
        if (!text)
            return badInput(error);
        secret = QString::fromUtf8(*text).trimmed();
        if (secret->isEmpty())
            return badInput(QStringLiteral("%1 holds no secret").arg(path));
    }
    return withAdmin(where, [&](AdminService &admin) {
        if (a.has(QStringLiteral("url")) || secret) {
            QString url = a.has(QStringLiteral("url")) ? a.value(QStringLiteral("url")).trimmed() : admin.alertWebhook().url;
            if (url == u"none")
                url.clear();
            const auto set = admin.setAlertWebhook(url, secret);
            if (!set)
                return refused(admin, set.error());
        }
        const Service::AlertWebhookConfig c = admin.alertWebhook();
        print(QJsonObject{{QStringLiteral("url"), c.url}, {QStringLiteral("signed"), c.hasSecret}});
        return kOk;
    });
}

int alertList(const AdminArgs &a, const Location &where)
{
    QString error;
    const auto limit = limitOption(a, &error);
    if (!limit)
        return badInput(error);
    return withAdmin(where, [&](AdminService &admin) {
        for (const Store::AlertEvent &e : admin.alertEvents(*limit))
            print(AdminJson::alertEvent(e));
        return kOk;
    });
}

int budgetTimeZone(const AdminArgs &a, const Location &where)
{
    return withAdmin(where, [&](AdminService &admin) {
        if (a.has(QStringLiteral("set"))) {
            const auto set = admin.setBudgetTimeZone(a.value(QStringLiteral("set")).trimmed());
            if (!set)
                return refused(admin, set.error());
        }
        print(QJsonObject{{QStringLiteral("time_zone"), admin.budgetTimeZone()}});
        return kOk;
    });
}

// ---- the command table ------------------------------------------------------------------------

struct Command
{
    QString words; // "user add", "logs"
    AdminArgs::Spec spec;
    std::function<int(const AdminArgs &, const Location &)> run;
};

const QStringList kChannelOptions = {QStringLiteral("base-url"), QStringLiteral("key"),    QStringLiteral("models"),
                                     QStringLiteral("groups"),   QStringLiteral("priority"), QStringLiteral("weight"),
                                     QStringLiteral("model-mapping")};

const QList<Command> &commands()
{
    using namespace std::placeholders;
    const QStringList name{QStringLiteral("NAME")};
    const AdminArgs::Spec kSetLimits{name,
                                     QStringList{QStringLiteral("budget"), QStringLiteral("allow-ip"),
                                                 QStringLiteral("alert-budget"), QStringLiteral("alert-balance")} +
                                         Store::LimitRepository::rateKinds(),
                                     {QStringLiteral("clear")},
                                     {QStringLiteral("budget"), QStringLiteral("allow-ip"), QStringLiteral("alert-budget"),
                                      QStringLiteral("alert-balance")}};
    static const QList<Command> all = {
        {QStringLiteral("user add"), {name, {QStringLiteral("group"), QStringLiteral("quota")}, {}}, userAdd},
        {QStringLiteral("user show"), {name, {}, {}}, std::bind(userByName, QStringLiteral("show"), _1, _2)},
        {QStringLiteral("user set-quota"), {{QStringLiteral("NAME"), QStringLiteral("Q")}, {}, {}},
         std::bind(userByName, QStringLiteral("set-quota"), _1, _2)},
        {QStringLiteral("user set-group"), {{QStringLiteral("NAME"), QStringLiteral("G")}, {}, {}},
         std::bind(userByName, QStringLiteral("set-group"), _1, _2)},
        {QStringLiteral("user list"), {}, userList},
        {QStringLiteral("key add"),
         {{}, {QStringLiteral("user"), QStringLiteral("name"), QStringLiteral("quota"), QStringLiteral("models"),
               QStringLiteral("group")}, {QStringLiteral("unlimited")}},
         keyAdd},
        {QStringLiteral("key show"), {name, {}, {}}, std::bind(keyByName, QStringLiteral("show"), _1, _2)},
        {QStringLiteral("key enable"), {name, {}, {}}, std::bind(keyByName, QStringLiteral("enable"), _1, _2)},
        {QStringLiteral("key disable"), {name, {}, {}}, std::bind(keyByName, QStringLiteral("disable"), _1, _2)},
        {QStringLiteral("key set"),
         {name, {QStringLiteral("quota"), QStringLiteral("models"), QStringLiteral("expires")},
          {QStringLiteral("unlimited")}},
         keySet},
        {QStringLiteral("user set-limits"), kSetLimits, std::bind(limits, QStringLiteral("user"), true, _1, _2)},
        {QStringLiteral("user show-limits"), {name, {}, {}}, std::bind(limits, QStringLiteral("user"), false, _1, _2)},
        {QStringLiteral("key set-limits"), kSetLimits, std::bind(limits, QStringLiteral("key"), true, _1, _2)},
        {QStringLiteral("key show-limits"), {name, {}, {}}, std::bind(limits, QStringLiteral("key"), false, _1, _2)},
        {QStringLiteral("budget-timezone"), {{}, {QStringLiteral("set")}, {}}, budgetTimeZone},
        {QStringLiteral("trusted-proxies"), {{}, {QStringLiteral("set")}, {}, {QStringLiteral("set")}}, trustedProxies},
        {QStringLiteral("alert-webhook"),
         {{}, {QStringLiteral("url"), QStringLiteral("secret-file")}, {QStringLiteral("no-secret")}}, alertWebhook},
        {QStringLiteral("alerts"), {{}, {QStringLiteral("limit")}, {}}, alertList},
        {QStringLiteral("channel add"),
         {{}, kChannelOptions + QStringList{QStringLiteral("name"), QStringLiteral("type")}, {}}, channelAdd},
        {QStringLiteral("channel set"), {name, kChannelOptions, {}}, channelSet},
        {QStringLiteral("channel enable"), {name, {}, {}}, std::bind(channelByName, QStringLiteral("enable"), _1, _2)},
        {QStringLiteral("channel disable"), {name, {}, {}}, std::bind(channelByName, QStringLiteral("disable"), _1, _2)},
        {QStringLiteral("channel remove"), {name, {}, {}}, std::bind(channelByName, QStringLiteral("remove"), _1, _2)},
        {QStringLiteral("channel list"), {}, channelList},
        {QStringLiteral("pricing import"), {{QStringLiteral("FILE")}, {}, {}}, pricingImport},
        {QStringLiteral("pricing export"), {}, pricingExport},
        {QStringLiteral("quote"), {{}, kQuoteCounts + QStringList{QStringLiteral("model"), QStringLiteral("group"),
                                                                  QStringLiteral("seconds"), QStringLiteral("chars"),
                                                                  QStringLiteral("images"), QStringLiteral("size"),
                                                                  QStringLiteral("quality")}, {}},
         quote},
        {QStringLiteral("logs"), {{}, {QStringLiteral("user"), QStringLiteral("limit")}, {}}, logs},
        {QStringLiteral("audit"), {{}, {QStringLiteral("limit")}, {}}, audit},
        {QStringLiteral("instances"), {}, instances},
    };
    return all;
}

bool isGroup(const QString &word)
{
    return word == u"user" || word == u"key" || word == u"channel" || word == u"pricing";
}

QStringList subCommands(const QString &group)
{
    QStringList subs;
    for (const Command &c : commands())
        if (c.words.startsWith(group + u' '))
            subs << c.words.mid(group.size() + 1);
    return subs;
}

// Splits the line into the command words ("user add") and everything else, in order. The database options
// may come first, so they and their values are stepped over; every other option belongs to the sub-command.
QStringList takeCommandWords(const QStringList &args, QStringList *rest)
{
    QStringList words;
    for (int i = 0; i < args.size(); ++i) {
        const QString &arg = args[i];
        const bool databaseOption = arg.startsWith(QStringLiteral("--"))
                                    && AdminArgs::kDatabaseOptions.contains(arg.mid(2));
        const int wanted = words.isEmpty() || isGroup(words.first()) ? 2 : 1;
        if (databaseOption) {
            *rest << arg;
            if (i + 1 < args.size())
                *rest << args[++i];
        } else if (arg.startsWith(u'-') || words.size() >= wanted) {
            *rest << arg;
        } else {
            words << arg;
        }
    }
    return words;
}

// --data / --db / --db-file → where the database is; nullopt after printing why not.
std::optional<Location> locate(const AdminArgs &a)
{
    Location where{a.value(QStringLiteral("data")), a.value(QStringLiteral("db"))};
    const QString dbFile = a.value(QStringLiteral("db-file"));
    if (a.has(QStringLiteral("data")) && (a.has(QStringLiteral("db")) || a.has(QStringLiteral("db-file")))) {
        badInput(QStringLiteral("give either --data DIR or --db URL, not both"));
        return std::nullopt;
    }
    QString dbError, dbWarning;
    const auto url = resolveDatabaseUrl({where.url, dbFile, a.has(QStringLiteral("data"))}, &dbError, &dbWarning);
    if (!dbWarning.isEmpty())
        err() << "relaydeskd admin: warning: " << dbWarning << '\n';
    if (!url) {
        badInput(dbError);
        return std::nullopt;
    }
    where.url = *url;
    return where;
}

} // namespace

int runAdmin(const QStringList &args)
{
    if (args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h")) || args.value(0) == u"help") {
        out() << kUsage;
        return kOk;
    }
    QStringList rest;
    const QStringList words = takeCommandWords(args, &rest);
    if (words.isEmpty()) {
        err() << kUsage;
        return kBadInput;
    }
    if (isGroup(words.first()) && words.size() < 2)
        return badInput(QStringLiteral("'%1' needs a sub-command (%2)").arg(words.first(),
                                                                            subCommands(words.first()).join(u", ")));
    const QString line = words.join(u' ');
    for (const Command &command : commands()) {
        if (command.words != line)
            continue;
        const AdminArgs parsed(rest, command.spec);
        if (!parsed.ok())
            return badInput(QStringLiteral("%1: %2").arg(line, parsed.error()));
        const auto where = locate(parsed);
        return where ? command.run(parsed, *where) : kBadInput;
    }
    if (isGroup(words.first()))
        return badInput(QStringLiteral("unknown %1 command '%2' (%3)").arg(words.first(), words.value(1),
                                                                        subCommands(words.first()).join(u", ")));
    return badInput(QStringLiteral("unknown command '%1'\n").arg(words.first()) + QString::fromLatin1(kUsage));
}

} // namespace RelayDesk::Cli
