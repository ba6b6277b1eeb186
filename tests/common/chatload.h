#pragma once
// Client load for process-level relay tests: keeps `count` chat calls in flight against a relay on
// 127.0.0.1:port (half JSON, half SSE; one connection each, Connection: close), starting a new one whenever
// one ends, until stop(). A call the relay dropped (it was killed) ends its client.
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QTcpSocket>

#include <memory>
#include <utility>

namespace RelayDeskTest {

class ChatLoad final : public QObject
{
public:
    ChatLoad(quint16 port, QByteArray key, int count)
        : m_port(port)
        , m_key(std::move(key))
    {
        for (int i = 0; i < count; ++i)
            startOne(i % 2 == 0);
    }
    void stop() { m_stopped = true; }
    int completed() const { return m_completed; }
    int completedStreams() const { return m_completedStreams; }
    int inFlight() const { return m_started - m_completed; }

private:
    void startOne(bool stream)
    {
        if (m_stopped)
            return;
        ++m_started;
        auto *socket = new QTcpSocket(this);
        const QByteArray body = QByteArrayLiteral(R"({"model":"gpt-4o-mini","max_tokens":300,"stream":)") +
                                (stream ? "true" : "false") +
                                R"(,"messages":[{"role":"user","content":"Tell me a long story, please."}]})";
        connect(socket, &QTcpSocket::connected, socket, [this, socket, body] {
            socket->write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                          "Content-Type: application/json\r\nAuthorization: Bearer " + m_key +
                          "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        });
        connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->readAll(); });
        // A call ends once: when the relay closes it, or when it fails (a connect to a relay that is gone never
        // emits disconnected(), so it must end here or it would count as in flight forever).
        auto ended = std::make_shared<bool>(false);
        const auto end = [this, socket, stream, ended] {
            if (std::exchange(*ended, true))
                return;
            ++m_completed;
            m_completedStreams += stream ? 1 : 0;
            socket->deleteLater();
            startOne(stream);
        };
        connect(socket, &QTcpSocket::disconnected, this, end);
        connect(socket, &QTcpSocket::errorOccurred, this, [socket, end](QAbstractSocket::SocketError error) {
            if (error == QAbstractSocket::RemoteHostClosedError)
                return; // disconnected() follows
            socket->abort(); // the relay is gone: stop this client
            end();
        });
        socket->connectToHost(QHostAddress::LocalHost, m_port);
    }

    quint16 m_port;
    QByteArray m_key;
    int m_started = 0;
    int m_completed = 0;
    int m_completedStreams = 0;
    bool m_stopped = false;
};

} // namespace RelayDeskTest
