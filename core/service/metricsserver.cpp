#include "service/metricsserver.h"

#include "http/relayserverthread.h"
#include "metrics/expositionwriter.h"
#include "metrics/relaymetrics.h"
#include "service/metricsreport.h"

#include <QtCore/QSemaphore>

namespace RelayDesk::Service {

MetricsServer::MetricsServer(std::shared_ptr<Store::Database> db, const Monitor::SessionRegistry *sessions,
                             QObject *parent)
    : QObject(parent), m_db(std::move(db)), m_sessions(sessions)
{
}

MetricsServer::~MetricsServer()
{
    stop();
}

bool MetricsServer::start(const QHostAddress &address, quint16 port)
{
    Relay::HttpServerConfig config;
    config.address = address;
    config.port = port;
    config.maxConnections = 16;      // a handful of scrapers
    config.maxBodyBytes = 64 * 1024; // GETs only
    config.serverName = "RelayDesk-metrics";
    m_thread = std::make_unique<Relay::RelayServerThread>(config, [db = m_db, sessions = m_sessions](Relay::HttpServer &http) {
        http.router().addRoute("GET", "/metrics", [db, sessions](Relay::HttpExchange &exchange) {
            const QByteArray text = MetricsReport(*db, sessions).render(Metrics::RelayMetrics::global().snapshot());
            exchange.respond(200, text, Metrics::ExpositionWriter::kContentType);
        }, Relay::Router::Access::Public);
    });
    auto ready = std::make_shared<QSemaphore>();
    auto error = std::make_shared<QString>();
    connect(m_thread.get(), &Relay::RelayServerThread::listening, this, [ready] { ready->release(); },
            Qt::DirectConnection);
    connect(m_thread.get(), &Relay::RelayServerThread::failed, this,
            [ready, error](const QString &message) { *error = message; ready->release(); }, Qt::DirectConnection);
    m_thread->start();
    if (!ready->tryAcquire(1, 15'000))
        *error = QStringLiteral("the metrics listener did not start in time");
    if (!error->isEmpty()) {
        m_error = *error;
        stop();
        return false;
    }
    return true;
}

void MetricsServer::stop()
{
    if (!m_thread)
        return;
    m_thread->stop();
    m_thread->wait(5000);
    m_thread.reset();
}

quint16 MetricsServer::port() const
{
    return m_thread ? m_thread->port() : 0;
}

} // namespace RelayDesk::Service
