// Channels page over a real SQLite store through AdminService (its worker thread): model contract, masked secrets, validated mapping JSON,
// create/update/enable/remove, and the Test button's request against a loopback HTTP server.
#include "channels/channelsmodel.h"
#include "channels/channelspage.h"

#include "store/channelhealthrepository.h"
#include "store/channelrepository.h"
#include "tempdatabase.h"

#include <QAbstractItemModelTester>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

using namespace RelayDesk;
using RelayDesk::Ui::ChannelsModel;
using RelayDesk::Ui::ChannelsPage;

namespace {
Store::Channel sample(const QString &name, const QString &baseUrl = QStringLiteral("https://api.example.com"))
{
    Store::Channel c;
    c.name = name;
    c.baseUrl = baseUrl;
    c.secret = QStringLiteral("sk-secret-0123456789abcdef");
    c.models = {QStringLiteral("gpt-4o-mini")};
    return c;
}

// Waits (bounded, events running) for a page operation; the result is then ready without blocking.
template<class T>
T finished(const QFuture<T> &f)
{
    [&] { QTRY_VERIFY_WITH_TIMEOUT(f.isFinished(), 10000); }();
    return f.result();
}
} // namespace

class TestChannelsPage final : public QObject
{
    Q_OBJECT

private slots:
    void mappingValidation_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<bool>("valid");
        QTest::newRow("empty") << QString() << true;
        QTest::newRow("object") << QStringLiteral(R"({"gpt-4o":"gpt-4o-2024-08-06"})") << true;
        QTest::newRow("broken") << QStringLiteral(R"({"gpt-4o":)") << false;
        QTest::newRow("array") << QStringLiteral(R"(["a"])") << false;
        QTest::newRow("number value") << QStringLiteral(R"({"a":1})") << false;
        QTest::newRow("empty target") << QStringLiteral(R"({"a":" "})") << false;
    }

    void mappingValidation()
    {
        QFETCH(QString, json);
        QFETCH(bool, valid);
        QCOMPARE(ChannelsPage::mappingError(json).isEmpty(), valid);
    }

    void crudAndMaskedSecrets()
    {
        Testing::TempDatabase tmp;
        QVERIFY(tmp.isValid());
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        ChannelsPage page(&admin, {});
        QAbstractItemModelTester tester(page.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto created = finished(page.save(sample(QStringLiteral("main"))));
        QVERIFY2(created.ok(), qPrintable(created.error()));
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 1, 10000);
        for (int c = 0; c < ChannelsModel::ColumnCount; ++c)
            QVERIFY(!page.model()->index(0, c).data().toString().contains(QStringLiteral("0123456789abcdef")));
        QCOMPARE(page.model()->index(0, ChannelsModel::Secret).data().toString(), ChannelsModel::maskSecret(sample({}).secret));

        Store::Channel bad = sample(QStringLiteral("bad"), QStringLiteral("ftp://nope"));
        QVERIFY(!finished(page.save(bad)).ok());
        QCOMPARE(page.model()->rowCount(), 1);

        Store::Channel edited = created.value();
        edited.weight = 7;
        edited.modelMapping = QJsonObject{{QStringLiteral("gpt-4o-mini"), QStringLiteral("gpt-4o-mini-2024-07-18")}};
        QVERIFY(finished(page.save(edited)).ok());
        QCOMPARE(Store::ChannelRepository(tmp.db()).byId(edited.id)->weight, 7);
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->index(0, ChannelsModel::Mapping).data().toString(), QStringLiteral("1 mapped"), 10000);
        QVERIFY(finished(page.setEnabled(edited.id, false)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->index(0, ChannelsModel::Status).data().toString(), QStringLiteral("disabled"), 10000);
        QVERIFY(finished(page.remove(edited.id)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 0, 10000);
        QCOMPARE(admin.audit(10).size(), 4); // add, edit, disable, remove: each audited
    }

    // The Health column shows what the relay recorded in channel_health (issue 10, item 7).
    void healthColumn()
    {
        Testing::TempDatabase tmp;
        QVERIFY(tmp.isValid());
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        ChannelsPage page(&admin, {});
        const auto up = finished(page.save(sample(QStringLiteral("up"))));
        const auto down = finished(page.save(sample(QStringLiteral("down"))));
        QVERIFY(up.ok() && down.ok());
        Store::ChannelHealth h;
        h.channelId = down->id;
        h.state = Store::ChannelHealth::State::Unhealthy;
        h.failures = 3;
        h.retryAtMs = QDateTime::currentMSecsSinceEpoch() + 40'000;
        h.lastError = QStringLiteral("HTTP 401: Incorrect API key provided: [redacted]");
        QVERIFY(Store::ChannelHealthRepository(tmp.db()).save(h));
        page.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!page.isLoading(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->rowCount(), 2, 10000);
        const QModelIndex upHealth = page.model()->index(page.model()->rowOf(up->id), ChannelsModel::Health);
        const QModelIndex downHealth = page.model()->index(page.model()->rowOf(down->id), ChannelsModel::Health);
        QCOMPARE(upHealth.data().toString(), QStringLiteral("healthy"));
        QVERIFY2(downHealth.data().toString().startsWith(QStringLiteral("unhealthy · retry in 4")),
                 qPrintable(downHealth.data().toString()));
        QVERIFY(downHealth.data(Qt::ToolTipRole).toString().contains(QStringLiteral("HTTP 401")));
        QVERIFY(downHealth.data(Qt::ForegroundRole).isValid());
        QCOMPARE(page.model()->headerData(ChannelsModel::Health, Qt::Horizontal).toString(), QStringLiteral("Health"));
        h.state = Store::ChannelHealth::State::Probing;
        QVERIFY(Store::ChannelHealthRepository(tmp.db()).save(h));
        page.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(page.model()->index(page.model()->rowOf(down->id), ChannelsModel::Health).data().toString(),
                                  QStringLiteral("probing"), 10000);
    }

    void testerMakesARealMinimalRequest()
    {
        // A loopback server answering one chat completion; checks what the tester sent.
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QByteArray received;
        connect(&server, &QTcpServer::newConnection, this, [&] {
            QTcpSocket *s = server.nextPendingConnection();
            connect(s, &QTcpSocket::readyRead, s, [s, &received] {
                received += s->readAll();
                const int headerEnd = received.indexOf("\r\n\r\n");
                if (headerEnd < 0)
                    return;
                const QByteArray body = R"({"id":"x","choices":[{"message":{"content":"p"}}]})";
                s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                         QByteArray::number(body.size()) + "\r\n\r\n" + body);
                s->disconnectFromHost();
            });
        });
        Store::Channel c = sample(QStringLiteral("local"), QStringLiteral("http://127.0.0.1:%1").arg(server.serverPort()));
        c.modelMapping = QJsonObject{{QStringLiteral("gpt-4o-mini"), QStringLiteral("mapped-model")}};
        bool done = false, ok = false;
        QString message;
        QObject context;
        Ui::httpChannelTester()(c, &context, [&](bool success, const QString &text) {
            done = true;
            ok = success;
            message = text;
        });
        QTRY_VERIFY_WITH_TIMEOUT(done, 10000);
        QVERIFY2(ok, qPrintable(message));
        QVERIFY(message.contains(QStringLiteral("mapped-model")));
        QVERIFY(received.startsWith("POST /v1/chat/completions "));
        QVERIFY(received.contains("Bearer sk-secret-0123456789abcdef"));

        // A refused connection is reported as a failure, not a crash.
        server.close();
        done = false;
        Ui::httpChannelTester()(c, &context, [&](bool success, const QString &text) {
            done = true;
            ok = success;
            message = text;
        });
        QTRY_VERIFY_WITH_TIMEOUT(done, 10000);
        QVERIFY(!ok);
    }
};

QTEST_MAIN(TestChannelsPage)
#include "tst_channelspage.moc"
