// RelayServerThread: the server runs on its own thread; the caller's thread only sees queued signals.
#include "http/relayserverthread.h"

#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

using namespace RelayDesk::Relay;

class TestRelayServerThread : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void startServeStop()
    {
        HttpServerConfig config;
        config.port = 0;
        std::atomic<bool> handlerOnServerThread{false};
        QThread *mainThread = QThread::currentThread();
        RelayServerThread relay(config, [&](HttpServer &server) {
            server.router().addRoute("GET", "/v1/thread", [&, mainThread](HttpExchange &ex) {
                handlerOnServerThread = QThread::currentThread() != mainThread;
                ex.respond(200, "ok", "text/plain");
            }, Router::Access::Public);
        });
        // Signals come from the server thread; receiving them through a context object on this thread makes
        // them queued, as they would be in the GUI (QSignalSpy would record them on the emitting thread).
        QObject receiver;
        QList<std::pair<QHostAddress, quint16>> listening;
        int stopped = 0;
        connect(&relay, &RelayServerThread::listening, &receiver,
                [&](const QHostAddress &address, quint16 p) { listening.append({address, p}); });
        connect(&relay, &RelayServerThread::stopped, &receiver, [&] { ++stopped; });
        relay.start();
        QTRY_COMPARE_WITH_TIMEOUT(listening.size(), 1, 10000);
        const quint16 port = listening.first().second;
        QVERIFY(port != 0);
        QCOMPARE(relay.port(), port);
        QCOMPARE(listening.first().first, QHostAddress(QHostAddress::LocalHost));

        // Blocking client calls are fine here: the server does not need this thread's event loop.
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(client.waitForConnected(10000));
        client.write("GET /v1/thread HTTP/1.1\r\nHost: x\r\n\r\n");
        QByteArray response;
        while (!response.endsWith("ok") && client.waitForReadyRead(10000))
            response += client.readAll();
        QVERIFY(response.startsWith("HTTP/1.1 200 OK\r\n"));
        QVERIFY(handlerOnServerThread);

        relay.stop();
        QTRY_COMPARE_WITH_TIMEOUT(stopped, 1, 10000);
        QVERIFY(relay.wait(10000));
        QCOMPARE(relay.port(), quint16(0));
        QTcpSocket again;
        again.connectToHost(QHostAddress::LocalHost, port);
        // Stopped means the port is closed: the connection is refused (not accepted and left silent).
        QVERIFY(!again.waitForConnected(5000));
        QCOMPARE(again.error(), QAbstractSocket::ConnectionRefusedError);
    }

    void restartAfterStop()
    {
        HttpServerConfig config;
        config.port = 0;
        RelayServerThread relay(config);
        QObject receiver;
        int listening = 0;
        int stopped = 0;
        connect(&relay, &RelayServerThread::listening, &receiver, [&] { ++listening; });
        connect(&relay, &RelayServerThread::stopped, &receiver, [&] { ++stopped; });
        for (int run = 1; run <= 2; ++run) {
            relay.start();
            QTRY_COMPARE_WITH_TIMEOUT(listening, run, 10000);
            QVERIFY(relay.port() != 0);
            relay.stop();
            QTRY_COMPARE_WITH_TIMEOUT(stopped, run, 10000);
            QVERIFY(relay.wait(10000));
        }
    }

    void busyPortReportsFailure()
    {
        QTcpServer blocker;
        QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
        HttpServerConfig config;
        config.port = blocker.serverPort();
        RelayServerThread relay(config);
        QObject receiver;
        QStringList failures;
        connect(&relay, &RelayServerThread::failed, &receiver, [&](const QString &m) { failures.append(m); });
        relay.start();
        QTRY_COMPARE_WITH_TIMEOUT(failures.size(), 1, 10000);
        QVERIFY(failures.first().contains(QString::number(config.port)));
        QVERIFY(relay.wait(10000));
    }

    void destructorStopsARunningServer()
    {
        HttpServerConfig config;
        config.port = 0;
        auto relay = std::make_unique<RelayServerThread>(config);
        QObject receiver;
        int listening = 0;
        connect(relay.get(), &RelayServerThread::listening, &receiver, [&] { ++listening; });
        relay->start();
        QTRY_COMPARE_WITH_TIMEOUT(listening, 1, 10000);
        relay.reset(); // joins the thread without a prior stop()
    }
};

QTEST_GUILESS_MAIN(TestRelayServerThread)
#include "tst_relayserverthread.moc"
