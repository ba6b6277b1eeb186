#include "shell/consolepreferences.h"

#include <QSettings>

namespace RelayDesk::Ui {

ConsolePreferences ConsolePreferences::load(const QSettings &s)
{
    ConsolePreferences p;
    p.listenAddress = s.value(QStringLiteral("console/listenAddress"), p.listenAddress).toString();
    p.listenPort = s.value(QStringLiteral("console/listenPort"), p.listenPort).toInt();
    if (p.listenPort < 1 || p.listenPort > 65535)
        p.listenPort = 8790;
    p.dataDir = s.value(QStringLiteral("console/dataDir")).toString();
    p.currency = s.value(QStringLiteral("console/currency")).toString() == QLatin1String("quota")
                     ? CurrencyDisplay::QuotaUnits
                     : CurrencyDisplay::Dollars;
    p.language = s.value(QStringLiteral("console/language")).toString();
    if (p.language != QLatin1String("en") && p.language != QLatin1String("zh_CN"))
        p.language.clear();
    return p;
}

void ConsolePreferences::save(QSettings &s) const
{
    s.setValue(QStringLiteral("console/listenAddress"), listenAddress);
    s.setValue(QStringLiteral("console/listenPort"), listenPort);
    s.setValue(QStringLiteral("console/dataDir"), dataDir);
    s.setValue(QStringLiteral("console/currency"),
               currency == CurrencyDisplay::QuotaUnits ? QStringLiteral("quota") : QStringLiteral("dollars"));
    s.setValue(QStringLiteral("console/language"), language);
}

} // namespace RelayDesk::Ui
