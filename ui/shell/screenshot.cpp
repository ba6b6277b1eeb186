#include "shell/screenshot.h"

#include "shell/consoleservices.h"
#include "demo/demotraffic.h"
#include "live/livepage.h"
#include "live/livesessionsmodel.h"
#include "logs/logspage.h"
#include "shell/consolestatussampler.h"
#include "shell/mainwindow.h"
#include "demo/relaytraffic.h"

#include "billing/pricingservice.h"
#include "monitor/sessionregistry.h"
#include "service/adminservice.h"
#include "service/demoseed.h"
#include "service/runtime.h"

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

namespace {

const QHash<QString, MainWindow::Page> &pageNames()
{
    static const QHash<QString, MainWindow::Page> pages{
        {QStringLiteral("live"), MainWindow::Page::Live},         {QStringLiteral("detail"), MainWindow::Page::Live},
        {QStringLiteral("pricing"), MainWindow::Page::Pricing},   {QStringLiteral("users"), MainWindow::Page::UsersKeys},
        {QStringLiteral("channels"), MainWindow::Page::Channels}, {QStringLiteral("logs"), MainWindow::Page::Logs},
        {QStringLiteral("dashboard"), MainWindow::Page::Dashboard}, {QStringLiteral("instances"), MainWindow::Page::Instances}};
    return pages;
}

// Renders the window over prepared services and saves it.
int capture(const ConsoleServices &services, Monitor::SessionRegistry &registry, ConsoleStatusSampler &sampler,
            const QString &file, const QString &pageName, QString *error)
{
    MainWindow window(services);
    window.resize(1440, 900);
    sampler.sample();
    window.setStatus(sampler.status());
    window.showPage(pageNames().value(pageName));
    window.show();
    if (pageName == QLatin1String("detail")) {
        // The live Realtime session with the most activity.
        quint64 best = 0;
        qint64 bestTokens = -1;
        for (const auto &s : registry.sessions()) {
            const qint64 tokens = s.usage.inputTotal() + s.usage.outputTotal();
            if (s.kind == Monitor::SessionKind::Realtime && (s.isLive() || best == 0) && tokens > bestTokens) {
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
    settle(400); // let the registry publish and the views lay out
    const QPixmap shot = window.grab();
    if (shot.isNull() || !shot.save(file, "PNG")) {
        *error = QStringLiteral("cannot write %1").arg(file);
        return 1;
    }
    return 0;
}

// Without a relay (it could not start): simulated sessions written into a registry.
int simulated(const QTemporaryDir &tmp, const QString &file, const QString &pageName, QString *error)
{
    Monitor::SessionRegistry registry;
    DemoTraffic demo(&registry, 2026);
    demo.populate(36, 70);
    ConsoleServices services;
    services.dataDir = tmp.path();
    services.settingsFile = tmp.filePath(QStringLiteral("settings.ini"));
    services.sessions = &registry;
    services.pricer = demoPricer();
    auto db = Service::openDemoDatabase(tmp.filePath(QStringLiteral("sim")));
    if (!db) {
        *error = db.error();
        return 1;
    }
    // Seeded before any window exists (screenshot mode is a batch render, not the interactive console).
    if (const auto seeded = Service::seedDemoStore(**db); !seeded) {
        *error = seeded.error();
        return 1;
    }
    Service::AdminService admin(db.value(), Service::AdminService::Actor::Console);
    services.admin = &admin;
    Billing::PricingService pricing(**db);
    if (const auto loaded = pricing.load(); !loaded) {
        *error = loaded.error();
        return 1;
    }
    services.pricing = &pricing;
    ConsoleStatusSampler sampler(services.sessions, services.admin, QStringLiteral("~/.local/share/RelayDesk"));
    sampler.setRelay(ConsoleStatus::RelayState::Running, QStringLiteral("127.0.0.1:8790"));
    demo.step();
    return capture(services, registry, sampler, file, pageName, error);
}

} // namespace

int renderScreenshot(const QString &file, const QString &pageName, QString *error)
{
    if (!pageNames().contains(pageName)) {
        *error = QStringLiteral("unknown page \"%1\" (live, detail, pricing, users, channels, logs, dashboard)").arg(pageName);
        return 2;
    }
    QTemporaryDir tmp;
    if (!tmp.isValid()) {
        *error = QStringLiteral("cannot create a temporary directory");
        return 1;
    }
    // The real thing: the core on loopback with the demo upstream, history seeded through the store, and
    // live traffic (streaming chat + Realtime voice sessions) sent through the relay while we capture.
    Service::Runtime runtime;
    Service::RuntimeConfig config;
    config.dataDir = tmp.filePath(QStringLiteral("data"));
    config.listenPort = 0;
    config.demoOptions.chunkDelayMs = 60; // streams last a few seconds, so they are live in the picture
    if (!runtime.start(config) || !runtime.demoCredentials() || runtime.demoCredentials()->plainKey.isEmpty())
        return simulated(tmp, file, pageName, error);
    if (const auto seeded = Service::seedDemoStore(*runtime.database(), 3000, 7, 7, /*routable channels*/ false); !seeded) {
        *error = seeded.error();
        return 1;
    }
    ConsoleServices services;
    services.dataDir = config.dataDir;
    services.settingsFile = tmp.filePath(QStringLiteral("settings.ini"));
    Service::AdminService admin(runtime.database(), Service::AdminService::Actor::Console);
    QObject::connect(&admin, &Service::AdminService::changed, &runtime, &Service::Runtime::applyChange);
    services.admin = &admin;
    services.pricing = runtime.pricing();
    services.sessions = runtime.sessions();
    services.instanceId = runtime.instanceId();

    ConsoleStatusSampler sampler(services.sessions, services.admin, QStringLiteral("~/.local/share/RelayDesk"));
    sampler.setRelay(ConsoleStatus::RelayState::Running, QStringLiteral("%1:%2").arg(runtime.address().toString()).arg(runtime.port()));
    RelayTrafficSimulator traffic(QUrl(runtime.baseUrl()), runtime.demoCredentials()->plainKey);
    traffic.run(30, {QStringLiteral("gpt-4o-mini"), QStringLiteral("gpt-4o"), QStringLiteral("gpt-4.1-mini")}, 200);
    traffic.runRealtime(5, QStringLiteral("gpt-realtime"), 6, 400);
    settle(6500); // a few Realtime responses done (charged), chat streams still running
    const int rc = capture(services, *runtime.sessions(), sampler, file, pageName, error);
    runtime.stop();
    return rc;
}

} // namespace RelayDesk::Ui
