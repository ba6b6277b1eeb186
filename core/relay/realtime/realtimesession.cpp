#include "relay/realtime/realtimesession.h"

#include "relay/holdparameters.h"
#include "http/openaierror.h"
#include "relay/realtime/realtimetranscription.h"
#include "relay/secretscrubber.h"

#include <QAbstractSocket>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QtEndian>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketHandshakeOptions>

#include <cstring>

namespace RelayDesk::Relay {

namespace {

using CloseCode = QWebSocketProtocol::CloseCode;

// The TCP socket under a QWebSocket (its child on both the client and the server side in Qt 6.4), used to
// pause reading: QWebSocket itself has no flow control.
QAbstractSocket *innerSocket(QWebSocket *ws)
{
    return ws ? ws->findChild<QAbstractSocket *>(QString(), Qt::FindDirectChildrenOnly) : nullptr;
}

// A close code we may send on: 1005/1006/1015 are reserved for "none received"/"abnormal"/"TLS failure".
CloseCode sendableCode(CloseCode received, CloseCode abnormalReplacement)
{
    switch (received) {
    case QWebSocketProtocol::CloseCodeMissingStatusCode:
        return QWebSocketProtocol::CloseCodeNormal;
    case QWebSocketProtocol::CloseCodeAbnormalDisconnection:
    case QWebSocketProtocol::CloseCodeTlsHandshakeFailed:
        return abnormalReplacement;
    default:
        return (int(received) >= 1000 && int(received) <= 4999) ? received : abnormalReplacement;
    }
}

// What QWebSocket puts in one frame before it fragments a message (FRAME_SIZE_IN_BYTES in Qt 6.4).
constexpr qsizetype kQtFrameBytes = 512 * 1024;

// Writes `utf8` to a server-side WebSocket's transport as one final text frame, unmasked (RFC 6455 §5.1: a server
// never masks), byte for byte what QWebSocket::sendTextMessage writes for a message up to kQtFrameBytes — without
// its second conversion to UTF-8, its copy of the payload, its header allocation and its second write into the
// socket. Whole frames only, on the socket QWebSocket itself writes to: its own frames (pong, close) stay in order.
void writeServerTextFrame(QAbstractSocket *transport, QByteArrayView utf8)
{
    thread_local QByteArray frame;
    const qsizetype size = utf8.size();
    const qsizetype header = size <= 125 ? 2 : size <= 0xFFFF ? 4 : 10;
    frame.resize(header + size);
    auto *out = reinterpret_cast<uchar *>(frame.data());
    out[0] = 0x81; // FIN, text
    if (size <= 125) {
        out[1] = uchar(size);
    } else if (size <= 0xFFFF) {
        out[1] = 126;
        qToBigEndian(quint16(size), out + 2);
    } else {
        out[1] = 127;
        qToBigEndian(quint64(size), out + 2);
    }
    std::memcpy(out + header, utf8.data(), size_t(size));
    transport->write(frame.constData(), frame.size());
}

// A frame from the upstream to the client: written whole onto the client's transport when it fits one of Qt's
// frames, else (or while either is not connected) by QWebSocket — whose state is the one sendTextMessage checks:
// no data frame after a close frame.
void sendToClient(QWebSocket *client, QAbstractSocket *transport, const QString &message, QByteArrayView utf8)
{
    if (transport && utf8.size() <= kQtFrameBytes && client->state() == QAbstractSocket::ConnectedState
        && transport->state() == QAbstractSocket::ConnectedState)
        writeServerTextFrame(transport, utf8);
    else
        client->sendTextMessage(message);
}

bool isAbnormal(CloseCode code)
{
    return code == QWebSocketProtocol::CloseCodeAbnormalDisconnection
        || code == QWebSocketProtocol::CloseCodeTlsHandshakeFailed;
}

// QWebSocket reads a frame only once all of it is buffered: a read buffer smaller than one frame (Qt clients
// send 512 KiB frames, others a whole message in one) stalls the socket for good, and the message size limit
// (1009) is never reached. So a flowing socket may buffer one largest frame; only a paused one is held to
// socketReadBufferBytes (backpressure). Qt refuses a frame over the limit from its header, so this is bounded.
qint64 flowingReadBufferBytes(const RealtimeSessionConfig &config)
{
    constexpr qint64 MaxFrameHeader = 14;
    return std::max<qint64>(config.socketReadBufferBytes, qint64(config.maxMessageBytes) + MaxFrameHeader);
}

void configureSocket(QWebSocket *ws, const RealtimeSessionConfig &config)
{
    ws->setMaxAllowedIncomingMessageSize(config.maxMessageBytes);
    ws->setMaxAllowedIncomingFrameSize(config.maxMessageBytes);
    ws->setReadBufferSize(flowingReadBufferBytes(config));
}

} // namespace

RealtimeSession::RealtimeSession(QWebSocket *client, RealtimeUpstreamTarget target,
                                 std::unique_ptr<RealtimeAccount> account, Monitor::SessionRegistry *registry,
                                 quint64 registryId, RealtimeMeter::TextCounter countText,
                                 RealtimeSessionConfig config, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_clientTransport(innerSocket(client))
    , m_target(std::move(target))
    , m_account(std::move(account))
    , m_registry(registry)
    , m_registryId(registryId)
    , m_meter(std::move(countText))
    , m_config(config)
{
    client->setParent(this);
    m_meter.setTranscriptionSession(m_account->isTranscription()); // admitted as one (?intent=transcription)
    m_account->setIdleHandler([this] { flushHeld(); });
    m_connectTimer.setSingleShot(true);
    m_graceTimer.setSingleShot(true);
    m_drainTimer.setInterval(20);
    m_idleTimer.setInterval(std::max<qint64>(50, std::min<qint64>(m_config.idleTimeout.count() / 4, 5000)));
    m_pingTimer.setInterval(int(m_config.pingInterval.count()));
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        reportDial(ChannelFailure::Timeout, QStringLiteral("the upstream Realtime server did not answer"));
        failBeforeUpstream(QStringLiteral("upstream_timeout"),
                           OpenAiError::gatewayTimeout(QStringLiteral("the upstream Realtime server did not answer"))
                               .toRealtimeEvent());
    });
    connect(&m_idleTimer, &QTimer::timeout, this, [this] {
        if (m_sinceActivity.elapsed() >= m_config.idleTimeout.count())
            end(QStringLiteral("idle_timeout"), QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("idle timeout"),
                QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("idle timeout"));
    });
    connect(&m_pingTimer, &QTimer::timeout, this, [this] {
        if (m_client && !m_ending)
            m_client->ping();
    });
    connect(&m_drainTimer, &QTimer::timeout, this, &RealtimeSession::onDrainTick);
    connect(&m_graceTimer, &QTimer::timeout, this, [this] {
        if (m_client)
            m_client->abort();
        if (m_upstream)
            m_upstream->abort();
        m_clientGone = m_upstreamGone = true;
        maybeFinish();
    });
}

