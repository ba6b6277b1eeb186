// EpollEventDispatcher on a QThread, as the relay's loops run it: timers of each type (fire, periodic phase, kill
// from the handler, remainingTime, registeredTimers, a timer moved onto the thread), socket notifiers (level
// triggered, disabled ones silent, one deleted by an earlier handler of the same pass), wake-ups and posted events
// from another thread, quit(), and real QTcpSocket / QWebSocket traffic over loopback.
#include "http/epolleventdispatcher.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QPointer>
#include <QtCore/QSocketNotifier>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketServer>

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <memory>

using RelayDesk::Relay::EpollEventDispatcher;

namespace {

// A QThread running on an EpollEventDispatcher; run() executes a function there and waits for it.
class EpollThread final
{
public:
    EpollThread()
    {
        auto *dispatcher = new EpollEventDispatcher;
        valid = dispatcher->isValid();
        thread.setEventDispatcher(dispatcher);
        thread.start();
        anchor.moveToThread(&thread);
    }
    ~EpollThread()
    {
        thread.quit();
        thread.wait();
    }
    void run(const std::function<void()> &f)
    {
        QMetaObject::invokeMethod(&anchor, f, Qt::BlockingQueuedConnection);
    }

    bool valid = false;
    QThread thread;
    QObject anchor;
};

// Counts its timer events; optionally kills the timer from inside the first one, or takes busyMs in each.
class TimerCounter final : public QObject
{
public:
    std::atomic<int> fired{0};
    bool killOnFirst = false;
    int busyMs = 0;
    QList<qint64> at; // ms since `clock` started, per event
    QElapsedTimer clock;

protected:
    void timerEvent(QTimerEvent *event) override
    {
        at.append(clock.elapsed());
        ++fired;
        if (killOnFirst)
            killTimer(event->timerId());
        QElapsedTimer busy; // a slow handler (the subject of the test, not a wait for something)
        busy.start();
        while (busy.elapsed() < busyMs) {
        }
    }
};

} // namespace

class TestEpollEventDispatcher final : public QObject
{
    Q_OBJECT

private slots:
    void isInstalled();
    void timerFires_data();
    void timerFires();
    void periodicTimerKeepsPhase();
    void timerKilledInItsHandler();
    void remainingAndRegistered_data();
    void remainingAndRegistered();
    void timerMovedOntoTheThread();
    void socketNotifierIsLevelTriggered();
    void disabledNotifierIsSilent();
    void notifierDeletedByAnEarlierHandler();
    void crossThreadWakeUpIsPrompt();
    void postedEventsAndDeferredDelete();
    void quitIsPrompt();
    void tcpEchoOverLoopback();
    void webSocketEchoOverLoopback();
};

void TestEpollEventDispatcher::isInstalled()
{
    EpollThread t;
    QVERIFY(t.valid);
    bool ours = false;
    t.run([&] { ours = qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()) != nullptr; });
    QVERIFY(ours);
}

void TestEpollEventDispatcher::timerFires_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("intervalMs");
    QTest::addColumn<int>("earliestMs");
    QTest::newRow("precise 30 ms") << int(Qt::PreciseTimer) << 30 << 30;
    QTest::newRow("coarse 40 ms") << int(Qt::CoarseTimer) << 40 << 38;
    QTest::newRow("zero") << int(Qt::CoarseTimer) << 0 << 0;
    QTest::newRow("very coarse 700 ms: one second") << int(Qt::VeryCoarseTimer) << 700 << 1000;
}

void TestEpollEventDispatcher::timerFires()
{
    QFETCH(int, type);
    QFETCH(int, intervalMs);
    QFETCH(int, earliestMs);
    EpollThread t;
    QPointer<QTimer> timer;
    std::atomic<bool> fired{false};
    std::atomic<qint64> afterMs{-1};
    QElapsedTimer clock;
    t.run([&] {
        timer = new QTimer(&t.anchor);
        timer->setSingleShot(true);
        timer->setTimerType(Qt::TimerType(type));
        QObject::connect(timer, &QTimer::timeout, [&] {
            afterMs = clock.elapsed();
            fired = true;
        });
        clock.start();
        timer->start(intervalMs);
    });
    QTRY_VERIFY_WITH_TIMEOUT(fired.load(), 5000);
    QVERIFY2(afterMs >= earliestMs, qPrintable(QString::number(afterMs)));
    t.run([&] { delete timer; });
}

