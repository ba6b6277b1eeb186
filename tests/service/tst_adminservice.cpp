// AdminService, the one API for admin edits: every write leaves exactly one audit row (actor, before → after,
// secrets masked) and one change row of its kind, committed with it, and changed() fires only once it is
// durable; a refused write leaves nothing at all (no entity, no audit row, no change row, no signal). On SQLite
// and on a throwaway PostgreSQL cluster.
#include "pgcluster.h"
#include "secretkeyfile.h"
#include "tempdatabase.h"

#include "common/secretmask.h"
#include "service/adminservice.h"
#include "store/apikeyrepository.h"
#include "store/auditrepository.h"
#include "store/changerepository.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/userrepository.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QThread>
#include <QtSql/QSqlQuery>
#include <QtSql/QSqlRecord>
#include <QtTest/QSignalSpy>
#include <QtTest/QtTest>

#include <functional>

using namespace RelayDesk;
using Service::AdminService;
using Store::ChangeKind;

namespace {

const QString kChannelSecret = QStringLiteral("sk-upstream-0123456789abcdef-SECRET");
const QString kNewChannelSecret = QStringLiteral("sk-rotated-fedcba9876543210-SECRET");

// What a write did, whatever its result type.
struct Outcome
{
    bool ok = false;
    QString error;
    qint64 entityId = 0;
    QStringList secrets; // plain secrets the write handled (none may reach the audit trail)
};

template<class T>
Outcome outcome(const Store::Result<T> &r, const std::function<qint64(const T &)> &id, QStringList secrets = {})
{
    return r ? Outcome{true, {}, id(*r), secrets} : Outcome{false, r.error(), 0, secrets};
}

// The rows each test starts from, written straight through the repositories (so they leave no audit trail).
struct Fixture
{
    qint64 userId = 0;
    qint64 keyId = 0;
    QString keyHash;
    qint64 channelId = 0;
};

using Write = std::function<Outcome(AdminService &, const Fixture &)>;

qint64 userId(const Store::User &u) { return u.id; }
qint64 keyId(const Store::ApiKey &k) { return k.id; }
qint64 channelId(const Store::Channel &c) { return c.id; }

Store::Channel channelSpec(const QString &name, const QString &baseUrl = QStringLiteral("https://api.example.com"))
{
    Store::Channel c;
    c.name = name;
    c.baseUrl = baseUrl;
    c.secret = kChannelSecret;
    c.models = {QStringLiteral("gpt-4o")};
    return c;
}

// Every write the service offers, by name; each data row names one.
const QHash<QString, Write> &writes()
{
    static const QHash<QString, Write> all = {
        {QStringLiteral("user add"), [](AdminService &a, const Fixture &) {
             return outcome<Store::User>(a.addUser(QStringLiteral("bob"), QStringLiteral("vip"), 5), userId);
         }},
        {QStringLiteral("user set-quota"), [](AdminService &a, const Fixture &f) {
             return outcome<Store::User>(a.setUserQuota(f.userId, 777), userId);
         }},
        {QStringLiteral("user set-group"), [](AdminService &a, const Fixture &f) {
             return outcome<Store::User>(a.setUserGroup(f.userId, QStringLiteral("vip")), userId);
         }},
        {QStringLiteral("key add"), [](AdminService &a, const Fixture &f) {
             Store::NewApiKey spec;
             spec.userId = f.userId;
             spec.quota = 100;
             const auto created = a.addKey(spec);
             return outcome<Store::CreatedApiKey>(created, [](const Store::CreatedApiKey &k) { return k.key.id; },
                                                  created ? QStringList{created->plainKey, created->key.keyHash}
                                                          : QStringList{});
         }},
        {QStringLiteral("key disable"), [](AdminService &a, const Fixture &f) {
             return outcome<Store::ApiKey>(a.setKeyStatus(f.keyId, Store::RowStatus::Disabled), keyId);
         }},
        {QStringLiteral("key enable"), [](AdminService &a, const Fixture &f) {
             Store::ApiKeyRepository(*a.database()).setStatus(f.keyId, Store::RowStatus::Disabled); // not audited
             return outcome<Store::ApiKey>(a.setKeyStatus(f.keyId, Store::RowStatus::Enabled), keyId);
         }},
        {QStringLiteral("key set"), [](AdminService &a, const Fixture &f) {
             Service::KeyEdit edit;
             edit.unlimited = true;
             edit.models = QStringList{QStringLiteral("gpt-4o")};
             edit.expiresAt = 1893456000;
             return outcome<Store::ApiKey>(a.editKey(f.keyId, edit), keyId);
         }},
        {QStringLiteral("channel add"), [](AdminService &a, const Fixture &) {
             return outcome<Store::Channel>(a.addChannel(channelSpec(QStringLiteral("second"))), channelId,
                                            {kChannelSecret});
         }},
        {QStringLiteral("channel set"), [](AdminService &a, const Fixture &f) {
             Service::ChannelEdit edit;
             edit.secret = kNewChannelSecret;
             edit.priority = 5;
             edit.models = QStringList{QStringLiteral("gpt-4o"), QStringLiteral("gpt-4o-mini")};
             return outcome<Store::Channel>(a.editChannel(f.channelId, edit), channelId,
                                            {kChannelSecret, kNewChannelSecret});
         }},
        {QStringLiteral("channel disable"), [](AdminService &a, const Fixture &f) {
             return outcome<Store::Channel>(a.setChannelStatus(f.channelId, Store::RowStatus::Disabled), channelId,
                                            {kChannelSecret});
         }},
        {QStringLiteral("channel enable"), [](AdminService &a, const Fixture &f) {
             Store::ChannelRepository(*a.database()).setStatus(f.channelId, Store::RowStatus::Disabled); // not audited
             return outcome<Store::Channel>(a.setChannelStatus(f.channelId, Store::RowStatus::Enabled), channelId,
                                            {kChannelSecret});
         }},
        {QStringLiteral("channel remove"), [](AdminService &a, const Fixture &f) {
             return outcome<Store::Channel>(a.removeChannel(f.channelId), channelId, {kChannelSecret});
         }},
        {QStringLiteral("pricing import"), [](AdminService &a, const Fixture &) {
             const QJsonObject edit{{QStringLiteral("ModelRatio"), QJsonObject{{QStringLiteral("my-model"), 3}}}};
             return outcome<Service::PricingImport>(a.importPricing(edit), [](const Service::PricingImport &) {
                 return qint64(0);
             });
         }},
        {QStringLiteral("pricing replace"), [](AdminService &a, const Fixture &) {
             const QJsonObject book{{QStringLiteral("ModelRatio"), QJsonObject{{QStringLiteral("my-model"), 3}}}};
             return outcome<Service::PricingImport>(a.replacePricing(book), [](const Service::PricingImport &) {
                 return qint64(0);
             });
         }},
    };
    return all;
}

// Writes the service must refuse, each for a reason it names.
const QHash<QString, Write> &refusals()
{
    static const QHash<QString, Write> all = {
        {QStringLiteral("user add: bad name"), [](AdminService &a, const Fixture &) {
             return outcome<Store::User>(a.addUser(QStringLiteral("no spaces"), QStringLiteral("default"), 0), userId);
         }},
        {QStringLiteral("user add: taken"), [](AdminService &a, const Fixture &) {
             return outcome<Store::User>(a.addUser(QStringLiteral("alice"), QStringLiteral("default"), 0), userId);
         }},
        {QStringLiteral("user set-quota: negative"), [](AdminService &a, const Fixture &f) {
             return outcome<Store::User>(a.setUserQuota(f.userId, -1), userId);
         }},
        {QStringLiteral("user set-quota: no user"), [](AdminService &a, const Fixture &) {
             return outcome<Store::User>(a.setUserQuota(999999, 1), userId);
         }},
        {QStringLiteral("user set-group: bad group"), [](AdminService &a, const Fixture &f) {
             return outcome<Store::User>(a.setUserGroup(f.userId, QStringLiteral("a b")), userId);
         }},
        {QStringLiteral("key add: no user"), [](AdminService &a, const Fixture &) {
             Store::NewApiKey spec;
             spec.userId = 999999;
             return outcome<Store::CreatedApiKey>(a.addKey(spec), [](const Store::CreatedApiKey &k) { return k.key.id; });
         }},
        {QStringLiteral("key add: name taken"), [](AdminService &a, const Fixture &f) {
             Store::NewApiKey spec;
             spec.userId = f.userId;
             spec.name = QStringLiteral("alice-key");
             return outcome<Store::CreatedApiKey>(a.addKey(spec), [](const Store::CreatedApiKey &k) { return k.key.id; });
         }},
        {QStringLiteral("key set: quota and unlimited"), [](AdminService &a, const Fixture &f) {
             Service::KeyEdit edit;
             edit.quota = 5;
             edit.unlimited = true;
             return outcome<Store::ApiKey>(a.editKey(f.keyId, edit), keyId);
         }},
        {QStringLiteral("key set: bad model"), [](AdminService &a, const Fixture &f) {
             Service::KeyEdit edit;
             edit.models = QStringList{QStringLiteral(" ")};
             return outcome<Store::ApiKey>(a.editKey(f.keyId, edit), keyId);
         }},
        {QStringLiteral("key disable: no key"), [](AdminService &a, const Fixture &) {
             return outcome<Store::ApiKey>(a.setKeyStatus(999999, Store::RowStatus::Disabled), keyId);
         }},
        {QStringLiteral("channel add: bad url"), [](AdminService &a, const Fixture &) {
             return outcome<Store::Channel>(a.addChannel(channelSpec(QStringLiteral("x"), QStringLiteral("ftp://x"))),
                                            channelId);
         }},
        {QStringLiteral("channel add: no key"), [](AdminService &a, const Fixture &) {
             Store::Channel c = channelSpec(QStringLiteral("x"));
             c.secret.clear();
             return outcome<Store::Channel>(a.addChannel(c), channelId);
         }},
        {QStringLiteral("channel add: name taken"), [](AdminService &a, const Fixture &) {
             return outcome<Store::Channel>(a.addChannel(channelSpec(QStringLiteral("first"))), channelId);
         }},
        {QStringLiteral("channel set: bad url"), [](AdminService &a, const Fixture &f) {
             Service::ChannelEdit edit;
             edit.baseUrl = QStringLiteral("not a url");
             return outcome<Store::Channel>(a.editChannel(f.channelId, edit), channelId);
         }},
        {QStringLiteral("channel set: negative weight"), [](AdminService &a, const Fixture &f) {
             Service::ChannelEdit edit;
             edit.weight = -1;
             return outcome<Store::Channel>(a.editChannel(f.channelId, edit), channelId);
         }},
        {QStringLiteral("channel set: empty key"), [](AdminService &a, const Fixture &f) {
             Service::ChannelEdit edit;
             edit.secret = QString();
             return outcome<Store::Channel>(a.editChannel(f.channelId, edit), channelId);
         }},
        {QStringLiteral("channel remove: no channel"), [](AdminService &a, const Fixture &) {
             return outcome<Store::Channel>(a.removeChannel(999999), channelId);
         }},
        {QStringLiteral("pricing import: bad ratio"), [](AdminService &a, const Fixture &) {
             const QJsonObject edit{{QStringLiteral("CompletionRatio"), QJsonObject{{QStringLiteral("gpt-4o"), QStringLiteral("four")}}}};
             return outcome<Service::PricingImport>(a.importPricing(edit), [](const Service::PricingImport &) {
                 return qint64(0);
             });
         }},
        {QStringLiteral("pricing replace: bad ratio"), [](AdminService &a, const Fixture &) {
             const QJsonObject book{{QStringLiteral("ModelRatio"), QJsonObject{{QStringLiteral("gpt-4o"), -1}}}};
             return outcome<Service::PricingImport>(a.replacePricing(book), [](const Service::PricingImport &) {
                 return qint64(0);
             });
         }},
        {QStringLiteral("pricing import: nothing"), [](AdminService &a, const Fixture &) {
             return outcome<Service::PricingImport>(a.importPricing({}), [](const Service::PricingImport &) {
                 return qint64(0);
             });
         }},
    };
    return all;
}

qint64 rowCount(const Store::Database &db, const QString &table)
{
    QSqlQuery q = db.query();
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM ") + table) || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

// Everything an admin write could touch, as text: equal before and after means nothing was written.
QString fingerprint(const Store::Database &db)
{
    QStringList parts;
    for (const char *table : {"users", "api_keys", "channels", "options", "price_snapshots", "logs", "audit", "changes"})
        parts << QStringLiteral("%1=%2").arg(QLatin1String(table)).arg(rowCount(db, QLatin1String(table)));
    QSqlQuery q = db.query();
    for (const char *sql : {"SELECT id, name, grp, quota, status FROM users ORDER BY id",
                            "SELECT id, name, status, remain_quota, unlimited, expires_at, model_limits, grp FROM api_keys ORDER BY id",
                            "SELECT id, name, base_url, secret, models, groups, priority, weight, status FROM channels ORDER BY id",
                            "SELECT key, value FROM options ORDER BY key"}) {
        if (!q.exec(QLatin1String(sql)))
            return QStringLiteral("query failed: ") + QLatin1String(sql);
        while (q.next())
            for (int i = 0; i < q.record().count(); ++i)
                parts << q.value(i).toString();
    }
    return parts.join(u'|');
}

QString auditText(const Store::AuditEntry &e)
{
    return QString::fromUtf8(QJsonDocument(e.before).toJson()) + QString::fromUtf8(QJsonDocument(e.after).toJson())
           + e.entityName + e.action;
}

} // namespace

class TestAdminService final : public QObject
{
    Q_OBJECT

