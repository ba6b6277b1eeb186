// The console's spend-alert notifications: AlertNotifier announces events fired after it started (by this console's
// relay or another instance: it reads the outbox through AdminService), oldest first, never those from before;
// the words name the owner (a key by its hint), the window, spend, cap and threshold in the chosen currency display;
// MainWindow shows an announcement in the status bar offscreen (no tray there).
#include "shell/alertnotifier.h"
#include "shell/consoleservices.h"
#include "shell/mainwindow.h"

#include "ledgeraccount.h"
#include "service/adminservice.h"
#include "store/alertrepository.h"
#include "store/limitrepository.h"
#include "tempdatabase.h"

#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

using namespace RelayDesk;

namespace {

// An event in the outbox, as a watcher fires it; `period` makes each firing distinct.
void fire(const Store::Database &db, qint64 userId, qint64 period, const QJsonObject &payload)
{
    const Store::AlertRepository alerts(db);
    const QString user = QString::fromLatin1(Store::LimitRepository::kUser);
    if (alerts.rules(user, userId).isEmpty())
        alerts.setRules(user, userId, {{QString::fromLatin1(Store::AlertRepository::kBalance), QString(), 10}});
    const auto fired = alerts.fire(alerts.rules(user, userId).first(), period, QDateTime::currentMSecsSinceEpoch(), payload);
    if (!fired || !fired->has_value())
        qFatal("fire failed");
}

QJsonObject budgetPayload(const QJsonObject &owner)
{
    return {{QStringLiteral("type"), QStringLiteral("budget.threshold")}, {QStringLiteral("window"), QStringLiteral("day")},
            {QStringLiteral("spent_quota"), 2'000'000}, {QStringLiteral("cap_quota"), 2'500'000},
            {QStringLiteral("spent_percent"), 80.0}, {QStringLiteral("threshold_percent"), 80},
            {QStringLiteral("resets_at"), 0}, {QStringLiteral("owner"), owner}};
}

QJsonObject balancePayload(const QJsonObject &owner)
{
    return {{QStringLiteral("type"), QStringLiteral("balance.low")}, {QStringLiteral("balance_quota"), 400'000},
            {QStringLiteral("threshold_quota"), 500'000}, {QStringLiteral("owner"), owner}};
}

const QJsonObject kUserOwner{{QStringLiteral("kind"), QStringLiteral("user")}, {QStringLiteral("name"), QStringLiteral("dora")}};
const QJsonObject kKeyOwner{{QStringLiteral("kind"), QStringLiteral("key")}, {QStringLiteral("name"), QStringLiteral("dora-ci")},
                            {QStringLiteral("key_hint"), QStringLiteral("sk-ab…xyz")}};

} // namespace

class TestAlertNotifier final : public QObject
{
    Q_OBJECT

private slots:
    void words_data()
    {
        QTest::addColumn<QJsonObject>("payload");
        QTest::addColumn<int>("currency");
        QTest::addColumn<QString>("title");
        QTest::addColumn<QStringList>("says");
        QTest::newRow("budget, dollars") << budgetPayload(kUserOwner) << int(Ui::CurrencyDisplay::Dollars) << "Budget alert"
                                         << QStringList{"user dora", "$4.00", "daily", "$5.00", "80%"};
        QTest::newRow("budget, quota units") << budgetPayload(kKeyOwner) << int(Ui::CurrencyDisplay::QuotaUnits)
                                             << "Budget alert" << QStringList{"key dora-ci (sk-ab…xyz)", "2,000,000", "2,500,000"};
        QTest::newRow("balance of a key") << balancePayload(kKeyOwner) << int(Ui::CurrencyDisplay::Dollars) << "Low balance"
                                          << QStringList{"key dora-ci (sk-ab…xyz)", "$0.80", "$1.00"};
    }
    void words()
    {
        QFETCH(QJsonObject, payload);
        QFETCH(int, currency);
        QFETCH(QString, title);
        QFETCH(QStringList, says);
        Store::AlertEvent e;
        e.payload = payload;
        QCOMPARE(Ui::AlertNotifier::title(e), title);
        const QString message = Ui::AlertNotifier::message(e, Ui::CurrencyDisplay(currency));
        for (const QString &part : says)
            QVERIFY2(message.contains(part), qPrintable(message + QStringLiteral(" lacks ") + part));
    }

    // What was fired before the console started is not announced; what fires after is, oldest first.
    void announcesOnlyNewEventsInOrder()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto a = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("dora"));
        fire(tmp.db(), a.userId, 1, balancePayload(kUserOwner));
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        Ui::AlertNotifier notifier(&admin);
        QSignalSpy spy(&notifier, &Ui::AlertNotifier::alert);
        notifier.start(60'000); // polled by hand below
        QTRY_VERIFY_WITH_TIMEOUT(!notifier.isPolling(), 10'000); // it knows where the outbox stood
        fire(tmp.db(), a.userId, 2, budgetPayload(kUserOwner));
        fire(tmp.db(), a.userId, 3, balancePayload(kKeyOwner));
        QTRY_VERIFY_WITH_TIMEOUT(([&] { notifier.poll(); return spy.size() == 2; }()), 10'000);
        QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("Budget alert"));
        QCOMPARE(spy.at(1).at(0).toString(), QStringLiteral("Low balance"));
        QVERIFY(spy.at(1).at(1).toString().contains(QStringLiteral("dora-ci")));
        QTRY_VERIFY_WITH_TIMEOUT(!notifier.isPolling(), 10'000);
        notifier.poll(); // nothing new: nothing more
        QTRY_VERIFY_WITH_TIMEOUT(!notifier.isPolling(), 10'000);
        QCOMPARE(spy.size(), 2);
    }

    void mainWindowShowsTheAlert()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto a = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("dora"));
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        QTemporaryDir dir;
        Ui::ConsoleServices services;
        services.admin = &admin;
        services.settingsFile = dir.filePath(QStringLiteral("console.ini"));
        Ui::MainWindow window(services);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *notifier = window.findChild<Ui::AlertNotifier *>();
        QVERIFY(notifier);
        QTRY_VERIFY_WITH_TIMEOUT(!notifier->isPolling(), 10'000); // it knows where the outbox stood
        fire(tmp.db(), a.userId, 2, budgetPayload(kUserOwner));
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                     notifier->poll();
                                     return window.statusBar()->currentMessage().startsWith(QStringLiteral("Budget alert: "));
                                 }()),
                                 10'000);
        QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("user dora")));
    }
};

QTEST_MAIN(TestAlertNotifier)
#include "tst_alertnotifier.moc"
