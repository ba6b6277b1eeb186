// Build-time tool: writes the console's icon (ui/shell/appicon) at one size as a PNG, for the hicolor icon theme
// the package installs. Usage: relaydesk_appicon_png SIZE FILE
#include "shell/appicon.h"

#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    const QStringList args = app.arguments();
    bool ok = false;
    const int size = args.size() == 3 ? args.at(1).toInt(&ok) : 0;
    if (!ok || size < 16 || size > 1024) {
        std::fprintf(stderr, "usage: relaydesk_appicon_png SIZE FILE\n");
        return 2;
    }
    const QString file = args.at(2);
    QDir().mkpath(QFileInfo(file).absolutePath());
    if (!RelayDesk::Ui::appIconImage(size).save(file, "PNG")) {
        std::fprintf(stderr, "relaydesk_appicon_png: cannot write %s\n", qPrintable(file));
        return 1;
    }
    return 0;
}