    std::unique_ptr<Testing::PgCluster> m_pg;
    QTemporaryDir m_keyDir;

    // The fixture's user, key and channel, written without the service. The price book is seeded here too, so
    // a later read of it writes nothing.
    static Fixture seed(const std::shared_ptr<Store::Database> &db)
    {
        Fixture f;
        const auto user = Store::UserRepository(*db).create(QStringLiteral("alice"), QStringLiteral("default"), 1000);
        const auto key = user ? Store::ApiKeyRepository(*db).create({user->id, QStringLiteral("alice-key"), 50, false, {}, {}, 0})
                              : Store::Result<Store::CreatedApiKey>::failure(QStringLiteral("no user"));
        const auto channel = Store::ChannelRepository(*db).create(channelSpec(QStringLiteral("first")));
        if (!user || !key || !channel || !AdminService(db, AdminService::Actor::Console).priceBook())
            return f;
        f.userId = user->id;
        f.keyId = key->key.id;
        f.keyHash = key->key.keyHash;
        f.channelId = channel->id;
        return f;
    }

    // SQLite (from `sqlite`) or a fresh database on the test's PostgreSQL cluster; null with *skip set when there
    // is no PostgreSQL here.
    std::shared_ptr<Store::Database> open(const QString &backend, Testing::TempDatabase *sqlite, QString *skip)
    {
        if (backend == u"sqlite")
            return sqlite->shared();
        if (!m_pg)
            m_pg = std::make_unique<Testing::PgCluster>();
        if (!m_pg->isAvailable()) {
            *skip = m_pg->skipReason();
            return nullptr;
        }
        if (!m_pg->isRunning())
            return nullptr;
        auto db = Store::Database::openUrl(m_pg->createDatabase());
        return db ? db.value() : nullptr;
    }