RealtimeSession::~RealtimeSession()
{
    // Destroyed without a proper end (owner torn down): still settle exactly once.
    if (!m_ending)
        end(QStringLiteral("shutdown"), QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutdown"),
            QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutdown"));
}

void RealtimeSession::setClientTransport(QAbstractSocket *transport)
{
    m_clientTransport = transport;
    if (!transport)
        return;
    transport->setReadBufferSize(flowingReadBufferBytes(m_config));
    // A server-side QWebSocket neither owns nor deletes its transport (Qt 6.4): left under the QWebSocketServer it
    // would outlive every session (a leak per session), and would be deleted before the QWebSocket if the server
    // went first (~QWebSocket then writes a close frame to freed memory). Owned by the QWebSocket, it dies after it.
    if (m_client)
        transport->setParent(m_client);
}

QAbstractSocket *RealtimeSession::findTransport(QObject *root, const QWebSocket *socket)
{
    if (!root || !socket)
        return nullptr;
    const auto carries = [socket](const QAbstractSocket *candidate) {
        return candidate->peerPort() == socket->peerPort() && candidate->localPort() == socket->localPort()
            && candidate->peerAddress() == socket->peerAddress();
    };
    // Where HttpServer keeps a socket being upgraded: a direct child of its QWebSocketServer, itself a child of the
    // root. Looked at first: the whole tree holds every earlier session's sockets, and walking it per upgrade made
    // opening a thousand sessions quadratic.
    for (QObject *child : root->children())
        for (QAbstractSocket *candidate : child->findChildren<QAbstractSocket *>(QString(), Qt::FindDirectChildrenOnly))
            if (carries(candidate))
                return candidate;
    for (QAbstractSocket *candidate : root->findChildren<QAbstractSocket *>())
        if (carries(candidate))
            return candidate;
    return nullptr;
}

void RealtimeSession::attachClient()
{
    if (m_clientAttached)
        return;
    m_clientAttached = true;
    m_sinceActivity.start();
    connectClient();
}

void RealtimeSession::start()
{
    attachClient();
    if (m_ending) // the client left before the session reached its loop: end() has settled it already
        return;
    m_elapsed.start();
    connectUpstream();
    m_idleTimer.start();
    if (m_config.pingInterval.count() > 0)
        m_pingTimer.start();
}

void RealtimeSession::connectClient()
{
    configureSocket(m_client, m_config);
    connect(m_client, &QWebSocket::textMessageReceived, this, &RealtimeSession::onClientText);
    connect(m_client, &QWebSocket::binaryMessageReceived, this, &RealtimeSession::onClientBinary);
    connect(m_client, &QWebSocket::pong, this, [this] { touch(); });
    // aboutToClose fires when a close frame arrives (Qt answers it); a dropped TCP connection skips it. closeCode()
    // alone cannot tell them apart: it stays 1000 when no close frame was ever received.
    connect(m_client, &QWebSocket::aboutToClose, this, [this] { m_clientCloseFrame = true; });
    connect(m_client, &QWebSocket::disconnected, this, &RealtimeSession::onClientGone);
}

void RealtimeSession::connectUpstream()
{
    m_upstreamTransport = nullptr; // a redial's socket has its own
    m_upstream = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    configureSocket(m_upstream, m_config);
    connect(m_upstream, &QWebSocket::connected, this, &RealtimeSession::onUpstreamConnected);
    connect(m_upstream, &QWebSocket::textMessageReceived, this, &RealtimeSession::onUpstreamText);
    connect(m_upstream, &QWebSocket::binaryMessageReceived, this, &RealtimeSession::onUpstreamBinary);
    connect(m_upstream, &QWebSocket::aboutToClose, this, [this] { m_upstreamCloseFrame = true; });
    connect(m_upstream, &QWebSocket::disconnected, this, &RealtimeSession::onUpstreamGone);
    // Qt 6.4 spells the error signal error(); errorOccurred() arrives in 6.5.
    connect(m_upstream, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError) { onUpstreamDialError(); });

    QNetworkRequest request(m_target.url);
    QWebSocketHandshakeOptions options;
    QStringList protocols;
    if (m_target.keyAsSubprotocol) {
        protocols << QStringLiteral("realtime")
                  << QStringLiteral("openai-insecure-api-key.") + QString::fromUtf8(m_target.channelKey);
    } else if (!m_target.channelKey.isEmpty()) {
        request.setRawHeader("Authorization", "Bearer " + m_target.channelKey);
    }
    protocols << m_target.extraSubprotocols;
    if (!protocols.isEmpty())
        options.setSubprotocols(protocols);
    if (!m_target.openAiBeta.isEmpty())
        request.setRawHeader("OpenAI-Beta", m_target.openAiBeta);
    m_connectTimer.start(int(m_config.connectTimeout.count()));
    m_upstream->open(request, options);
}

