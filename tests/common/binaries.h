#pragma once
// The built executables (ctest sets RELAYDESK_BIN_DIR), a loopback port for a child process to listen on, and
// `relaydeskd serve` as a child process.
#include <QtCore/QDir>
#include <QtCore/QProcess>
#include <QtCore/QString>
#include <QtNetwork/QTcpServer>
#include <QtTest/QTest>

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

// Starts the fake upstream process (tools/fakeupstream) with ARGS and returns the port it printed ("PORT <n>",
// once listening), or 0 when it did not start within the (generous, failure-only) bound.
inline quint16 startFakeUpstream(QProcess &upstream, const QStringList &args = {})
{
    upstream.start(binary("relaydesk-fakeupstream"), args);
    if (!QTest::qWaitFor([&] { return upstream.canReadLine(); }, 30000))
        return 0;
    const QByteArray line = upstream.readLine().trimmed();
    return line.startsWith("PORT ") ? static_cast<quint16>(line.mid(5).toUInt()) : 0;
}

// Starts `relaydeskd serve ARGS --listen 127.0.0.1:PORT` and waits (bounded) until it says it listens; its
// merged output keeps accumulating in *output (for failure messages and what the test reads from it).
inline bool startServe(QProcess &serve, const QStringList &args, quint16 port, QByteArray *output)
{
    serve.setProcessChannelMode(QProcess::MergedChannels);
    QObject::connect(&serve, &QProcess::readyRead, &serve, [&serve, output] { *output += serve.readAll(); });
    serve.start(binary("relaydeskd"), QStringList{QStringLiteral("serve")} + args +
                                          QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port)});
    return QTest::qWaitFor([&] { return output->contains("Listening on"); }, 30000);
}

} // namespace RelayDeskTest
