#pragma once
// GET /v1/realtime?model=… : admission before the upgrade (key, model, price, rolling reservation), then one
// RealtimeSession per upgraded socket. The same admission (admitSession) opens WebRTC calls, which RealtimeCalls
// serves on /v1/realtime/calls and meters over their sideband. Every ledger write of a session — the first hold
// included — runs on the store lane (RealtimeRelayDeps::lane): the 101 (or the SDP answer) waits for the hold to
// be durable while the relay thread goes on serving. Lives on the relay (server) thread; install() on that thread.
#include "billing/pricebook.h"
#include "monitor/sessionregistry.h"
#include "http/openaierror.h"
#include "relay/realtime/realtimesession.h"
#include "http/router.h"
#include "store/records.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <variant>

namespace RelayDesk::Store {
class Database;
class StoreLane;
}

namespace RelayDesk::Relay {

class HttpServer;
class RealtimeCalls;
class RelayLoops;

// Who may open the session and where it goes: the relay's auth (key → user/key) and channel selection
// (group/model → channel, model mapping) as one answer. Keys are never stored here beyond the session.
struct RealtimeAdmission
{
    qint64 userId = 0;
    qint64 keyId = 0;
    QString userName;
    QString keyHint;
    QString userGroup;
    QString usingGroup;
    qint64 channelId = 0;
    QString channelName;
    QString channelBaseUrl;
    QByteArray channelKey;
    QString model;         // requested (priced)
    QString upstreamModel; // after the channel's model mapping
    // The session configuration of the client secret that opened the session (empty: an API key did): applied
    // upstream as a session.update before anything the client sends.
    QJsonObject boundSession;
    // The session only transcribes (`?intent=transcription` or a client secret minted for one): `model` is its
    // transcription model and prices it until a session.update names another.
    bool transcription = false;
    // Whether the key may use a model (its model limits), for a transcription model named mid-session; unset: any.
    std::function<bool(const QString &model)> mayUse;

    // Fills the channel fields (id, name, base URL, key, the mapped model) from `channel`.
    void useChannel(const Store::Channel &channel);
};

// Returns the admission, or the error to answer before any upgrade (401 bad key, 403 model not allowed…). `model`
// is the query's, empty when the client named none (a client secret may carry it); for `?intent=transcription`
// without a client secret it is RealtimeTranscription::kDefaultModel.
using RealtimeAdmit =
    std::function<std::variant<RealtimeAdmission, OpenAiError>(const QByteArray &apiKey, QString model,
                                                                const HttpRequest &request)>;

// An admitted session: who, where, and the money with its rolling reservation open.
struct RealtimeAdmitted
{
    RealtimeAdmission admission;
    std::unique_ptr<RealtimeAccount> account;
};
// The admission's answer, on the relay thread once the hold is durable (or at once when refused before it).
using RealtimeAdmitDone = std::function<void(std::variant<RealtimeAdmitted, OpenAiError> admitted)>;

struct RealtimeRelayDeps
{
    std::shared_ptr<Store::Database> database;
    // Where the sessions' ledger writes run, off the relay thread (Store::StoreLane). Unset: the relay runs a lane
    // of its own on `database`. A given lane must outlive the relay.
    Store::StoreLane *lane = nullptr;
    std::function<Billing::PriceBookPtr()> priceBook;
    Monitor::SessionRegistry *registry = nullptr; // optional
    RealtimeAdmit admit;
    // Another channel for (model, group) not in `exclude`, for a dial whose channel failed (connect error or
    // 401/403) before the session opened; optional (unset: no second dial).
    std::function<std::optional<Store::Channel>(const QString &model, const QString &group,
                                                const QSet<qint64> &exclude)> nextChannel;
    RealtimeMeter::TextCounter countText;          // default: UTF-8 bytes / 4 (inject the model's tokenizer)
};

struct RealtimeRelayConfig
{
    RealtimeSessionConfig session;
    qint64 defaultMaxOutputTokens = 4096; // worst-case response size for the rolling reservation
    int maxSessions = 4096;               // beyond → 503 before the upgrade
    std::chrono::milliseconds upgradeTimeout{30'000}; // admitted but never upgraded → refund
    // Event-loop threads the sessions are spread over (each with its client and upstream socket); admission and
    // the ledger stay on the server thread. -1: RelayLoops::configuredCount() (RELAYDESK_RELAY_LOOPS, else one per
    // core); 0: every session on the server thread.
    int loops = -1;
};

class RealtimeRelay final : public QObject
{
    Q_OBJECT

public:
    static constexpr const char *kPath = "/v1/realtime";
    static constexpr const char *kKeySubprotocolPrefix = "openai-insecure-api-key.";