void RealtimeSession::onUpstreamDialError()
{
    if (m_upstreamEverOpen || m_ending)
        return;
    // Qt reports a refused handshake as "… Unhandled http status code: 401 (<reason phrase>)." — the phrase is
    // the upstream's and may echo the channel key, so only the status is kept.
    const QString qtError = m_upstream ? m_upstream->errorString() : QString();
    static const QRegularExpression statusCode(QStringLiteral(R"(status code: (\d{3}))"));
    const int status = statusCode.match(qtError).captured(1).toInt();
    if (status == 401 || status == 403) {
        reportDial(ChannelFailure::Auth, QStringLiteral("Realtime handshake: HTTP %1").arg(status));
        if (redial())
            return;
        failBeforeUpstream(QStringLiteral("upstream_auth_failed"),
                           OpenAiError::upstreamAuthFailed(m_target.channelName, status).toRealtimeEvent());
        return;
    }
    const QString detail = status > 0 ? QStringLiteral("HTTP %1").arg(status)
                                      : SecretScrubber::scrub(qtError, QString::fromUtf8(m_target.channelKey));
    // Another 4xx is about the request (a bad model, a bad query), not the channel: no other channel will do better.
    const bool channelFault = !(status >= 400 && status < 500 && status != 429);
    reportDial(channelFault ? std::optional(ChannelFailure::Connect) : std::nullopt,
               QStringLiteral("Realtime handshake: ") + detail);
    if (channelFault && redial())
        return;
    failBeforeUpstream(QStringLiteral("upstream_connect_failed"),
                       OpenAiError::badGateway(QStringLiteral("cannot reach the upstream Realtime server: %1").arg(detail))
                           .toRealtimeEvent());
}

bool RealtimeSession::redial()
{
    if (m_redialed || m_ending || !m_target.nextChannel)
        return false;
    std::optional<RealtimeUpstreamTarget> next = m_target.nextChannel();
    if (!next)
        return false;
    m_redialed = true;
    m_connectTimer.stop();
    if (QWebSocket *failed = m_upstream) {
        failed->disconnect(this); // its late error()/disconnected() must not end the new dial
        failed->deleteLater();
    }
    m_upstream = nullptr;
    m_upstreamGone = false;
    m_upstreamCloseFrame = false;
    m_dialReported = false;
    m_target = std::move(*next);
    m_target.nextChannel = nullptr;
    m_account->setChannel(m_target.channelId, m_target.upstreamModel);
    if (m_registry)
        m_registry->setModel(m_registryId, m_target.model, m_target.upstreamModel, m_target.channelName);
    connectUpstream();
    return true;
}