void TestEpollEventDispatcher::periodicTimerKeepsPhase()
{
    // Each event's handler takes 8 ms of a 20 ms period. A timer due again "interval after its handler" would
    // drift 8 ms a period (ten events ending past 280 ms); one kept on its own phase ends the tenth near 200 ms.
    EpollThread t;
    auto counter = std::make_unique<TimerCounter>();
    TimerCounter *c = counter.get();
    c->busyMs = 8;
    c->moveToThread(&t.thread);
    int id = 0;
    t.run([c, &id] {
        c->clock.start();
        id = c->startTimer(20, Qt::PreciseTimer);
    });
    QTRY_VERIFY_WITH_TIMEOUT(c->fired >= 10, 5000);
    QList<qint64> at;
    t.run([&] {
        at = c->at;
        c->killTimer(id);
    });
    QVERIFY2(at.at(9) >= 200 && at.at(9) < 260, qPrintable(QString::number(at.at(9))));
    t.run([&] { counter.reset(); });
}

void TestEpollEventDispatcher::timerKilledInItsHandler()
{
    EpollThread t;
    auto counter = std::make_unique<TimerCounter>();
    TimerCounter *c = counter.get();
    c->killOnFirst = true;
    c->moveToThread(&t.thread);
    t.run([c] {
        c->clock.start();
        c->startTimer(5);
    });
    QTRY_COMPARE_WITH_TIMEOUT(c->fired.load(), 1, 2000);
    // A witness timer of the same period on the same loop: twenty of its events are twenty passes in which the
    // killed timer would have been due.
    auto witness = std::make_unique<TimerCounter>();
    TimerCounter *w = witness.get();
    w->moveToThread(&t.thread);
    t.run([w] {
        w->clock.start();
        w->startTimer(5);
    });
    QTRY_VERIFY_WITH_TIMEOUT(w->fired >= 20, 5000);
    QCOMPARE(c->fired.load(), 1);
    t.run([&] { witness.reset(); });
    bool none = false;
    t.run([&] { none = QAbstractEventDispatcher::instance()->registeredTimers(c).isEmpty(); });
    QVERIFY(none);
    t.run([&] { counter.reset(); });
}

void TestEpollEventDispatcher::remainingAndRegistered_data()
{
    QTest::addColumn<int>("type");
    QTest::newRow("precise") << int(Qt::PreciseTimer);
    QTest::newRow("coarse") << int(Qt::CoarseTimer);
    QTest::newRow("very coarse") << int(Qt::VeryCoarseTimer);
}

void TestEpollEventDispatcher::remainingAndRegistered()
{
    QFETCH(int, type);
    EpollThread t;
    int remaining = -2;
    int gone = -2;
    QList<QAbstractEventDispatcher::TimerInfo> infos;
    t.run([&] {
        QTimer timer;
        timer.setTimerType(Qt::TimerType(type));
        timer.start(5000);
        remaining = timer.remainingTime();
        infos = QAbstractEventDispatcher::instance()->registeredTimers(&timer);
        const int id = timer.timerId();
        timer.stop();
        gone = QAbstractEventDispatcher::instance()->remainingTime(id);
    });
    QVERIFY2(remaining > 4000 && remaining <= 5000, qPrintable(QString::number(remaining)));
    QCOMPARE(infos.size(), 1);
    QCOMPARE(infos.first().interval, 5000);
    QCOMPARE(int(infos.first().timerType), type);
    QCOMPARE(gone, -1);
}

void TestEpollEventDispatcher::timerMovedOntoTheThread()
{
    // QObject::moveToThread carries running timers over through registeredTimers(): they keep firing there.
    EpollThread t;
    auto *timer = new QTimer;
    std::atomic<int> fired{0};
    std::atomic<bool> onWorker{true};
    QObject::connect(timer, &QTimer::timeout, timer, [&] {
        ++fired;
        onWorker = onWorker && QThread::currentThread() == &t.thread;
    });
    timer->start(10);
    timer->moveToThread(&t.thread);
    QTRY_VERIFY_WITH_TIMEOUT(fired >= 3, 5000);
    QVERIFY(onWorker);
    t.run([timer] { delete timer; });
}

