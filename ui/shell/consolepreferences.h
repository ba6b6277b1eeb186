#pragma once

#include "widgets/money.h"

#include <QString>

class QSettings;

namespace RelayDesk::Ui {

// The console's user preferences, persisted in QSettings under "console/".
struct ConsolePreferences
{
    QString listenAddress = QStringLiteral("127.0.0.1");
    int listenPort = 8790; // Service::RuntimeConfig default
    QString dataDir;  // empty = the platform default (or --data)
    CurrencyDisplay currency = CurrencyDisplay::Dollars;
    QString language; // "" = follow the system locale, "en", "zh_CN"

    static ConsolePreferences load(const QSettings &settings);
    void save(QSettings &settings) const;
    bool operator==(const ConsolePreferences &other) const = default;
};

} // namespace RelayDesk::Ui