    static void addWriteRows()
    {
        QTest::addColumn<QString>("write");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("action");
        for (const auto &[name, kind, action] : std::initializer_list<std::tuple<const char *, ChangeKind, const char *>>{
                 {"user add", ChangeKind::User, "user.add"},
                 {"user set-quota", ChangeKind::User, "user.set-quota"},
                 {"user set-group", ChangeKind::User, "user.set-group"},
                 {"key add", ChangeKind::Key, "key.add"},
                 {"key disable", ChangeKind::Key, "key.disable"},
                 {"key enable", ChangeKind::Key, "key.enable"},
                 {"key set", ChangeKind::Key, "key.set"},
                 {"channel add", ChangeKind::Channel, "channel.add"},
                 {"channel set", ChangeKind::Channel, "channel.set"},
                 {"channel disable", ChangeKind::Channel, "channel.disable"},
                 {"channel enable", ChangeKind::Channel, "channel.enable"},
                 {"channel remove", ChangeKind::Channel, "channel.remove"},
                 {"pricing import", ChangeKind::Pricing, "pricing.import"}})
            QTest::newRow(name) << QString::fromLatin1(name) << int(kind) << QString::fromLatin1(action);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(RelayDeskTest::useTemporarySecretKey(m_keyDir.path())); }

    void eachWriteLeavesOneAuditRowAndOneChange_data() { addWriteRows(); }

