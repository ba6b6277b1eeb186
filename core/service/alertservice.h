#pragma once
// Spend alerts in a running relay: an AlertWatcher (fires) and an AlertWebhook (delivers) on a thread of their
// own, so neither the relay thread nor the console's ever waits on their store reads or on a webhook receiver.
#include "alertwatcher.h"
#include "alertwebhook.h"

#include <QtCore/QObject>
#include <QtCore/QThread>

#include <memory>

namespace RelayDesk::Service {

class AlertService final : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        AlertWatcher::Options watcher;
        AlertWebhook::Options webhook;
    };

    explicit AlertService(std::shared_ptr<Store::Database> db, QObject *parent = nullptr);
    AlertService(std::shared_ptr<Store::Database> db, Options options, QObject *parent = nullptr);
    ~AlertService() override; // stop()

    void start();
    void stop(); // ends the thread; events not yet delivered stay in the outbox for the next start

Q_SIGNALS:
    // An alert fired in this process (queued to this object's thread): the console shows it.
    void fired(const RelayDesk::Store::AlertEvent &event);

private:
    std::shared_ptr<Store::Database> m_db;
    Options m_options;
    QThread m_thread;
    AlertWatcher *m_watcher = nullptr;
    AlertWebhook *m_webhook = nullptr;
};

} // namespace RelayDesk::Service

Q_DECLARE_METATYPE(RelayDesk::Store::AlertEvent)
