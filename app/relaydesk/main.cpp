#include "mainwindow.h"

#include "common/datadir.h"
#include "common/version.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QString::fromLatin1(RelayDesk::kApplicationName));
    QApplication::setOrganizationName(QString::fromLatin1(RelayDesk::kOrganizationName));
    QApplication::setApplicationVersion(QString::fromLatin1(RelayDesk::kVersion));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("RelayDesk console"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataOption(QStringLiteral("data"), QStringLiteral("Data directory."),
                                        QStringLiteral("DIR"));
    const QCommandLineOption quitAfterOption(QStringLiteral("quit-after"),
                                             QStringLiteral("Quit after MS milliseconds (smoke tests)."),
                                             QStringLiteral("MS"));
    parser.addOption(dataOption);
    parser.addOption(quitAfterOption);
    parser.process(app);

    RelayDesk::Ui::MainWindow window(RelayDesk::resolveDataDir(parser.value(dataOption)));
    window.show();
    if (parser.isSet(quitAfterOption))
        window.quitAfter(parser.value(quitAfterOption).toInt());
    return app.exec();
}
