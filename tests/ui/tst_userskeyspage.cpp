// Users & Keys over a real SQLite store: models (QAbstractItemModelTester), create/edit users, top-ups
// recorded as log rows, keys shown in full only at creation (hint afterwards), enable/disable, quota.
#include "users/usersmodel.h"
#include "users/userskeyspage.h"

#include "store/apikeyrepository.h"
#include "store/logrepository.h"
#include "store/userrepository.h"
#include "tempdatabase.h"

#include <QAbstractItemModelTester>
#include <QtTest>

using namespace RelayDesk;
using RelayDesk::Ui::KeysModel;
using RelayDesk::Ui::UsersModel;

class TestUsersKeysPage final : public QObject
{
    Q_OBJECT

private slots:
    void usersAndTopUps()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        Ui::UsersKeysPage page(tmp.shared());
        QAbstractItemModelTester users(page.usersModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester keys(page.keysModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(page.usersModel()->rowCount(), 0);

        const auto alice = page.createUser(QStringLiteral("alice"), QStringLiteral("vip"), 2 * Ui::kQuotaPerDollar);
        QVERIFY2(alice.ok(), qPrintable(alice.error()));
        QVERIFY(!page.createUser(QStringLiteral("bad name with spaces!"), {}, 0).ok());
        QCOMPARE(page.usersModel()->rowCount(), 1);
        const int row = page.usersModel()->rowOf(alice->id);
        QCOMPARE(page.usersModel()->index(row, UsersModel::Group).data().toString(), QStringLiteral("vip"));
        QCOMPARE(page.usersModel()->index(row, UsersModel::Balance).data().toString(), QStringLiteral("$2.00"));

        Store::LogFilter topups;
        topups.type = Store::LogType::Topup;
        topups.userId = alice->id;
        const Store::LogRepository logs(tmp.db());
        QCOMPARE(logs.count(topups), 0LL);
        QVERIFY(page.topUp(alice->id, Ui::kQuotaPerDollar / 2));
        QVERIFY(!page.topUp(alice->id, 0));
        QCOMPARE(logs.count(topups), 1LL);
        QCOMPARE(page.usersModel()->index(row, UsersModel::Balance).data(UsersModel::SortRole).toLongLong(), 2 * Ui::kQuotaPerDollar + Ui::kQuotaPerDollar / 2);

        page.setCurrencyDisplay(Ui::CurrencyDisplay::QuotaUnits);
        QCOMPARE(page.usersModel()->index(row, UsersModel::Balance).data().toString(), QLocale().toString(qint64(1'250'000)));

        QVERIFY(page.editUser(alice->id, QStringLiteral("default"), 100));
        QCOMPARE(Store::UserRepository(tmp.db()).byId(alice->id)->group, QStringLiteral("default"));
        QCOMPARE(Store::UserRepository(tmp.db()).byId(alice->id)->quota, 100LL);
        QVERIFY(page.setUserEnabled(alice->id, false));
        QCOMPARE(page.usersModel()->index(row, UsersModel::Status).data().toString(), QStringLiteral("disabled"));
    }

    void keysAreShownOnceThenOnlyAsHints()
    {
        Testing::TempDatabase tmp;
        QVERIFY(tmp.isValid());
        Ui::UsersKeysPage page(tmp.shared());
        QAbstractItemModelTester keys(page.keysModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        const auto bob = page.createUser(QStringLiteral("bob"), QStringLiteral("default"), 0);
        QVERIFY(bob.ok());
        Store::NewApiKey spec;
        spec.userId = bob->id;
        spec.name = QStringLiteral("bob-laptop");
        spec.quota = 3 * Ui::kQuotaPerDollar;
        spec.modelLimits = {QStringLiteral("gpt-4o-mini")};
        spec.expiresAt = QDateTime::currentSecsSinceEpoch() + 3600;
        const auto created = page.createKey(spec);
        QVERIFY2(created.ok(), qPrintable(created.error()));
        QVERIFY(Store::ApiKeyRepository::looksLikeKey(created->plainKey));
        QCOMPARE(page.keysModel()->rowCount(), 1);

        // Nothing the model can show contains the full key.
        for (int c = 0; c < KeysModel::ColumnCount; ++c)
            for (int role : {int(Qt::DisplayRole), int(Qt::ToolTipRole)})
                QVERIFY(!page.keysModel()->index(0, c).data(role).toString().contains(created->plainKey));
        QCOMPARE(page.keysModel()->index(0, KeysModel::Hint).data().toString(), created->key.keyHint);
        QCOMPARE(page.keysModel()->index(0, KeysModel::Models).data().toString(), QStringLiteral("gpt-4o-mini"));
        QCOMPARE(page.keysModel()->index(0, KeysModel::Quota).data().toString(), QStringLiteral("$3.00"));

        QVERIFY(page.setKeyQuota(created->key.id, 0, true));
        QCOMPARE(page.keysModel()->index(0, KeysModel::Quota).data().toString(), QStringLiteral("unlimited"));
        QVERIFY(page.setKeyEnabled(created->key.id, false));
        QCOMPARE(page.keysModel()->index(0, KeysModel::Status).data().toString(), QStringLiteral("disabled"));
        QCOMPARE(Store::ApiKeyRepository(tmp.db()).byId(created->key.id)->status, Store::RowStatus::Disabled);

        // Per-user filter.
        const auto carol = page.createUser(QStringLiteral("carol"), QStringLiteral("default"), 0);
        spec.userId = carol->id;
        spec.name = QStringLiteral("carol-key");
        QVERIFY(page.createKey(spec).ok());
        QCOMPARE(page.keysModel()->rowCount(), 2);
        page.keysModel()->setUserFilter(carol->id);
        QCOMPARE(page.keysModel()->rowCount(), 1);
        QCOMPARE(page.keysModel()->index(0, KeysModel::Owner).data().toString(), QStringLiteral("carol"));
    }
};

QTEST_MAIN(TestUsersKeysPage)
#include "tst_userskeyspage.moc"
