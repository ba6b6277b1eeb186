// RelayServerThread: the server runs on its own thread; the caller's thread only sees queued signals.
#include "relay/relayserverthread.h"

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
        QSignalSpy listening(&relay, &RelayServerThread::listening);
        QSignalSpy stopped(&relay, &RelayServerThread::stopped);
        relay.start();
        QVERIFY(listening.wait(10000));
        const quint16 port = listening.first().at(1).value<quint16>();
        QVERIFY(port != 0);
        QCOMPARE(relay.port(), port);
        QCOMPARE(listening.first().at(0).value<QHostAddress>(), QHostAddress(QHostAddress::LocalHost));

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
        QVERIFY(stopped.wait(10000));
        QVERIFY(relay.wait(10000));
        QCOMPARE(relay.port(), quint16(0));
        QTcpSocket again;
        again.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(!again.waitForConnected(2000) || !again.waitForReadyRead(500));
    }

    void busyPortReportsFailure()
    {
        QTcpServer blocker;
        QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
        HttpServerConfig config;
        config.port = blocker.serverPort();
        RelayServerThread relay(config);
        QSignalSpy failed(&relay, &RelayServerThread::failed);
        relay.start();
        QVERIFY(failed.wait(10000));
        QVERIFY(failed.first().at(0).toString().contains(QString::number(config.port)));
        QVERIFY(relay.wait(10000));
    }

    void destructorStopsARunningServer()
    {
        HttpServerConfig config;
        config.port = 0;
        auto relay = std::make_unique<RelayServerThread>(config);
        QSignalSpy listening(relay.get(), &RelayServerThread::listening);
        relay->start();
        QVERIFY(listening.wait(10000));
        relay.reset(); // joins the thread without a prior stop()
    }
};

QTEST_GUILESS_MAIN(TestRelayServerThread)
#include "tst_relayserverthread.moc"