    void eachWriteLeavesOneAuditRowAndOneChange()
    {
        QFETCH(QString, write);
        QFETCH(int, kind);
        QFETCH(QString, action);
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const Fixture f = seed(tmp.shared());
        QVERIFY(f.channelId > 0);
        // Another connection, as another process would read: it sees only what has committed.
        auto observer = Store::Database::openDataDir(tmp.dataDir());
        QVERIFY2(observer, qPrintable(observer.error()));
        const qint64 versionBefore = *Store::ChangeRepository(tmp.db()).latestVersion();
        const qint64 auditBefore = rowCount(tmp.db(), QStringLiteral("audit"));

        AdminService admin(tmp.shared(), AdminService::Actor::Console);
        QList<qint64> committedAuditSeen;
        connect(&admin, &AdminService::changed, this, [&](ChangeKind, qint64) {
            committedAuditSeen << rowCount(*observer.value(), QStringLiteral("audit"));
        }, Qt::DirectConnection);
        QSignalSpy spy(&admin, &AdminService::changed);

        const Outcome done = writes().value(write)(admin, f);
        QVERIFY2(done.ok, qPrintable(done.error));

        // Exactly one change row, of the write's kind and entity.
        const QList<Store::Change> changes = Store::ChangeRepository(tmp.db()).since(versionBefore);
        QCOMPARE(changes.size(), 1);
        QCOMPARE(int(changes[0].kind), kind);
        QCOMPARE(changes[0].entityId, done.entityId);

        // Exactly one audit row: actor, action, entity, before → after.
        QCOMPARE(rowCount(tmp.db(), QStringLiteral("audit")), auditBefore + 1);
        const Store::AuditEntry entry = Store::AuditRepository(tmp.db()).list(1).value(0);
        QCOMPARE(entry.actor, QStringLiteral("console"));
        QCOMPARE(entry.action, action);
        QCOMPARE(entry.entityId, done.entityId);
        QVERIFY(entry.atMs > 0);
        QCOMPARE(entry.before.isEmpty(), action.endsWith(QStringLiteral(".add")));
        QCOMPARE(entry.after.isEmpty(), action.endsWith(QStringLiteral(".remove")));
        QVERIFY(entry.before != entry.after);

        // Secrets masked: no channel key, no API key and no key hash anywhere in the row.
        const QString text = auditText(entry);
        for (const QString &secret : done.secrets + QStringList{f.keyHash, kChannelSecret, kNewChannelSecret})
            QVERIFY2(!text.contains(secret), qPrintable(text));
        if (kind == int(ChangeKind::Channel)) {
            const QJsonObject shown = entry.after.isEmpty() ? entry.before : entry.after;
            QVERIFY(shown.value(QStringLiteral("key")).toString().contains(QStringLiteral("••••••")));
            QCOMPARE(shown.value(QStringLiteral("key")).toString(),
                     maskSecret(write == u"channel set" ? kNewChannelSecret : kChannelSecret));
        }

        // changed() once, with the entity, and only after the commit (another connection already saw the row).
        QCOMPARE(spy.size(), 1);
        QCOMPARE(spy[0][0].value<ChangeKind>(), ChangeKind(kind));
        QCOMPARE(spy[0][1].toLongLong(), done.entityId);
        QCOMPARE(committedAuditSeen, QList<qint64>{auditBefore + 1});
    }

