#pragma once
// WebRTC calls: POST /v1/realtime/calls and the call control routes POST /v1/realtime/calls/{id}/accept|reject|
// refer|hangup. A call is admitted exactly as a WebSocket session (RealtimeRelay::admitSession: key or client
// secret, model, price, the rolling reservation), its offer forwarded to the channel's upstream with the channel's
// secret (multipart sdp + session, so the upstream applies the session), the SDP answer and the Location header
// returned unchanged, and the call metered over its sideband (RealtimeSideband) until it ends.
//
// Inputs: `application/sdp` (a browser, with an `ek_` client secret: the secret's bound session is the session) or
// `multipart/form-data` with parts `sdp` and `session` (JSON; a server, with an `sk-` key); the SDP and the session
// are each at most 64 KiB.
//
// Control requests take an `sk-` key and are passed through to the channel that owns the call: for a call the
// relay created or accepted, the stored channel (and only its user may control it); for any other call (SIP-
// originated), the channel admission picks for the model — accept's `model`, else gpt-realtime — in the caller's
// group, i.e. the first realtime channel serving it by priority. Only accept is billed: it starts a sideband-
// metered call like a created one. Lives on the relay (server) thread.
#include "http/openaierror.h"
#include "relay/realtime/realtimesideband.h"
#include "relay/upstreamclient.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <chrono>
#include <functional>
#include <memory>

namespace RelayDesk::Relay {

class HttpExchange;
struct HttpRequest;
class RealtimeCallReaper;
class RealtimeRelay;
class Router;
struct RealtimeAdmission;
struct RealtimeAdmitted;

class RealtimeCalls final : public QObject
{
    Q_OBJECT

public:
    static constexpr const char *kPath = "/v1/realtime/calls";
    static constexpr qsizetype kMaxSdpBytes = 64 * 1024;
    static constexpr qsizetype kMaxSessionBytes = 64 * 1024;
    // A whole offer: both parts at their limit and the multipart framing.
    static constexpr qsizetype kMaxOfferBytes = kMaxSdpBytes + kMaxSessionBytes + 16 * 1024;
    static constexpr const char *kDefaultModel = "gpt-realtime";
    // How long shutdown() waits for the calls' hangups (RealtimeSideband::kCloseGrace bounds each).
    static constexpr std::chrono::milliseconds kShutdownWait = RealtimeSideband::kCloseGrace + std::chrono::seconds(1);

    explicit RealtimeCalls(RealtimeRelay &relay, QObject *parent = nullptr);
    ~RealtimeCalls() override;

    void install(Router &router);
    // Settles and hangs up every metered call, waiting (bounded) for the hangups. Idempotent.
    void shutdown();
    int callCount() const { return int(m_sidebands.size()); }
    bool isMetered(const QString &callId) const;
    // Tests: how long a sideband may take to open (default RealtimeSideband::kOpenTimeout).
    void setSidebandOpenTimeout(std::chrono::milliseconds timeout) { m_openTimeout = timeout; }
    RealtimeCallReaper &reaper() { return *m_reaper; }

Q_SIGNALS:
    void callStarted(const QString &callId, quint64 registryId);
    void callFinished(const QString &callId, const QString &endReason, qint64 quota);

private:
    struct Offer
    {
        QByteArray sdp;
        QJsonObject session;
    };

    void create(HttpExchange &exchange);
    void control(HttpExchange &exchange);
    void accept(HttpExchange &exchange, const QByteArray &key, const QString &callId, QJsonObject body);
    // Reads and bounds the offer; nullopt after answering the 400.
    static std::optional<Offer> readOffer(HttpExchange &exchange);
    // The session sent upstream: the client secret's, the client's over it, the model mapped for the channel.
    static QJsonObject upstreamSession(const RealtimeAdmission &admission, const QJsonObject &client);
    // POSTs `pathAfterV1` to the admission's channel; `done` runs with the reply (deleted after it returns).
    void post(const RealtimeAdmission &admission, const QString &pathAfterV1, UpstreamBody body,
              std::function<void(UpstreamReply &reply)> done);
    // Answers `exchange` with the upstream's reply: status, content type, body (scrubbed of the channel key), and
    // the Location header when asked; a refused channel key and a failed transfer are the relay's errors.
    static void answer(HttpExchange &exchange, UpstreamReply &reply, const RealtimeAdmission &admission,
                       bool withLocation);
    // Admits a call (RealtimeRelay::admitSession) and, once its hold is durable, hands it to `proceed` — unless
    // the client left or the relay stops meanwhile: then nothing reached the upstream and the hold goes back.
    using Admitted = std::function<void(HttpExchange &client, std::shared_ptr<RealtimeAdmitted> call)>;
    void admitThen(const QByteArray &key, const QString &model, bool transcription, const HttpRequest &request,
                   HttpExchange &exchange, Admitted proceed);
    // Admitted (the hold durable): the offer goes upstream, its answer to the client.
    void offer(HttpExchange &exchange, std::shared_ptr<RealtimeAdmitted> call, const Offer &offer);
    void acceptAdmitted(std::shared_ptr<RealtimeAdmitted> call, const QString &callId, const QJsonObject &body,
                        QPointer<HttpExchange> client);
    // After the upstream created (or accepted) `callId`: stores it with its reservation (on the store lane) and
    // meters it (startSideband, once stored; not stored: the call is hung up and the hold refunded).
    void meter(std::shared_ptr<RealtimeAdmitted> admitted, const QString &callId);
    void startSideband(std::shared_ptr<RealtimeAdmitted> call, const RealtimeCallTarget &target,
                       const QString &storeError);
    void onSidebandFinished(RealtimeSideband *sideband);

    RealtimeRelay &m_relay;
    UpstreamClient m_http;
    std::unique_ptr<RealtimeCallReaper> m_reaper;
    QSet<RealtimeSideband *> m_sidebands;
    std::chrono::milliseconds m_openTimeout = RealtimeSideband::kOpenTimeout;
    bool m_shutdown = false;
};

} // namespace RelayDesk::Relay
