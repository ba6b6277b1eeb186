#include "relay/realtime/realtimesideband.h"

#include "relay/realtime/realtimepricing.h"
#include "relay/realtime/realtimetranscription.h"
#include "relay/upstreamclient.h"
#include "relay/upstreamurl.h"
#include "store/database.h"
#include "store/realtimecallrepository.h"
#include "store/storelane.h"

#include <QDateTime>
#include <QNetworkRequest>
#include <QUrlQuery>
#include <QtWebSockets/QWebSocket>

namespace RelayDesk::Relay {

RealtimeSideband::RealtimeSideband(RealtimeCallTarget target, std::unique_ptr<RealtimeAccount> account,
                                   Store::StoreLane &lane, UpstreamClient &http,
                                   Monitor::SessionRegistry *registry, quint64 registryId,
                                   RealtimeMeter::TextCounter countText, QObject *parent)
    : QObject(parent)
    , m_target(std::move(target))
    , m_account(std::move(account))
    , m_lane(lane)
    , m_http(http)
    , m_registry(registry)
    , m_registryId(registryId)
    , m_meter(std::move(countText))
{
    m_meter.setTranscriptionSession(m_account->isTranscription());
    m_openTimer.setSingleShot(true);
    m_graceTimer.setSingleShot(true);
    connect(&m_openTimer, &QTimer::timeout, this, [this] { end(QStringLiteral("sideband_timeout"), true); });
    connect(&m_graceTimer, &QTimer::timeout, this, [this] {
        if (m_socket)
            m_socket->abort();
        m_socketGone = true;
        if (m_hangup)
            m_hangup->abort(); // not marked ended: the reaper retries it
        m_hangupPending = false;
        settle();
        maybeFinish();
    });
}

RealtimeSideband::~RealtimeSideband()
{
    if (!m_ending)
        end(QStringLiteral("shutdown"), true);
    settle(); // torn down while draining: what was metered is settled now
    if (UpstreamReply *reply = m_hangup) {
        // Torn down with the hangup in flight: let it finish on its own (its answer is no longer needed; a call
        // whose row stays open is hung up again by the reaper).
        reply->disconnect(this);
        reply->setParent(&m_http);
        connect(reply, &UpstreamReply::finished, reply, &QObject::deleteLater);
    }
}

void RealtimeSideband::start(std::chrono::milliseconds openTimeout)
{
    m_elapsed.start();
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket->setMaxAllowedIncomingMessageSize(kMaxMessageBytes);
    m_socket->setMaxAllowedIncomingFrameSize(kMaxMessageBytes);
    connect(m_socket, &QWebSocket::connected, this, &RealtimeSideband::onConnected);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &RealtimeSideband::onText);
    connect(m_socket, &QWebSocket::disconnected, this, &RealtimeSideband::onGone);
    // Qt 6.4 spells the error signal error(); a refused handshake ends here (or in disconnected()).
    connect(m_socket, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), this, [this] {
        if (!m_everOpen)
            end(QStringLiteral("sideband_failed"), true);
    });
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("call_id"), m_target.callId);
    QNetworkRequest request(upstreamRealtimeUrl(m_target.channelBaseUrl, query.query(QUrl::FullyEncoded).toUtf8(), {}));
    if (!m_target.channelKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_target.channelKey);
    m_openTimer.start(openTimeout);
    m_socket->open(request);
}

void RealtimeSideband::shutdown()
{
    end(QStringLiteral("shutdown"), true);
}

void RealtimeSideband::onConnected()
{
    m_openTimer.stop();
    if (m_ending) {
        m_socket->close();
        return;
    }
    m_everOpen = true;
    if (m_registry)
        m_registry->setState(m_registryId, Monitor::SessionState::Active);
}

void RealtimeSideband::onText(const QString &message)
{
    if (m_settled)
        return;
    const QByteArray utf8 = message.toUtf8();
    const MeterObservation seen = m_meter.observeUpstream(utf8);
    if (m_registry) {
        m_registry->recordEvent(m_registryId, {QDateTime::currentMSecsSinceEpoch(), Monitor::EventDirection::FromUpstream,
                                               seen.type, utf8.size(), seen.tokens});
        if (seen.tokens != 0)
            m_registry->setUsage(m_registryId, m_meter.liveUsage());
        if (seen.type == u"response.created")
            m_registry->setState(m_registryId, Monitor::SessionState::Streaming);
    }
    // A call configured to only transcribe is priced by its transcription model from then on.
    if (m_meter.isTranscriptionSession() && !m_account->isTranscription()) {
        QString model = m_meter.transcriptionModel();
        if (model.isEmpty())
            model = QString::fromLatin1(RealtimeTranscription::kDefaultModel);
        const auto held = [this](bool ok) {
            if (!ok) // no quota for the transcription hold: hung up, what it still answers is billed
                end(QStringLiteral("insufficient_quota"), true, true);
        };
        if (m_account->useTranscriptionModel(model, held) != RealtimeAccount::Refusal::None)
            return end(QStringLiteral("transcription_model_refused"), true, true);
        if (m_registry)
            m_registry->setKind(m_registryId, Monitor::SessionKind::Transcription);
    }
    if (seen.responseDone || seen.transcriptionDone)
        bookkeeping();
    if (m_registry && seen.responseDone && !m_ending)
        m_registry->setState(m_registryId, Monitor::SessionState::Active);
}