void RealtimeSession::reportDial(std::optional<ChannelFailure> failure, const QString &detail)
{
    if (m_dialReported || !m_target.reportDial)
        return;
    m_dialReported = true;
    m_target.reportDial(failure, detail);
}

void RealtimeSession::onUpstreamConnected()
{
    m_connectTimer.stop();
    reportDial(std::nullopt, {});
    if (m_ending) {
        m_upstream->close(QWebSocketProtocol::CloseCodeNormal, m_endReason);
        return;
    }
    m_upstreamOpen = m_upstreamEverOpen = true;
    m_upstreamTransport = innerSocket(m_upstream.data());
    if (m_registry)
        m_registry->setState(m_registryId, Monitor::SessionState::Active);
    // The configuration the client secret was minted with comes first; the client may still change it.
    if (!m_target.initialEvent.isEmpty())
        forwardToUpstream({false, m_target.initialEvent, {}});
    // Frames the client sent while we were dialling, in order.
    flushHeld();
}

void RealtimeSession::onClientText(const QString &message)
{
    onClientFrame({false, message, {}});
}

void RealtimeSession::onClientBinary(const QByteArray &message)
{
    onClientFrame({true, {}, message});
}

// Before the upstream is open, and while a ledger write is in flight, frames wait in a bounded queue (counted in
// bytes as held: UTF-16 for text).
void RealtimeSession::onClientFrame(EarlyFrame frame)
{
    if (m_ending)
        return;
    touch();
    if (!m_upstreamOpen || m_account->isWriting() || !m_early.empty()) {
        if (m_upstreamOpen && m_early.empty()) // the console sees why the client's events wait
            record(Monitor::EventDirection::Internal, QStringLiteral("relay.hold_client"), 0, 0);
        hold(std::move(frame));
        return;
    }
    forwardToUpstream(std::move(frame));
}

bool RealtimeSession::hold(EarlyFrame frame, bool front)
{
    m_earlyBytes += frame.binary ? frame.data.size() : frame.text.size() * 2;
    if (front)
        m_early.push_front(std::move(frame));
    else
        m_early.push_back(std::move(frame));
    if (int(m_early.size()) <= m_config.maxEarlyFrames && m_earlyBytes <= m_config.maxEarlyBytes)
        return true;
    const bool dialling = !m_upstreamOpen;
    failBeforeUpstream(QStringLiteral("early_queue_overflow"),
                       OpenAiError::serviceUnavailable(dialling
                                                           ? QStringLiteral("too many events before the upstream was ready")
                                                           : QStringLiteral("too many events while the session's quota was being charged"))
                           .toRealtimeEvent());
    return false;
}

void RealtimeSession::flushHeld()
{
    while (!m_early.empty() && !m_ending && m_upstreamOpen && !m_account->isWriting()) {
        EarlyFrame frame = std::move(m_early.front());
        m_early.pop_front();
        m_earlyBytes -= frame.binary ? frame.data.size() : frame.text.size() * 2;
        forwardToUpstream(std::move(frame));
    }
}

void RealtimeSession::forwardToUpstream(EarlyFrame frame)
{
    if (frame.binary) {
        m_upstream->sendBinaryMessage(frame.data);
        record(Monitor::EventDirection::FromClient, QStringLiteral("(binary)"), frame.data.size(), 0);
        afterSend(Side::Upstream);
        return;
    }
    if (!frame.observed) {
        const QByteArrayView utf8 = utf8Of(frame.text);
        const MeterObservation seen = m_meter.observeClient(utf8);
        frame.observed = true;
        frame.type = seen.type;
        frame.bytes = utf8.size();
        frame.tokens = seen.tokens;
        if (seen.type == u"session.update")
            noteMaxOutputTokens(utf8);
        // Priced (and refused) before the upstream sees it: a model the key may not use never reaches it.
        if ((seen.type == u"session.update" || seen.type == u"transcription_session.update") && !applySessionKind())
            return;
        if (seen.type == u"input_audio_buffer.append")
            holdUncommittedAudio();
        if (m_ending)
            return;
        // It asked for a larger hold: it waits, first in line, until that is durable (or refused: dropped).
        if (m_account->isWriting()) {
            hold(std::move(frame), true);
            return;
        }
    }
    m_upstream->sendTextMessage(frame.text);
    record(Monitor::EventDirection::FromClient, frame.type, frame.bytes, frame.tokens);
    afterSend(Side::Upstream);
}

