#pragma once
// One Responses WebSocket-mode connection (GET /v1/responses with Upgrade: websocket, Bearer auth checked before
// the upgrade). The client sends `{"type":"response.create", …create fields}`; each is one metered call (its own
// reservation → settle) whose events go back as text frames. Responses run one after another: a create that
// arrives while one runs waits (at most kMaxQueued). Closing the socket ends the running response as a client
// that left (billed on what was delivered). The connection is one live session (kind Responses WS); each response
// is a turn of it, its usage and charge added when it settles.
#include "relay/auth.h"

#include <QtCore/QJsonObject>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QQueue>

#include <memory>

namespace RelayDesk::Monitor { class SessionRegistry; }

QT_BEGIN_NAMESPACE
class QWebSocket;
QT_END_NAMESPACE

namespace RelayDesk::Relay {

class ResponsesEndpoint;
class Router;

class ResponsesSocket final : public QObject
{
public:
    static constexpr int kMaxQueued = 16;
    static constexpr qsizetype kMaxMessageBytes = 32 * 1024 * 1024;

    // Registers the WebSocket route on /v1/responses.
    static void install(Router &router, ResponsesEndpoint &endpoint, std::shared_ptr<Auth> auth,
                        Monitor::SessionRegistry *registry);
    ~ResponsesSocket() override;

private:
    ResponsesSocket(QWebSocket *socket, AuthContext auth, ResponsesEndpoint &endpoint,
                    Monitor::SessionRegistry *registry);
    void onMessage(const QString &message);
    void startNext();
    void sendError(const OpenAiError &error);

    QWebSocket *m_socket;
    AuthContext m_auth;
    ResponsesEndpoint &m_endpoint;
    QQueue<QJsonObject> m_queue;
    QPointer<QObject> m_running; // the running response's sink (gone when its call is done)
    Monitor::SessionRegistry *m_registry;
    quint64 m_session = 0;       // the connection's live session; each response is a turn of it
};

} // namespace RelayDesk::Relay
