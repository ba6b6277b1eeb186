#include "commands.h"

#include "common/cidr.h"
#include "common/datadir.h"
#include "service/metricsserver.h"
#include "service/runtime.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QTextStream>
#include <QtCore/QTimer>

#include <atomic>
#include <csignal>
#include <optional>
#include <utility>

#include <unistd.h>

namespace RelayDesk::Cli {

namespace {

std::atomic<int> g_signal{0};

extern "C" void onStopSignal(int sig)
{
    g_signal.store(sig);
}

int serveUsage(QTextStream &err)
{
    err << "usage: relaydeskd serve [--data DIR | --db URL | --db-file FILE] [--listen HOST:PORT] [--demo]\n"
           "                        [--tls [--tls-cert FILE --tls-key FILE]] [--demo-delay-ms N]\n"
           "                        [--instance-lease SECONDS] [--max-connections N]\n"
           "                        [--max-connections-per-address N] [--max-upload-mb N]\n"
           "                        [--metrics-listen HOST:PORT] [--trusted-proxy CIDR]...\n";
    return 2;
}

// "127.0.0.1:8790", "[::1]:8790", ":8790" (all interfaces is never implied: empty host = loopback).
bool parseListen(const QString &text, QHostAddress *address, quint16 *port)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon < 0)
        return false;
    QString host = text.left(colon);
    bool ok = false;
    const uint p = text.mid(colon + 1).toUInt(&ok);
    if (!ok || p > 65535)
        return false;
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    if (host.isEmpty() || host == QLatin1StringView("localhost"))
        host = QStringLiteral("127.0.0.1");
    if (!address->setAddress(host))
        return false;
    *port = static_cast<quint16>(p);
    return true;
}

// Two listeners that would be one socket: the same port, and the same address or a wildcard on either side.
bool sharesListener(const std::pair<QHostAddress, quint16> &a, const std::pair<QHostAddress, quint16> &b)
{
    const auto wildcard = [](const QHostAddress &h) {
        return h == QHostAddress(QHostAddress::Any) || h == QHostAddress(QHostAddress::AnyIPv4) ||
               h == QHostAddress(QHostAddress::AnyIPv6);
    };
    return a.second == b.second && (a.first.isEqual(b.first) || wildcard(a.first) || wildcard(b.first));
}

} // namespace