QByteArrayView RealtimeSession::utf8Of(const QString &text)
{
    // Into the session's reused buffer: a frame costs no allocation once the buffer has grown to the largest one.
    m_utf8.resize(m_encoder.requiredSpace(text.size()));
    const char *end = m_encoder.appendToBuffer(m_utf8.data(), text);
    return QByteArrayView(m_utf8.constData(), end - m_utf8.constData());
}

void RealtimeSession::noteMaxOutputTokens(QByteArrayView sessionUpdate)
{
    // Beta: session.max_response_output_tokens, GA: session.max_output_tokens; an integer or "inf". Read with
    // checked arithmetic (HoldParameters); "inf" or an invalid value holds the configured maximum.
    const QJsonObject session = QJsonDocument::fromJson(sessionUpdate.toByteArray()).object().value(u"session").toObject();
    if (session.contains(u"max_output_tokens") || session.contains(u"max_response_output_tokens"))
        m_account->setMaxOutputTokens(HoldParameters::realtimeMaxOutputTokens(session));
}

void RealtimeSession::onUpstreamText(const QString &message)
{
    if (m_ending)
        return;
    touch();
    const QByteArrayView utf8 = utf8Of(message);
    const MeterObservation seen = m_meter.observeUpstream(utf8);
    if (m_client && !m_clientGone) {
        if (seen.type == u"error") // an upstream error may quote the channel key
            m_client->sendTextMessage(SecretScrubber::scrub(message, QString::fromUtf8(m_target.channelKey)));
        else
            sendToClient(m_client, m_clientTransport.data(), message, utf8);
    }
    record(Monitor::EventDirection::FromUpstream, seen.type, utf8.size(), seen.tokens);
    if (m_registry && seen.type == u"response.created")
        m_registry->setState(m_registryId, Monitor::SessionState::Streaming);
    if (seen.responseDone || seen.transcriptionDone)
        onUpstreamResponseBookkeeping(seen);
    else if (seen.type.startsWith(u"session.") || seen.type.startsWith(u"transcription_session."))
        applySessionKind();
    else if (seen.type == u"input_audio_buffer.committed" || seen.type == u"input_audio_buffer.cleared")
        holdUncommittedAudio();
    if (m_registry && seen.responseDone && !m_ending)
        m_registry->setState(m_registryId, Monitor::SessionState::Active);
    if (!m_ending)
        afterSend(Side::Client);
}

void RealtimeSession::onUpstreamBinary(const QByteArray &message)
{
    if (m_ending)
        return;
    touch();
    if (m_client && !m_clientGone)
        m_client->sendBinaryMessage(message);
    record(Monitor::EventDirection::FromUpstream, QStringLiteral("(binary)"), message.size(), 0);
    afterSend(Side::Client);
}

void RealtimeSession::onUpstreamResponseBookkeeping(const MeterObservation &observation)
{
    Q_UNUSED(observation);
    // The client's frames wait from now until the charge is durable (onClientFrame: the account is writing).
    m_account->chargeFinished(m_meter, [this](bool ok) {
        m_account->publish(m_registry, m_registryId);
        if (!ok && !m_ending)
            refuseForQuota(); // the next response (or committed audio) cannot be covered
    });
}

bool RealtimeSession::applySessionKind()
{
    if (m_ending || !m_meter.isTranscriptionSession())
        return !m_ending;
    QString model = m_meter.transcriptionModel();
    if (model.isEmpty())
        model = m_account->isTranscription() ? m_account->model() : QString::fromLatin1(RealtimeTranscription::kDefaultModel);
    if (m_account->isTranscription() && model == m_account->model())
        return true;
    const auto held = [this](bool ok) {
        if (!ok && !m_ending)
            refuseForQuota();
    };
    switch (m_account->useTranscriptionModel(model, held)) {
    case RealtimeAccount::Refusal::None:
        break;
    case RealtimeAccount::Refusal::ModelNotAllowed:
        refuse(OpenAiError::modelNotAllowed(model), QStringLiteral("model_not_allowed"));
        return false;
    case RealtimeAccount::Refusal::ModelNotPriced:
        refuse(OpenAiError::permissionDenied(QStringLiteral("model '%1' has no price configured").arg(model),
                                             "model_price_not_configured"),
               QStringLiteral("model_price_not_configured"));
        return false;
    case RealtimeAccount::Refusal::InsufficientQuota:
        refuseForQuota();
        return false;
    }
    if (m_registry) {
        m_registry->setKind(m_registryId, Monitor::SessionKind::Transcription);
        m_registry->setModel(m_registryId, model, model, m_target.channelName);
        m_registry->setQuota(m_registryId, m_account->held(), m_account->chargedTotal());
    }
    return true;
}

