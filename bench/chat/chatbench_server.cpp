// The relay for benchmarks: a fresh database with one user, one key and one channel pointing at the given
// upstream (the fake upstream process), served by the same Runtime as relaydeskd. Prints "KEY <key>" and
// "PORT <n>", then serves until SIGINT/SIGTERM.
//   relaydesk-chatbench-server --upstream http://127.0.0.1:N --data DIR [--port P]          (SQLite in DIR)
//   relaydesk-chatbench-server --upstream http://127.0.0.1:N --db postgres://… [--data DIR] [--port P]
// On PostgreSQL the channel secret is sealed with the key file RELAYDESK_SECRET_KEY_FILE names, which must be
// set: otherwise the key would be created in the user's own data dir (run_pg_bench.sh makes a throwaway one).
#include "service/runtime.h"
#include "store/apikeyrepository.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/records.h"
#include "store/userrepository.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QTextStream>
#include <QtCore/QTimer>
#include <QtSql/QSqlQuery>

#include <atomic>
#include <csignal>

namespace {
std::atomic<int> g_stop{0};
extern "C" void onSignal(int sig) { g_stop.store(sig); }

qint64 reservationsIn(const RelayDesk::Store::Database &db, RelayDesk::Store::Reservation::State state)
{
    QSqlQuery q = db.query();
    q.prepare(QStringLiteral("SELECT count(*) FROM reservations WHERE state = ?"));
    q.addBindValue(int(state));
    return q.exec() && q.next() ? q.value(0).toLongLong() : -1;
}
} // namespace

int main(int argc, char *argv[])
{
    using namespace RelayDesk;
    QCoreApplication app(argc, argv);
    QString upstream, dataDir, dbUrl;
    quint16 port = 0;
    const QStringList args = app.arguments().mid(1);
    for (qsizetype i = 0; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1StringView("--upstream"))
            upstream = args[i + 1];
        else if (args[i] == QLatin1StringView("--data"))
            dataDir = args[i + 1];
        else if (args[i] == QLatin1StringView("--db"))
            dbUrl = args[i + 1];
        else if (args[i] == QLatin1StringView("--port"))
            port = static_cast<quint16>(args[i + 1].toUInt());
    }
    QTextStream out(stdout), err(stderr);
    if (upstream.isEmpty() || (dataDir.isEmpty() && dbUrl.isEmpty())) {
        err << "usage: relaydesk-chatbench-server --upstream URL (--data DIR | --db postgres://… [--data DIR]) "
               "[--port P]\n";
        return 2;
    }
    if (!dbUrl.isEmpty() && qEnvironmentVariableIsEmpty(Store::ChannelRepository::kSecretKeyFileEnv)) {
        err << "--db needs " << Store::ChannelRepository::kSecretKeyFileEnv
            << " (a throwaway key file: openssl rand -hex 32 > FILE && chmod 600 FILE)\n";
        return 2;
    }
    QString key;
    {
        auto db = dbUrl.isEmpty() ? Store::Database::openDataDir(dataDir) : Store::Database::openUrl(dbUrl);
        if (!db) {
            err << db.error() << '\n';
            return 1;
        }
        auto user = Store::UserRepository(*db.value()).create(QStringLiteral("bench"), QStringLiteral("default"),
                                                              1'000'000'000'000LL);
        if (!user) { // a database that is not fresh (the user exists) is not a benchmark's
            err << user.error() << '\n';
            return 1;
        }
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
    config.dbUrl = dbUrl;
    config.listenPort = port;
    config.server.maxConnections = 4096;
    if (!runtime.start(config)) {
        err << runtime.errorString() << '\n';
        return 1;
    }
    out << "KEY " << key << "\nPORT " << runtime.port() << Qt::endl;
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [] { if (g_stop.load()) QCoreApplication::quit(); });
    poll.start(100);
    const int code = app.exec();
    runtime.stop();
    // Counted from the ledger, not by listening to Runtime::callFinished: with a listener the main thread would be
    // woken once per call, which relaydeskd and the console are not.
    out << "SETTLED " << reservationsIn(*runtime.database(), Store::Reservation::State::Settled) << " REFUNDED "
        << reservationsIn(*runtime.database(), Store::Reservation::State::Refunded) << Qt::endl;
    return code;
}
