// Users & Keys over a real SQLite store through AdminService (its worker thread): models
// (QAbstractItemModelTester), create/edit users, top-ups recorded as log rows, keys shown in full only at
// creation (hint afterwards), enable/disable, quota; the page shows "Loading…" while a read runs.
#include "users/budgetwindowsmodel.h"
#include "users/keysmodel.h"
#include "users/limitsdialog.h"
#include "users/usersmodel.h"
#include "users/userskeyspage.h"

#include "billing/quotamath.h"
#include "store/apikeyrepository.h"
#include "store/logrepository.h"
#include "store/userrepository.h"
#include "tempdatabase.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QtTest>

using namespace RelayDesk;
using RelayDesk::Ui::KeysModel;
using RelayDesk::Ui::UsersModel;

namespace {
// Waits (bounded, events running) for a page operation; the result is then ready without blocking.
template<class T>
T finished(const QFuture<T> &f)
{
    [&] { QTRY_VERIFY_WITH_TIMEOUT(f.isFinished(), 10000); }();
    return f.result();
}
} // namespace

class TestUsersKeysPage final : public QObject
{
    Q_OBJECT

private slots:
    void loadingStateShowsWhileTheQueryRuns()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        Store::UserRepository(tmp.db()).create(QStringLiteral("dora"), QStringLiteral("default"), 0);
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        // Hold the worker so the page's first read is still queued while we look.
        QSemaphore gate;
        admin.async([&gate](Service::AdminService &) { gate.acquire(); return 0; });
        Ui::UsersKeysPage page(&admin);
        page.resize(800, 600);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(page.isLoading());
        auto *label = page.findChild<QLabel *>(QStringLiteral("loadingLabel"));
        QVERIFY(label && label->isVisible());
        QVERIFY(!page.findChild<QWidget *>(QStringLiteral("usersTable"))->isEnabled());
        QCOMPARE(page.usersModel()->rowCount(), 0);
        gate.release();
        QTRY_VERIFY_WITH_TIMEOUT(!page.isLoading(), 10000);
        QVERIFY(!label->isVisible());
        QVERIFY(page.findChild<QWidget *>(QStringLiteral("usersTable"))->isEnabled());
        QCOMPARE(page.usersModel()->rowCount(), 1);
    }

    void usersAndTopUps()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        Ui::UsersKeysPage page(&admin);
        QAbstractItemModelTester users(page.usersModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester keys(page.keysModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_VERIFY_WITH_TIMEOUT(!page.isLoading(), 10000);
        QCOMPARE(page.usersModel()->rowCount(), 0);

        const auto alice = finished(page.createUser(QStringLiteral("alice"), QStringLiteral("vip"), 2 * Billing::QuotaMath::kQuotaPerUnit));
        QVERIFY2(alice.ok(), qPrintable(alice.error()));
        QVERIFY(!finished(page.createUser(QStringLiteral("bad name with spaces!"), {}, 0)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(page.usersModel()->rowCount(), 1, 10000); // reloaded on changed()
        const int row = page.usersModel()->rowOf(alice->id);
        QCOMPARE(page.usersModel()->index(row, UsersModel::Group).data().toString(), QStringLiteral("vip"));
        QCOMPARE(page.usersModel()->index(row, UsersModel::Balance).data().toString(), QStringLiteral("$2.00"));

        Store::LogFilter topups;
        topups.type = Store::LogType::Topup;
        topups.userId = alice->id;
        const Store::LogRepository logs(tmp.db());
        QCOMPARE(logs.count(topups), 0LL);
        QVERIFY(finished(page.topUp(alice->id, Billing::QuotaMath::kQuotaPerUnit / 2)).ok());
        QVERIFY(!finished(page.topUp(alice->id, 0)).ok());
        QCOMPARE(logs.count(topups), 1LL);
        QTRY_COMPARE_WITH_TIMEOUT(page.usersModel()->index(row, UsersModel::Balance).data(UsersModel::SortRole).toLongLong(),
                                  2 * Billing::QuotaMath::kQuotaPerUnit + Billing::QuotaMath::kQuotaPerUnit / 2, 10000);

        page.setCurrencyDisplay(Ui::CurrencyDisplay::QuotaUnits);
        QCOMPARE(page.usersModel()->index(row, UsersModel::Balance).data().toString(), QLocale().toString(qint64(1'250'000)));

        QVERIFY(finished(page.editUser(alice->id, QStringLiteral("default"), 100)).ok());
        QCOMPARE(Store::UserRepository(tmp.db()).byId(alice->id)->group, QStringLiteral("default"));
        QCOMPARE(Store::UserRepository(tmp.db()).byId(alice->id)->quota, 100LL);
        QVERIFY(finished(page.setUserEnabled(alice->id, false)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(page.usersModel()->index(row, UsersModel::Status).data().toString(), QStringLiteral("disabled"), 10000);
        QVERIFY(!admin.audit(10).isEmpty()); // every edit left an audit row
    }

    void keysAreShownOnceThenOnlyAsHints()
    {
        Testing::TempDatabase tmp;
        QVERIFY(tmp.isValid());
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        Ui::UsersKeysPage page(&admin);
        QAbstractItemModelTester keys(page.keysModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto bob = finished(page.createUser(QStringLiteral("bob"), QStringLiteral("default"), 0));
        QVERIFY(bob.ok());
        Store::NewApiKey spec;
        spec.userId = bob->id;
        spec.name = QStringLiteral("bob-laptop");
        spec.quota = 3 * Billing::QuotaMath::kQuotaPerUnit;
        spec.modelLimits = {QStringLiteral("gpt-4o-mini")};
        spec.expiresAt = QDateTime::currentSecsSinceEpoch() + 3600;
        const auto created = finished(page.createKey(spec));
        QVERIFY2(created.ok(), qPrintable(created.error()));
        QVERIFY(Store::ApiKeyRepository::looksLikeKey(created->plainKey));
        QTRY_COMPARE_WITH_TIMEOUT(page.keysModel()->rowCount(), 1, 10000);

        // Nothing the model can show contains the full key.
        for (int c = 0; c < KeysModel::ColumnCount; ++c)
            for (int role : {int(Qt::DisplayRole), int(Qt::ToolTipRole)})
                QVERIFY(!page.keysModel()->index(0, c).data(role).toString().contains(created->plainKey));
        QCOMPARE(page.keysModel()->index(0, KeysModel::Hint).data().toString(), created->key.keyHint);
        QCOMPARE(page.keysModel()->index(0, KeysModel::Models).data().toString(), QStringLiteral("gpt-4o-mini"));
        QCOMPARE(page.keysModel()->index(0, KeysModel::Quota).data().toString(), QStringLiteral("$3.00"));

        QVERIFY(finished(page.setKeyQuota(created->key.id, 0, true)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(page.keysModel()->index(0, KeysModel::Quota).data().toString(), QStringLiteral("unlimited"), 10000);
        QVERIFY(finished(page.setKeyEnabled(created->key.id, false)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(page.keysModel()->index(0, KeysModel::Status).data().toString(), QStringLiteral("disabled"), 10000);
        QCOMPARE(Store::ApiKeyRepository(tmp.db()).byId(created->key.id)->status, Store::RowStatus::Disabled);

        // Per-user filter.
        const auto carol = finished(page.createUser(QStringLiteral("carol"), QStringLiteral("default"), 0));
        spec.userId = carol->id;
        spec.name = QStringLiteral("carol-key");
        QVERIFY(finished(page.createKey(spec)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(page.keysModel()->rowCount(), 2, 10000);
        page.showKeysOf(carol->id);
        QTRY_COMPARE_WITH_TIMEOUT(page.keysModel()->rowCount(), 1, 10000);
        QCOMPARE(page.keysModel()->index(0, KeysModel::Owner).data().toString(), QStringLiteral("carol"));
    }

    // "Limits…" (button and context menu) opens the limits of the selected user or key, in the page's money display.
    void limitsOpenForTheSelectedUserOrKey()
    {
        Testing::TempDatabase tmp;
        QVERIFY(tmp.isValid());
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        Ui::UsersKeysPage page(&admin);
        const auto hana = finished(page.createUser(QStringLiteral("hana"), QStringLiteral("default"), 0));
        QVERIFY(hana.ok());
        Store::NewApiKey spec;
        spec.userId = hana->id;
        spec.name = QStringLiteral("hana-key");
        const auto key = finished(page.createKey(spec));
        QVERIFY(key.ok());
        QTRY_COMPARE_WITH_TIMEOUT(page.usersModel()->rowCount(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(page.keysModel()->rowCount(), 1, 10000);
        QVERIFY(admin.setKeyBudgets(key->key.id, {{QStringLiteral("week"), Billing::QuotaMath::kQuotaPerUnit}}));
        QVERIFY(admin.setUserRates(hana->id, {{QStringLiteral("rpm"), 60}}));
        QVERIFY(admin.setUserBudgets(hana->id, {{QStringLiteral("day"), 5 * Billing::QuotaMath::kQuotaPerUnit}}));
        QVERIFY(admin.setUserAllowedIps(hana->id, {QStringLiteral("10.0.0.0/8")}));
        // The compact Limits column of both tables, reloaded on the service's changed().
        QTRY_COMPARE_WITH_TIMEOUT(page.usersModel()->index(0, UsersModel::Limits).data().toString(),
                                  QStringLiteral("rpm 60 · day $5.00 · IP list"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(page.keysModel()->index(0, KeysModel::Limits).data().toString(), QStringLiteral("week $1.00"), 10000);
        page.setCurrencyDisplay(Ui::CurrencyDisplay::QuotaUnits);
        QCOMPARE(page.keysModel()->index(0, KeysModel::Limits).data().toString(),
                 QStringLiteral("week ") + QLocale().toString(Billing::QuotaMath::kQuotaPerUnit));

        QCOMPARE(page.openLimits(Ui::LimitsDialog::Owner::User, 9999), nullptr); // no such user: said on the page
        QVERIFY(!page.findChild<QLabel *>(QStringLiteral("usersMessage"))->isHidden());
        Ui::LimitsDialog *forUser = page.openLimits(Ui::LimitsDialog::Owner::User, hana->id);
        QVERIFY(forUser);
        QCOMPARE(forUser->owner(), Ui::LimitsDialog::Owner::User);
        QCOMPARE(forUser->ownerId(), hana->id);
        QVERIFY(forUser->windowTitle().contains(QStringLiteral("hana")));
        Ui::LimitsDialog *forKey = page.openLimits(Ui::LimitsDialog::Owner::Key, key->key.id);
        QVERIFY(forKey);
        QCOMPARE(forKey->ownerId(), key->key.id);
        QTRY_COMPARE_WITH_TIMEOUT(forKey->budgetsModel()->rowCount(), 1, 10000);
        const QModelIndex cap = forKey->budgetsModel()->index(0, Ui::BudgetWindowsModel::Cap);
        QCOMPARE(cap.data().toString(), QLocale().toString(Billing::QuotaMath::kQuotaPerUnit));
        page.setCurrencyDisplay(Ui::CurrencyDisplay::Dollars); // open dialogs follow the page
        QCOMPARE(cap.data().toString(), QStringLiteral("$1.00"));
        QVERIFY(forKey->close()); // deleted on close
        QTRY_COMPARE_WITH_TIMEOUT(page.findChildren<Ui::LimitsDialog *>().size(), qsizetype(1), 10000);
    }
};

QTEST_MAIN(TestUsersKeysPage)
#include "tst_userskeyspage.moc"
