// The relay for benchmarks: a fresh data dir with one user, one key and one channel pointing at the given
// upstream (the fake upstream process), served by the same Runtime as relaydeskd. Prints "KEY <key>" and
// "PORT <n>", then serves until SIGINT/SIGTERM.
//   relaydesk-chatbench-server --upstream http://127.0.0.1:N --data DIR [--port P]
#include "service/runtime.h"
#include "store/apikeyrepository.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/userrepository.h"

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
    using namespace RelayDesk;
    QCoreApplication app(argc, argv);
    QString upstream, dataDir;
    quint16 port = 0;
    const QStringList args = app.arguments().mid(1);
    for (qsizetype i = 0; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1StringView("--upstream"))
            upstream = args[i + 1];
        else if (args[i] == QLatin1StringView("--data"))
            dataDir = args[i + 1];
        else if (args[i] == QLatin1StringView("--port"))
            port = static_cast<quint16>(args[i + 1].toUInt());
    }
    QTextStream out(stdout), err(stderr);
    if (upstream.isEmpty() || dataDir.isEmpty()) {
        err << "usage: relaydesk-chatbench-server --upstream URL --data DIR [--port P]\n";
        return 2;
    }
    QString key;
    {
        auto db = Store::Database::openDataDir(dataDir);
        if (!db) {
            err << db.error() << '\n';
            return 1;
        }
        auto user = Store::UserRepository(*db.value()).create(QStringLiteral("bench"), QStringLiteral("default"),
                                                              1'000'000'000'000LL);
        Store::NewApiKey spec;
        spec.userId = user->id;
        spec.name = QStringLiteral("bench");
        spec.unlimited = true;
        key = Store::ApiKeyRepository(*db.value()).create(spec)->plainKey;
        Store::Channel c;
        c.name = QStringLiteral("fake");
        c.baseUrl = upstream;
        c.secret = QStringLiteral("bench");
        c.models = {QStringLiteral("gpt-4o-mini")};
        if (auto created = Store::ChannelRepository(*db.value()).create(c); !created) {
            err << created.error() << '\n';
            return 1;
        }
    }
    Service::Runtime runtime;
    Service::RuntimeConfig config;
    config.dataDir = dataDir;
    config.listenPort = port;
    config.server.maxConnections = 4096;
    if (!runtime.start(config)) {
        err << runtime.errorString() << '\n';
        return 1;
    }
    qint64 settled = 0, refunded = 0;
    QObject::connect(&runtime, &Service::Runtime::callFinished, [&](const Relay::CallResult &r) {
        ++(r.settled ? settled : refunded);
    });
    out << "KEY " << key << "\nPORT " << runtime.port() << Qt::endl;
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [] { if (g_stop.load()) QCoreApplication::quit(); });
    poll.start(100);
    const int code = app.exec();
    runtime.stop();
    QCoreApplication::processEvents();
    out << "SETTLED " << settled << " REFUNDED " << refunded << Qt::endl;
    return code;
}
