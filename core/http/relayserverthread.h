#pragma once
// Runs an HttpServer on its own QThread so the GUI thread never waits on network work. All calls return at
// once; results arrive as queued signals. The thread runs an EpollEventDispatcher (RELAYDESK_RELAY_DISPATCHER=qt:
// Qt's own); Realtime sessions may move on to the relay's extra loops (RelayLoops, see RealtimeRelay).
#include "http/httpserver.h"

#include <QtCore/QThread>

#include <atomic>
#include <functional>
#include <memory>

namespace RelayDesk::Relay {

class RelayServerThread final : public QObject
{
    Q_OBJECT

public:
    // Runs on the server thread before listening: register routes, create the objects handlers use (they then
    // live on the server thread too; parent them to the server so stop() deletes them on that thread).
    using Setup = std::function<void(HttpServer &server)>;

    explicit RelayServerThread(HttpServerConfig config, Setup setup = {}, QObject *parent = nullptr);
    // Stops the server and joins the thread (connections are aborted).
    ~RelayServerThread() override;

    void start();
    // Asks the server to stop; stopped() follows. Safe to call twice.
    void stop();
    // Blocks until the thread has ended (for shutdown paths and tests, not the GUI's normal flow).
    bool wait(int timeoutMs = -1);
    bool isRunning() const { return m_thread.isRunning(); }
    // The bound port once listening() was emitted (the real one when the config asked for port 0), else 0.
    quint16 port() const { return m_port.load(); }

Q_SIGNALS:
    void listening(const QHostAddress &address, quint16 port);
    void failed(const QString &message);
    void stopped();

private:
    HttpServerConfig m_config;
    Setup m_setup;
    QThread m_thread;
    std::unique_ptr<QObject> m_anchor; // affinity m_thread; queued calls run there
    HttpServer *m_server = nullptr;     // created, used and deleted only on m_thread
    std::atomic<quint16> m_port{0};
};

} // namespace RelayDesk::Relay
