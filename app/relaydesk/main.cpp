// relaydesk: the desktop console. Opens the data directory, starts the monitor and shows MainWindow.
// --screenshot FILE renders one page offscreen with demo data and exits (docs/screenshots, CI).
#include "consoleservices.h"
#include "demotraffic.h"
#include "mainwindow.h"
#include "screenshot.h"
#include "translation.h"

#include "common/datadir.h"
#include "common/version.h"
#include "billing/pricingservice.h"
#include "monitor/sessionregistry.h"
#include "store/database.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>
#include <QTimer>

#include <cstdio>

using namespace RelayDesk;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QString::fromLatin1(kApplicationName));
    QApplication::setOrganizationName(QString::fromLatin1(kOrganizationName));
    QApplication::setApplicationVersion(QString::fromLatin1(kVersion));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("RelayDesk console"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataOption(QStringLiteral("data"), QStringLiteral("Data directory."), QStringLiteral("DIR"));
    const QCommandLineOption quitAfterOption(QStringLiteral("quit-after"),
                                             QStringLiteral("Quit after MS milliseconds (smoke tests)."), QStringLiteral("MS"));
    const QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                              QStringLiteral("Render a page with demo data to FILE (PNG) and exit."),
                                              QStringLiteral("FILE"));
    const QCommandLineOption pageOption(QStringLiteral("page"),
                                        QStringLiteral("Page for --screenshot: live, detail, pricing, users, channels, logs, dashboard."),
                                        QStringLiteral("PAGE"), QStringLiteral("live"));
    const QCommandLineOption langOption(QStringLiteral("lang"), QStringLiteral("Language: en or zh_CN (default: settings, else system)."),
                                        QStringLiteral("LANG"));
    parser.addOptions({dataOption, quitAfterOption, screenshotOption, pageOption, langOption});
    parser.process(app);

    if (parser.isSet(screenshotOption)) {
        Ui::applyLanguage(parser.value(langOption));
        QString error;
        const int rc = Ui::renderScreenshot(parser.value(screenshotOption), parser.value(pageOption), &error);
        if (rc != 0)
            std::fprintf(stderr, "relaydesk: %s\n", qPrintable(error));
        return rc;
    }

    QString dataDir = parser.value(dataOption);
    if (dataDir.isEmpty())
        dataDir = QSettings().value(QStringLiteral("console/dataDir")).toString();
    dataDir = resolveDataDir(dataDir);

    Monitor::SessionRegistry registry;
    Ui::ConsoleServices services;
    services.dataDir = dataDir;
    services.sessions = &registry;
    QString databaseError;
    if (auto db = Store::Database::openDataDir(dataDir))
        services.database = db.value();
    else
        databaseError = db.error();
    std::unique_ptr<Billing::PricingService> pricing;
    if (services.database) {
        pricing = std::make_unique<Billing::PricingService>(*services.database);
        if (const auto loaded = pricing->load(); loaded)
            services.pricing = pricing.get();
        else
            databaseError = loaded.error();
    }

    Ui::applyLanguage(parser.isSet(langOption) ? parser.value(langOption)
                                               : QSettings().value(QStringLiteral("console/language")).toString());

    Ui::MainWindow window(services);
    // Until the relay's demo upstream drives real sessions, "Simulate traffic" writes simulated ones.
    Ui::DemoTraffic demo(&registry, quint32(QDateTime::currentMSecsSinceEpoch()));
    QObject::connect(&window, &Ui::MainWindow::simulateTrafficRequested, &demo, [&demo] {
        demo.start(12, 100);
        QTimer::singleShot(60000, &demo, &Ui::DemoTraffic::stop);
    });
    Ui::ConsoleStatus status;
    status.dataDir = dataDir;
    if (!databaseError.isEmpty()) {
        status.relayState = Ui::ConsoleStatus::RelayState::Failed;
        status.relayError = databaseError;
    }
    window.setStatus(status);
    window.show();
    if (parser.isSet(quitAfterOption))
        window.quitAfter(parser.value(quitAfterOption).toInt());
    return app.exec();
}