void RealtimeSideband::bookkeeping()
{
    // The relay sends the call nothing, so nothing waits for the charge here; a refusal hangs up.
    m_account->chargeFinished(m_meter, [this](bool ok) {
        m_account->publish(m_registry, m_registryId);
        if (!ok) // the next response cannot be covered: the call is hung up, what it still answers is billed
            end(QStringLiteral("insufficient_quota"), true, true);
    });
}

void RealtimeSideband::onGone()
{
    m_socketGone = true;
    if (m_ending) {
        settle();
        return maybeFinish();
    }
    if (!m_everOpen)
        return end(QStringLiteral("sideband_failed"), true);
    // The upstream ended the call (hung up, timed out, the browser left): nothing to hang up.
    end(QStringLiteral("call_ended"), false);
}

void RealtimeSideband::end(const QString &reason, bool hangUpCall, bool drain)
{
    if (m_ending)
        return;
    m_ending = true;
    m_endReason = reason;
    m_openTimer.stop();
    const bool open = m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
    if (!(drain && open && hangUpCall))
        settle(); // money first, exactly once, whatever happens upstream next

    if (hangUpCall) {
        m_hangupPending = true;
        m_hangup = hangUp(m_http, m_target, this, [this](bool over) {
            m_hangup = nullptr; // answered: deleted by hangUp
            m_hangupPending = false;
            if (over)
                markEnded();
            maybeFinish();
        });
    } else {
        markEnded();
    }
    // Draining (not settled yet), the socket stays: the upstream closes it as the call ends, the grace timer
    // bounds the wait.
    if (m_settled && open)
        m_socket->close(QWebSocketProtocol::CloseCodeNormal, reason.left(120));
    else if (m_settled && m_socket && m_socket->state() != QAbstractSocket::UnconnectedState)
        m_socket->abort();
    if (!m_socket || m_socket->state() == QAbstractSocket::UnconnectedState)
        m_socketGone = true;
    m_graceTimer.start(kCloseGrace);
    maybeFinish();
}

void RealtimeSideband::settle()
{
    if (m_settled || !m_ending)
        return;
    m_settled = true;
    // Queued after the call's charges in flight; the call is finished once it is durable (closed()).
    const auto landed = [this](const Store::LedgerOutcome &out) {
        if (!out)
            qWarning("realtime: closing of call %s failed: %s", qPrintable(m_target.callId), qPrintable(out.message));
        closed();
    };
    if (m_everOpen)
        m_account->finish(consistentUsage(m_meter.takePending()), m_endReason,
                          m_elapsed.isValid() ? m_elapsed.elapsed() : 0, landed);
    else
        m_account->cancel(landed);
}

void RealtimeSideband::closed()
{
    m_closed = true;
    if (m_registry) {
        m_registry->setUsage(m_registryId, m_account->total());
        m_registry->setQuota(m_registryId, 0, m_account->chargedTotal());
        const bool failed = m_endReason.startsWith(u"sideband_");
        m_registry->close(m_registryId, failed ? Monitor::SessionState::Failed : Monitor::SessionState::Ended,
                          m_endReason);
    }
    maybeFinish();
}

void RealtimeSideband::markEnded()
{
    m_lane.write(QStringLiteral("the end of call ") + m_target.callId,
                 [callId = m_target.callId](const Store::Database &db) {
                     return Store::RealtimeCallRepository(db).markEnded(callId);
                 });
}

void RealtimeSideband::maybeFinish()
{
    if (m_finished || !m_ending || !m_socketGone || m_hangupPending)
        return;
    settle();
    if (!m_closed)
        return; // the settlement lands first
    m_finished = true;
    m_graceTimer.stop();
    Q_EMIT finished(this);
}

UpstreamReply *RealtimeSideband::hangUp(UpstreamClient &http, const RealtimeCallTarget &target, QObject *context,
                                        std::function<void(bool over)> done)
{
    const QUrl url = upstreamApiUrl(target.channelBaseUrl,
                                    QStringLiteral("realtime/calls/%1/hangup")
                                        .arg(QString::fromUtf8(QUrl::toPercentEncoding(target.callId))));
    UpstreamReply *reply = http.send("POST", url, UpstreamBody(QByteArray()), target.channelKey, false);
    QObject::connect(reply, &UpstreamReply::finished, context, [reply, callId = target.callId, done = std::move(done)] {
        const int status = reply->status();
        const bool over = (status >= 200 && status < 300) || status == 404;
        if (!over)
            qWarning("realtime: hangup of call %s: %s", qPrintable(callId),
                     status ? qPrintable(QStringLiteral("HTTP %1").arg(status)) : qPrintable(reply->errorString()));
        reply->deleteLater();
        done(over);
    });
    return reply;
}

} // namespace RelayDesk::Relay
