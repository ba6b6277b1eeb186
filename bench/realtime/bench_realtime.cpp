// Realtime relay benchmark (not a test): events/s through one metered session, N concurrent sessions, memory per
// idle session. The relay (HttpServer + RealtimeRelay + SQLite ledger) runs on its own thread; the demo upstream
// and the clients run on the main thread, so "relay CPU" is the relay threads' own CPU time
// (CLOCK_THREAD_CPUTIME_ID): the server thread's plus that of each relay event loop the sessions run on
// (RealtimeRelayConfig::loops, --loops; 0 = every session on the server thread).
//
//   bench_realtime [--sessions N] [--deltas N] [--loops N]
#include "billing/pricebook.h"
#include "monitor/sessionregistry.h"
#include "demo/demorealtime.h"
#include "relay/realtime/realtimerelay.h"
#include "http/relayloops.h"
#include "http/relayserverthread.h"
#include "store/apikeyrepository.h"
#include "store/channelrepository.h"
#include "store/userrepository.h"
#include "tempdatabase.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QThread>
#include <QtWebSockets/QWebSocket>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>

using namespace RelayDesk;

namespace {

bool spin(const std::function<bool()> &done, int timeoutMs = 120000)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    return true;
}

qint64 rssKiB()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    return 0;
}

double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

// A client that only counts frames (no JSON parsing: the bench measures the relay, not the client).
struct Client
{
    QWebSocket socket;
    qint64 frames = 0;
    bool created = false;
    int done = 0;
    bool closed = false;

    void open(const QUrl &url, const QByteArray &key)
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, [this](const QString &m) {
            ++frames;
            if (!created && m.contains(QLatin1String("\"session.created\"")))
                created = true;
            if (m.contains(QLatin1String("\"type\":\"response.done\"")))
                ++done;
        });
        QObject::connect(&socket, &QWebSocket::disconnected, [this] { closed = true; });
        QNetworkRequest request(url);
        if (!key.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + key);
        socket.open(request);
    }
};

// The demo upstream on its own thread, so the relay is fed by a producer that does not share the clients' loop.
struct DemoThread
{
    QThread thread;
    Relay::DemoRealtime *demo = nullptr;
    quint16 port = 0;

    bool start(const Relay::DemoRealtimeScript &script)
    {
        thread.start();
        auto *anchor = new QObject();
        anchor->moveToThread(&thread);
        bool ok = false;
        QMetaObject::invokeMethod(anchor, [&] {
            demo = new Relay::DemoRealtime();
            demo->setScript(script);
            ok = demo->listen();
            port = demo->port();
        }, Qt::BlockingQueuedConnection);
        anchor->deleteLater();
        return ok;
    }
    int live()
    {
        int n = 0;
        QMetaObject::invokeMethod(demo, [&] { n = demo->liveConnections(); }, Qt::BlockingQueuedConnection);
        return n;
    }
    ~DemoThread()
    {
        if (demo)
            QMetaObject::invokeMethod(demo, [this] { delete demo; }, Qt::BlockingQueuedConnection);
        thread.quit();
        thread.wait();
    }
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(port); }
};

struct Rig
{
    Monitor::SessionRegistry registry; // as in production: every frame is recorded for the console
    Testing::TempDatabase temp;
    DemoThread demo;
    std::unique_ptr<Relay::RelayServerThread> thread;
    std::atomic<Relay::RealtimeRelay *> relayObject{nullptr};
    int loops = 0;
    QByteArray key;
    Billing::PriceBookPtr prices;

