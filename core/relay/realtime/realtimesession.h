#pragma once
// One Realtime session: the client's upgraded QWebSocket, a QWebSocket to the upstream channel, the meter and
// the money. Frames are forwarded unchanged, in order, text and binary, both ways; every frame is metered
// and recorded in the SessionRegistry; each `response.done` is charged at once (RealtimeAccount, on the store
// lane), and the session settles exactly once however it ends. While a ledger write of the session is in flight
// (a charge and its restored hold, a hold extended for audio or a transcription model) the client's frames wait,
// in order and bounded like those sent before the upstream opened: nothing that could start paid work reaches the
// upstream before the money for it is durable; a refusal drops them and closes 1008. The upstream's frames keep
// flowing. The session is finished (the registry closed, finished() emitted) once its settlement is durable.
// Lives on one relay event loop: made on the server thread, it may move there with its client socket to one of the
// relay's loops (RealtimeRelay, RelayLoops) before start(), which dials the upstream on that loop: a session and
// both its sockets are always on one thread.
#include "monitor/sessionregistry.h"
#include "http/openaierror.h"
#include "relay/channelselector.h"
#include "relay/realtime/realtimeaccount.h"
#include "relay/realtime/realtimemeter.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QStringEncoder>
#include <QStringList>
#include <QTimer>
#include <QUrl>
#include <QtWebSockets/QWebSocketProtocol>

#include <chrono>
#include <deque>
#include <memory>

QT_BEGIN_NAMESPACE
class QAbstractSocket;
class QWebSocket;
QT_END_NAMESPACE

