// Users, API keys, channels and options on a real SQLite database.
#include "tempdatabase.h"

#include "store/apikeyrepository.h"
#include "store/channelrepository.h"
#include "store/logrepository.h"
#include "store/optionrepository.h"
#include "store/userrepository.h"

#include <QRegularExpression>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QtTest>

using namespace RelayDesk;
using namespace RelayDesk::Store;

class TestRepositories final : public QObject
{
    Q_OBJECT

private slots:
    void usersCreateReadAndEdit()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        UserRepository users(t.db());
        auto alice = users.create(QStringLiteral("alice"), QStringLiteral("vip"), 1000);
        QVERIFY2(alice, qPrintable(alice.error()));
        QVERIFY(alice->id > 0);
        QVERIFY(!users.create(QStringLiteral("alice")));                     // duplicate
        QVERIFY(!users.create(QStringLiteral("bad name")));                  // invalid characters
        QVERIFY(!users.create(QStringLiteral("bob"), QStringLiteral("default"), -1)); // negative quota
        const auto read = users.byName(QStringLiteral("alice"));
        QVERIFY(read);
        QCOMPARE(read->group, QStringLiteral("vip"));
        QCOMPARE(read->quota, qint64(1000));
        QCOMPARE(read->status, RowStatus::Enabled);

