// ChannelRepository: channel secrets are encrypted at rest, upgraded from plaintext once, and a wrong or
// missing key is a clear error naming the key file. The raw column is read with SQL, as an attacker with a
// copy of the database would.
#include "tempdatabase.h"

#include "store/channelrepository.h"
#include "store/secretbox.h"

#include <QDir>
#include <QFile>
#include <QSqlQuery>
#include <QThread>
#include <QtTest>

using namespace RelayDesk;
using namespace RelayDesk::Store;

class TestChannelRepository final : public QObject
{
    Q_OBJECT

private:
    static Channel channel(const QString &name, const QString &secret)
    {
        Channel c;
        c.name = name;
        c.baseUrl = QStringLiteral("https://api.example.com");
        c.secret = secret;
        c.models = {QStringLiteral("gpt-4o")};
        return c;
    }

    static QString rawSecret(const Database &db, const QString &name)
    {
        QSqlQuery q = db.query();
        q.prepare(QStringLiteral("SELECT secret FROM channels WHERE name = ?"));
        q.addBindValue(name);
        if (!q.exec() || !q.next())
            return QStringLiteral("<no row>");
        return q.value(0).toString();
    }

    // What an older version wrote: the secret in plain text.
    static void insertPlaintext(const Database &db, const QString &name, const QString &secret)
    {
        QSqlQuery q = db.query();
        q.prepare(QStringLiteral("INSERT INTO channels(name, type, base_url, secret, models, groups, model_mapping, "
                                 "priority, weight, status, created_at) VALUES (?, 'openai', 'https://api.example.com', "
                                 "?, 'gpt-4o', 'default', '{}', 0, 1, 1, 0)"));
        q.addBindValue(name);
        q.addBindValue(secret);
        QVERIFY(q.exec());
    }

private slots:
    void init() { qunsetenv("RELAYDESK_SECRET_KEY_FILE"); }

    void secretsAreEncryptedOnWrite_data()
    {
        QTest::addColumn<QString>("secret");
        QTest::addColumn<QString>("edited");
        QTest::newRow("openai key") << QStringLiteral("sk-proj-SECRETSECRETSECRET-WXYZ") << QStringLiteral("sk-new-SECRET-2");
        QTest::newRow("demo") << QStringLiteral("demo") << QStringLiteral("demo2");
    }

    void secretsAreEncryptedOnWrite()
    {
        QFETCH(QString, secret);
        QFETCH(QString, edited);
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        ChannelRepository channels(t.db());
        auto created = channels.create(channel(QStringLiteral("c1"), secret));
        QVERIFY2(created, qPrintable(created.error()));
        QCOMPARE(created->secret, secret);
        QString raw = rawSecret(t.db(), QStringLiteral("c1"));
        QVERIFY2(SecretBox::isSealed(raw), qPrintable(raw));
        QVERIFY(!raw.contains(secret));
        QCOMPARE(channels.byName(QStringLiteral("c1"))->secret, secret);
        QCOMPARE(channels.byId(created->id)->secret, secret);
        QCOMPARE(channels.list().value(0).secret, secret);
        // The key file was created beside the database, private.
        const QFileInfo key(QDir(t.dataDir()).filePath(QStringLiteral("secret.key")));
        QVERIFY(key.exists());
        QCOMPARE(key.permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
                 QFile::Permissions());

        Channel changed = *created;
        changed.secret = edited;
        QVERIFY(channels.update(changed));
        raw = rawSecret(t.db(), QStringLiteral("c1"));
        QVERIFY2(SecretBox::isSealed(raw), qPrintable(raw));
        QVERIFY(!raw.contains(edited));
        QCOMPARE(channels.byId(created->id)->secret, edited);
    }

    // Plaintext rows of an older version are encrypted when the database is opened, once, and read the same.
    void plaintextRowsAreUpgradedOnOpen_data()
    {
        QTest::addColumn<int>("rows");
        QTest::newRow("one") << 1;
        QTest::newRow("three") << 3;
    }

    void plaintextRowsAreUpgradedOnOpen()
    {
        QFETCH(int, rows);
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        for (int i = 0; i < rows; ++i)
            insertPlaintext(t.db(), QStringLiteral("old%1").arg(i), QStringLiteral("sk-plain-%1-SECRET").arg(i));
        insertPlaintext(t.db(), QStringLiteral("keyless"), QStringLiteral(""));
        // Reading a plaintext row before the upgrade gives it as is.
        QCOMPARE(ChannelRepository(t.db()).byName(QStringLiteral("old0"))->secret, QStringLiteral("sk-plain-0-SECRET"));
        const QString dir = t.dataDir();
        t.close();

        auto reopened = Database::openDataDir(dir);
        QVERIFY2(reopened, qPrintable(reopened.error()));
        const Database &db = *reopened.value();
        QStringList sealed;
        for (int i = 0; i < rows; ++i) {
            const QString raw = rawSecret(db, QStringLiteral("old%1").arg(i));
            QVERIFY2(SecretBox::isSealed(raw) && !raw.contains(QStringLiteral("SECRET")), qPrintable(raw));
            sealed << raw;
            QCOMPARE(ChannelRepository(db).byName(QStringLiteral("old%1").arg(i))->secret,
                     QStringLiteral("sk-plain-%1-SECRET").arg(i));
        }
        QCOMPARE(rawSecret(db, QStringLiteral("keyless")), QString()); // nothing to hide stays empty
        // Idempotent: running the upgrade again changes nothing.
        const auto again = ChannelRepository(db).encryptPlaintextSecrets();
        QVERIFY2(again, qPrintable(again.error()));
        QCOMPARE(*again, 0);
        for (int i = 0; i < rows; ++i)
            QCOMPARE(rawSecret(db, QStringLiteral("old%1").arg(i)), sealed.at(i));
    }

