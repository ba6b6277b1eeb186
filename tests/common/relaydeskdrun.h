#pragma once
// The built relaydeskd run as a process by the CLI tests (RELAYDESK_BIN_DIR): its exit code and output, and the
// admin data dir most of them start from.
#include <QtCore/QDir>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>

namespace RelayDeskTest {

struct DaemonRun
{
    int exitCode = -1; // -1: it did not finish within a minute, or crashed
    QByteArray out;
    QByteArray err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
    QJsonArray array() const { return QJsonDocument::fromJson(out).array(); }
};

inline DaemonRun runRelaydeskd(const QStringList &args,
                               const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QDir(qEnvironmentVariable("RELAYDESK_BIN_DIR")).filePath(QStringLiteral("relaydeskd")), args);
    p.closeWriteChannel();
    DaemonRun r;
    if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit)
        return r;
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

// relaydeskd admin ARGS --data DATA
inline DaemonRun runAdmin(const QString &data, const QStringList &args)
{
    return runRelaydeskd(QStringList{QStringLiteral("admin")} + args + QStringList{QStringLiteral("--data"), data});
}

// Makes user "alice" (100,000,000 quota) and her unlimited key "alice-ci" in DATA; false when either fails.
inline bool addAliceAccount(const QString &data)
{
    return runAdmin(data, {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("alice"),
                           QStringLiteral("--quota"), QStringLiteral("100000000")}).exitCode == 0 &&
           runAdmin(data, {QStringLiteral("key"), QStringLiteral("add"), QStringLiteral("--user"),
                           QStringLiteral("alice"), QStringLiteral("--name"), QStringLiteral("alice-ci"),
                           QStringLiteral("--unlimited")}).exitCode == 0;
}

} // namespace RelayDeskTest