namespace RelayDesk::Relay {

struct RealtimeSessionConfig
{
    quint64 maxMessageBytes = 16 * 1024 * 1024;  // per frame/message, both sockets (Qt closes with 1009)
    qint64 highWaterBytes = 2 * 1024 * 1024;     // a send queue above this pauses reading from the other side
    qint64 lowWaterBytes = 512 * 1024;           // … until it drains below this
    qint64 socketReadBufferBytes = 256 * 1024;   // a paused socket stops reading from the kernel beyond this
    int maxEarlyFrames = 512;                    // client frames queued while the upstream is connecting
    qint64 maxEarlyBytes = 16 * 1024 * 1024;
    std::chrono::milliseconds connectTimeout{15'000};
    std::chrono::milliseconds idleTimeout{300'000};
    std::chrono::milliseconds pingInterval{30'000};
    std::chrono::milliseconds closeGrace{3'000}; // close handshake, then abort
};

// Where and how to dial the upstream.
struct RealtimeUpstreamTarget
{
    QUrl url;                 // ws(s)://host[:port]/…/v1/realtime?model=<mapped>&…
    QByteArray channelKey;    // never logged
    bool keyAsSubprotocol = false; // the client authenticated by subprotocol: do the same upstream
    QByteArray openAiBeta;    // OpenAI-Beta header value to pass through (empty = none)
    QStringList extraSubprotocols; // e.g. "openai-beta.realtime-v1" when the client offered it
    QString initialEvent;     // sent upstream first, before the client's frames (a client secret's session.update)
    qint64 channelId = 0;
    QString channelName;      // named in errors instead of anything the upstream said
    QString model;            // as the client asked (priced)
    QString upstreamModel;    // after this channel's model mapping
    // Told once how the dial went (nullopt = connected), for the channel's health.
    std::function<void(std::optional<ChannelFailure> failure, const QString &detail)> reportDial;
    // Another channel to dial when this one fails to connect or refuses its key (unset or nullopt: none).
    std::function<std::optional<RealtimeUpstreamTarget>()> nextChannel;
};


class RealtimeSession final : public QObject
{
    Q_OBJECT

public:
    // Takes ownership of `client` and `account` (whose reservation is already open).
    RealtimeSession(QWebSocket *client, RealtimeUpstreamTarget target, std::unique_ptr<RealtimeAccount> account,
                    Monitor::SessionRegistry *registry, quint64 registryId, RealtimeMeter::TextCounter countText,
                    RealtimeSessionConfig config = {}, QObject *parent = nullptr);
    ~RealtimeSession() override;

    // The TCP/TLS socket under the client's QWebSocket, for backpressure. A server-side QWebSocket does not own
    // its transport (QWebSocketServer::handleConnection keeps the caller's parent), so the relay finds it.
    void setClientTransport(QAbstractSocket *transport);
    // Before moving to another loop: the ledger's outcomes are posted to `home`, an object of that loop.
    void setLedgerHome(QObject *home) { m_account->setHome(home); }
    // The QAbstractSocket under `root` carrying `socket` (same local/peer endpoints), or null.
    static QAbstractSocket *findTransport(QObject *root, const QWebSocket *socket);

    // Listens to the client (its frames wait for the upstream), without dialling yet: for a session that moves to
    // another event loop first. Idempotent.
    void attachClient();
    // attachClient(), then dials the upstream and starts the timers, on the session's (final) thread.
    void start();
    // Server shutdown: close both sides with 1001, settle. Idempotent.
    void shutdown(const QString &reason = QStringLiteral("shutdown"));

    bool isEnding() const { return m_ending; }
    QString endReason() const { return m_endReason; }
    quint64 registryId() const { return m_registryId; }
    const RealtimeAccount &account() const { return *m_account; }
    const RealtimeMeter &meter() const { return m_meter; }

Q_SIGNALS:
    // Both sockets are gone and the ledger is settled; the owner may delete the session (deleteLater).
    void finished(RelayDesk::Relay::RealtimeSession *session);

private:
    struct EarlyFrame
    {
        bool binary = false;
        QString text;
        QByteArray data;
        // Metered and priced already (it waited for the write it caused): sent as it is.
        bool observed = false;
        QString type;
        qint64 bytes = 0;
        qint64 tokens = 0;
    };
    enum class Side { Client, Upstream };

    void connectClient();
    void connectUpstream();
    void onUpstreamConnected();
    void onClientText(const QString &message);
    void onClientBinary(const QByteArray &message);
    void onClientFrame(EarlyFrame frame);
    void onUpstreamText(const QString &message);
    void onUpstreamBinary(const QByteArray &message);
    void forwardToUpstream(EarlyFrame frame);
    // Holds a client frame (upstream not open yet, or a ledger write in flight); false after ending on overflow.
    bool hold(EarlyFrame frame, bool front = false);
    // Sends the held frames, in order, while the upstream is open and no ledger write is in flight.
    void flushHeld();
    // The settlement (or refund) is durable: the registry is told and the session may finish.
    void settled();
    void noteMaxOutputTokens(QByteArrayView sessionUpdate);
    // `text` as UTF-8 in m_utf8 (valid until the next call).
    QByteArrayView utf8Of(const QString &text);
    void afterSend(Side destination);
    // Writes what `destination` buffered now when its source has nothing more to deliver, else from a posted call.
    void flushOrSchedule(Side destination);
    // Writes what both sockets buffered, once per pass of the loop (a posted call).
    void scheduleFlush();
    void flushSockets();
    static void flushSocket(QAbstractSocket *socket);
    void pause(Side source);
    void resumeIfDrained();
    void onDrainTick();
    void onUpstreamResponseBookkeeping(const MeterObservation &observation);
    // After a session event either way: when the session (now) only transcribes, price it by its transcription
    // model (the default until one is named). False after refusing (a model the key may not use or without a
    // price, or no quota for the new hold): the client has the error event and the session is ending.
    bool applySessionKind();
    // The hold for the uncommitted audio of a transcription session (queued; refused for quota: the session ends).
    void holdUncommittedAudio();
    // Tells the client why (an error event before the close frame) and closes it with 1008.
    void refuse(const OpenAiError &error, const QString &reason);
    void refuseForQuota();
    void record(Monitor::EventDirection direction, const QString &type, qint64 bytes, qint64 tokens);
    void touch();
    void onClientGone();
    void onUpstreamGone();
    // Ends the session once: bills, settles, closes both sides (codes already validated), schedules teardown.
    void end(const QString &reason, QWebSocketProtocol::CloseCode clientCode, const QString &clientReason,
             QWebSocketProtocol::CloseCode upstreamCode, const QString &upstreamReason);
    void failBeforeUpstream(const QString &reason, const QByteArray &errorEvent);
    // The upstream dial failed: tell the client (without the upstream's words) and the channel's health.
    void onUpstreamDialError();
    void reportDial(std::optional<ChannelFailure> failure, const QString &detail);
    // Before the session opened upstream: drop the failed dial and dial the next channel, once. False when
    // there is none (or the one more dial was used).
    bool redial();
    void maybeFinish();

    QPointer<QWebSocket> m_client;
    QPointer<QAbstractSocket> m_clientTransport;
    QPointer<QWebSocket> m_upstream;
    QPointer<QAbstractSocket> m_upstreamTransport; // found once the upstream opened (or on the first flush)
    bool m_flushPosted = false;
    RealtimeUpstreamTarget m_target;
    std::unique_ptr<RealtimeAccount> m_account;
    Monitor::SessionRegistry *m_registry = nullptr;
    quint64 m_registryId = 0;
    RealtimeMeter m_meter;
    RealtimeSessionConfig m_config;

    std::deque<EarlyFrame> m_early;
    qint64 m_earlyBytes = 0;
    bool m_upstreamOpen = false;
    bool m_upstreamEverOpen = false;
    bool m_clientGone = false;
    bool m_clientCloseFrame = false;   // the client sent a close frame (vs. a dropped connection)
    bool m_upstreamCloseFrame = false;
    bool m_upstreamGone = false;
    bool m_dialReported = false;
    bool m_redialed = false;
    bool m_clientAttached = false;
    bool m_ending = false;
    bool m_settled = false; // the settlement (or refund) landed
    bool m_finished = false;
    bool m_clientPaused = false;   // reading from the client is paused (upstream queue full)
    bool m_upstreamPaused = false; // reading from the upstream is paused (client queue full)
    int m_kickTicks = 0;           // drain ticks left to re-enable read notifiers after a resume
    QString m_endReason;
    QByteArray m_utf8; // utf8Of()
    QStringEncoder m_encoder{QStringEncoder::Utf8, QStringEncoder::Flag::Stateless};
    QElapsedTimer m_elapsed;
    QElapsedTimer m_sinceActivity;
    // Children, so that they move with the session to its loop (moveToThread moves children only).
    QTimer m_connectTimer{this};
    QTimer m_idleTimer{this};
    QTimer m_pingTimer{this};
    QTimer m_drainTimer{this};
    QTimer m_graceTimer{this};
};

} // namespace RelayDesk::Relay
