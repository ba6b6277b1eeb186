#include "relay/responses/websocketclientsink.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtWebSockets/QWebSocket>

namespace RelayDesk::Relay {

WebSocketClientSink::WebSocketClientSink(QWebSocket *socket, QObject *parent)
    : ClientSink(parent)
    , m_socket(socket)
{
    connect(socket, &QWebSocket::disconnected, this, &ClientSink::gone);
    connect(socket, &QWebSocket::bytesWritten, this, [this](qint64 written) {
        m_pending = std::max<qint64>(0, m_pending - written);
        if (m_pending == 0)
            Q_EMIT drained();
    });
}

bool WebSocketClientSink::isGone() const
{
    return !m_socket || m_socket->state() != QAbstractSocket::ConnectedState;
}

QByteArray WebSocketClientSink::errorFrame(const OpenAiError &error)
{
    const QJsonObject body = QJsonDocument::fromJson(error.toJson()).object();
    QJsonObject frame{{QStringLiteral("type"), QStringLiteral("error")},
                      {QStringLiteral("status"), error.httpStatus},
                      {QStringLiteral("error"), body.value(QLatin1StringView("error"))}};
    return QJsonDocument(frame).toJson(QJsonDocument::Compact);
}

void WebSocketClientSink::respond(int status, const QByteArray &body, Retry)
{
    if (m_started)
        return;
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    if (status == 200) { // a complete response where events were expected: its terminal event
        const QString state = object.value(QLatin1StringView("status")).toString();
        const QString type = state == QLatin1StringView("incomplete") ? QStringLiteral("response.incomplete")
                             : state == QLatin1StringView("failed")   ? QStringLiteral("response.failed")
                                                                      : QStringLiteral("response.completed");
        send(QJsonDocument(QJsonObject{{QStringLiteral("type"), type}, {QStringLiteral("response"), object}})
                 .toJson(QJsonDocument::Compact));
    } else { // the upstream's error body, as an error frame
        send(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("error")},
                                       {QStringLiteral("status"), status},
                                       {QStringLiteral("error"), object.value(QLatin1StringView("error"))}})
                 .toJson(QJsonDocument::Compact));
    }
    m_ended = true;
}

void WebSocketClientSink::respondError(const OpenAiError &error, Retry)
{
    if (m_started)
        return;
    send(errorFrame(error));
    m_ended = true;
}

void WebSocketClientSink::writeEvent(QByteArrayView, QByteArrayView data)
{
    send(data.toByteArray());
}

void WebSocketClientSink::send(const QByteArray &frame)
{
    m_started = true;
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    m_pending += frame.size();
    m_socket->sendTextMessage(QString::fromUtf8(frame));
}

} // namespace RelayDesk::Relay