void RealtimeSession::holdUncommittedAudio()
{
    m_account->setUncommittedAudio(m_meter.uncommittedAudioMs(), [this](bool ok) {
        if (!ok && !m_ending)
            refuseForQuota();
    });
}

void RealtimeSession::refuseForQuota()
{
    refuse(OpenAiError::insufficientQuota(
               QStringLiteral("insufficient quota to continue this Realtime session (%1)").arg(m_account->lastFailure())),
           QStringLiteral("insufficient_quota"));
}

void RealtimeSession::refuse(const OpenAiError &error, const QString &reason)
{
    // The error event is queued before the close frame; nothing more reaches the upstream.
    if (m_client && !m_clientGone)
        m_client->sendTextMessage(QString::fromUtf8(error.toRealtimeEvent()));
    record(Monitor::EventDirection::Internal, QStringLiteral("error"), 0, 0);
    end(reason, QWebSocketProtocol::CloseCodePolicyViolated, reason, QWebSocketProtocol::CloseCodeNormal,
        reason == u"insufficient_quota" ? QStringLiteral("client quota exhausted") : reason);
}

void RealtimeSession::afterSend(Side destination)
{
    flushOrSchedule(destination);
    QWebSocket *dest = destination == Side::Upstream ? m_upstream.data() : m_client.data();
    if (!dest || dest->bytesToWrite() <= m_config.highWaterBytes)
        return;
    pause(destination == Side::Upstream ? Side::Client : Side::Upstream);
}

void RealtimeSession::flushOrSchedule(Side destination)
{
    // A TCP socket writes what it buffered only once its write notifier fires, a pass later: the notifier is
    // enabled, reported writable, then disabled again — per frame when a thousand sessions each get one. When the
    // frame's source has nothing more buffered, the frame was the last of what the loop read from it: written now,
    // in one write with any sent before it from that read, and the notifier's enable and disable cancel out before
    // the loop asks the kernel again. While the source still holds bytes (more frames, or part of one), the write
    // waits for a posted call, so a read's frames still leave in one write.
    QAbstractSocket *source = destination == Side::Upstream ? m_clientTransport.data() : m_upstreamTransport.data();
    QAbstractSocket *target = destination == Side::Upstream ? m_upstreamTransport.data() : m_clientTransport.data();
    if (source && target && source->bytesAvailable() == 0) {
        flushSocket(target);
        return;
    }
    scheduleFlush();
}

void RealtimeSession::scheduleFlush()
{
    if (m_flushPosted)
        return;
    m_flushPosted = true;
    QMetaObject::invokeMethod(this, &RealtimeSession::flushSockets, Qt::QueuedConnection);
}

void RealtimeSession::flushSockets()
{
    m_flushPosted = false;
    if (!m_upstreamTransport && m_upstream)
        m_upstreamTransport = innerSocket(m_upstream.data());
    flushSocket(m_clientTransport.data());
    flushSocket(m_upstreamTransport.data());
}

void RealtimeSession::flushSocket(QAbstractSocket *socket)
{
    // bytesToWrite() first: it is the cheap test, and nothing is usually left by the time a posted flush runs.
    if (socket && socket->bytesToWrite() > 0 && socket->state() == QAbstractSocket::ConnectedState)
        socket->flush();
}

void RealtimeSession::pause(Side source)
{
    bool &paused = source == Side::Client ? m_clientPaused : m_upstreamPaused;
    if (paused)
        return;
    QAbstractSocket *inner = source == Side::Client ? m_clientTransport.data() : innerSocket(m_upstream.data());
    if (!inner)
        return; // unknown transport: no pause; the queue is still bounded by the peer's own pace
    // With signals blocked QWebSocket gets no readyRead; the TCP socket keeps at most socketReadBufferBytes and then
    // stops reading from the kernel, so the peer's TCP window closes — real backpressure, bounded memory.
    inner->setReadBufferSize(m_config.socketReadBufferBytes);
    inner->blockSignals(true);
    paused = true;
    // The other side's queue is watched only while this one waits for it: a flowing session pays no call per write.
    if (QWebSocket *dest = source == Side::Client ? m_upstream.data() : m_client.data())
        connect(dest, &QWebSocket::bytesWritten, this, &RealtimeSession::resumeIfDrained, Qt::UniqueConnection);
    record(Monitor::EventDirection::Internal,
           source == Side::Client ? QStringLiteral("relay.pause_client") : QStringLiteral("relay.pause_upstream"), 0, 0);
    m_drainTimer.start();
}

