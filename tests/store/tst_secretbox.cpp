// SecretBox: AES-256-GCM sealing of channel secrets, its key file, and the failures that must be loud.
#include "store/secretbox.h"

#include <QDir>
#include <QFile>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

using namespace RelayDesk::Store;

class TestSecretBox final : public QObject
{
    Q_OBJECT

private:
    static SecretBox makeBox(char fill, const QString &file = QStringLiteral("/keys/test.key"))
    {
        return SecretBox(QByteArray(SecretBox::kKeySize, fill), file);
    }

private slots:
    void roundTrip_data()
    {
        QTest::addColumn<QString>("plain");
        QTest::newRow("openai key") << QStringLiteral("sk-proj-abcdefghijklmnopqrstuvwxyz0123456789WXYZ");
        QTest::newRow("one char") << QStringLiteral("x");
        QTest::newRow("unicode") << QStringLiteral("秘密-🔑-ключ");
        QTest::newRow("looks sealed") << QStringLiteral("enc:v1:not-really");
        QTest::newRow("long") << QString(5000, u'k');
    }

    void roundTrip()
    {
        QFETCH(QString, plain);
        const SecretBox box = makeBox('\x11');
        const auto sealed = box.seal(plain);
        QVERIFY2(sealed, qPrintable(sealed.error()));
        QVERIFY(SecretBox::isSealed(*sealed));
        QVERIFY(sealed->startsWith(QStringLiteral("enc:v1:")));
        // The sealed text never shows the secret. (Checked for secrets of 8+ characters: a short one, like "x",
        // turns up in random base64 by chance — about half the time for one character.)
        if (plain.size() >= 8)
            QVERIFY(!sealed->contains(plain));
        const auto opened = box.open(*sealed);
        QVERIFY2(opened, qPrintable(opened.error()));
        QCOMPARE(*opened, plain);
    }

    // A random 96-bit nonce per value: sealing the same secret twice never gives the same text.
    void nonceDiffersPerEncryption_data()
    {
        QTest::addColumn<QString>("plain");
        QTest::addColumn<int>("times");
        QTest::newRow("short, 2") << QStringLiteral("a") << 2;
        QTest::newRow("key, 200") << QStringLiteral("sk-upstream-secret") << 200;
    }

    void nonceDiffersPerEncryption()
    {
        QFETCH(QString, plain);
        QFETCH(int, times);
        const SecretBox box = makeBox('\x22');
        QSet<QByteArray> nonces;
        QSet<QString> texts;
        for (int i = 0; i < times; ++i) {
            const auto sealed = box.seal(plain);
            QVERIFY(sealed);
            texts.insert(*sealed);
            const QByteArray raw = QByteArray::fromBase64(sealed->mid(7).toLatin1());
            nonces.insert(raw.left(SecretBox::kNonceSize));
        }
        QCOMPARE(texts.size(), times);
        QCOMPARE(nonces.size(), times);
    }

    void wrongKeyFailsNamingTheKeyFile()
    {
        const auto sealed = makeBox('\x33').seal(QStringLiteral("sk-secret"));
        QVERIFY(sealed);
        const auto opened = makeBox('\x34', QStringLiteral("/etc/relaydesk/other.key")).open(*sealed);
        QVERIFY(!opened);
        QVERIFY2(opened.error().contains(QStringLiteral("/etc/relaydesk/other.key")), qPrintable(opened.error()));
        QVERIFY(!opened.error().contains(QStringLiteral("sk-secret")));
    }

    // Any changed byte (nonce, ciphertext or tag), a truncation or a bad encoding fails authentication.
    void tamperFails_data()
    {
        QTest::addColumn<int>("position"); // byte of nonce|ciphertext|tag to flip; -1 truncate; -2 bad base64
        QTest::newRow("nonce") << 0;
        QTest::newRow("ciphertext") << SecretBox::kNonceSize + 2;
        QTest::newRow("tag") << -3;
        QTest::newRow("truncated") << -1;
        QTest::newRow("not base64") << -2;
    }

    void tamperFails()
    {
        QFETCH(int, position);
        const SecretBox box = makeBox('\x44');
        const auto sealed = box.seal(QStringLiteral("sk-tamper-me"));
        QVERIFY(sealed);
        QByteArray raw = QByteArray::fromBase64(sealed->mid(7).toLatin1());
        QString tampered;
        if (position >= 0 || position == -3) {
            const int at = position == -3 ? int(raw.size()) - 1 : position;
            raw[at] = char(raw[at] ^ 0x01);
            tampered = QStringLiteral("enc:v1:") + QString::fromLatin1(raw.toBase64());
        } else if (position == -1) {
            tampered = QStringLiteral("enc:v1:") + QString::fromLatin1(raw.left(SecretBox::kNonceSize + 4).toBase64());
        } else {
            tampered = QStringLiteral("enc:v1:%%%not base64%%%");
        }
        const auto opened = box.open(tampered);
        QVERIFY(!opened);
        QVERIFY(!opened.error().isEmpty());
    }

    // The key file is created at first use: 32 CSPRNG bytes, mode 0600; loading again gives the same key.
    void keyFileIsCreatedPrivateAndReused()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("secret.key"));
        const mode_t previous = ::umask(0);
        auto first = SecretBox::load(file, SecretBox::CreateIfMissing);
        ::umask(previous);
        QVERIFY2(first, qPrintable(first.error()));
        struct stat st{};
        QCOMPARE(::stat(QFile::encodeName(file).constData(), &st), 0);
        QCOMPARE(unsigned(st.st_mode & 07777), 0600u);
        auto second = SecretBox::load(file, SecretBox::MustExist);
        QVERIFY2(second, qPrintable(second.error()));
        const auto sealed = first->seal(QStringLiteral("sk-same-key"));
        QVERIFY(sealed);
        QCOMPARE(*second->open(*sealed), QStringLiteral("sk-same-key"));
        auto other = SecretBox::load(dir.filePath(QStringLiteral("other.key")), SecretBox::CreateIfMissing);
        QVERIFY(other);
        QVERIFY(!other->open(*sealed));
    }

    void badKeyFilesGiveClearErrors_data()
    {
        QTest::addColumn<QByteArray>("content"); // empty + missing = the file does not exist
        QTest::addColumn<bool>("missing");
        QTest::newRow("missing") << QByteArray() << true;
        QTest::newRow("empty") << QByteArray() << false;
        QTest::newRow("short hex") << QByteArray("abcd\n") << false;
        QTest::newRow("not hex") << QByteArray(64, 'z') << false;
    }

    void badKeyFilesGiveClearErrors()
    {
        QFETCH(QByteArray, content);
        QFETCH(bool, missing);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("given.key"));
        if (!missing) {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(content);
        }
        const auto loaded = SecretBox::load(file, SecretBox::MustExist);
        QVERIFY(!loaded);
        QVERIFY2(loaded.error().contains(file), qPrintable(loaded.error()));
        QCOMPARE(QFile::exists(file), !missing); // MustExist never creates a key
    }
};

QTEST_GUILESS_MAIN(TestSecretBox)
#include "tst_secretbox.moc"