    bool start(const Relay::DemoRealtimeScript &script)
    {
        if (!temp.isValid())
            return false;
        auto user = Store::UserRepository(temp.db()).create(QStringLiteral("bench"), QStringLiteral("default"), 1'000'000'000'000LL);
        Store::NewApiKey spec;
        spec.userId = user.value().id;
        spec.name = QStringLiteral("bench-key");
        spec.unlimited = true;
        auto created = Store::ApiKeyRepository(temp.db()).create(spec);
        key = created.value().plainKey.toUtf8();
        if (!demo.start(script))
            return false;
        Store::Channel channel;
        channel.name = QStringLiteral("demo");
        channel.baseUrl = demo.baseUrl();
        channel.secret = QStringLiteral("sk-upstream");
        channel.models = {QStringLiteral("gpt-realtime")};
        const auto ch = Store::ChannelRepository(temp.db()).create(channel).value();
        prices = Billing::PriceBook::fromJson(QJsonDocument::fromJson(R"({"ModelRatio":{"gpt-realtime":2},
            "CompletionRatio":{"gpt-realtime":4},"CacheRatio":{"gpt-realtime":0.1},"AudioRatio":{"gpt-realtime":8},
            "AudioCompletionRatio":{"gpt-realtime":2},"AudioCacheRatio":{"gpt-realtime":0.0125}})").object(), 1).value();

        Relay::RealtimeAdmission admission;
        admission.userId = user.value().id;
        admission.keyId = created.value().key.id;
        admission.userName = QStringLiteral("bench");
        admission.userGroup = admission.usingGroup = QStringLiteral("default");
        admission.channelId = ch.id;
        admission.channelName = ch.name;
        admission.channelBaseUrl = ch.baseUrl;
        admission.channelKey = "sk-upstream";
        admission.model = admission.upstreamModel = QStringLiteral("gpt-realtime");

        Relay::HttpServerConfig config;
        config.port = 0;
        config.maxConnections = 20000;
        config.maxConnectionsPerAddress = 0; // every client is 127.0.0.1
        thread = std::make_unique<Relay::RelayServerThread>(config, [this, admission](Relay::HttpServer &server) {
            Relay::RealtimeRelayDeps deps;
            deps.database = temp.shared();
            deps.priceBook = [p = prices] { return p; };
            deps.registry = &registry;
            const QByteArray expected = key;
            deps.admit = [admission, expected](const QByteArray &k, const QString &, const Relay::HttpRequest &)
                -> std::variant<Relay::RealtimeAdmission, Relay::OpenAiError> {
                if (k != expected)
                    return Relay::OpenAiError::invalidApiKey(QStringLiteral("bad key"));
                return admission;
            };
            Relay::RealtimeRelayConfig rc;
            rc.maxSessions = 20000;
            rc.loops = loops;
            rc.session.pingInterval = std::chrono::milliseconds(0);
            if (qEnvironmentVariableIsSet("BENCH_NO_PAUSE"))
                rc.session.highWaterBytes = qint64(1) << 40;
            auto *relay = new Relay::RealtimeRelay(std::move(deps), rc, &server);
            relay->install(server);
            relayObject.store(relay);
        });
        thread->start();
        return spin([this] { return thread->port() != 0; }, 10000);
    }

    // The server thread's CPU plus every relay loop's.
    double relayCpu()
    {
        double cpu = 0;
        Relay::RealtimeRelay *relay = relayObject.load();
        QMetaObject::invokeMethod(relay, [&cpu] { cpu = threadCpuSeconds(); }, Qt::BlockingQueuedConnection);
        if (const Relay::RelayLoops *loops = relay->loops())
            for (double seconds : loops->cpuSeconds())
                cpu += seconds;
        return cpu;
    }
    QUrl url() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/realtime?model=gpt-realtime").arg(thread->port())); }
};

void oneSession(const char *label, Relay::DemoRealtimeScript script, int loops)
{
    Rig rig;
    rig.loops = loops;
    if (!rig.start(script)) {
        std::printf("%s: setup failed\n", label);
        return;
    }
    Client client;
    client.open(rig.url(), rig.key);
    spin([&] { return client.created; });
    const double cpu0 = rig.relayCpu();
    const qint64 frames0 = client.frames;
    QElapsedTimer wall;
    wall.start();
    client.socket.sendTextMessage(QStringLiteral(R"({"type":"response.create"})"));
    spin([&] { return client.done > 0 || client.closed; });
    const double seconds = wall.nsecsElapsed() / 1e9;
    const double cpu = rig.relayCpu() - cpu0;
    const qint64 events = client.frames - frames0;
    std::printf("%-34s %8lld events  %8.0f events/s wall  %9.0f events/s per relay-CPU-second  (%.3f s relay CPU)\n",
                label, qlonglong(events), events / seconds, events / std::max(cpu, 1e-9), cpu);
    client.socket.close();
    spin([&] { return client.closed; }, 5000);
}

