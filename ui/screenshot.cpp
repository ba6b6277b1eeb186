#include "screenshot.h"

#include "consoleservices.h"
#include "demodata.h"
#include "demotraffic.h"
#include "livepage.h"
#include "livesessionsmodel.h"
#include "logspage.h"
#include "mainwindow.h"

#include "billing/pricingservice.h"
#include "monitor/sessionregistry.h"
#include "store/database.h"

#include <QApplication>
#include <QEventLoop>
#include <QPixmap>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

namespace RelayDesk::Ui {

namespace {
void settle(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}
} // namespace

int renderScreenshot(const QString &file, const QString &pageName, QString *error)
{
    static const QHash<QString, MainWindow::Page> pages{
        {QStringLiteral("live"), MainWindow::Page::Live},         {QStringLiteral("detail"), MainWindow::Page::Live},
        {QStringLiteral("pricing"), MainWindow::Page::Pricing},   {QStringLiteral("users"), MainWindow::Page::UsersKeys},
        {QStringLiteral("channels"), MainWindow::Page::Channels}, {QStringLiteral("logs"), MainWindow::Page::Logs},
        {QStringLiteral("dashboard"), MainWindow::Page::Dashboard}};
    if (!pages.contains(pageName)) {
        *error = QStringLiteral("unknown page \"%1\" (live, detail, pricing, users, channels, logs, dashboard)").arg(pageName);
        return 2;
    }
    QTemporaryDir tmp;
    if (!tmp.isValid()) {
        *error = QStringLiteral("cannot create a temporary directory");
        return 1;
    }
    Monitor::SessionRegistry registry;
    DemoTraffic demo(&registry, 2026);
    demo.populate(36, 70);

    ConsoleServices services;
    services.dataDir = tmp.path();
    services.settingsFile = tmp.filePath(QStringLiteral("settings.ini"));
    services.sessions = &registry;
    services.pricer = demoPricer();
    auto db = Store::Database::openDataDir(tmp.filePath(QStringLiteral("data")));
    if (!db) {
        *error = db.error();
        return 1;
    }
    services.database = db.value();
    if (const auto seeded = seedDemoStore(*services.database); !seeded) {
        *error = seeded.error();
        return 1;
    }
    Billing::PricingService pricing(*services.database);
    if (const auto loaded = pricing.load(); !loaded) {
        *error = loaded.error();
        return 1;
    }
    services.pricing = &pricing;

    MainWindow window(services);
    window.resize(1440, 900);
    ConsoleStatus status;
    status.relayState = ConsoleStatus::RelayState::Running;
    status.relayAddress = QStringLiteral("127.0.0.1:8790");
    status.requestsPerSecond = 12.4;
    status.liveSessions = registry.liveCount();
    status.tokensPerMinute = 184230;
    status.quotaSpentToday = 3'712'500;
    status.dataDir = QStringLiteral("~/.local/share/RelayDesk");
    window.setStatus(status);
    window.showPage(pages.value(pageName));
    window.show();

    if (pageName == QLatin1String("detail")) {
        // The Realtime session with the most activity that is still live.
        quint64 best = 0;
        qint64 bestTokens = -1;
        for (const auto &s : registry.sessions()) {
            const qint64 tokens = s.usage.inputTotal() + s.usage.outputTotal();
            if (s.isLive() && s.kind == Monitor::SessionKind::Realtime && tokens > bestTokens) {
                best = s.id;
                bestTokens = tokens;
            }
        }
        window.livePage()->selectSession(best);
    }
    if (pageName == QLatin1String("logs")) {
        if (auto *logs = qobject_cast<LogsPage *>(window.page(MainWindow::Page::Logs)))
            logs->table()->selectRow(1); // show the detail pane filled in
    }
    // Let the registry publish and the views lay out.
    demo.step();
    settle(350);
    const QPixmap shot = window.grab();
    if (shot.isNull() || !shot.save(file, "PNG")) {
        *error = QStringLiteral("cannot write %1").arg(file);
        return 1;
    }
    return 0;
}

} // namespace RelayDesk::Ui