    void refusedWritesLeaveNothing_data()
    {
        QTest::addColumn<QString>("refusal");
        QStringList names = refusals().keys();
        names.sort();
        for (const QString &name : std::as_const(names))
            QTest::newRow(qPrintable(name)) << name;
    }

    void refusedWritesLeaveNothing()
    {
        QFETCH(QString, refusal);
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const Fixture f = seed(tmp.shared());
        QVERIFY(f.channelId > 0);
        const QString before = fingerprint(tmp.db());
        QVERIFY(before.contains(QStringLiteral("audit=0|changes=0")));

        AdminService admin(tmp.shared(), AdminService::Actor::Cli);
        QSignalSpy spy(&admin, &AdminService::changed);
        const Outcome done = refusals().value(refusal)(admin, f);
        QVERIFY(!done.ok);
        QVERIFY2(!done.error.trimmed().isEmpty(), "a refusal says why");
        QCOMPARE(fingerprint(tmp.db()), before);
        QCOMPARE(spy.size(), 0);
        // The connection is left clean: the next write commits normally.
        QVERIFY(admin.setUserQuota(f.userId, 1));
        QCOMPARE(rowCount(tmp.db(), QStringLiteral("audit")), qint64(1));
    }

    // One write and one refusal on each backend (the transaction, NOTIFY-carrying change row and audit row on
    // PostgreSQL too).
    void bothBackends_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