        QVERIFY(users.setQuota(alice->id, 250));
        QCOMPARE(users.byId(alice->id)->quota, qint64(250));
        QVERIFY(users.addQuota(alice->id, 50));
        QCOMPARE(users.byId(alice->id)->quota, qint64(300));
        QVERIFY(!users.setQuota(alice->id, -5));
        QVERIFY(!users.setQuota(999, 5));
        QVERIFY(users.setStatus(alice->id, RowStatus::Disabled));
        QCOMPARE(users.byId(alice->id)->status, RowStatus::Disabled);
        QVERIFY(users.setGroup(alice->id, QStringLiteral("default")));
        QCOMPARE(users.byId(alice->id)->group, QStringLiteral("default"));
        QCOMPARE(users.count(), qint64(1));
        // The admin edits are audited as manage/topup log rows that carry no consume quota.
        LogFilter f;
        f.userId = alice->id;
        QCOMPARE(LogRepository(t.db()).count(f), qint64(2));
        QCOMPARE(LogRepository(t.db()).sumQuota(f), qint64(0));
    }

    void keysAreRandomHashedAndShownOnce()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        auto user = UserRepository(t.db()).create(QStringLiteral("carol"));
        QVERIFY(user);
        ApiKeyRepository keys(t.db());
        NewApiKey spec;
        spec.userId = user->id;
        spec.name = QStringLiteral("carol-main");
        spec.quota = 500;
        spec.modelLimits = {QStringLiteral("gpt-4o"), QStringLiteral("gpt-4o-mini")};
        auto created = keys.create(spec);
        QVERIFY2(created, qPrintable(created.error()));
        const QString plain = created->plainKey;
        QVERIFY(QRegularExpression(QStringLiteral("^sk-[0-9A-Za-z]{48}$")).match(plain).hasMatch());
        QCOMPARE(created->key.keyHash, ApiKeyRepository::hashKey(plain));
        QCOMPARE(created->key.keyHash.size(), 64);
        QCOMPARE(created->key.keyHint, plain.left(5) + QStringLiteral("…") + plain.right(3));

        // Only the hash is stored: the full key appears nowhere in the database.
        QSqlQuery q = t.db().query();
        QVERIFY(q.exec(QStringLiteral("SELECT * FROM api_keys")));
        while (q.next())
            for (int c = 0; c < q.record().count(); ++c)
                QVERIFY(!q.value(c).toString().contains(plain.mid(3)));

        const auto found = keys.byPlainKey(plain);
        QVERIFY(found);
        QCOMPARE(found->id, created->key.id);
        QCOMPARE(found->remainQuota, qint64(500));
        QCOMPARE(found->modelLimits, spec.modelLimits);
        // A key differing only in its last character is a different key. The character is chosen to differ
        // from the generated one; a fixed "x" equalled it once in 62 runs.
        const QChar last = plain.back() == QLatin1Char('x') ? QLatin1Char('y') : QLatin1Char('x');
        QVERIFY(!keys.byPlainKey(plain.left(plain.size() - 1) + last));
        QVERIFY(!keys.byPlainKey(QStringLiteral("sk-short")));
        QVERIFY(!keys.create(spec)); // duplicate name
        spec.name = QStringLiteral("ghost");
        spec.userId = 12345;
        QVERIFY(!keys.create(spec)); // no such user

        QVERIFY(keys.setStatus(found->id, RowStatus::Disabled));
        QCOMPARE(keys.byName(QStringLiteral("carol-main"))->status, RowStatus::Disabled);
        QVERIFY(keys.setRemainQuota(found->id, 0, true));
        QVERIFY(keys.byId(found->id)->unlimited);
        QCOMPARE(keys.listForUser(user->id).size(), 1);
    }

    void generatedKeysDiffer()
    {
        QSet<QString> seen;
        for (int i = 0; i < 200; ++i)
            seen.insert(ApiKeyRepository::generatePlainKey());
        QCOMPARE(seen.size(), 200);
        // All 62 symbols show up across 200 × 48 draws (a broken alphabet or modulo bug would not).
        QSet<QChar> symbols;
        for (const QString &k : seen)
            for (QChar c : k.mid(3))
                symbols.insert(c);
        QCOMPARE(symbols.size(), 62);
    }

    void channelsValidateAndRoundTrip()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        ChannelRepository channels(t.db());
        Channel c;
        c.name = QStringLiteral("openai-main");
        c.baseUrl = QStringLiteral("https://api.openai.com");
        c.secret = QStringLiteral("sk-upstream");
        c.models = {QStringLiteral("gpt-4o"), QStringLiteral("gpt-realtime")};
        c.groups = {QStringLiteral("default"), QStringLiteral("vip")};
        c.modelMapping = {{QStringLiteral("gpt-4o"), QStringLiteral("gpt-4o-2024-11-20")}};
        c.priority = 5;
        c.weight = 3;
        auto created = channels.create(c);
        QVERIFY2(created, qPrintable(created.error()));
        const auto read = channels.byName(QStringLiteral("openai-main"));
        QVERIFY(read);
        QCOMPARE(read->models, c.models);
        QCOMPARE(read->groups, c.groups);
        QCOMPARE(read->modelMapping, c.modelMapping);
        QCOMPARE(read->priority, 5);
        QCOMPARE(read->weight, 3);

        Channel bad = c;
        bad.name = QStringLiteral("other");
        bad.baseUrl = QStringLiteral("ftp://example.com");
        QVERIFY(!channels.create(bad));
        bad.baseUrl = c.baseUrl;
        bad.models.clear();
        QVERIFY(!channels.create(bad));
        QVERIFY(!channels.create(c)); // duplicate name

        Channel edited = *read;
        edited.weight = 7;
        QVERIFY(channels.update(edited));
        QCOMPARE(channels.byId(read->id)->weight, 7);
        QCOMPARE(channels.list().size(), 1);
        QVERIFY(channels.remove(read->id));
        QVERIFY(channels.list().isEmpty());
    }

    void optionsAndSnapshots()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        OptionRepository options(t.db());
        QVERIFY(!options.value(QStringLiteral("ModelRatio")));
        QVERIFY(options.set(QStringLiteral("ModelRatio"), QStringLiteral("{\"a\":1}")));
        QVERIFY(options.set(QStringLiteral("ModelRatio"), QStringLiteral("{\"a\":2}")));
        QCOMPARE(*options.value(QStringLiteral("ModelRatio")), QStringLiteral("{\"a\":2}"));
        QVERIFY(options.setMany({{QStringLiteral("x"), QStringLiteral("1")}, {QStringLiteral("y"), QStringLiteral("2")}}));
        QCOMPARE(options.all().size(), 3);

        auto first = options.saveSnapshot({{QStringLiteral("ModelRatio"), QStringLiteral("{\"a\":3}")}},
                                          QStringLiteral("{\"book\":1}"));
        QVERIFY2(first, qPrintable(first.error()));
        auto second = options.insertSnapshot(QStringLiteral("{\"book\":2}"));
        QVERIFY(second);
        QVERIFY(*second > *first);
        QCOMPARE(*options.snapshot(*first), QStringLiteral("{\"book\":1}"));
        QCOMPARE(options.latestSnapshot()->first, *second);
        QCOMPARE(*options.value(QStringLiteral("ModelRatio")), QStringLiteral("{\"a\":3}"));
        QVERIFY(!options.snapshot(9999));
    }
};

QTEST_GUILESS_MAIN(TestRepositories)
#include "tst_repositories.moc"
