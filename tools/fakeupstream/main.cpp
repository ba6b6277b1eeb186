// relaydesk-fakeupstream [--port N] [--delay-ms N] [--first-delay-ms N] [--json-delay-ms N] [--background-ms N]
//                        [--key KEY]
// Serves the DemoUpstream on 127.0.0.1 — chat completions (scenarios in core/demo/demoupstream.h), the
// Responses API with its WebSocket mode (core/demo/demoresponses.h), Realtime (/v1/realtime) and its WebRTC calls
// (core/demo/demorealtimecalls.h) — and prints "PORT <n>" on stdout once listening. Runs until SIGINT/SIGTERM.
#include "demo/demorealtime.h"
#include "demo/demorealtimecalls.h"
#include "demo/demoupstream.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QTextStream>
#include <QtCore/QTimer>

#include <atomic>
#include <csignal>

namespace {
std::atomic<int> g_stop{0};
extern "C" void onSignal(int sig) { g_stop.store(sig); }
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    RelayDesk::Relay::DemoUpstreamOptions options;
    options.chunkDelayMs = 0;
    options.firstChunkDelayMs = 0;
    const QStringList args = app.arguments().mid(1);
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        const bool hasValue = i + 1 < args.size();
        bool ok = true;
        if (a == QLatin1StringView("--port") && hasValue)
            options.port = static_cast<quint16>(args.at(++i).toUInt(&ok));
        else if (a == QLatin1StringView("--delay-ms") && hasValue)
            options.chunkDelayMs = args.at(++i).toInt(&ok);
        else if (a == QLatin1StringView("--first-delay-ms") && hasValue)
            options.firstChunkDelayMs = args.at(++i).toInt(&ok);
        else if (a == QLatin1StringView("--json-delay-ms") && hasValue)
            options.jsonDelayMs = args.at(++i).toInt(&ok);
        else if (a == QLatin1StringView("--background-ms") && hasValue)
            options.backgroundMs = args.at(++i).toInt(&ok);
        else if (a == QLatin1StringView("--key") && hasValue)
            options.requiredKey = args.at(++i).toUtf8();
        else
            ok = false;
        if (!ok) {
            QTextStream(stderr) << "usage: relaydesk-fakeupstream [--port N] [--delay-ms N] [--first-delay-ms N]"
                                   " [--json-delay-ms N] [--background-ms N] [--key KEY]\n";
            return 2;
        }
    }
    RelayDesk::Relay::DemoUpstream upstream(options);
    upstream.addRoutes([](RelayDesk::Relay::HttpServer &server) {
        auto *realtime = new RelayDesk::Relay::DemoRealtime({}, &server);
        realtime->install(server);
        (new RelayDesk::Relay::DemoRealtimeCalls(*realtime, &server))->install(server.router());
    });
    if (!upstream.start()) {
        QTextStream(stderr) << "relaydesk-fakeupstream: " << upstream.errorString() << '\n';
        return 1;
    }
    QTextStream(stdout) << "PORT " << upstream.port() << Qt::endl;
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [] {
        if (g_stop.load())
            QCoreApplication::quit();
    });
    poll.start(100);
    const int code = app.exec();
    upstream.stop();
    return code;
}
