// relaydesk: the desktop console. Starts the core (Service::Runtime: database, prices, relay on its own
// thread, demo upstream on first run) and shows MainWindow over it. --screenshot FILE renders one page
// offscreen with demo data and exits (docs/screenshots).
#include "shell/consolepreferences.h"
#include "shell/consoleservices.h"
#include "shell/consolestatussampler.h"
#include "users/keydialog.h"
#include "shell/mainwindow.h"
#include "demo/relaytraffic.h"
#include "shell/screenshot.h"
#include "shell/translation.h"

#include "billing/pricingservice.h"
#include "common/datadir.h"
#include "common/version.h"
#include "monitor/sessionregistry.h"
#include "service/runtime.h"
#include "service/adminservice.h"
#include "store/database.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QMessageBox>
#include <QSettings>
#include <QTimer>

#include <cstdio>

using namespace RelayDesk;

namespace {

// Sends a burst of real chat requests through the relay with a key made for the purpose (the full key
// lives only in this process).
void startSimulator(Ui::MainWindow *window, Service::Runtime *runtime, const QString &key, const QStringList &models,
                    const QStringList &claudeModels)
{
    auto *sim = new Ui::RelayTrafficSimulator(QUrl(runtime->baseUrl()), key, window);
    QObject::connect(sim, &Ui::RelayTrafficSimulator::finished, sim, &QObject::deleteLater);
    QStringList chatModels;
    for (const QString &m : models)
        if (!m.contains(QLatin1String("realtime")))
            chatModels << m;
    sim->run(24, chatModels, 250);
    sim->runMessages(9, claudeModels, 600); // through demo-claude, when this database has it
    for (const QString &m : models) {
        if (m.contains(QLatin1String("realtime"))) {
            sim->runRealtime(3, m, 4, 400);
            break;
        }
    }
}

// Sends a burst of real chat requests through the relay with a key made for the purpose (the full key
// lives only in this process). The lookups and the key are made on the admin service's worker.
void simulateTraffic(Ui::MainWindow *window, Service::Runtime *runtime, Service::AdminService *admin)
{
    static QString key;
    if (!admin || !runtime->isRunning()) {
        QMessageBox::information(window, QObject::tr("Simulate traffic"), QObject::tr("The relay is not running."));
        return;
    }
    struct Prepared
    {
        QString error;
        QString key;
        QStringList models;
        QStringList claudeModels;
    };
    const QString known = key;
    admin->async([known](Service::AdminService &s) {
        Prepared p;
        const auto demo = s.channelByName(QString::fromLatin1(Service::Runtime::kDemoChannelName));
        const auto user = s.userByName(QStringLiteral("demo"));
        if (!demo || !user) {
            p.error = QObject::tr("Simulated traffic uses the demo channel and the demo user, which this database does not have.");
            return p;
        }
        p.models = demo->models;
        if (const auto claude = s.channelByName(QString::fromLatin1(Service::Runtime::kDemoClaudeChannelName)))
            p.claudeModels = claude->models;
        p.key = known;
        if (p.key.isEmpty()) {
            Store::NewApiKey spec;
            spec.userId = user->id;
            spec.name = QStringLiteral("simulator-%1").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
            spec.unlimited = true;
            const auto created = s.addKey(spec);
            if (!created)
                p.error = created.error();
            else
                p.key = created->plainKey;
        }
        return p;
    }).then(window, [window, runtime](const Prepared &p) {
        if (!p.error.isEmpty()) {
            QMessageBox::information(window, QObject::tr("Simulate traffic"), p.error);
            return;
        }
        key = p.key;
        startSimulator(window, runtime, key, p.models, p.claudeModels);
    });
}

// Anthropic's SDKs and Claude Code add /v1/messages themselves: their base URL is the relay's without /v1.
QString anthropicBaseUrl(const QString &openAiBaseUrl)
{
    return openAiBaseUrl.endsWith(QLatin1String("/v1")) ? openAiBaseUrl.chopped(3) : openAiBaseUrl;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QString::fromLatin1(kApplicationName));
    QApplication::setOrganizationName(QString::fromLatin1(kOrganizationName));
    QApplication::setApplicationVersion(QString::fromLatin1(kVersion));
    QGuiApplication::setDesktopFileName(QString::fromLatin1(kApplicationId));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("RelayDesk console"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataOption(QStringLiteral("data"), QStringLiteral("Data directory."), QStringLiteral("DIR"));
    const QCommandLineOption quitAfterOption(QStringLiteral("quit-after"),
                                             QStringLiteral("Quit after MS milliseconds (smoke tests)."), QStringLiteral("MS"));
    const QCommandLineOption portOption(QStringLiteral("port"), QStringLiteral("Relay port (default: settings, else 8790; 0 = any)."),
                                        QStringLiteral("PORT"));
    const QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                              QStringLiteral("Render a page with demo data to FILE (PNG) and exit."),
                                              QStringLiteral("FILE"));
    const QCommandLineOption pageOption(QStringLiteral("page"),
                                        QStringLiteral("Page for --screenshot: live, detail, pricing, users, channels, logs, dashboard, instances."),
                                        QStringLiteral("PAGE"), QStringLiteral("live"));
    const QCommandLineOption langOption(QStringLiteral("lang"), QStringLiteral("Language: en or zh_CN (default: settings, else system)."),
                                        QStringLiteral("LANG"));
    const QCommandLineOption dbOption(QStringLiteral("db"),
                                      QStringLiteral("Database URL (postgres://…); a password here is visible to other users, "
                                                     "prefer RELAYDESK_DB_URL or --db-file."), QStringLiteral("URL"));
    const QCommandLineOption dbFileOption(QStringLiteral("db-file"), QStringLiteral("Read the database URL from FILE's first line."),
                                          QStringLiteral("FILE"));
    parser.addOptions({dataOption, dbOption, dbFileOption, quitAfterOption, portOption, screenshotOption, pageOption, langOption});
    parser.process(app);

