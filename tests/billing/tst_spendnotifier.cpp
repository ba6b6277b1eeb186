// SpendNotifier: owners recorded from any thread collect in a set; the listener hears spending() once per take(),
// however many records came in between, and takes each owner once — and a record after a take is heard again.
#include "billing/spendnotifier.h"

#include <QtCore/QThread>
#include <QtTest/QtTest>

#include <memory>

using RelayDesk::Billing::SpendNotifier;

class TestSpendNotifier final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recordsCollectUntilTaken()
    {
        SpendNotifier &notifier = SpendNotifier::global();
        notifier.take(); // whatever an earlier test left
        int heard = 0;
        QSet<SpendNotifier::Owner> taken;
        QObject listener;
        connect(&notifier, &SpendNotifier::spending, &listener, [&] { ++heard; }, Qt::QueuedConnection);

        // A relay thread settling 1 000 calls of two owners.
        std::unique_ptr<QThread> relay(QThread::create([&notifier] {
            for (int i = 0; i < 1000; ++i)
                notifier.record(1 + i % 2, 10 + i % 2);
        }));
        relay->start();
        relay->wait();
        QTRY_COMPARE(heard, 1);
        taken = notifier.take();
        QCOMPARE(taken, (QSet<SpendNotifier::Owner>{{1, 10}, {2, 11}}));
        QVERIFY(notifier.take().isEmpty());

        // After the take, the next record is heard again.
        notifier.record(3, 0);
        notifier.record(3, 0);
        QTRY_COMPARE(heard, 2);
        QCOMPARE(notifier.take(), (QSet<SpendNotifier::Owner>{{3, 0}}));
        QCoreApplication::processEvents();
        QCOMPARE(heard, 2);
    }
};

QTEST_GUILESS_MAIN(TestSpendNotifier)
#include "tst_spendnotifier.moc"
