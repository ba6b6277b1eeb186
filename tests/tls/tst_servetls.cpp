// `relaydeskd serve --demo --tls`: the real binary generates its certificate under the data dir, prints
// where it is, and serves the OpenAI API over HTTPS to a client that trusts only that certificate.
#include "binaries.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSslSocket>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

class TestServeTls final : public QObject
{
    Q_OBJECT

private slots:
    void serveOverTlsWithTheGeneratedCertificate()
    {
        if (!QSslSocket::supportsSsl())
            QSKIP("Qt has no TLS backend on this machine");
        QTemporaryDir data;
        QProcess serve;
        serve.setProcessChannelMode(QProcess::SeparateChannels);
        const QString listen = QStringLiteral("127.0.0.1:%1").arg(RelayDeskTest::freePort());
        serve.start(RelayDeskTest::binary("relaydeskd"),
                    {QStringLiteral("serve"), QStringLiteral("--data"), data.path(), QStringLiteral("--demo"),
                     QStringLiteral("--tls"), QStringLiteral("--listen"), listen});
        QByteArray output;
        connect(&serve, &QProcess::readyReadStandardOutput, this, [&] { output += serve.readAllStandardOutput(); });
        QTRY_VERIFY_WITH_TIMEOUT(output.contains("TLS certificate:"), 30000);

        // Not a terminal: serve prints only a masked demo key; the client's key is made with `admin key add`.
        QVERIFY2(!QRegularExpression(QStringLiteral("sk-[A-Za-z0-9]{48}")).match(QString::fromUtf8(output)).hasMatch(),
                 output.constData());
        QProcess admin;
        admin.start(RelayDeskTest::binary("relaydeskd"),
                    {QStringLiteral("admin"), QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("--user"),
                     QStringLiteral("demo"), QStringLiteral("--data"), data.path()});
        QVERIFY(admin.waitForFinished(30000));
        QCOMPARE(admin.exitCode(), 0);
        const QString key = QJsonDocument::fromJson(admin.readAllStandardOutput()).object().value(u"key").toString();
        QVERIFY(key.startsWith(QStringLiteral("sk-")));
        const auto base = QRegularExpression(QStringLiteral("Listening on (\\S+)")).match(QString::fromUtf8(output));
        QVERIFY(base.hasMatch());
        QVERIFY(base.captured(1).startsWith(QStringLiteral("https://127.0.0.1:")));
        const QString certificate = QDir(data.path()).filePath(QStringLiteral("tls/relaydesk-cert.pem"));
        QVERIFY(output.contains(certificate.toUtf8()));
        QCOMPARE(QFile::permissions(QDir(data.path()).filePath(QStringLiteral("tls/relaydesk-key.pem")))
                     & (QFile::ReadOther | QFile::ReadGroup),
                 QFile::Permissions());

        QNetworkAccessManager nam;
        QNetworkRequest request(QUrl(base.captured(1) + QStringLiteral("/models")));
        request.setRawHeader("Authorization", "Bearer " + key.toLatin1());
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setCaCertificates(QSslCertificate::fromPath(certificate));
        request.setSslConfiguration(tls);
        QNetworkReply *reply = nam.get(request);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        QVERIFY(finished.wait(30000));
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QVERIFY(reply->readAll().contains("\"object\":\"list\""));
        reply->deleteLater();

        serve.terminate();
        QVERIFY(serve.waitForFinished(30000));
        QCOMPARE(serve.exitStatus(), QProcess::NormalExit);
        QCOMPARE(serve.exitCode(), 0);
    }

    void tlsFilesWithoutTlsAreRefused()
    {
        QProcess serve;
        serve.start(RelayDeskTest::binary("relaydeskd"),
                    {QStringLiteral("serve"), QStringLiteral("--tls-cert"), QStringLiteral("/nonexistent.pem")});
        QVERIFY(serve.waitForFinished(30000));
        QCOMPARE(serve.exitCode(), 2);
        QVERIFY(serve.readAllStandardError().contains("need --tls"));
    }
};

QTEST_GUILESS_MAIN(TestServeTls)
#include "tst_servetls.moc"