void TestEpollEventDispatcher::socketNotifierIsLevelTriggered()
{
    int fds[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    EpollThread t;
    QSocketNotifier *notifier = nullptr;
    std::atomic<int> activations{0};
    t.run([&] {
        notifier = new QSocketNotifier(fds[0], QSocketNotifier::Read);
        // Reads one byte per activation: the rest must fire it again (level-triggered), once per byte.
        QObject::connect(notifier, &QSocketNotifier::activated, [&](QSocketDescriptor fd) {
            char byte;
            if (::read(int(fd), &byte, 1) == 1)
                ++activations;
        });
    });
    QCOMPARE(::write(fds[1], "abc", 3), 3);
    QTRY_COMPARE_WITH_TIMEOUT(activations.load(), 3, 2000);
    t.run([&] { delete notifier; });
    ::close(fds[0]);
    ::close(fds[1]);
}

void TestEpollEventDispatcher::disabledNotifierIsSilent()
{
    int fds[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    EpollThread t;
    QSocketNotifier *notifier = nullptr;
    std::atomic<int> activations{0};
    t.run([&] {
        notifier = new QSocketNotifier(fds[0], QSocketNotifier::Read);
        QObject::connect(notifier, &QSocketNotifier::activated, [&] { ++activations; });
        notifier->setEnabled(false);
    });
    QCOMPARE(::write(fds[1], "x", 1), 1);
    // Two round trips through the loop: each is a pass whose epoll_wait saw the byte (level-triggered).
    t.run([] {});
    t.run([] {});
    QCOMPARE(activations.load(), 0);
    // Enabled again, the pending byte fires it (and keeps firing: nobody reads it).
    t.run([&] { notifier->setEnabled(true); });
    QTRY_VERIFY_WITH_TIMEOUT(activations > 0, 2000);
    t.run([&] { delete notifier; });
    ::close(fds[0]);
    ::close(fds[1]);
}

void TestEpollEventDispatcher::notifierDeletedByAnEarlierHandler()
{
    // Both descriptors readable in the same pass; whichever handler runs first deletes the other notifier, which
    // must then not be activated (it would be a use after free).
    int a[2];
    int b[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, a), 0);
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, b), 0);
    EpollThread t;
    std::atomic<int> activations{0};
    ssize_t written = 0;
    QPointer<QSocketNotifier> first;
    QPointer<QSocketNotifier> second;
    t.run([&] {
        first = new QSocketNotifier(a[0], QSocketNotifier::Read);
        second = new QSocketNotifier(b[0], QSocketNotifier::Read);
        QObject::connect(first, &QSocketNotifier::activated, [&] {
            ++activations;
            delete second;
            first->setEnabled(false);
        });
        QObject::connect(second, &QSocketNotifier::activated, [&] {
            ++activations;
            delete first;
            second->setEnabled(false);
        });
        // Both become readable before the loop's next pass.
        written = ::write(a[1], "x", 1) + ::write(b[1], "x", 1);
    });
    QCOMPARE(written, 2);
    QTRY_COMPARE_WITH_TIMEOUT(activations.load(), 1, 2000);
    t.run([] {}); // two more passes with both descriptors still readable
    t.run([] {});
    QCOMPARE(activations.load(), 1);
    t.run([&] {
        delete first;
        delete second;
    });
    for (int fd : {a[0], a[1], b[0], b[1]})
        ::close(fd);
}

void TestEpollEventDispatcher::crossThreadWakeUpIsPrompt()
{
    // The loop sleeps with no timer at all; a queued call from here must wake it at once, every time.
    EpollThread t;
    for (int i = 0; i < 50; ++i) {
        std::atomic<bool> ran{false};
        QElapsedTimer latency;
        latency.start();
        QMetaObject::invokeMethod(&t.anchor, [&] { ran = true; }, Qt::QueuedConnection);
        while (!ran && latency.elapsed() < 2000)
            QThread::yieldCurrentThread();
        QVERIFY(ran); // a loop the call did not wake sleeps for good: no timer is registered
    }
}