    if (parser.isSet(screenshotOption)) {
        Ui::applyLanguage(parser.value(langOption));
        QString error;
        const int rc = Ui::renderScreenshot(parser.value(screenshotOption), parser.value(pageOption), &error);
        if (rc != 0)
            std::fprintf(stderr, "relaydesk: %s\n", qPrintable(error));
        return rc;
    }

    const Ui::ConsolePreferences prefs = Ui::ConsolePreferences::load(QSettings());
    Ui::applyLanguage(parser.isSet(langOption) ? parser.value(langOption) : prefs.language);
    const QString dataDir = resolveDataDir(parser.isSet(dataOption) ? parser.value(dataOption) : prefs.dataDir);
    // The database URL: --db, --db-file or RELAYDESK_DB_URL (empty = SQLite in the data dir).
    QString dbError, dbWarning;
    const auto dbUrl = resolveDatabaseUrl({parser.value(dbOption), parser.value(dbFileOption), parser.isSet(dataOption)},
                                          &dbError, &dbWarning);
    if (!dbWarning.isEmpty())
        std::fprintf(stderr, "relaydesk: warning: %s\n", qPrintable(dbWarning));
    if (!dbUrl) {
        std::fprintf(stderr, "relaydesk: %s\n", qPrintable(dbError));
        return 2;
    }

    Service::RuntimeConfig config;
    config.dataDir = dataDir;
    config.dbUrl = *dbUrl;
    config.listenAddress = QHostAddress(prefs.listenAddress).isNull() ? QHostAddress(QHostAddress::LocalHost) : QHostAddress(prefs.listenAddress);
    config.listenPort = quint16(parser.isSet(portOption) ? parser.value(portOption).toUInt() : uint(prefs.listenPort));
    Service::Runtime runtime;
    const bool running = runtime.start(config);

