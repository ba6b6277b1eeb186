#pragma once

#include <QMetaType>
#include <QString>

namespace RelayDesk::Ui {

// What the status bar and the tray icon show. The app fills it from the relay, the session registry and
// the ledger, and hands it to MainWindow::setStatus(); the console itself never computes these numbers.
struct ConsoleStatus
{
    enum class RelayState { Stopped, Starting, Running, Failed };

    QString relayAddress;            // "127.0.0.1:8080"; empty while not listening
    RelayState relayState = RelayState::Stopped;
    QString relayError;              // why it failed, when relayState == Failed
    double requestsPerSecond = 0.0;
    int liveSessions = 0;
    qint64 tokensPerMinute = 0;
    qint64 quotaSpentToday = 0;      // integer quota (500 000 = US$1)
    QString dataDir;

    bool operator==(const ConsoleStatus &other) const = default;
};

} // namespace RelayDesk::Ui

Q_DECLARE_METATYPE(RelayDesk::Ui::ConsoleStatus)
