#include "relay/relayserverthread.h"

#include <QtCore/QMetaObject>

namespace RelayDesk::Relay {

RelayServerThread::RelayServerThread(HttpServerConfig config, Setup setup, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_setup(std::move(setup))
{
    m_thread.setObjectName(QStringLiteral("relay-server"));
}

RelayServerThread::~RelayServerThread()
{
    stop();
    m_thread.wait();
}

void RelayServerThread::start()
{
    if (m_thread.isRunning())
        return;
    m_anchor = new QObject();
    m_anchor->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_anchor, &QObject::deleteLater);
    connect(&m_thread, &QThread::finished, this, [this] {
        m_anchor = nullptr;
        m_port = 0;
        Q_EMIT stopped();
    });
    m_thread.start();
    QMetaObject::invokeMethod(m_anchor, [this] {
        m_server = new HttpServer(m_config, m_anchor);
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
    QMetaObject::invokeMethod(m_anchor, [this] {
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
