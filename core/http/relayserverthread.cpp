#include "http/relayserverthread.h"

#include "http/epolleventdispatcher.h"

#include <QtCore/QMetaObject>

namespace RelayDesk::Relay {

RelayServerThread::RelayServerThread(HttpServerConfig config, Setup setup, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_setup(std::move(setup))
{
    m_thread.setObjectName(QStringLiteral("relay-server"));
    // Connected once here (not per start()) so a restarted server reports stopped() once per run.
    connect(&m_thread, &QThread::finished, this, [this] {
        m_port = 0;
        Q_EMIT stopped();
    });
}

RelayServerThread::~RelayServerThread()
{
    stop();
    m_thread.wait();
    m_anchor.reset(); // its thread has ended: nothing can be delivered to it any more
}

void RelayServerThread::start()
{
    if (m_thread.isRunning())
        return;
    // The anchor outlives its thread's run and is only deleted here or in the destructor, on this thread,
    // while the server thread is not running: stop() can always post to it without racing a deletion.
    m_anchor = std::make_unique<QObject>();
    m_anchor->moveToThread(&m_thread);
    // epoll, so a pass costs what is ready rather than every open socket. A finished thread deleted the previous
    // run's dispatcher.
    EpollEventDispatcher::installOn(m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(m_anchor.get(), [this] {
        m_server = new HttpServer(m_config);
        if (m_setup)
            m_setup(*m_server);
        if (!m_server->start()) {
            const QString message = QStringLiteral("Cannot listen on %1:%2: %3")
                                        .arg(m_config.address.toString())
                                        .arg(m_config.port)
                                        .arg(m_server->errorString());
            delete m_server;
            m_server = nullptr;
            Q_EMIT failed(message);
            m_thread.quit();
            return;
        }
        m_port = m_server->serverPort();
        Q_EMIT listening(m_server->serverAddress(), m_server->serverPort());
    }, Qt::QueuedConnection);
}

void RelayServerThread::stop()
{
    if (!m_thread.isRunning() || !m_anchor)
        return;
    QMetaObject::invokeMethod(m_anchor.get(), [this] {
        if (m_server) {
            m_server->stop();
            delete m_server;
            m_server = nullptr;
        }
        m_thread.quit();
    }, Qt::QueuedConnection);
}

bool RelayServerThread::wait(int timeoutMs)
{
    return timeoutMs < 0 ? m_thread.wait() : m_thread.wait(QDeadlineTimer(timeoutMs));
}

} // namespace RelayDesk::Relay
