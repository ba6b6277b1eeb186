#include "relay/responses/responsessocket.h"

#include "http/router.h"
#include "relay/responses/responsesendpoint.h"
#include "relay/responses/websocketclientsink.h"
#include "monitor/sessionregistry.h"

#include <QtCore/QJsonDocument>
#include <QtWebSockets/QWebSocket>

namespace RelayDesk::Relay {

void ResponsesSocket::install(Router &router, ResponsesEndpoint &endpoint, std::shared_ptr<Auth> auth,
                              Monitor::SessionRegistry *registry)
{
    Router::WebSocketRoute route;
    route.path = QByteArrayLiteral("/v1/responses");
    route.check = [auth](const HttpRequest &request) -> std::optional<OpenAiError> {
        auto result = auth->authenticate(request);
        if (auto *error = std::get_if<OpenAiError>(&result))
            return *error;
        return std::nullopt;
    };
    route.handler = [auth, &endpoint, registry](QWebSocket *socket, const HttpRequest &request) {
        auto result = auth->authenticate(request); // the key may have changed since the check: ask again
        if (auto *error = std::get_if<OpenAiError>(&result)) {
            socket->sendTextMessage(QString::fromUtf8(WebSocketClientSink::errorFrame(*error)));
            socket->close(QWebSocketProtocol::CloseCodePolicyViolated);
            socket->deleteLater();
            return;
        }
        new ResponsesSocket(socket, std::get<AuthContext>(std::move(result)), endpoint, registry);
    };
    router.addWebSocketRoute(std::move(route));
}

ResponsesSocket::ResponsesSocket(QWebSocket *socket, AuthContext auth, ResponsesEndpoint &endpoint,
                                 Monitor::SessionRegistry *registry)
    : QObject(socket)
    , m_socket(socket)
    , m_auth(std::move(auth))
    , m_endpoint(endpoint)
    , m_registry(registry)
{
    if (m_registry) {
        Monitor::SessionInfo info;
        info.kind = Monitor::SessionKind::ResponsesWebSocket;
        info.state = Monitor::SessionState::Active;
        info.user = m_auth.user.name;
        info.keyHint = m_auth.key.keyHint;
        m_session = m_registry->open(info);
    }
    socket->setMaxAllowedIncomingMessageSize(kMaxMessageBytes);
    connect(socket, &QWebSocket::textMessageReceived, this, &ResponsesSocket::onMessage);
    connect(socket, &QWebSocket::binaryMessageReceived, this, [this] {
        sendError(OpenAiError::invalidRequest(QStringLiteral("Binary frames are not supported: send JSON text.")));
    });
    connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
}

ResponsesSocket::~ResponsesSocket()
{
    if (m_session)
        m_registry->close(m_session, Monitor::SessionState::Ended, QStringLiteral("closed"));
}

void ResponsesSocket::onMessage(const QString &message)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(message.toUtf8(), &parseError);
    if (!doc.isObject())
        return sendError(OpenAiError::invalidRequest(
            QStringLiteral("The message is not a JSON object: %1").arg(parseError.errorString())));
    const QJsonObject event = doc.object();
    const QString type = event.value(QLatin1StringView("type")).toString();
    if (type != QLatin1StringView("response.create"))
        return sendError(OpenAiError::invalidRequest(
            QStringLiteral("Unknown event type '%1': this connection accepts response.create.").arg(type),
            "unknown_event_type", "type"));
    if (m_queue.size() >= kMaxQueued)
        return sendError(OpenAiError::rateLimited(
            QStringLiteral("Too many response.create events waiting on this connection (%1).").arg(kMaxQueued)));
    m_queue.enqueue(event);
    startNext();
}

void ResponsesSocket::startNext()
{
    while (!m_running && !m_queue.isEmpty() && m_socket->state() == QAbstractSocket::ConnectedState) {
        QJsonObject request = m_queue.dequeue();
        request.remove(QStringLiteral("type"));
        // Older clients nest the fields under "response".
        if (request.value(QLatin1StringView("response")).isObject() && !request.contains(QLatin1StringView("model")))
            request = request.value(QLatin1StringView("response")).toObject();
        auto *sink = new WebSocketClientSink(m_socket, nullptr);
        if (const auto error = m_endpoint.startCall(m_auth, std::move(request), false, sink, true, m_session)) {
            delete sink;
            sendError(*error);
            continue;
        }
        m_running = sink; // owned by its call; destroyed with it when the call is done
        connect(sink, &QObject::destroyed, this, [this] { startNext(); }, Qt::QueuedConnection);
    }
}

void ResponsesSocket::sendError(const OpenAiError &error)
{
    if (m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->sendTextMessage(QString::fromUtf8(WebSocketClientSink::errorFrame(error)));
}

} // namespace RelayDesk::Relay