void RealtimeSession::resumeIfDrained()
{
    const auto resume = [this](Side source) {
        bool &paused = source == Side::Client ? m_clientPaused : m_upstreamPaused;
        QWebSocket *dest = source == Side::Client ? m_upstream.data() : m_client.data();
        if (!paused || (dest && dest->bytesToWrite() > m_config.lowWaterBytes && !m_ending))
            return;
        paused = false;
        if (dest)
            disconnect(dest, &QWebSocket::bytesWritten, this, &RealtimeSession::resumeIfDrained);
        if (QAbstractSocket *inner = source == Side::Client ? m_clientTransport.data() : innerSocket(m_upstream.data())) {
            inner->blockSignals(false);
            inner->setReadBufferSize(flowingReadBufferBytes(m_config));
            // Signals were blocked: let QWebSocket process what is buffered, and notice a peer that left meanwhile.
            if (inner->state() != QAbstractSocket::ConnectedState)
                Q_EMIT inner->stateChanged(inner->state());
            else if (inner->bytesAvailable() > 0)
                QMetaObject::invokeMethod(inner, "readyRead", Qt::QueuedConnection);
        }
        m_kickTicks = 5;
        if (!m_drainTimer.isActive())
            m_drainTimer.start();
    };
    resume(Side::Client);
    resume(Side::Upstream);
}

void RealtimeSession::onDrainTick()
{
    resumeIfDrained();
    // A full read buffer disabled the socket's read notifier; QWebSocket may drain that buffer without a read that
    // re-enables it (it waits for a readyRead to complete a partial frame). Re-applying the buffer size re-enables
    // the notifier when there is room again — for a few ticks after a resume, by then QWebSocket has consumed it.
    for (const Side side : {Side::Client, Side::Upstream}) {
        if ((side == Side::Client ? m_clientPaused : m_upstreamPaused) || m_kickTicks <= 0)
            continue;
        QAbstractSocket *inner = side == Side::Client ? m_clientTransport.data() : innerSocket(m_upstream.data());
        if (inner && inner->state() == QAbstractSocket::ConnectedState) {
            const qint64 size = inner->readBufferSize();
            inner->setReadBufferSize(size + 1);
            inner->setReadBufferSize(size);
        }
    }
    if (m_kickTicks > 0)
        --m_kickTicks;
    if (!m_clientPaused && !m_upstreamPaused && m_kickTicks <= 0)
        m_drainTimer.stop();
}

void RealtimeSession::record(Monitor::EventDirection direction, const QString &type, qint64 bytes, qint64 tokens)
{
    if (!m_registry)
        return;
    Monitor::SessionEvent event{QDateTime::currentMSecsSinceEpoch(), direction, type, bytes, tokens};
    // A frame with tokens changes the live usage too: both under the registry's one lock and lookup.
    if (tokens != 0)
        m_registry->recordEvent(m_registryId, std::move(event), m_meter.liveUsage());
    else
        m_registry->recordEvent(m_registryId, std::move(event));
}

void RealtimeSession::touch()
{
    m_sinceActivity.restart();
}

void RealtimeSession::onClientGone()
{
    m_clientGone = true;
    if (m_ending) {
        maybeFinish();
        return;
    }
    const CloseCode code = m_client && m_clientCloseFrame ? m_client->closeCode()
                                                          : QWebSocketProtocol::CloseCodeAbnormalDisconnection;
    const QString reason = m_client ? m_client->closeReason() : QString();
    if (code == QWebSocketProtocol::CloseCodeTooMuchData) {
        // A frame over maxMessageBytes: Qt has closed the client with 1009; the upstream only learns we left.
        end(QStringLiteral("client_message_too_big"), code, reason, QWebSocketProtocol::CloseCodeGoingAway,
            QStringLiteral("client message too big"));
        return;
    }
    end(isAbnormal(code) ? QStringLiteral("client_gone") : QStringLiteral("client_closed"), code, reason,
        sendableCode(code, QWebSocketProtocol::CloseCodeGoingAway), reason);
}

void RealtimeSession::onUpstreamGone()
{
    m_upstreamGone = true;
    m_upstreamOpen = false;
    if (m_ending) {
        maybeFinish();
        return;
    }
    if (!m_upstreamEverOpen) {
        onUpstreamDialError(); // the handshake failed (whichever of error()/disconnected() Qt signals first)
        return;
    }
    const CloseCode code = m_upstream && m_upstreamCloseFrame ? m_upstream->closeCode()
                                                              : QWebSocketProtocol::CloseCodeAbnormalDisconnection;
    QString reason = m_upstream ? SecretScrubber::scrub(m_upstream->closeReason(), QString::fromUtf8(m_target.channelKey))
                                : QString();
    if (code == QWebSocketProtocol::CloseCodeTooMuchData) {
        // An upstream frame over maxMessageBytes (Qt closed the upstream with 1009): the client did nothing
        // wrong, it is told the relay could not pass the message on (1011).
        end(QStringLiteral("upstream_message_too_big"), QWebSocketProtocol::CloseCodeBadOperation,
            QStringLiteral("upstream message too big to relay"), code, reason);
        return;
    }
    if (isAbnormal(code) && reason.isEmpty())
        reason = QStringLiteral("upstream connection lost");
    end(isAbnormal(code) ? QStringLiteral("upstream_gone") : QStringLiteral("upstream_closed"),
        sendableCode(code, QWebSocketProtocol::CloseCodeBadOperation), reason, code, reason);
}