    // When the relay cannot start (busy port, bad address) the console still opens over the database,
    // so the problem can be fixed in Settings.
    Monitor::SessionRegistry fallbackRegistry;
    std::unique_ptr<Billing::PricingService> fallbackPricing;
    std::unique_ptr<Service::AdminService> admin; // the console's one way to the database: its own worker thread
    Ui::ConsoleServices services;
    services.dataDir = dataDir;
    if (running) {
        admin = std::make_unique<Service::AdminService>(runtime.database(), Service::AdminService::Actor::Console);
        // This process's edits reach its relay at once (other processes' through the change feed); what the feed
        // sees reaches the pages too, so they show the edits of the CLI and of other consoles.
        runtime.follow(admin.get());
        QObject::connect(&runtime, &Service::Runtime::storeChanged, admin.get(), &Service::AdminService::announce);
        services.pricing = runtime.pricing();
        services.sessions = runtime.sessions();
        services.instanceId = runtime.instanceId();
    } else {
        services.sessions = &fallbackRegistry;
        if (auto db = Store::Database::open(dataDir, *dbUrl)) {
            admin = std::make_unique<Service::AdminService>(db.value(), Service::AdminService::Actor::Console);
            fallbackPricing = std::make_unique<Billing::PricingService>(*db.value());
            if (fallbackPricing->load())
                services.pricing = fallbackPricing.get();
        }
    }
    services.admin = admin.get();

    Ui::MainWindow window(services);
    Ui::ConsoleStatusSampler sampler(services.sessions, services.admin, dataDir);
    QObject::connect(&sampler, &Ui::ConsoleStatusSampler::statusChanged, &window, &Ui::MainWindow::setStatus);
    if (running)
        sampler.setRelay(Ui::ConsoleStatus::RelayState::Running,
                         QStringLiteral("%1:%2").arg(runtime.address().toString()).arg(runtime.port()));
    else
        sampler.setRelay(Ui::ConsoleStatus::RelayState::Failed, {}, runtime.errorString());
    QObject::connect(&runtime, &Service::Runtime::failed, &sampler,
                     [&sampler](const QString &message) { sampler.setRelay(Ui::ConsoleStatus::RelayState::Failed, {}, message); });
    QObject::connect(&window, &Ui::MainWindow::relayStopRequested, &runtime, [&] {
        runtime.stop();
        sampler.setRelay(Ui::ConsoleStatus::RelayState::Stopped, {});
    });
    QObject::connect(&window, &Ui::MainWindow::relayStartRequested, &window, [&] {
        // Service::Runtime starts once per process.
        QMessageBox::information(&window, QObject::tr("Start relay"),
                                 runtime.isRunning() ? QObject::tr("The relay is already running.")
                                                     : QObject::tr("Restart RelayDesk to start the relay again (%1).")
                                                           .arg(runtime.errorString().isEmpty() ? QObject::tr("it was stopped") : runtime.errorString()));
    });
    QObject::connect(&window, &Ui::MainWindow::simulateTrafficRequested, &window, [&] { simulateTraffic(&window, &runtime, admin.get()); });
    sampler.sample();
    window.show();

    if (parser.isSet(quitAfterOption)) {
        window.quitAfter(parser.value(quitAfterOption).toInt());
    } else if (const auto demo = runtime.demoCredentials(); demo && !demo->plainKey.isEmpty()) {
        // First run: the demo key exists in full only now.
        QTimer::singleShot(0, &window, [&window, &runtime, demo] {
            Ui::showKeyOnce(&window, QObject::tr("Welcome to RelayDesk"), demo->plainKey, demo->keyHint,
                            QObject::tr("Point any OpenAI SDK at <b>%1</b> with this key, or the Anthropic SDK and Claude "
                                        "Code at <b>%2</b> (ANTHROPIC_BASE_URL). The demo channels answer without an "
                                        "OpenAI or Anthropic account; File → Simulate traffic sends a few requests.")
                                .arg(runtime.baseUrl().toHtmlEscaped(), anthropicBaseUrl(runtime.baseUrl()).toHtmlEscaped()));
            runtime.forgetDemoKey();
        });
    }
    const int rc = app.exec();
    runtime.stop();
    return rc;
}