void manySessions(int n, int loops)
{
    Relay::DemoRealtimeScript script;
    script.audioMs = 0;
    QStringList words;
    for (int i = 0; i < 50; ++i)
        words << QStringLiteral("word%1").arg(i);
    script.reply = words.join(QLatin1Char(' '));
    Rig rig;
    rig.loops = loops;
    if (!rig.start(script)) {
        std::printf("concurrent: setup failed\n");
        return;
    }
    // Baseline: the same number of clients straight to the demo (client + demo memory), then through the relay.
    const auto connectAll = [&](std::vector<std::unique_ptr<Client>> &clients, const QUrl &url) {
        for (int i = 0; i < n; ++i) {
            clients.push_back(std::make_unique<Client>());
            clients.back()->open(url, rig.key);
            if (i % 50 == 49)
                QCoreApplication::processEvents();
        }
        return spin([&] {
            for (const auto &c : clients)
                if (!c->created)
                    return false;
            return true;
        });
    };
    const qint64 rss0 = rssKiB();
    QElapsedTimer directTimer;
    directTimer.start();
    std::vector<std::unique_ptr<Client>> direct;
    if (!connectAll(direct, QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/realtime?model=gpt-realtime").arg(rig.demo.port)))) {
        std::printf("concurrent: direct connections failed\n");
        return;
    }
    const qint64 rssDirect = rssKiB() - rss0;
    std::printf("%d direct connections (no relay) opened in %.2f s\n", n, directTimer.nsecsElapsed() / 1e9);
    direct.clear();
    spin([&] { return rig.demo.live() == 0; }, 10000);

    const qint64 rss1 = rssKiB();
    std::vector<std::unique_ptr<Client>> clients;
    QElapsedTimer setup;
    setup.start();
    if (!connectAll(clients, rig.url())) {
        std::printf("concurrent: relayed connections failed\n");
        return;
    }
    const double setupSeconds = setup.nsecsElapsed() / 1e9;
    const qint64 rssRelayed = rssKiB() - rss1;
    std::printf("%d concurrent idle sessions: opened in %.2f s; RSS +%lld KiB direct, +%lld KiB relayed "
                "=> ~%.1f KiB per idle relayed session (relay side)\n",
                n, setupSeconds, qlonglong(rssDirect), qlonglong(rssRelayed),
                double(rssRelayed - rssDirect) / n);

    const double cpu0 = rig.relayCpu();
    qint64 frames0 = 0;
    for (const auto &c : clients)
        frames0 += c->frames;
    QElapsedTimer wall;
    wall.start();
    for (const auto &c : clients)
        c->socket.sendTextMessage(QStringLiteral(R"({"type":"response.create"})"));
    spin([&] {
        for (const auto &c : clients)
            if (c->done == 0 && !c->closed)
                return false;
        return true;
    });
    const double seconds = wall.nsecsElapsed() / 1e9;
    const double cpu = rig.relayCpu() - cpu0;
    qint64 frames = 0;
    for (const auto &c : clients)
        frames += c->frames;
    frames -= frames0;
    std::printf("%d concurrent sessions, one 50-word text response each, %d relay loop(s): %lld events in %.2f s "
                "(%.0f events/s wall, %.0f events/s per relay-CPU-second, %.2f s relay CPU)\n",
                n, loops, qlonglong(frames), seconds, frames / seconds, frames / std::max(cpu, 1e-9), cpu);
    for (const auto &c : clients)
        c->socket.close();
    spin([&] { return rig.demo.live() == 0; }, 30000);
}

void runOneSessions(const Relay::DemoRealtimeScript &text, int deltas, int loops)
{
    oneSession("one session, text deltas (~60 B)", text, loops);

    Relay::DemoRealtimeScript audio;
    audio.reply = QStringLiteral("hi");
    audio.audioMs = deltas * 100 / 4;
    audio.chunkMs = 100;
    oneSession("one session, audio deltas (6.4 KB)", audio, loops);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    QCommandLineOption sessionsOption(QStringLiteral("sessions"), QStringLiteral("Concurrent sessions."), QStringLiteral("n"), QStringLiteral("1000"));
    QCommandLineOption deltasOption(QStringLiteral("deltas"), QStringLiteral("Deltas in the single-session runs."), QStringLiteral("n"), QStringLiteral("20000"));
    QCommandLineOption serveOption(QStringLiteral("serve"),
                                   QStringLiteral("Only run the relay + demo (throwaway database) until killed, for manual clients."));
    QCommandLineOption loopsOption(QStringLiteral("loops"),
                                   QStringLiteral("Relay event loops for the sessions (0: the server thread; a list runs each)."),
                                   QStringLiteral("n[,n…]"), QStringLiteral("0,1,2"));
    QCommandLineOption onlyConcurrentOption(QStringLiteral("concurrent-only"), QStringLiteral("Skip the one-session runs."));
    parser.addOption(sessionsOption);
    parser.addOption(loopsOption);
    parser.addOption(onlyConcurrentOption);
    parser.addOption(deltasOption);
    parser.addOption(serveOption);
    parser.process(app);
    if (parser.isSet(serveOption)) {
        Rig rig;
        Relay::DemoRealtimeScript script;
        script.paceMs = 20;
        if (!rig.start(script))
            return 1;
        std::printf("Listening on http://127.0.0.1:%d\nThrowaway key: %s\n", rig.thread->port(), rig.key.constData());
        std::fflush(stdout);
        return app.exec();
    }
    const int deltas = std::max(1, parser.value(deltasOption).toInt());

    Relay::DemoRealtimeScript text;
    text.audioMs = 0;
    QStringList words;
    for (int i = 0; i < deltas; ++i)
        words << QStringLiteral("w%1").arg(i % 1000);
    text.reply = words.join(QLatin1Char(' '));
    QList<int> loopCounts;
    for (const QString &n : parser.value(loopsOption).split(QLatin1Char(',')))
        loopCounts << std::max(0, n.toInt());
    for (int loops : loopCounts) {
        std::printf("-- %d relay loop(s)\n", loops);
        if (!parser.isSet(onlyConcurrentOption))
            runOneSessions(text, deltas, loops);
        manySessions(std::max(1, parser.value(sessionsOption).toInt()), loops);
    }
    return 0;
}