    void bothBackends()
    {
        QFETCH(QString, backend);
        Testing::TempDatabase sqlite;
        QVERIFY2(sqlite.isValid(), qPrintable(sqlite.error()));
        QString skip;
        const auto db = open(backend, &sqlite, &skip);
        if (!db && !skip.isEmpty())
            QSKIP(qPrintable(skip));
        QVERIFY(db);
        const Fixture f = seed(db);
        QVERIFY(f.channelId > 0);
        AdminService admin(db, AdminService::Actor::Api);
        QSignalSpy spy(&admin, &AdminService::changed);

        const QString before = fingerprint(*db);
        QVERIFY(!admin.addChannel(channelSpec(QStringLiteral("first"))));               // name taken
        QVERIFY(!admin.editChannel(f.channelId, Service::ChannelEdit{{QStringLiteral("ftp://x")}, {}, {}, {}, {}, {}, {}}));
        QCOMPARE(fingerprint(*db), before);

        const auto added = admin.addChannel(channelSpec(QStringLiteral("second")));
        QVERIFY2(added, qPrintable(added.error()));
        const auto disabled = admin.setChannelStatus(added->id, Store::RowStatus::Disabled);
        QVERIFY2(disabled, qPrintable(disabled.error()));
        QCOMPARE(disabled->status, Store::RowStatus::Disabled);
        QCOMPARE(Store::ChannelRepository(*db).byId(added->id)->secret, kChannelSecret); // stored sealed, reads back

        const QList<Store::AuditEntry> trail = admin.audit(10);
        QCOMPARE(trail.size(), 2);
        QCOMPARE(trail[0].action, QStringLiteral("channel.disable")); // newest first
        QCOMPARE(trail[1].action, QStringLiteral("channel.add"));
        for (const Store::AuditEntry &e : trail) {
            QCOMPARE(e.actor, QStringLiteral("api"));
            QVERIFY(!auditText(e).contains(kChannelSecret));
        }
        const QList<Store::Change> changes = Store::ChangeRepository(*db).since(0);
        QCOMPARE(changes.size(), 2);
        for (const Store::Change &c : changes) {
            QCOMPARE(c.kind, ChangeKind::Channel);
            QCOMPARE(c.entityId, added->id);
        }
        QCOMPARE(spy.size(), 2);

        // Writes whose repositories keep their own transaction (a quota edit with its log row, a price import
        // with its snapshot) nest inside the service's as savepoints, on this backend too.
        const auto quota = admin.setUserQuota(f.userId, 4242);
        QVERIFY2(quota, qPrintable(quota.error()));
        QCOMPARE(admin.user(f.userId)->quota, qint64(4242));
        const auto imported = admin.importPricing({{QStringLiteral("ModelRatio"), QJsonObject{{QStringLiteral("m"), 2}}}});
        QVERIFY2(imported, qPrintable(imported.error()));
        QCOMPARE((*admin.priceBook())->snapshotId(), imported->snapshotId);
        QCOMPARE(admin.audit(2).value(0).action, QStringLiteral("pricing.import"));
        QCOMPARE(admin.audit(2).value(1).action, QStringLiteral("user.set-quota"));
        QCOMPARE(Store::ChangeRepository(*db).since(0).size(), 4);
        QCOMPARE(spy.size(), 4);
    }

