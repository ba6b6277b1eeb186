#pragma once
// The built executables (ctest sets RELAYDESK_BIN_DIR) and a loopback port for a child process to listen on.
#include <QtCore/QDir>
#include <QtCore/QString>
#include <QtNetwork/QTcpServer>

namespace RelayDeskTest {

inline QString binary(const char *name)
{
    return QDir(qEnvironmentVariable("RELAYDESK_BIN_DIR")).filePath(QString::fromLatin1(name));
}

// A port that was free a moment ago (the child binds it; a clash fails that test loudly, never silently).
inline quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

} // namespace RelayDeskTest