void TestEpollEventDispatcher::postedEventsAndDeferredDelete()
{
    EpollThread t;
    QPointer<QObject> doomed;
    std::atomic<int> order{0};
    std::atomic<int> firstSeen{0};
    std::atomic<int> secondSeen{0};
    t.run([&] {
        doomed = new QObject;
        // Posted from the thread itself: both run in order, then the deferred delete.
        QMetaObject::invokeMethod(&t.anchor, [&] { firstSeen = ++order; }, Qt::QueuedConnection);
        QMetaObject::invokeMethod(&t.anchor, [&] { secondSeen = ++order; }, Qt::QueuedConnection);
        doomed->deleteLater();
    });
    QTRY_COMPARE_WITH_TIMEOUT(secondSeen.load(), 2, 2000);
    QCOMPARE(firstSeen.load(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(doomed.isNull(), 2000);
}

void TestEpollEventDispatcher::quitIsPrompt()
{
    auto t = std::make_unique<EpollThread>();
    t->run([] {}); // running, then back to sleep in epoll_wait with no timer: only a wake-up ends the wait
    t->thread.quit();
    QVERIFY(t->thread.wait(5000));
}

void TestEpollEventDispatcher::tcpEchoOverLoopback()
{
    // The server side on the epoll thread echoes; the client here sends 1 MiB (many reads and writes there).
    EpollThread t;
    QTcpServer *server = nullptr;
    quint16 port = 0;
    t.run([&] {
        server = new QTcpServer;
        QObject::connect(server, &QTcpServer::newConnection, server, [server] {
            while (QTcpSocket *peer = server->nextPendingConnection())
                QObject::connect(peer, &QTcpSocket::readyRead, peer, [peer] { peer->write(peer->readAll()); });
        });
        if (server->listen(QHostAddress::LocalHost))
            port = server->serverPort();
    });
    QVERIFY(port != 0);
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(client.waitForConnected(5000));
    QByteArray payload(1 << 20, '\0');
    for (int i = 0; i < payload.size(); ++i)
        payload[i] = char(i * 7);
    client.write(payload);
    QByteArray echoed;
    QObject::connect(&client, &QTcpSocket::readyRead, [&] { echoed += client.readAll(); });
    QTRY_COMPARE_WITH_TIMEOUT(echoed.size(), payload.size(), 10000);
    QCOMPARE(echoed, payload);
    client.close();
    t.run([&] { delete server; });
}

void TestEpollEventDispatcher::webSocketEchoOverLoopback()
{
    EpollThread t;
    QWebSocketServer *server = nullptr;
    quint16 port = 0;
    t.run([&] {
        server = new QWebSocketServer(QStringLiteral("echo"), QWebSocketServer::NonSecureMode);
        QObject::connect(server, &QWebSocketServer::newConnection, server, [server] {
            while (QWebSocket *peer = server->nextPendingConnection()) {
                peer->setParent(server);
                QObject::connect(peer, &QWebSocket::textMessageReceived, peer,
                                 [peer](const QString &m) { peer->sendTextMessage(m); });
            }
        });
        if (server->listen(QHostAddress::LocalHost))
            port = server->serverPort();
    });
    QVERIFY(port != 0);
    QWebSocket client;
    QSignalSpy connected(&client, &QWebSocket::connected);
    QStringList echoed;
    QObject::connect(&client, &QWebSocket::textMessageReceived, [&](const QString &m) { echoed << m; });
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)));
    QVERIFY(connected.wait(5000));
    QStringList sent;
    for (int i = 0; i < 200; ++i) {
        sent << QStringLiteral("{\"type\":\"event\",\"n\":%1}").arg(i);
        client.sendTextMessage(sent.last());
    }
    QTRY_COMPARE_WITH_TIMEOUT(echoed.size(), sent.size(), 10000);
    QCOMPARE(echoed, sent);
    client.close();
    t.run([&] { delete server; });
}

QTEST_GUILESS_MAIN(TestEpollEventDispatcher)
#include "tst_epolleventdispatcher.moc"
