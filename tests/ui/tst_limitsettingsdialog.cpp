// Limit settings (the budget time zone, the trusted proxies) in the console, over a real SQLite store through
// AdminService (actor console): what is stored is shown; an edit is written and audited; a bad zone or proxy line is
// named and nothing is written.
#include "users/iplistedit.h"
#include "users/limitsettingsdialog.h"

#include "tempdatabase.h"

#include <QComboBox>
#include <QtTest>

using namespace RelayDesk;
using Ui::LimitSettingsDialog;

namespace {
template<class T>
T finished(const QFuture<T> &f)
{
    [&] { QTRY_VERIFY_WITH_TIMEOUT(f.isFinished(), 10000); }();
    return f.result();
}

std::unique_ptr<LimitSettingsDialog> open(Service::AdminService &admin)
{
    auto d = std::make_unique<LimitSettingsDialog>(&admin);
    QSignalSpy loaded(d.get(), &LimitSettingsDialog::loaded);
    [&] { QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 10000); }();
    return d;
}
} // namespace

class TestLimitSettingsDialog final : public QObject
{
    Q_OBJECT

private slots:
    void editsTheZoneAndTheProxies()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        QVERIFY(admin.setTrustedProxies({QStringLiteral("10.0.0.1")}));
        auto dialog = open(admin);
        QCOMPARE(dialog->timeZoneBox()->currentText(), admin.budgetTimeZone());
        QCOMPARE(dialog->trustedProxies()->entries(), admin.trustedProxies());
        const qsizetype auditBefore = admin.audit(100).size();

        dialog->timeZoneBox()->setCurrentText(QStringLiteral("Asia/Shanghai"));
        dialog->trustedProxies()->setPlainText(QStringLiteral("10.0.0.1\n192.168.0.0/16"));
        const Store::Status applied = finished(dialog->apply());
        QVERIFY2(applied, qPrintable(applied.error()));
        QCOMPARE(admin.budgetTimeZone(), QStringLiteral("Asia/Shanghai"));
        QCOMPARE(admin.trustedProxies(), (QStringList{QStringLiteral("10.0.0.1/32"), QStringLiteral("192.168.0.0/16")}));
        const QList<Store::AuditEntry> audit = admin.audit(100);
        QCOMPARE(audit.size(), auditBefore + 2);
        QCOMPARE(audit[0].actor, QStringLiteral("console"));
        QCOMPARE(audit[0].action, QStringLiteral("option.set"));

        // Nothing changed: nothing written.
        QVERIFY(finished(dialog->apply()));
        QCOMPARE(admin.audit(100).size(), auditBefore + 2);
    }

    void badInputIsRefused_data()
    {
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QString>("proxies");
        QTest::addColumn<QString>("named");
        QTest::newRow("unknown zone") << "Mars/Olympus" << "" << "\"Mars/Olympus\"";
        QTest::newRow("bad proxy") << "Europe/Berlin" << "10.0.0.1\nproxy.local" << "Line 2";
    }

    void badInputIsRefused()
    {
        QFETCH(QString, zone);
        QFETCH(QString, proxies);
        QFETCH(QString, named);
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        auto dialog = open(admin);
        const QString zoneBefore = admin.budgetTimeZone();
        dialog->timeZoneBox()->setCurrentText(zone);
        dialog->trustedProxies()->setPlainText(proxies);
        const Store::Status refused = finished(dialog->apply());
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(named), qPrintable(refused.error()));
        QCOMPARE(dialog->message(), refused.error());
        QCOMPARE(admin.budgetTimeZone(), zoneBefore);
        QVERIFY(admin.trustedProxies().isEmpty());
        QVERIFY(admin.audit(100).isEmpty());
        QCOMPARE(dialog->trustedProxies()->toPlainText(), proxies);
    }
};

QTEST_MAIN(TestLimitSettingsDialog)
#include "tst_limitsettingsdialog.moc"
