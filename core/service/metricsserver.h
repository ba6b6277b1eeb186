#pragma once
// GET /metrics on a listener of its own (relaydeskd serve --metrics-listen): never on the relay's port, so a
// scraper needs no API key and a relay client cannot read the operator's numbers. Runs on its own thread; a
// scrape reads RelayMetrics and the store there (MetricsReport), never blocking the relay thread.
#include <QtCore/QObject>
#include <QtNetwork/QHostAddress>

#include <memory>

namespace RelayDesk::Store { class Database; }
namespace RelayDesk::Monitor { class SessionRegistry; }
namespace RelayDesk::Relay { class RelayServerThread; }

namespace RelayDesk::Service {

class MetricsServer final : public QObject
{
    Q_OBJECT

public:
    // `sessions` is optional and must outlive the server (stop() first).
    MetricsServer(std::shared_ptr<Store::Database> db, const Monitor::SessionRegistry *sessions,
                  QObject *parent = nullptr);
    ~MetricsServer() override; // stop()

    // Blocks until it listens (port 0 = ephemeral); false with errorString() when it cannot.
    bool start(const QHostAddress &address, quint16 port);
    void stop();
    quint16 port() const;
    QString errorString() const { return m_error; }

private:
    std::shared_ptr<Store::Database> m_db;
    const Monitor::SessionRegistry *m_sessions;
    std::unique_ptr<Relay::RelayServerThread> m_thread;
    QString m_error;
};

} // namespace RelayDesk::Service
