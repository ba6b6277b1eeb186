// The limits of a user or a key in the console (issue 16, part 7) over a real SQLite store through AdminService
// (actor console, its worker thread): a window with spend shows it and its next reset; rate, window and IP edits
// are applied through the service and audited; a bad window or CIDR is named and nothing is written; a change made
// by a second AdminService (as the CLI would), reported through the change feed, shows up in the open dialog.
#include "users/alertlistedit.h"
#include "users/budgetwindowsmodel.h"
#include "users/iplistedit.h"
#include "users/limitsdialog.h"
#include "users/ratelimitsmodel.h"

#include "billing/ledger.h"
#include "billing/quotamath.h"
#include "common/budgetwindow.h"
#include "ledgeraccount.h"
#include "service/alertwatcher.h"
#include "service/changefeed.h"
#include "store/changerepository.h"
#include "tempdatabase.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QDateTime>
#include <QtTest>

using namespace RelayDesk;
using Ui::BudgetWindowsModel;
using Ui::LimitsDialog;
using Ui::RateLimitsModel;

namespace {
constexpr qint64 kDollar = Billing::QuotaMath::kQuotaPerUnit;

// Waits (bounded, events running) for a dialog operation; the result is then ready without blocking.
template<class T>
T finished(const QFuture<T> &f)
{
    [&] { QTRY_VERIFY_WITH_TIMEOUT(f.isFinished(), 30000); }();
    return f.result();
}

// Opens the dialog and waits for its first read.
std::unique_ptr<LimitsDialog> open(Service::AdminService &admin, LimitsDialog::Owner owner, qint64 id)
{
    auto d = std::make_unique<LimitsDialog>(&admin, owner, id, QStringLiteral("owner"), Ui::CurrencyDisplay::Dollars);
    QSignalSpy loaded(d.get(), &LimitsDialog::loaded);
    [&] { QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1 && !d->isBusy(), 30000); }();
    return d;
}

QString cell(QAbstractItemModel *m, int row, int column)
{
    return m->index(row, column).data().toString();
}

QString localTime(qint64 secs)
{
    return QDateTime::fromSecsSinceEpoch(secs).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

int auditRows(const Service::AdminService &admin)
{
    return int(admin.audit(1000).size());
}
} // namespace

