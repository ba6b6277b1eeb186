// Spend alerts in `relaydeskd serve` end to end (issue 16 part 4): a user's day budget with an alert at 1%, a webhook
// with a signing secret pointed at a local receiver (a real HTTP server in this process) that answers 500 the first
// time. A chat call through the relay crosses the threshold: the receiver gets the signed JSON POST again after the
// back-off, the signature verifies with the secret, and the event is listed as delivered by `admin alerts`. A second
// call in the same day fires nothing more.
#include "binaries.h"
#include "relaydeskdrun.h"

#include "http/httpserver.h"
#include "service/alertwebhook.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

using namespace RelayDesk;

namespace {

struct Post
{
    QByteArray body;
    QByteArray signature;
    QByteArray timestamp;
};

// A chat call (Connection: close); the status.
int chat(quint16 port, const QByteArray &key, const QByteArray &text)
{
    const QByteArray body = QJsonDocument(QJsonObject{
        {QStringLiteral("model"), QStringLiteral("gpt-4o")},
        {QStringLiteral("max_tokens"), 32},
        {QStringLiteral("messages"), QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                                            {QStringLiteral("content"), QString::fromUtf8(text)}}}}})
                                .toJson(QJsonDocument::Compact);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return 0;
    socket.write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer " +
                 key + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
                 "\r\n\r\n" + body);
    QByteArray raw;
    while (socket.state() == QAbstractSocket::ConnectedState && socket.waitForReadyRead(20000))
        raw += socket.readAll();
    raw += socket.readAll();
    return raw.startsWith("HTTP/1.1 ") ? raw.mid(9, 3).toInt() : 0;
}

} // namespace

class TestAlertsServe final : public QObject
{
    Q_OBJECT

private slots:
    void budgetAlertReachesTheWebhookSignedAndRetried()
    {
        QTemporaryDir data;
        QVERIFY(data.isValid());
        // The receiver: 500 first, then 200.
        QList<Post> posts;
        Relay::HttpServerConfig config;
        config.port = 0;
        Relay::HttpServer receiver(config);
        receiver.router().addRoute(
            "POST", "/hook",
            [&posts](Relay::HttpExchange &e) {
                posts.append({e.request().body, e.request().header("x-relaydesk-signature"),
                              e.request().header("x-relaydesk-timestamp")});
                e.respond(posts.size() == 1 ? 500 : 200, "{}");
            },
            Relay::Router::Access::Public);
        QVERIFY(receiver.start());
        const QString secretFile = data.filePath(QStringLiteral("hook.secret"));
        QFile f(secretFile);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("whsec-serve-test");
        f.close();

        const auto admin = [&](const QStringList &args) { return RelayDeskTest::runAdmin(data.path(), args); };
        QVERIFY(RelayDeskTest::addAliceAccount(data.path()));
        QCOMPARE(admin({"user", "set-limits", "alice", "--budget", "day=5000", "--alert-budget", "day=1"}).exitCode, 0);
        QCOMPARE(admin({"alert-webhook", "--url", QStringLiteral("http://127.0.0.1:%1/hook").arg(receiver.serverPort()),
                        "--secret-file", secretFile}).exitCode, 0);
        const auto created = admin({"key", "add", "--user", "alice", "--name", "alice-app", "--unlimited"});
        const QByteArray key = created.json().value(QStringLiteral("key")).toString().toLatin1();
        QVERIFY(key.startsWith("sk-"));

        const quint16 port = RelayDeskTest::freePort();
        QProcess serve;
        QByteArray output;
        QVERIFY2(RelayDeskTest::startServe(serve, {QStringLiteral("--data"), data.path(), QStringLiteral("--demo")}, port,
                                           &output),
                 output.constData());
        // 1% of the 5,000-quota day is 50 quota: one gpt-4o call (about 20 tokens in, 30 out) crosses it.
        QCOMPARE(chat(port, key, "Tell me about relays."), 200);
        QTRY_VERIFY_WITH_TIMEOUT(posts.size() >= 2, 20'000); // the first answered 500, retried after the back-off
        QCOMPARE(posts.size(), 2);
        QCOMPARE(posts[0].body, posts[1].body);
        for (const Post &p : posts)
            QCOMPARE(p.signature, Service::AlertWebhook::signature("whsec-serve-test", p.timestamp, p.body));
        const QJsonObject event = QJsonDocument::fromJson(posts[1].body).object();
        QCOMPARE(event.value(QLatin1String("type")).toString(), QStringLiteral("budget.threshold"));
        QCOMPARE(event.value(QLatin1String("window")).toString(), QStringLiteral("day"));
        QVERIFY(event.value(QLatin1String("spent_quota")).toInteger() >= 50);
        QCOMPARE(event.value(QLatin1String("cap_quota")).toInteger(), 5000);
        QCOMPARE(event.value(QLatin1String("owner")).toObject().value(QLatin1String("name")).toString(), QStringLiteral("alice"));
        QVERIFY(!posts[1].body.contains(key));
        QTRY_VERIFY_WITH_TIMEOUT(admin({"alerts"}).out.contains("\"status\":\"delivered\""), 10'000);
        // Over the threshold already: another call in the same day fires nothing more.
        QCOMPARE(chat(port, key, "once more"), 200);
        const QByteArray listed = admin({"alerts"}).out;
        QCOMPARE(listed.count('\n'), 1);
        serve.terminate();
        QVERIFY(serve.waitForFinished(20'000));
        QCOMPARE(posts.size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestAlertsServe)
#include "tst_alertsserve.moc"