int runServe(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    Service::RuntimeConfig config;
    QString dbFile;
    std::optional<std::pair<QHostAddress, quint16>> metricsListen;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        const auto value = [&](QString *target) {
            if (i + 1 >= args.size())
                return false;
            *target = args.at(++i);
            return true;
        };
        QString v;
        if (a == QLatin1StringView("--data")) {
            if (!value(&config.dataDir))
                return serveUsage(err);
        } else if (a == QLatin1StringView("--db")) {
            if (!value(&config.dbUrl))
                return serveUsage(err);
        } else if (a == QLatin1StringView("--db-file")) {
            if (!value(&dbFile))
                return serveUsage(err);
        } else if (a == QLatin1StringView("--listen")) {
            if (!value(&v) || !parseListen(v, &config.listenAddress, &config.listenPort)) {
                err << "relaydeskd serve: --listen wants HOST:PORT, e.g. 127.0.0.1:8790\n";
                return 2;
            }
        } else if (a == QLatin1StringView("--demo")) {
            config.demo = true;
        } else if (a == QLatin1StringView("--tls")) {
            config.tls = true;
        } else if (a == QLatin1StringView("--tls-cert")) {
            if (!value(&config.tlsCertificate))
                return serveUsage(err);
        } else if (a == QLatin1StringView("--tls-key")) {
            if (!value(&config.tlsKey))
                return serveUsage(err);
        } else if (a == QLatin1StringView("--demo-delay-ms")) {
            bool ok = false;
            if (!value(&v) || (config.demoOptions.chunkDelayMs = v.toInt(&ok), !ok) || config.demoOptions.chunkDelayMs < 0)
                return serveUsage(err);
            config.demoOptions.firstChunkDelayMs = config.demoOptions.chunkDelayMs;
        } else if (a == QLatin1StringView("--instance-lease")) {
            // How long other instances on this database wait without a heartbeat before recovering this
            // one's reservations (decimal seconds; default 30).
            bool ok = false;
            const double seconds = value(&v) ? v.toDouble(&ok) : 0;
            if (!ok || seconds < 0.3 || seconds > 86'400)
                return serveUsage(err);
            config.instanceLeaseMs = qint64(seconds * 1000);
        } else if (a == QLatin1StringView("--max-connections")) {
            // Open HTTP connections in all (default 1024); beyond → 503.
            bool ok = false;
            const int n = value(&v) ? v.toInt(&ok) : 0;
            if (!ok || n < 1 || n > 1'000'000)
                return serveUsage(err);
            config.server.maxConnections = n;
        } else if (a == QLatin1StringView("--max-connections-per-address")) {
            // Per client address (default 64; 0 = no cap). Behind a reverse proxy every connection comes from
            // the proxy's address: raise it, or set 0 and let the proxy limit clients.
            bool ok = false;
            const int n = value(&v) ? v.toInt(&ok) : -1;
            if (!ok || n < 0 || n > 1'000'000)
                return serveUsage(err);
            config.server.maxConnectionsPerAddress = n;
        } else if (a == QLatin1StringView("--max-upload-mb")) {
            // The largest file an upload (audio to transcribe, an image to edit) may carry (default 25, OpenAI's
            // limit); the request body may be 1 MB more, at least the default 32 MB.
            bool ok = false;
            const int mb = value(&v) ? v.toInt(&ok) : 0;
            if (!ok || mb < 1 || mb > 2048)
                return serveUsage(err);
            config.relay.maxUploadBytes = qint64(mb) * 1024 * 1024;
            config.server.maxBodyBytes = std::max(config.server.maxBodyBytes, config.relay.maxUploadBytes + (1 << 20));
        } else if (a == QLatin1StringView("--metrics-listen")) {
            // Prometheus' GET /metrics on a listener of its own (off by default; loopback unless a host is given).
            QHostAddress address;
            quint16 port = 0;
            if (!value(&v) || !parseListen(v, &address, &port)) {
                err << "relaydeskd serve: --metrics-listen wants HOST:PORT, e.g. 127.0.0.1:9464\n";
                return 2;
            }
            metricsListen.emplace(address, port);
        } else if (a == QLatin1StringView("--trusted-proxy")) {
            // A reverse proxy whose X-Forwarded-For names the caller for IP allow-lists (besides those of
            // `relaydeskd admin trusted-proxies`).
            QString error;
            if (!value(&v) || !Cidr::parseList({v}, &error)) {
                err << "relaydeskd serve: --trusted-proxy wants a CIDR or an address, e.g. 10.0.0.0/8\n";
                return 2;
            }
            config.trustedProxies << v;
        } else if (a == QLatin1StringView("--help") || a == QLatin1StringView("-h")) {
            serveUsage(out);
            return 0;
        } else {
            err << "relaydeskd serve: unknown option '" << a << "'\n";
            return serveUsage(err);
        }
    }

    if (metricsListen && sharesListener(*metricsListen, {config.listenAddress, config.listenPort})) {
        err << "relaydeskd serve: --metrics-listen must not be the relay's address (metrics are never served on the "
               "relay port)\n";
        return 2;
    }
    if (!config.tls && (!config.tlsCertificate.isEmpty() || !config.tlsKey.isEmpty())) {
        err << "relaydeskd serve: --tls-cert and --tls-key need --tls\n";
        return 2;
    }

    QString dbError, dbWarning;
    const auto dbUrl = resolveDatabaseUrl({config.dbUrl, dbFile, !config.dataDir.isEmpty()}, &dbError, &dbWarning);
    if (!dbWarning.isEmpty())
        err << "relaydeskd serve: warning: " << dbWarning << '\n';
    if (!dbUrl) {
        err << "relaydeskd serve: " << dbError << '\n';
        return 2;
    }
    config.dbUrl = *dbUrl;
    err.flush();

    Service::Runtime runtime;
    if (!runtime.start(config)) {
        err << "relaydeskd serve: " << runtime.errorString() << '\n';
        return 1;
    }
    if (runtime.recoveredReservations() > 0)
        out << "Recovered " << runtime.recoveredReservations() << " reservation(s) left open by a previous run\n";
    if (auto *demo = runtime.demoUpstream())
        out << "Demo upstream on " << demo->baseUrl() << '\n';
    if (const auto creds = runtime.demoCredentials()) {
        if (!creds->plainKey.isEmpty() && ::isatty(STDOUT_FILENO))
            out << "Demo API key (shown once, store it now): " << creds->plainKey << '\n';
        else if (!creds->plainKey.isEmpty()) // a log or a pipe would keep the key: the hint only
            out << "Demo API key: " << creds->keyHint << " (the full key is printed only to a terminal; make a new "
                << "one with: relaydeskd admin key add --user demo)\n";
        else
            out << "Demo API key: " << creds->keyHint << " (created earlier; the full key was shown then)\n";
        runtime.forgetDemoKey();
    }
    Service::MetricsServer metrics(runtime.database(), runtime.sessions());
    if (metricsListen && !metrics.start(metricsListen->first, metricsListen->second)) {
        err << "relaydeskd serve: cannot serve metrics on " << metricsListen->first.toString() << ':'
            << metricsListen->second << ": " << metrics.errorString() << '\n';
        runtime.stop();
        return 1;
    }
    if (metricsListen) {
        const QHostAddress &a = metricsListen->first;
        const QString host = a.protocol() == QAbstractSocket::IPv6Protocol ? '[' + a.toString() + ']' : a.toString();
        out << "Metrics on http://" << host << ':' << metrics.port() << "/metrics\n";
    }
    out << "Listening on " << runtime.baseUrl() << '\n';
    if (!runtime.tlsCertificatePath().isEmpty())
        out << "TLS certificate: " << runtime.tlsCertificatePath()
            << " (trust it with NODE_EXTRA_CA_CERTS or SSL_CERT_FILE)\n";
    out.flush();

    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    // A signal handler may only set a flag; the event loop polls it.
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [&] {
        if (g_signal.load() != 0)
            QCoreApplication::quit();
    });
    poll.start(100);
    QObject::connect(&runtime, &Service::Runtime::failed, [&](const QString &message) {
        err << "relaydeskd serve: " << message << '\n';
        QCoreApplication::exit(1);
    });
    const int code = QCoreApplication::exec();
    metrics.stop();
    runtime.stop();
    out << "Stopped\n";
    return code;
}

} // namespace RelayDesk::Cli
