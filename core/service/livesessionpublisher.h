#pragma once
// Publishes this instance's live sessions to the `live_sessions` table, so consoles and the CLI on the same
// database see them (Store::LiveSessionRepository). It runs on a thread of its own and reads only the registry's
// value snapshots (its coalesced sessionsUpdated signal, queued here): a slow or locked database delays the
// published view, never the relay.
//
// Writes are coalesced to one transaction per pass, at most one pass every `intervalMs` (10 Hz) whatever the
// traffic: live sessions are upserted, ended ones deleted (a call that opened and ended between two passes never
// reaches the table). Once a second the pass also writes the instance's request counter and rate (sessions
// opened, SessionRegistry::openedCount(), over the last few seconds) to its `instances` row. A failed pass keeps
// what it had to write and retries a second later. stop() deletes this instance's rows.
#include <QtCore/QObject>

#include <memory>

namespace RelayDesk::Store { class Database; }
namespace RelayDesk::Monitor { class SessionRegistry; }

namespace RelayDesk::Service {

struct LiveSessionPublisherOptions
{
    int intervalMs = 100;    // the shortest time between two write passes
    int trafficMs = 1000;    // how often the request counter and rate are written
    int rateWindowMs = 5000; // the rate is taken over this window
};

class LiveSessionPublisher final : public QObject
{
    Q_OBJECT

public:
    using Options = LiveSessionPublisherOptions;

    // registry must outlive this publisher (or its stop()).
    LiveSessionPublisher(std::shared_ptr<Store::Database> db, Monitor::SessionRegistry *registry, QString instanceId,
                         Options options = {}, QObject *parent = nullptr);
    LiveSessionPublisher(std::shared_ptr<Store::Database> db, Monitor::SessionRegistry *registry, QString instanceId,
                         QObject *parent)
        : LiveSessionPublisher(std::move(db), registry, std::move(instanceId), Options{}, parent) {}
    ~LiveSessionPublisher() override; // stop()

    // Starts the thread and publishes the sessions the registry holds now.
    void start();
    // Ends the thread after deleting this instance's rows. Idempotent.
    void stop();
    bool isRunning() const;

Q_SIGNALS:
    // After each committed pass (from the publisher's thread): rows upserted and deleted.
    void published(int upserted, int deleted);

private:
    class Worker;
    std::shared_ptr<Store::Database> m_db;
    Monitor::SessionRegistry *m_registry;
    QString m_instanceId;
    Options m_options;
    std::unique_ptr<class QThread> m_thread;
    Worker *m_worker = nullptr; // lives on m_thread
};

} // namespace RelayDesk::Service