    // The console's path: calls run one at a time, in order, off the calling thread; the signal reaches a
    // receiver on this thread queued.
    void asyncRunsInOrderOffTheCallingThread()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        AdminService admin(tmp.shared(), AdminService::Actor::Console);
        QList<qint64> announced;
        connect(&admin, &AdminService::changed, this, [&](ChangeKind, qint64 id) { announced << id; });

        // Which call ran when, on which thread, and how many ran at once (never more than one).
        QMutex mutex;
        QList<int> order;
        QSet<QThread *> threads;
        int running = 0;
        int mostAtOnce = 0;
        QList<QFuture<Store::Result<Store::User>>> futures;
        for (int i = 0; i < 5; ++i)
            futures << admin.async([&, i](AdminService &a) {
                {
                    QMutexLocker lock(&mutex);
                    order << i;
                    threads.insert(QThread::currentThread());
                    mostAtOnce = std::max(mostAtOnce, ++running);
                }
                auto user = a.addUser(QStringLiteral("user%1").arg(i), QStringLiteral("default"), i);
                QMutexLocker lock(&mutex);
                --running;
                return user;
            });
        QList<qint64> ids;
        for (auto &future : futures) {
            future.waitForFinished();
            const auto user = future.result();
            QVERIFY2(user, qPrintable(user.error()));
            ids << user->id;
        }
        QCOMPARE(order, QList<int>({0, 1, 2, 3, 4}));
        QCOMPARE(mostAtOnce, 1);
        QVERIFY(std::is_sorted(ids.cbegin(), ids.cend()));
        QVERIFY(!threads.contains(QThread::currentThread()));
        QTRY_COMPARE_WITH_TIMEOUT(announced, ids, 10000); // queued to this thread, in commit order
        QCOMPARE(admin.audit(10).size(), 5);
    }

    void readsAndGroups()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        AdminService admin(tmp.shared(), AdminService::Actor::Cli);
        QVERIFY(admin.addUser(QStringLiteral("u1"), QStringLiteral("gold"), 0));
        Store::Channel c = channelSpec(QStringLiteral("c1"));
        c.groups = {QStringLiteral("default"), QStringLiteral("silver")};
        QVERIFY(admin.addChannel(c));
        QVERIFY(admin.importPricing({{QStringLiteral("GroupRatio"), QJsonObject{{QStringLiteral("bronze"), 0.5}}}}));
        const QStringList groups = admin.groups();
        for (const char *g : {"gold", "silver", "default", "bronze"})
            QVERIFY2(groups.contains(QLatin1String(g)), qPrintable(groups.join(u',')));
        QVERIFY(std::is_sorted(groups.cbegin(), groups.cend()));
        QCOMPARE(admin.userByName(QStringLiteral("u1"))->group, QStringLiteral("gold"));
        QCOMPARE(admin.channels().size(), 1);
        QCOMPARE(admin.exportPricing()->value(QStringLiteral("GroupRatio")).toObject().value(QStringLiteral("bronze")).toDouble(),
                 0.5);
        // The audit trail honours its limit, newest first.
        const QList<Store::AuditEntry> last = admin.audit(2);
        QCOMPARE(last.size(), 2);
        QCOMPARE(last[0].action, QStringLiteral("pricing.import"));
        QCOMPARE(last[1].action, QStringLiteral("channel.add"));
        QCOMPARE(last[0].after.value(QStringLiteral("maps")).toObject().keys(), QStringList{QStringLiteral("GroupRatio")});
        QVERIFY(last[0].after.value(QStringLiteral("snapshot_id")).toInteger() >
                last[0].before.value(QStringLiteral("snapshot_id")).toInteger());
    }
};

QTEST_GUILESS_MAIN(TestAdminService)
#include "tst_adminservice.moc"