class TestLimitsDialog final : public QObject
{
    Q_OBJECT

private slots:
    void dayWindowShowsSpendAndNextReset()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto account = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("dora"));
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        QVERIFY(admin.setUserBudgets(account.userId, {{QStringLiteral("day"), 5 * kDollar}}));
        QVERIFY(admin.setUserRates(account.userId, {{QStringLiteral("rpd"), 60}}));
        // A call held 1.5 $ and cost 1.25 $ in the end: the day counts what was settled.
        const Billing::Ledger ledger(tmp.db());
        const auto held = ledger.reserve(account.userId, account.keyId, 3 * kDollar / 2, {});
        QVERIFY2(held, qPrintable(held.message));
        Store::LogRecord log;
        log.model = QStringLiteral("gpt-4o");
        QVERIFY(ledger.settle(held.reservation.id, 5 * kDollar / 4, log));

        auto dialog = open(admin, LimitsDialog::Owner::User, account.userId);
        QAbstractItemModelTester budgetsTester(dialog->budgetsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester ratesTester(dialog->ratesModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        BudgetWindowsModel *budgets = dialog->budgetsModel();
        QCOMPARE(budgets->rowCount(), 1);
        QCOMPARE(cell(budgets, 0, BudgetWindowsModel::Window), QStringLiteral("day"));
        QCOMPARE(cell(budgets, 0, BudgetWindowsModel::Cap), QStringLiteral("$5.00"));
        QCOMPARE(cell(budgets, 0, BudgetWindowsModel::Spent), QStringLiteral("$1.25"));
        const auto day = BudgetWindow::parse(QStringLiteral("day"))->period(QDateTime::currentSecsSinceEpoch(),
                                                                           BudgetWindow::zone(QStringLiteral("UTC")));
        QCOMPARE(cell(budgets, 0, BudgetWindowsModel::PeriodStart), localTime(day.start));
        QCOMPARE(cell(budgets, 0, BudgetWindowsModel::Resets), localTime(day.end));
        QCOMPARE(dialog->timeZone(), QStringLiteral("UTC"));

        // The rate limit counts the one request of today.
        RateLimitsModel *rates = dialog->ratesModel();
        const int rpd = rates->rowOf(QStringLiteral("rpd"));
        QCOMPARE(cell(rates, rpd, RateLimitsModel::Cap), QStringLiteral("60"));
        QCOMPARE(cell(rates, rpd, RateLimitsModel::Used), QStringLiteral("1"));
        QCOMPARE(cell(rates, rpd, RateLimitsModel::Resets), QDateTime::fromSecsSinceEpoch(day.end).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
        QCOMPARE(cell(rates, rates->rowOf(QStringLiteral("tpm")), RateLimitsModel::Cap), RateLimitsModel::tr("none"));

        // The money display of the page: quota units.
        dialog->setCurrencyDisplay(Ui::CurrencyDisplay::QuotaUnits);
        QCOMPARE(cell(budgets, 0, BudgetWindowsModel::Spent), QLocale().toString(5 * kDollar / 4));
        QCOMPARE(budgets->index(0, BudgetWindowsModel::Cap).data(Qt::EditRole).toString(), QString::number(5 * kDollar));
    }

    void applyWritesEveryPartThroughTheService_data()
    {
        QTest::addColumn<bool>("key");
        QTest::newRow("user") << false;
        QTest::newRow("key") << true;
    }

    void applyWritesEveryPartThroughTheService()
    {
        QFETCH(bool, key);
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto account = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("erin"));
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        const qint64 id = key ? account.keyId : account.userId;
        auto dialog = open(admin, key ? LimitsDialog::Owner::Key : LimitsDialog::Owner::User, id);
        QAbstractItemModelTester budgetsTester(dialog->budgetsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester ratesTester(dialog->ratesModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        RateLimitsModel *rates = dialog->ratesModel();
        BudgetWindowsModel *budgets = dialog->budgetsModel();
        QCOMPARE(budgets->rowCount(), 0);
        const int auditBefore = auditRows(admin);

        QVERIFY(rates->setData(rates->index(rates->rowOf(QStringLiteral("rpm")), RateLimitsModel::Cap), QStringLiteral("60")));
        QVERIFY(!rates->setData(rates->index(rates->rowOf(QStringLiteral("tpm")), RateLimitsModel::Cap), QStringLiteral("-3")));
        const int row = budgets->addWindow(QStringLiteral("day"), 0);
        QVERIFY(budgets->setData(budgets->index(row, BudgetWindowsModel::Window), QStringLiteral(" 24h ")));
        QVERIFY(budgets->setData(budgets->index(row, BudgetWindowsModel::Cap), QStringLiteral("2.5")));
        QVERIFY(!budgets->setData(budgets->index(row, BudgetWindowsModel::Cap), QStringLiteral("lots")));
        dialog->allowList()->setPlainText(QStringLiteral("10.1.2.3/8\n\n2001:db8::1/32\n"));

        const Store::Status applied = finished(dialog->apply());
        QVERIFY2(applied, qPrintable(applied.error()));
        QVERIFY(dialog->message().isEmpty());

        // Read back through a second service: what the store holds now.
        Service::AdminService reader(tmp.shared(), Service::AdminService::Actor::Cli);
        const auto storedRates = key ? reader.keyRates(id) : reader.userRates(id);
        QVERIFY(storedRates);
        QCOMPARE(storedRates->size(), 1);
        QCOMPARE(storedRates->first().limit.kind, QStringLiteral("rpm"));
        QCOMPARE(storedRates->first().limit.cap, qint64(60));
        const auto storedBudgets = key ? reader.keyBudgets(id) : reader.userBudgets(id);
        QVERIFY(storedBudgets);
        QCOMPARE(storedBudgets->size(), 1);
        QCOMPARE(storedBudgets->first().limit.window, QStringLiteral("24h"));
        QCOMPARE(storedBudgets->first().limit.cap, 5 * kDollar / 2);
        const QStringList ips{QStringLiteral("10.0.0.0/8"), QStringLiteral("2001:db8::/32")};
        QCOMPARE(key ? reader.keyAllowedIps(id) : reader.userAllowedIps(id), ips);

        // Each part left its audit row, by the console.
        const QList<Store::AuditEntry> audit = admin.audit(1000);
        QCOMPARE(int(audit.size()), auditBefore + 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(audit[i].actor, QStringLiteral("console"));
            QCOMPARE(audit[i].action, key ? QStringLiteral("key.set-limits") : QStringLiteral("user.set-limits"));
            QCOMPARE(audit[i].entityId, id);
        }

        // The dialog shows the store now (canonical CIDRs, the window with its period), and a second Apply with
        // nothing changed writes nothing.
        QCOMPARE(dialog->allowList()->entries(), ips);
        QCOMPARE(cell(budgets, 0, BudgetWindowsModel::Spent), QStringLiteral("$0.00"));
        QVERIFY(!budgets->isEdited() && !rates->isEdited() && !dialog->allowList()->isEdited());
        QVERIFY(finished(dialog->apply()));
        QCOMPARE(auditRows(admin), auditBefore + 3);

        // Removing the window and clearing the list and the limit (empty cap = none) clears them in the store.
        budgets->removeWindow(0);
        dialog->allowList()->clear();
        QVERIFY(rates->setData(rates->index(rates->rowOf(QStringLiteral("rpm")), RateLimitsModel::Cap), QString()));
        QVERIFY(finished(dialog->apply()));
        QVERIFY((key ? reader.keyBudgets(id) : reader.userBudgets(id))->isEmpty());
        QVERIFY((key ? reader.keyRates(id) : reader.userRates(id))->isEmpty());
        QVERIFY((key ? reader.keyAllowedIps(id) : reader.userAllowedIps(id)).isEmpty());
    }

    void badInputIsRefusedAndNothingWritten_data()
    {
        QTest::addColumn<QStringList>("windows");
        QTest::addColumn<QString>("allowList");
        QTest::addColumn<QStringList>("named"); // what the message must contain
        QTest::newRow("unknown window") << QStringList{QStringLiteral("day"), QStringLiteral("2d")} << QString()
                                        << QStringList{QStringLiteral("Row 2"), QStringLiteral("\"2d\"")};
        QTest::newRow("rolling too long") << QStringList{QStringLiteral("721h")} << QString()
                                          << QStringList{QStringLiteral("Row 1"), QStringLiteral("\"721h\"")};
        QTest::newRow("empty window") << QStringList{QStringLiteral("week"), QStringLiteral(" ")} << QString()
                                      << QStringList{QStringLiteral("Row 2")};
        QTest::newRow("window twice") << QStringList{QStringLiteral("24h"), QStringLiteral("month"), QStringLiteral("24h ")}
                                      << QString() << QStringList{QStringLiteral("Row 3"), QStringLiteral("row 1")};
        QTest::newRow("bad IPv4") << QStringList{QStringLiteral("day")} << QStringLiteral("10.0.0.0/8\n10.0.0.300")
                                  << QStringList{QStringLiteral("Line 2"), QStringLiteral("\"10.0.0.300\"")};
        QTest::newRow("IPv6 prefix too long") << QStringList{} << QStringLiteral("\n2001:db8::/129")
                                              << QStringList{QStringLiteral("Line 2"), QStringLiteral("\"2001:db8::/129\"")};
        QTest::newRow("not an address") << QStringList{} << QStringLiteral("office")
                                        << QStringList{QStringLiteral("Line 1"), QStringLiteral("\"office\"")};
    }

    void badInputIsRefusedAndNothingWritten()
    {
        QFETCH(QStringList, windows);
        QFETCH(QString, allowList);
        QFETCH(QStringList, named);
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto account = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("finn"));
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        auto dialog = open(admin, LimitsDialog::Owner::Key, account.keyId);
        QAbstractItemModelTester budgetsTester(dialog->budgetsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int auditBefore = auditRows(admin);

        // A valid edit of every part next to the bad one: none of it may be written.
        RateLimitsModel *rates = dialog->ratesModel();
        QVERIFY(rates->setData(rates->index(rates->rowOf(QStringLiteral("rpm")), RateLimitsModel::Cap), QStringLiteral("10")));
        BudgetWindowsModel *budgets = dialog->budgetsModel();
        for (const QString &w : windows) {
            const int row = budgets->addWindow(QStringLiteral("day"), kDollar);
            QVERIFY(budgets->setData(budgets->index(row, BudgetWindowsModel::Window), w));
        }
        dialog->allowList()->setPlainText(allowList);

        const Store::Status refused = finished(dialog->apply());
        QVERIFY(!refused);
        for (const QString &part : named) {
            QVERIFY2(refused.error().contains(part), qPrintable(refused.error()));
            QVERIFY2(dialog->message().contains(part), qPrintable(dialog->message()));
        }
        QCOMPARE(auditRows(admin), auditBefore);
        QVERIFY(admin.keyRates(account.keyId)->isEmpty());
        QVERIFY(admin.keyBudgets(account.keyId)->isEmpty());
        QVERIFY(admin.keyAllowedIps(account.keyId).isEmpty());
        // Nothing typed was lost.
        QCOMPARE(dialog->allowList()->toPlainText(), allowList);
        QCOMPARE(budgets->rowCount(), int(windows.size()));
        for (int i = 0; i < windows.size(); ++i)
            QCOMPARE(budgets->windows()[i].first, windows[i].trimmed());
        QCOMPARE(cell(rates, rates->rowOf(QStringLiteral("rpm")), RateLimitsModel::Cap), QStringLiteral("10"));
    }

    // A write the service refuses (here: the key is gone) is shown in the dialog, and every edit stays to fix or retry.
    void aRefusedWriteIsShownAndTheEditsStay()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        const qint64 gone = 4242;
        auto dialog = open(admin, LimitsDialog::Owner::Key, gone);
        RateLimitsModel *rates = dialog->ratesModel();
        QVERIFY(rates->setData(rates->index(rates->rowOf(QStringLiteral("tpm")), RateLimitsModel::Cap), QStringLiteral("1000")));
        dialog->budgetsModel()->addWindow(QStringLiteral("month"), 3 * kDollar);
        dialog->allowList()->setPlainText(QStringLiteral("::1"));
        const Store::Status refused = finished(dialog->apply());
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QString::number(gone)), qPrintable(refused.error()));
        QCOMPARE(dialog->message(), refused.error());
        QCOMPARE(cell(rates, rates->rowOf(QStringLiteral("tpm")), RateLimitsModel::Cap), QLocale().toString(1000));
        QCOMPARE(dialog->budgetsModel()->windows(), (Service::BudgetWindows{{QStringLiteral("month"), 3 * kDollar}}));
        QCOMPARE(dialog->allowList()->toPlainText(), QStringLiteral("::1"));
        QCOMPARE(auditRows(admin), 0);
    }

    // A reload while a cell is being edited leaves the editor and what is typed in it alone (rows come and go
    // one by one, never by a reset; only cells whose value changed are refreshed).
    void aReloadKeepsAnOpenEditor_data()
    {
        QTest::addColumn<QString>("table");
        QTest::addColumn<int>("column");
        QTest::newRow("budget window name") << "budgetTable" << int(BudgetWindowsModel::Window);
        QTest::newRow("budget cap") << "budgetTable" << int(BudgetWindowsModel::Cap);
        QTest::newRow("rate cap") << "rateTable" << int(RateLimitsModel::Cap);
    }

    void aReloadKeepsAnOpenEditor()
    {
        QFETCH(QString, table);
        QFETCH(int, column);
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto account = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("ida"));
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        QVERIFY(admin.setUserBudgets(account.userId, {{QStringLiteral("day"), kDollar}}));
        auto dialog = open(admin, LimitsDialog::Owner::User, account.userId);
        dialog->show();
        QVERIFY(QTest::qWaitForWindowExposed(dialog.get()));
        auto *view = dialog->findChild<QTableView *>(table);
        QVERIFY(view);
        // Row 0 of the budgets is the day window; the rate row is tpm. The change below touches neither cell.
        const int row = table == u"rateTable" ? dialog->ratesModel()->rowOf(QStringLiteral("tpm")) : 0;
        view->edit(view->model()->index(row, column));
        QPointer<QLineEdit> editor = view->viewport()->findChild<QLineEdit *>();
        QVERIFY(editor);
        editor->setText(QStringLiteral("typed"));

        QSignalSpy loaded(dialog.get(), &LimitsDialog::loaded);
        const qint64 userId = account.userId;
        QVERIFY(finished(admin.async([userId](Service::AdminService &s) {
            return s.setUserRates(userId, {{QStringLiteral("rpm"), 5}}).ok()
                && s.setUserBudgets(userId, {{QStringLiteral("day"), kDollar}, {QStringLiteral("week"), 2 * kDollar}}).ok();
        })));
        QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1, 30000);
        QCOMPARE(dialog->budgetsModel()->rowCount(), 2);
        QCOMPARE(cell(dialog->ratesModel(), dialog->ratesModel()->rowOf(QStringLiteral("rpm")), RateLimitsModel::Cap),
                 QStringLiteral("5"));
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete); // a closed editor would be gone now
        QVERIFY(editor);
        QVERIFY(editor->isVisible());
        QCOMPARE(editor->text(), QStringLiteral("typed"));
    }

    void aChangeElsewhereShowsUpKeepingEdits()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto account = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("gus"));
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        // What another process writes reaches this process through the change feed; the console's service
        // announces it as its own changed().
        Service::ChangeFeedOptions options;
        options.pollMs = 20;
        Service::ChangeFeed feed(tmp.shared(), std::nullopt, options);
        connect(&feed, &Service::ChangeFeed::changed, &admin, &Service::AdminService::changed);
        feed.start();
        auto dialog = open(admin, LimitsDialog::Owner::Key, account.keyId);
        QAbstractItemModelTester budgetsTester(dialog->budgetsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester ratesTester(dialog->ratesModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        RateLimitsModel *rates = dialog->ratesModel();
        BudgetWindowsModel *budgets = dialog->budgetsModel();
        // The user is typing an allow-list meanwhile.
        dialog->allowList()->setPlainText(QStringLiteral("192.0.2.0/24"));

        // The "CLI" writes on its own worker thread: its own connection, as another process would have.
        Service::AdminService cli(tmp.shared(), Service::AdminService::Actor::Cli);
        const qint64 keyId = account.keyId;
        QSignalSpy feedApplied(&feed, &Service::ChangeFeed::applied);
        QVERIFY(finished(cli.async([keyId](Service::AdminService &s) {
            return s.setKeyRates(keyId, {{QStringLiteral("tpm"), 40000}}).ok()
                && s.setKeyBudgets(keyId, {{QStringLiteral("week"), 7 * kDollar}}).ok();
        })));
        QTRY_COMPARE_WITH_TIMEOUT(budgets->rowCount(), 1, 10000);
        QCOMPARE(cell(budgets, 0, BudgetWindowsModel::Window), QStringLiteral("week"));
        QCOMPARE(cell(budgets, 0, BudgetWindowsModel::Cap), QStringLiteral("$7.00"));
        QTRY_COMPARE_WITH_TIMEOUT(cell(rates, rates->rowOf(QStringLiteral("tpm")), RateLimitsModel::Cap),
                                  QLocale().toString(40000), 10000);
        QCOMPARE(dialog->allowList()->toPlainText(), QStringLiteral("192.0.2.0/24")); // the edit survived
        // Both writes may come through the feed in separate polls, each reloading: let the last reload land first.
        const qint64 written = Store::ChangeRepository(tmp.db()).latestVersion().value_or(0);
        QTRY_VERIFY_WITH_TIMEOUT(!feedApplied.isEmpty() && feedApplied.last().at(0).toLongLong() >= written, 10000);
        QCoreApplication::processEvents(); // the reload the last change scheduled starts
        QTRY_VERIFY_WITH_TIMEOUT(!dialog->isBusy(), 30000);

        // Another key's change does not reload this dialog; this key's does, and a field being edited keeps its
        // edit while the counts move.
        QVERIFY(budgets->setData(budgets->index(0, BudgetWindowsModel::Cap), QStringLiteral("9")));
        QSignalSpy loaded(dialog.get(), &LimitsDialog::loaded);
        const qint64 userId = account.userId;
        QVERIFY(finished(cli.async([userId](Service::AdminService &s) {
            Store::NewApiKey other;
            other.userId = userId;
            other.name = QStringLiteral("other");
            const auto otherKey = s.addKey(other);
            return otherKey.ok() && s.setKeyRates(otherKey->key.id, {{QStringLiteral("rpm"), 1}}).ok();
        })));
        QVERIFY(finished(cli.async([keyId](Service::AdminService &s) {
            return s.setKeyRates(keyId, {{QStringLiteral("rpd"), 500}}).ok();
        })));
        QTRY_COMPARE_WITH_TIMEOUT(cell(rates, rates->rowOf(QStringLiteral("rpd")), RateLimitsModel::Cap), QStringLiteral("500"), 10000);
        QCOMPARE(loaded.count(), 1);
        QCOMPARE(cell(budgets, 0, BudgetWindowsModel::Cap), QStringLiteral("$9.00"));
        QVERIFY(budgets->isEdited());
        QCOMPARE(cell(rates, rates->rowOf(QStringLiteral("rpm")), RateLimitsModel::Cap), RateLimitsModel::tr("none"));
    }

    // Spend alerts as text lines: they read back as shown (dollars and quota units); a line that does not read is
    // named with its number.
    void alertLinesReadBack_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("display");
        QTest::addColumn<QString>("shown"); // empty: refused
        QTest::addColumn<QString>("error");
        const int dollars = int(Ui::CurrencyDisplay::Dollars), quota = int(Ui::CurrencyDisplay::QuotaUnits);
        QTest::newRow("window percent") << "day 80%" << dollars << "day 80%" << "";
        QTest::newRow("upper case window, spaces") << "  24H   100 %  " << dollars << "24h 100%" << "";
        QTest::newRow("balance in dollars") << "balance $5" << dollars << "balance $5.00" << "";
        QTest::newRow("balance to the quota") << "balance $1234.000002" << dollars << "balance $1234.000002" << "";
        QTest::newRow("balance in quota units") << "Balance 2500000" << quota << "balance 2500000" << "";
        QTest::newRow("two lines") << "day 50%\nbalance $1.50" << dollars << "day 50%\nbalance $1.50" << "";
        QTest::newRow("no percent sign") << "day 80" << dollars << "" << "Line 1:";
        QTest::newRow("balance zero") << "day 10%\nbalance 0" << dollars << "" << "Line 2:";
        QTest::newRow("balance words") << "balance lots" << dollars << "" << "Line 1:";
    }
    void alertLinesReadBack()
    {
        QFETCH(QString, text);
        QFETCH(int, display);
        QFETCH(QString, shown);
        QFETCH(QString, error);
        Ui::AlertListEdit edit;
        edit.setPlainText(text);
        QString why;
        const auto rules = edit.rules(&why);
        if (shown.isEmpty()) {
            QVERIFY(!rules);
            QVERIFY2(why.startsWith(error), qPrintable(why));
            QCOMPARE(edit.validationError(), why);
            return;
        }
        QVERIFY2(rules, qPrintable(why));
        QList<Store::AlertRule> stored;
        for (const auto &spec : *rules) {
            Store::AlertRule r;
            r.kind = spec.kind;
            r.window = spec.window;
            r.threshold = spec.threshold;
            stored << r;
        }
        edit.setRules(stored, Ui::CurrencyDisplay(display));
        QCOMPARE(edit.toPlainText(), shown);
        QVERIFY(!edit.isEdited());
        QCOMPARE(edit.rules(&why)->size(), rules->size());
    }

    // Alerts are written with the rest (after the budgets: an alert on a window added by the same Apply), audited,
    // and a fired one is shown as such.
    void alertsAreAppliedAndFiredOnesShown()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto account = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("dora"));
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        auto dialog = open(admin, LimitsDialog::Owner::User, account.userId);
        dialog->budgetsModel()->addWindow(QStringLiteral("week"), 10 * kDollar);
        dialog->alerts()->setPlainText(QStringLiteral("week 50%\nbalance $2"));
        const Store::Status applied = finished(dialog->apply());
        QVERIFY2(applied, qPrintable(applied.error()));
        const auto rules = admin.userAlerts(account.userId);
        QCOMPARE(rules.size(), 2);
        QCOMPARE(admin.audit(1).first().action, QStringLiteral("user.set-alerts"));
        QCOMPARE(dialog->alerts()->toPlainText(), QStringLiteral("week 50%\nbalance $2.00"));
        QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("alertState"))->text().contains(QStringLiteral("No alert")));
        // Spend 6 of the week's 10 $ and let the watcher fire; the dialog shows it on its next read.
        const Billing::Ledger ledger(tmp.db());
        const auto held = ledger.reserve(account.userId, account.keyId, 6 * kDollar, {});
        QVERIFY(held);
        QVERIFY(ledger.settle(held.reservation.id, 6 * kDollar, {}));
        QCOMPARE(Service::AlertWatcher(tmp.shared()).evaluateAll(QDateTime::currentMSecsSinceEpoch()).size(), 1);
        // The Apply's own change notice may still bring a reload of its own (read before or after this one): wait
        // until every read has landed; the last one started after the alert fired.
        QSignalSpy loaded(dialog.get(), &LimitsDialog::loaded);
        dialog->reload();
        QTRY_VERIFY_WITH_TIMEOUT(loaded.count() >= 1 && !dialog->isBusy(), 30000);
        QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("alertState"))->text().contains(QStringLiteral("week 50%")));
        // An alert on a window the owner does not have is the service's refusal, shown; the text stays.
        dialog->alerts()->setPlainText(QStringLiteral("month 80%"));
        QVERIFY(!finished(dialog->apply()));
        QVERIFY(dialog->message().contains(QStringLiteral("month")));
        QCOMPARE(dialog->alerts()->toPlainText(), QStringLiteral("month 80%"));
        QCOMPARE(admin.userAlerts(account.userId).size(), 2);
    }
};

QTEST_MAIN(TestLimitsDialog)
#include "tst_limitsdialog.moc"
