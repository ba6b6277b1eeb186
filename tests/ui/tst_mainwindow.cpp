// MainWindow: pages and shortcuts, status bar, tray availability, layout persistence, live language
// switching, settings validation.
#include "shell/consoleservices.h"
#include "live/livepage.h"
#include "shell/mainwindow.h"
#include "shell/settingsdialog.h"
#include "shell/translation.h"

#include "channels/channelspage.h"
#include "dashboard/dashboardpage.h"
#include "instances/instancespage.h"
#include "logs/logspage.h"
#include "pricing/pricingmodel.h"
#include "pricing/pricingpage.h"
#include "users/userskeyspage.h"

#include "billing/pricingservice.h"
#include "monitor/sessionregistry.h"
#include "tempdatabase.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QToolButton>
#include <QTemporaryDir>
#include <QtTest>

using namespace RelayDesk;
using RelayDesk::Ui::MainWindow;

class TestMainWindow final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    Ui::ConsoleServices services(Monitor::SessionRegistry *registry, const QString &settingsName) const
    {
        Ui::ConsoleServices s;
        s.dataDir = m_dir.path();
        s.settingsFile = m_dir.filePath(settingsName);
        s.sessions = registry;
        return s;
    }

    static QString tabText(const MainWindow &w, int i)
    {
        return w.findChild<QTabWidget *>(QStringLiteral("pages"))->tabText(i);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        Ui::applyLanguage(QStringLiteral("en"));
    }

    void hasSixPagesAndShortcutsSwitchThem()
    {
        Monitor::SessionRegistry registry;
        MainWindow w(services(&registry, QStringLiteral("a.ini")));
        w.show();
        w.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&w));
        QVERIFY(w.livePage());
        for (int i = 0; i < MainWindow::kPageCount; ++i)
            QVERIFY(w.page(MainWindow::Page(i)));
        QCOMPARE(tabText(w, 0), QStringLiteral("Live"));
        QCOMPARE(tabText(w, 3), QStringLiteral("Channels"));
        QTest::keyClick(&w, Qt::Key_5, Qt::ControlModifier);
        QCOMPARE(w.currentPage(), MainWindow::Page::Logs);
        QTest::keyClick(&w, Qt::Key_1, Qt::ControlModifier);
        QCOMPARE(w.currentPage(), MainWindow::Page::Live);
        // The tray exists exactly when the platform offers one (offscreen has none).
        QCOMPARE(w.trayIcon() != nullptr, QSystemTrayIcon::isSystemTrayAvailable());
    }

    void statusBarShowsTheStatus()
    {
        MainWindow w(services(nullptr, QStringLiteral("b.ini")));
        Ui::ConsoleStatus status;
        status.relayState = Ui::ConsoleStatus::RelayState::Running;
        status.relayAddress = QStringLiteral("127.0.0.1:18080");
        status.requestsPerSecond = 3.5;
        status.liveSessions = 7;
        status.tokensPerMinute = 12000;
        status.quotaSpentToday = 1'000'000; // $2
        status.dataDir = QStringLiteral("/tmp/rd");
        w.setStatus(status);
        auto text = [&w](const char *name) { return w.findChild<QLabel *>(QLatin1String(name))->text(); };
        QVERIFY(text("relayStatus").contains(QStringLiteral("127.0.0.1:18080")));
        QVERIFY(text("liveSessions").contains(QStringLiteral("7")));
        QVERIFY(text("requestRate").contains(QStringLiteral("3.5")));
        QVERIFY(text("tokenRate").contains(QStringLiteral("12,000")));
        QVERIFY(text("quotaToday").contains(QStringLiteral("$2.00")));
        QVERIFY(text("dataDir").contains(QStringLiteral("/tmp/rd")));
        QVERIFY(w.statusText().contains(QStringLiteral("live sessions: 7")));

        QSignalSpy stop(&w, &MainWindow::relayStopRequested);
        w.findChild<QToolButton *>(QStringLiteral("relayToggle"))->click();
        QCOMPARE(stop.count(), 1);

        Ui::ConsolePreferences prefs = w.preferences();
        prefs.currency = Ui::CurrencyDisplay::QuotaUnits;
        w.applyPreferences(prefs);
        QVERIFY(text("quotaToday").contains(QStringLiteral("1,000,000")));
    }

    void layoutAndPageArePersisted()
    {
        {
            MainWindow w(services(nullptr, QStringLiteral("c.ini")));
            w.resize(1000, 640);
            w.show();
            w.showPage(MainWindow::Page::Channels);
            w.close();
        }
        MainWindow again(services(nullptr, QStringLiteral("c.ini")));
        QCOMPARE(again.currentPage(), MainWindow::Page::Channels);
        QCOMPARE(again.size(), QSize(1000, 640));
    }

    void languageSwitchesLive()
    {
        Monitor::SessionRegistry registry;
        MainWindow w(services(&registry, QStringLiteral("d.ini")));
        w.show();
        w.showPage(MainWindow::Page::Pricing);
        const QPointer<QWidget> oldLive = w.page(MainWindow::Page::Live);
        Ui::ConsolePreferences prefs = w.preferences();
        prefs.language = QStringLiteral("zh_CN");
        w.applyPreferences(prefs);
        QTRY_COMPARE(tabText(w, 0), QString::fromUtf8("实时"));
        QCOMPARE(tabText(w, 3), QString::fromUtf8("渠道"));
        QCOMPARE(w.currentPage(), MainWindow::Page::Pricing); // page kept across the rebuild
        // The pages not shown are rebuilt too, in later event-loop passes, without being asked for.
        QTRY_VERIFY(!w.pagesPending());
        QVERIFY(oldLive.isNull());
        QVERIFY(w.livePage());
        prefs.language = QStringLiteral("en");
        w.applyPreferences(prefs);
        QTRY_COMPARE(tabText(w, 0), QStringLiteral("Live"));
    }

    void everyPageIsBuiltOverTheCoreAndSurvivesALanguageSwitch()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        Billing::PricingService pricing(tmp.db());
        QVERIFY(pricing.load());
        Monitor::SessionRegistry registry;
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Console);
        Ui::ConsoleServices s = services(&registry, QStringLiteral("e.ini"));
        s.admin = &admin;
        s.pricing = &pricing;
        MainWindow w(s);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(qobject_cast<Ui::PricingPage *>(w.page(MainWindow::Page::Pricing)));
        QVERIFY(qobject_cast<Ui::UsersKeysPage *>(w.page(MainWindow::Page::UsersKeys)));
        QVERIFY(qobject_cast<Ui::ChannelsPage *>(w.page(MainWindow::Page::Channels)));
        QVERIFY(qobject_cast<Ui::LogsPage *>(w.page(MainWindow::Page::Logs)));
        QVERIFY(qobject_cast<Ui::DashboardPage *>(w.page(MainWindow::Page::Dashboard)));
        QVERIFY(qobject_cast<Ui::InstancesPage *>(w.page(MainWindow::Page::Instances)));
        for (int i = 0; i < MainWindow::kPageCount; ++i) {
            w.showPage(MainWindow::Page(i));
            if (auto *page = qobject_cast<Ui::ConsolePage *>(w.page(MainWindow::Page(i))))
                QTRY_VERIFY_WITH_TIMEOUT(!page->isLoading(), 10000); // the page's reads landed
        }
        auto *pricingPage = qobject_cast<Ui::PricingPage *>(w.page(MainWindow::Page::Pricing));
        QVERIFY(pricingPage->model()->addModel(QStringLiteral("draft-only-model")));
        Ui::ConsolePreferences prefs = w.preferences();
        prefs.language = QStringLiteral("zh_CN");
        w.applyPreferences(prefs);
        QTRY_COMPARE(tabText(w, 5), QString::fromUtf8("仪表盘"));
        pricingPage = qobject_cast<Ui::PricingPage *>(w.page(MainWindow::Page::Pricing));
        QVERIFY(pricingPage);
        // The unapplied draft was carried over and is still unapplied.
        QVERIFY(pricingPage->model()->rowOf(QStringLiteral("draft-only-model")) >= 0);
        QVERIFY(pricingPage->hasUnappliedChanges());
        QCOMPARE(w.currentPage(), MainWindow::Page::Instances); // the last page shown above
        prefs.language = QStringLiteral("en");
        w.applyPreferences(prefs);
        QTRY_COMPARE(tabText(w, 5), QStringLiteral("Dashboard"));
        // Without a database the store pages explain what is missing instead.
        MainWindow bare(services(&registry, QStringLiteral("f.ini")));
        QVERIFY(!qobject_cast<Ui::LogsPage *>(bare.page(MainWindow::Page::Logs)));
        QVERIFY(bare.page(MainWindow::Page::Logs)->findChild<QLabel *>(QStringLiteral("unavailableReason")));
    }

    void settingsDialogRefusesBadValues()
    {
        Ui::ConsolePreferences prefs;
        Ui::SettingsDialog dialog(prefs);
        auto *address = dialog.findChild<QLineEdit *>(QStringLiteral("listenAddress"));
        auto *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
        QVERIFY(dialog.validationError().isEmpty());
        QVERIFY(ok->isEnabled());
        address->setText(QStringLiteral("not an address!"));
        QVERIFY(!dialog.validationError().isEmpty());
        QVERIFY(!ok->isEnabled());
        address->setText(QStringLiteral("0.0.0.0"));
        dialog.findChild<QLineEdit *>(QStringLiteral("dataDir"))->setText(QStringLiteral("relative/dir"));
        QVERIFY(!ok->isEnabled());
        dialog.findChild<QLineEdit *>(QStringLiteral("dataDir"))->setText(m_dir.path());
        QVERIFY(ok->isEnabled());
        QCOMPARE(dialog.preferences().listenAddress, QStringLiteral("0.0.0.0"));
        QCOMPARE(dialog.preferences().dataDir, m_dir.path());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
