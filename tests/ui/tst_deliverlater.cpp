// Ui::deliverLater: a result reaches the GUI from the event loop, never inside the call that asked for it (which is
// what QFuture::then(context, …) does for a future already finished — the cause of a "loaded" signal emitted
// before anybody listened), never after its receiver is gone, and in the order the futures finished.
#include "shell/deliverlater.h"

#include <QPromise>
#include <QSemaphore>
#include <QThread>
#include <QtTest>

#include <memory>

using RelayDesk::Ui::deliverLater;

class TestDeliverLater final : public QObject
{
    Q_OBJECT

private slots:
    void aFinishedFutureIsDeliveredFromTheEventLoop()
    {
        QObject context;
        QList<int> got;
        deliverLater(QtFuture::makeReadyFuture(7), &context, [&](int v) { got << v; });
        QVERIFY(got.isEmpty()); // not inside the call
        QTRY_COMPARE(got, QList<int>{7});
        QCoreApplication::processEvents();
        QCOMPARE(got.size(), 1); // once
    }

    void aFutureFinishedOnAnotherThreadIsDeliveredOnTheContextsThread()
    {
        QObject context;
        QPromise<QString> promise;
        QFuture<QString> future = promise.future();
        promise.start();
        Qt::HANDLE deliveredOn = nullptr;
        QString got;
        deliverLater(future, &context, [&](const QString &v) {
            deliveredOn = QThread::currentThreadId();
            got = v;
        });
        std::unique_ptr<QThread> worker(QThread::create([&promise] {
            promise.addResult(QStringLiteral("done"));
            promise.finish();
        }));
        worker->start();
        QVERIFY(worker->wait(30000));
        QVERIFY(got.isEmpty()); // finished, but the event loop has not run yet
        QTRY_COMPARE(got, QStringLiteral("done"));
        QCOMPARE(deliveredOn, QThread::currentThreadId());
    }

    void nothingReachesAContextThatIsGone()
    {
        bool called = false;
        auto context = std::make_unique<QObject>();
        QObject *raw = context.get();
        deliverLater(QtFuture::makeReadyFuture(1), raw, [&](int) { called = true; });
        context.reset();
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
        QVERIFY(!called);
    }

    void deliveriesKeepTheOrderTheFuturesFinishedIn()
    {
        // The second future finishes first: it is delivered first. The others are ready before they are watched.
        QObject context;
        QList<int> got;
        QPromise<int> slow;
        slow.start();
        deliverLater(QtFuture::makeReadyFuture(1), &context, [&](int v) { got << v; });
        deliverLater(slow.future(), &context, [&](int v) { got << v; });
        deliverLater(QtFuture::makeReadyFuture(3), &context, [&](int v) { got << v; });
        QTRY_COMPARE(got, (QList<int>{1, 3}));
        slow.addResult(2);
        slow.finish();
        QTRY_COMPARE(got, (QList<int>{1, 3, 2}));
    }
};

QTEST_MAIN(TestDeliverLater)
#include "tst_deliverlater.moc"