void RealtimeSession::failBeforeUpstream(const QString &reason, const QByteArray &errorEvent)
{
    if (m_ending)
        return;
    if (m_client && !m_clientGone)
        m_client->sendTextMessage(QString::fromUtf8(errorEvent));
    end(reason, QWebSocketProtocol::CloseCodeBadOperation, reason, QWebSocketProtocol::CloseCodeGoingAway, reason);
}

void RealtimeSession::shutdown(const QString &reason)
{
    end(reason, QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutdown"),
        QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server shutdown"));
}

void RealtimeSession::end(const QString &reason, CloseCode clientCode, const QString &clientReason,
                          CloseCode upstreamCode, const QString &upstreamReason)
{
    if (m_ending)
        return;
    m_ending = true;
    m_endReason = reason;
    m_connectTimer.stop();
    m_idleTimer.stop();
    m_pingTimer.stop();
    m_early.clear();
    m_earlyBytes = 0;

    // Money first, exactly once, whatever happens to the sockets next: queued after the session's writes in
    // flight; the session is over once it is durable (settled()).
    const auto landed = [this](const Store::LedgerOutcome &out) {
        if (!out)
            qWarning("realtime: closing of session %llu failed: %s", static_cast<unsigned long long>(m_registryId),
                     qPrintable(out.message));
        settled();
    };
    if (m_upstreamEverOpen) {
        const Billing::Usage pending = consistentUsage(m_meter.takePending());
        m_account->finish(pending, reason, m_elapsed.isValid() ? m_elapsed.elapsed() : 0, landed);
    } else {
        m_account->cancel(landed);
    }

    // Unpause so close frames and disconnects are processed.
    for (QAbstractSocket *inner : {m_clientTransport.data(), innerSocket(m_upstream.data())})
        if (inner)
            inner->blockSignals(false);
    // What the client already sent is taken off the kernel's buffer before the close: closing with unread data
    // resets the connection, and the reset destroys the error event and the close frame on their way to it (a
    // client streaming audio while its charge was refused).
    if (QAbstractSocket *transport = m_clientTransport.data();
        transport && transport->state() == QAbstractSocket::ConnectedState && !m_clientGone) {
        transport->setReadBufferSize(0);
        transport->waitForReadyRead(0);
    }
    m_clientPaused = m_upstreamPaused = false;
    m_drainTimer.stop();

    if (m_client && !m_clientGone && m_client->state() == QAbstractSocket::ConnectedState)
        m_client->close(clientCode, clientReason.left(120));
    else
        m_clientGone = true;
    if (m_upstream && !m_upstreamGone && m_upstream->state() == QAbstractSocket::ConnectedState)
        m_upstream->close(upstreamCode, upstreamReason.left(120));
    else if (m_upstream && !m_upstreamGone && m_upstream->state() != QAbstractSocket::UnconnectedState)
        m_upstream->abort();
    else
        m_upstreamGone = true;
    if (m_upstream && m_upstream->state() == QAbstractSocket::UnconnectedState)
        m_upstreamGone = true;
    m_graceTimer.start(int(m_config.closeGrace.count()));
    maybeFinish();
}

void RealtimeSession::settled()
{
    if (m_settled)
        return;
    m_settled = true;
    if (m_registry) {
        m_registry->setUsage(m_registryId, m_account->total());
        m_registry->setQuota(m_registryId, 0, m_account->chargedTotal());
        const bool failed = m_endReason.startsWith(u"upstream_connect") || m_endReason == u"upstream_timeout";
        m_registry->close(m_registryId, failed ? Monitor::SessionState::Failed : Monitor::SessionState::Ended,
                          m_endReason);
    }
    maybeFinish();
}

void RealtimeSession::maybeFinish()
{
    if (m_finished || !m_ending || !m_settled || !m_clientGone || !m_upstreamGone)
        return;
    m_finished = true;
    m_graceTimer.stop();
    Q_EMIT finished(this);
}

} // namespace RelayDesk::Relay
