#include "demo/demoresponsessocket.h"

#include "demo/demoresponserequest.h"
#include "demo/demoresponserun.h"
#include "demo/demoresponses.h"
#include "http/openaierror.h"

#include <QtCore/QJsonDocument>
#include <QtNetwork/QAbstractSocket>
#include <QtWebSockets/QWebSocket>

namespace RelayDesk::Relay {

DemoResponsesSocket::DemoResponsesSocket(DemoResponses *owner, QWebSocket *socket, QObject *transportRoot,
                                         QByteArray scenarioHeader)
    : QObject(owner)
    , m_owner(owner)
    , m_socket(socket)
    , m_scenarioHeader(std::move(scenarioHeader))
{
    socket->setParent(this);
    // The server-side QWebSocket does not own its transport (see DemoRealtime::attach).
    if (transportRoot) {
        for (QAbstractSocket *candidate : transportRoot->findChildren<QAbstractSocket *>()) {
            if (candidate->peerPort() == socket->peerPort() && candidate->localPort() == socket->localPort()) {
                candidate->setParent(socket);
                break;
            }
        }
    }
    connect(socket, &QWebSocket::textMessageReceived, this, &DemoResponsesSocket::onText);
    connect(socket, &QWebSocket::disconnected, this, [this] {
        if (m_current && !m_current->request().store)
            m_current->stop();
        deleteLater();
    });
}

DemoResponsesSocket::~DemoResponsesSocket() = default;

void DemoResponsesSocket::send(const QJsonObject &event)
{
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->sendTextMessage(QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact)));
}

void DemoResponsesSocket::sendError(const OpenAiError &error)
{
    const QJsonObject body = QJsonDocument::fromJson(error.toJson()).object().value(u"error").toObject();
    send({{QStringLiteral("type"), QStringLiteral("error")},
          {QStringLiteral("status"), error.httpStatus},
          {QStringLiteral("error"), body}});
}

void DemoResponsesSocket::onText(const QString &message)
{
    QJsonParseError parseError;
    const QJsonObject event = QJsonDocument::fromJson(message.toUtf8(), &parseError).object();
    if (parseError.error != QJsonParseError::NoError)
        return sendError(OpenAiError::invalidRequest(QStringLiteral("Invalid JSON: %1").arg(parseError.errorString()),
                                                     "invalid_json"));
    const QString type = event.value(u"type").toString();
    if (type != u"response.create")
        return sendError(OpenAiError::invalidRequest(QStringLiteral("Unsupported event type '%1'.").arg(type),
                                                     "unknown_event_type", "type"));
    m_queue.append(event);
    if (!m_busy)
        next();
}

// Starts the oldest waiting response.create, if any.
void DemoResponsesSocket::next()
{
    while (!m_busy && !m_queue.isEmpty()) {
        QJsonObject body = m_queue.takeFirst();
        body.remove(QStringLiteral("type"));
        body.remove(QStringLiteral("stream")); // every WebSocket response streams
        DemoResponseRequest request;
        if (auto refusal = DemoResponseRequest::parse(body, m_scenarioHeader, m_owner->store(), request)) {
            sendError(*refusal);
            continue;
        }
        request.stream = true;
        if (request.has(QLatin1StringView("error_500"))) {
            sendError(OpenAiError::internal(QStringLiteral("The demo upstream failed (scenario error_500).")));
            continue;
        }
        if (request.has(QLatin1StringView("error_429"))) {
            sendError(OpenAiError::rateLimited(QStringLiteral("Rate limit reached (scenario error_429).")));
            continue;
        }
        m_busy = true;
        if (request.has(QLatin1StringView("hang")))
            return; // never answers, and nothing after it either
        const auto pacing = m_owner->pacingFor(request);
        DemoResponseRun *run = m_owner->createRun(std::move(request), this);
        m_current = run;
        connect(run, &DemoResponseRun::eventEmitted, this, &DemoResponsesSocket::send);
        connect(run, &DemoResponseRun::resetRequested, this, [this] {
            if (m_socket)
                m_socket->abort();
        });
        connect(run, &DemoResponseRun::ended, this, [this, run] {
            disconnect(run, nullptr, this, nullptr);
            if (run->parent() == this)
                run->deleteLater();
            m_current = nullptr;
            m_busy = false;
            next();
        });
        run->start(pacing);
    }
}

} // namespace RelayDesk::Relay