    // Two processes may upgrade at once. Each row's UPDATE is conditional on the plaintext it read, so
    // every row is upgraded exactly once in total and ends readable.
    void concurrentUpgradesUpgradeEachRowOnce()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        constexpr int kRows = 300;
        {
            Transaction tx(t.db());
            for (int i = 0; i < kRows; ++i)
                insertPlaintext(t.db(), QStringLiteral("r%1").arg(i), QStringLiteral("sk-plain-%1").arg(i));
            QVERIFY(tx.commit());
        }
        auto second = Database::openDataDir(t.dataDir()); // upgrades on open, racing with nobody yet
        QVERIFY(second);
        // Put the plaintext back so both handles find work at the same time.
        {
            QSqlQuery q = t.db().query();
            QVERIFY(q.exec(QStringLiteral("UPDATE channels SET secret = 'sk-plain-' || substr(name, 2)")));
        }
        int upgraded[2] = {-1, -1};
        const std::shared_ptr<Database> handles[2] = {t.shared(), second.value()};
        QList<QThread *> threads;
        for (int i = 0; i < 2; ++i) {
            threads << QThread::create([&, i] {
                const auto r = ChannelRepository(*handles[i]).encryptPlaintextSecrets();
                upgraded[i] = r ? *r : -1;
            });
        }
        for (QThread *th : threads)
            th->start();
        for (QThread *th : threads) {
            QVERIFY(th->wait(60000));
            delete th;
        }
        QVERIFY(upgraded[0] >= 0 && upgraded[1] >= 0);
        QCOMPARE(upgraded[0] + upgraded[1], kRows);
        const auto all = ChannelRepository(t.db()).list();
        QCOMPARE(all.size(), kRows);
        for (const Channel &c : all) {
            QCOMPARE(c.secret, QStringLiteral("sk-plain-") + c.name.mid(1));
            QVERIFY(SecretBox::isSealed(rawSecret(t.db(), c.name)));
        }
    }

    // A replaced or deleted key file never yields garbage: opening fails naming the key file.
    void wrongOrMissingKeyIsAClearError_data()
    {
        QTest::addColumn<bool>("deleteKey");
        QTest::newRow("replaced key") << false;
        QTest::newRow("deleted key") << true;
    }

    void wrongOrMissingKeyIsAClearError()
    {
        QFETCH(bool, deleteKey);
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        QVERIFY(ChannelRepository(t.db()).create(channel(QStringLiteral("c1"), QStringLiteral("sk-secret-value"))));
        const QString dir = t.dataDir();
        const QString keyFile = QDir(dir).filePath(QStringLiteral("secret.key"));
        t.close();
        QVERIFY(QFile::remove(keyFile));
        if (!deleteKey) {
            QFile f(keyFile);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(64, 'a') + '\n');
            f.close();
            f.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
        }
        auto reopened = Database::openDataDir(dir);
        QVERIFY(!reopened);
        QVERIFY2(reopened.error().contains(keyFile), qPrintable(reopened.error()));
        QVERIFY(!reopened.error().contains(QStringLiteral("sk-secret-value")));
        QCOMPARE(QFile::exists(keyFile), !deleteKey); // a deleted key is not silently replaced by a new one
    }

    // RELAYDESK_SECRET_KEY_FILE names a shared key (PostgreSQL deployments); it must exist.
    void keyFileFromTheEnvironment()
    {
        QTemporaryDir keys;
        const QString keyFile = keys.filePath(QStringLiteral("shared.key"));
        qputenv("RELAYDESK_SECRET_KEY_FILE", QFile::encodeName(keyFile));
        const auto restore = qScopeGuard([] { qunsetenv("RELAYDESK_SECRET_KEY_FILE"); });
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        QCOMPARE(ChannelRepository::secretKeyFile(t.db()), keyFile);
        const auto missing = ChannelRepository(t.db()).create(channel(QStringLiteral("c1"), QStringLiteral("sk-x")));
        QVERIFY(!missing);
        QVERIFY2(missing.error().contains(keyFile), qPrintable(missing.error()));
        QVERIFY(!QFile::exists(keyFile));

        QFile f(keyFile);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(64, 'b') + '\n');
        f.close();
        QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner));
        QVERIFY(ChannelRepository(t.db()).create(channel(QStringLiteral("c1"), QStringLiteral("sk-x"))));
        const auto opened = SecretBox(QByteArray::fromHex(QByteArray(64, 'b')), keyFile).open(rawSecret(t.db(), QStringLiteral("c1")));
        QVERIFY2(opened, qPrintable(opened.error()));
        QCOMPARE(*opened, QStringLiteral("sk-x"));
        QVERIFY(!QFile::exists(QDir(t.dataDir()).filePath(QStringLiteral("secret.key"))));
    }
};

QTEST_GUILESS_MAIN(TestChannelRepository)
#include "tst_channelrepository.moc"
