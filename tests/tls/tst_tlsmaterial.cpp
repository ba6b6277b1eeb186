// TlsMaterial: generation (SANs, key permissions), reuse, user-supplied files, and a real TLS
// handshake on loopback in which the client trusts only the generated certificate.
#include "http/tlsmaterial.h"

#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using RelayDesk::Relay::TlsMaterial;

namespace {

// Accepts connections as TLS sockets, like the relay does, and echoes upper-cased bytes.
class TlsEchoServer final : public QTcpServer
{
public:
    explicit TlsEchoServer(QSslConfiguration configuration)
        : m_configuration(std::move(configuration))
    {
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QSslSocket(this);
        socket->setSslConfiguration(m_configuration);
        socket->setSocketDescriptor(descriptor);
        connect(socket, &QSslSocket::readyRead, socket, [socket] { socket->write(socket->readAll().toUpper()); });
        socket->startServerEncryption();
    }

private:
    QSslConfiguration m_configuration;
};

} // namespace

class TestTlsMaterial final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (!QSslSocket::supportsSsl())
            QSKIP("Qt has no TLS backend on this machine");
    }

    void generatesACertificateForLoopbackWithAPrivateKey()
    {
        QTemporaryDir dir;
        const auto paths = TlsMaterial::defaultPaths(dir.path());
        QVERIFY(paths.certificate.endsWith(QStringLiteral("/tls/relaydesk-cert.pem")));
        QString error;
        const auto configuration = TlsMaterial::loadOrCreate(paths, &error);
        QVERIFY2(configuration.has_value(), qPrintable(error));
        QCOMPARE(QFile::permissions(paths.key) & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
                 QFile::Permissions());
        const QSslCertificate certificate = configuration->localCertificate();
        const auto names = certificate.subjectAlternativeNames();
        QVERIFY(names.values(QSsl::DnsEntry).contains(QStringLiteral("localhost")));
        QVERIFY(names.values(QSsl::IpAddressEntry).contains(QStringLiteral("127.0.0.1")));
        QVERIFY(certificate.expiryDate() > QDateTime::currentDateTimeUtc().addDays(365));
        QVERIFY(!configuration->privateKey().isNull());
    }

    void reusesExistingFiles()
    {
        QTemporaryDir dir;
        const auto paths = TlsMaterial::defaultPaths(dir.path());
        QString error;
        const auto first = TlsMaterial::loadOrCreate(paths, &error);
        QVERIFY2(first.has_value(), qPrintable(error));
        const auto second = TlsMaterial::loadOrCreate(paths, &error);
        QVERIFY2(second.has_value(), qPrintable(error));
        QCOMPARE(second->localCertificate(), first->localCertificate());
    }

    void refusesHalfAPairAndGarbage()
    {
        QTemporaryDir dir;
        const auto paths = TlsMaterial::defaultPaths(dir.path());
        QString error;
        QVERIFY(TlsMaterial::generate(paths, &error));
        QVERIFY(QFile::remove(paths.key));
        QVERIFY(!TlsMaterial::loadOrCreate(paths, &error).has_value());
        QVERIFY(error.contains(QStringLiteral("only one")));

        QFile garbage(paths.key);
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write("not a key");
        garbage.close();
        error.clear();
        QVERIFY(!TlsMaterial::load(paths, &error).has_value());
        QVERIFY(error.contains(QStringLiteral("private key")));
    }

    void clientTrustingTheCertificateCompletesAHandshake()
    {
        QTemporaryDir dir;
        const auto paths = TlsMaterial::defaultPaths(dir.path());
        QString error;
        const auto configuration = TlsMaterial::loadOrCreate(paths, &error);
        QVERIFY2(configuration.has_value(), qPrintable(error));

        TlsEchoServer server(*configuration);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));

        QSslSocket client;
        QSslConfiguration clientConfig = QSslConfiguration::defaultConfiguration();
        clientConfig.setCaCertificates(QSslCertificate::fromPath(paths.certificate));
        clientConfig.setPeerVerifyMode(QSslSocket::VerifyPeer);
        client.setSslConfiguration(clientConfig);
        QList<QSslError> errors;
        connect(&client, &QSslSocket::sslErrors, this, [&](const QList<QSslError> &e) { errors += e; });
        client.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server.serverPort());
        QSignalSpy encrypted(&client, &QSslSocket::encrypted);
        QVERIFY2(encrypted.wait(10000), qPrintable(client.errorString()));
        QVERIFY(errors.isEmpty());
        client.write("ping");
        QByteArray echoed;
        connect(&client, &QSslSocket::readyRead, this, [&] { echoed += client.readAll(); });
        QTRY_COMPARE(echoed, QByteArray("PING"));
    }
};

QTEST_GUILESS_MAIN(TestTlsMaterial)
#include "tst_tlsmaterial.moc"