    RealtimeRelay(RealtimeRelayDeps deps, RealtimeRelayConfig config = {}, QObject *parent = nullptr);
    ~RealtimeRelay() override;

    // Adds the WebSocket route (subprotocol "realtime" offered, so a client offering it gets it back).
    // Prefer the HttpServer overload: it also lets sessions find the client's TCP socket for backpressure.
    void install(HttpServer &server);
    void install(Router &router);
    // Pre-upgrade check (Router::AsyncUpgradeCheck): decide(nullopt) admits once the rolling reservation is
    // durable; a client gone by then has its hold refunded.
    void check(const HttpRequest &request, std::function<bool(std::optional<OpenAiError>)> decide);
    // The one admission of every Realtime session, whatever carries it (a WebSocket upgrade, a WebRTC call): the
    // key or client secret, the model (empty: the client secret's), its price, and the first hold, taken on the
    // store lane. `transcription`: the session only transcribes (`model` is then its transcription model, empty for
    // the default). `done` runs on this thread, at once for a refusal before the hold; after shutdown() it gets
    // 503 (the hold given back).
    void admitSession(const QByteArray &key, QString model, bool transcription, const HttpRequest &request,
                      RealtimeAdmitDone done);
    // Opens the live view's entry of an admitted session (0 without a registry).
    quint64 registerSession(const RealtimeAdmission &admission, qint64 held,
                            Monitor::MediaPath mediaPath = Monitor::MediaPath::Relayed);
    const RealtimeRelayDeps &deps() const { return m_deps; }
    // The sessions' ledger writes (deps().lane, or the relay's own).
    Store::StoreLane &lane() const { return *m_deps.lane; }
    RealtimeCalls &calls() { return *m_calls; }
    // Post-upgrade: starts the session (takes ownership of the socket).
    void accept(QWebSocket *socket, const HttpRequest &request);
    // Closes every session with 1001 and settles each; pending admissions are refunded. Returns once those
    // ledger writes are durable (the lane drained).
    void shutdown();

    int sessionCount() const { return int(m_sessions.size()); }
    // The loops sessions run on (null: all on this thread).
    const RelayLoops *loops() const { return m_loops.get(); }
    // Admissions whose hold is on the store lane (counted against maxSessions).
    int admittingCount() const { return m_admitting; }
    int callCount() const;
    // The client's key: "Authorization: Bearer" first, else the openai-insecure-api-key.<key> subprotocol.
    static QByteArray apiKeyFrom(const HttpRequest &request, bool *viaSubprotocol = nullptr);

Q_SIGNALS:
    // How each session's upstream dial went, for the channel's health (Runtime feeds them to ChannelSelector).
    void channelSucceeded(qint64 channelId);
    void channelFailed(qint64 channelId, RelayDesk::Relay::ChannelFailure failure, const QString &detail);
    void sessionStarted(quint64 registryId);
    void sessionFinished(quint64 registryId, const QString &endReason, qint64 quota);

private:
    struct Pending
    {
        RealtimeAdmission admission;
        std::unique_ptr<RealtimeAccount> account;
        bool keyViaSubprotocol = false;
        qint64 admittedAtMs = 0;
    };
    static QString peerKey(const HttpRequest &request);
    // The session.update event that applies a client secret's session configuration upstream (empty: nothing to
    // apply).
    static QString boundSessionUpdate(QJsonObject session);
    // How to dial the admission's channel for this client request.
    RealtimeUpstreamTarget upstreamTarget(const RealtimeAdmission &admission, const HttpRequest &request,
                                          bool keyViaSubprotocol);
    void expirePending();
    void onSessionFinished(RealtimeSession *session);
    // Moves a session that has not started to the least loaded loop and starts it there (on this thread when it
    // ended meanwhile).
    void startOnLoop(RealtimeSession *session);

    std::unique_ptr<Store::StoreLane> m_ownLane; // when deps.lane was unset; destroyed last (it drains)
    RealtimeRelayDeps m_deps;
    RealtimeRelayConfig m_config;
    int m_admitting = 0;
    bool m_shutdown = false;
    std::unordered_map<std::string, Pending> m_pending; // peer "address|port" → admitted, not yet upgraded
    QSet<RealtimeSession *> m_sessions;
    std::unique_ptr<RelayLoops> m_loops;            // destroyed after the sessions on them (see the destructor)
    std::unordered_map<RealtimeSession *, int> m_loopOf; // sessions on a loop → its index
    std::unique_ptr<RealtimeCalls> m_calls; // WebRTC calls, admitted here, metered over their sideband
    QTimer m_expiry;
    QPointer<QObject> m_transportRoot;
    quint64 m_sequence = 0;
};

} // namespace RelayDesk::Relay
