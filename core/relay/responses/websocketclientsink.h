#pragma once
// ClientSink on one response of a Responses WebSocket-mode connection: events go out as text frames (the event
// objects themselves), errors as `{"type":"error","status":N,"error":{…}}` frames, and the end of a response
// leaves the connection open for the next one.
#include "relay/clientsink.h"

#include <QtCore/QPointer>

QT_BEGIN_NAMESPACE
class QWebSocket;
QT_END_NAMESPACE

namespace RelayDesk::Relay {

class WebSocketClientSink final : public ClientSink
{
    Q_OBJECT

public:
    WebSocketClientSink(QWebSocket *socket, QObject *parent);

    bool hasStarted() const override { return m_started; }
    bool isStreaming() const override { return m_started && !m_ended; }
    bool isGone() const override;
    void respond(int status, const QByteArray &body, Retry retry = Retry::Allowed) override;
    void respondError(const OpenAiError &error, Retry retry = Retry::Allowed) override;
    void beginEventStream() override {}
    void writeEvent(QByteArrayView name, QByteArrayView data) override;
    void endStream() override { m_ended = true; }
    qint64 pendingOutputBytes() const override { return m_pending; }

    // The error frame of the WebSocket mode.
    static QByteArray errorFrame(const OpenAiError &error);

private:
    void send(const QByteArray &frame);

    QPointer<QWebSocket> m_socket;
    qint64 m_pending = 0; // frame bytes handed to the socket and not yet written
    bool m_started = false;
    bool m_ended = false;
};

} // namespace RelayDesk::Relay
