#pragma once
// One connection of the Responses WebSocket mode: each {"type":"response.create", …} text frame becomes a
// response whose events go out as JSON text frames (the same events as the SSE stream); requests that arrive
// while one runs wait their turn. A refused request gets {"type":"error","status":N,"error":{type, code,
// message, param}} and the connection stays open.
#include <QtCore/QByteArray>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPointer>

QT_BEGIN_NAMESPACE
class QWebSocket;
QT_END_NAMESPACE

namespace RelayDesk::Relay {

class DemoResponses;
class DemoResponseRun;
class HttpServer;
struct OpenAiError;

class DemoResponsesSocket final : public QObject
{
    Q_OBJECT

public:
    // Takes ownership of `socket` (and of its transport, found among `transportRoot`'s children).
    DemoResponsesSocket(DemoResponses *owner, QWebSocket *socket, QObject *transportRoot, QByteArray scenarioHeader);
    ~DemoResponsesSocket() override;

private:
    void onText(const QString &message);
    void next();
    void sendError(const OpenAiError &error);
    void send(const QJsonObject &event);

    DemoResponses *m_owner;
    QPointer<QWebSocket> m_socket;
    QByteArray m_scenarioHeader; // X-Fake-Scenario of the upgrade request
    QList<QJsonObject> m_queue;
    QPointer<DemoResponseRun> m_current;
    bool m_busy = false;
};

} // namespace RelayDesk::Relay
