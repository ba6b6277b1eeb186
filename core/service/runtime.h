#pragma once
// The running RelayDesk core, as used by both executables: opens the database, recovers reservations a
// crash left open, loads prices, bootstraps the first run (demo channel, user, key), starts the demo
// upstream when wanted and the relay server on its own thread. The console reads the accessors and
// connects the signals; relaydeskd serve only calls start()/stop().
#include "relay/httprelay.h"
#include "demo/demoupstream.h"
#include "http/httpserver.h"
#include "store/changerepository.h"

#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QThread>
#include <QtNetwork/QHostAddress>

#include <atomic>
#include <functional>
#include <memory>

namespace RelayDesk::Store { class Database; }
namespace RelayDesk::Billing { class PricingService; }
namespace RelayDesk::Monitor { class SessionRegistry; }
namespace RelayDesk::Relay { class Auth; class ChannelSelector; class RealtimeRelay; class RelayServerThread; }
namespace RelayDesk::Service { class AdminService; class AlertService; class InstanceKeeper; class LiveReload; class LiveSessionPublisher; }
namespace RelayDesk::Store { struct AlertEvent; }

namespace RelayDesk::Service {

struct RuntimeConfig
{
    QString dataDir;                 // empty = the platform default (resolveDataDir)
    QString dbUrl;                   // postgres://… or sqlite path; wins over dataDir
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 listenPort = 8790;       // 0 = ephemeral (tests)
    // Start the demo upstream and make sure the demo channel/user/key exist. A fresh database always
    // gets them; an existing `demo` channel always gets the demo upstream started.
    bool demo = false;
    Relay::DemoUpstreamOptions demoOptions;
    Relay::CallConfig relay;    // defaultMaxTokens is taken from the pricing options when 0
    Relay::HttpServerConfig server;  // address/port are overridden by listenAddress/listenPort
    // GET /v1/realtime on the relay (and the simulated Realtime server on the demo upstream).
    bool realtime = true;
    // HTTPS and WSS on the listen port (the OpenAI SDKs open Realtime only over wss://). The certificate
    // is generated at first use at <data dir>/tls/relaydesk-cert.pem unless tlsCertificate/tlsKey name
    // a user-supplied PEM pair.
    bool tls = false;
    QString tlsCertificate;
    QString tlsKey;
    // The heartbeat lease on this instance's reservations (see InstanceKeeper): other instances on the
    // same database recover them only after this long without a heartbeat (at once when this process is
    // provably dead on their machine).
    qint64 instanceLeaseMs = 30'000;
    // How often the change feed looks for admin edits of other processes: 0 = its default (250 ms on SQLite,
    // 1 s as the fallback beside LISTEN on PostgreSQL).
    int changePollMs = 0;
    // Proxies (CIDRs) whose X-Forwarded-For names the caller for IP allow-lists, besides the option
    // RelayDeskTrustedProxies (serve --trusted-proxy).
    QStringList trustedProxies;
    // How long stop() waits for the relay thread to settle what is in flight and end. A thread stuck longer (a
    // store that does not answer) is left running and its holds stay open for recovery; stop() returns anyway.
    int stopTimeoutMs = 15'000;
    // Spend alerts: watched and delivered to the webhook by this process (off for tests that count events).
    bool alerts = true;
    // Extension points: run on the relay thread / the demo thread before listening.
    std::function<void(Relay::HttpServer &server)> installRelayRoutes;
    Relay::DemoUpstream::RouteInstaller installDemoRoutes;
};

// What the first run created. The full key exists only in memory, to be shown once.
struct DemoCredentials
{
    QString userName;
    QString keyName;
    QString plainKey; // empty when the key was created by an earlier run
    QString keyHint;
};

class Runtime final : public QObject
{
    Q_OBJECT

public:
    static constexpr const char *kDemoChannelName = "demo";
    static constexpr const char *kDemoChannelType = "demo";
    // A fresh install also gets an Anthropic channel on the same demo upstream (the demo type serves OpenAI's
    // routes; /v1/messages needs a channel of type anthropic), so the Anthropic SDK and Claude Code can be tried
    // without an account. Its secret is "demo": that is how a later start knows the channel is still the demo's.
    static constexpr const char *kDemoClaudeChannelName = "demo-claude";
    static constexpr const char *kDemoClaudeChannelType = "anthropic";
    static QStringList demoClaudeModels();
    static constexpr qint64 kDemoUserQuota = 50'000'000; // US$100

    explicit Runtime(QObject *parent = nullptr);
    ~Runtime() override; // stop()

    // Blocks until the relay listens (or fails; then errorString() says why). Call once.
    bool start(const RuntimeConfig &config);
    // Settles or refunds in-flight requests, stops the relay and demo threads. Idempotent.
    void stop();
    bool isRunning() const { return m_running; }
    QString errorString() const { return m_error; }

    QHostAddress address() const { return m_config.listenAddress; }
    quint16 port() const;
    QString baseUrl() const; // "http://127.0.0.1:8790/v1" ("https://…" with TLS)
    // The certificate clients must trust when TLS is on (NODE_EXTRA_CA_CERTS, SSL_CERT_FILE); else empty.
    QString tlsCertificatePath() const { return m_tlsCertificatePath; }

    // Accessors for the console (valid after a successful start()).
    std::shared_ptr<Store::Database> database() const { return m_db; }
    Billing::PricingService *pricing() const { return m_pricing.get(); }
    Monitor::SessionRegistry *sessions() const { return m_sessions.get(); }
    Relay::DemoUpstream *demoUpstream() const { return m_demo.get(); }
    // The relay's channel choice and health (thread-safe; health() is the in-memory view).
    std::shared_ptr<Relay::ChannelSelector> channels() const { return m_channels; }
    // Set when this start created the demo key (first run): the full key is shown once, then cleared.
    std::optional<DemoCredentials> demoCredentials() const { return m_demoCredentials; }
    void forgetDemoKey();
    // Reservations of gone instances recovered at start (the keeper goes on recovering while running).
    int recoveredReservations() const { return m_recovered; }
    QString instanceId() const { return m_instanceId; }

    // Invalidate hooks: call after editing keys, users or channels (any thread).
    void invalidateKey(qint64 keyId);
    void invalidateUser(qint64 userId);
    void invalidateChannels();
    // Applies an admin edit of this process at once (AdminService::written, as follow() connects; any thread): the
    // relay reloads the channels, drops the key's or user's auth cache entries, or swaps in the stored price
    // book. Edits of every process also arrive through the change feed (ChangeFeed), within its poll.
    void applyChange(RelayDesk::Store::ChangeKind kind, qint64 entityId);
    // Applies every edit `admin` makes at once (the console's AdminService, on its worker thread), without
    // waiting for the feed's poll. The connection ends with either object.
    void follow(const AdminService *admin);

Q_SIGNALS:
    void started(const QHostAddress &address, quint16 port);
    void stopped();
    void failed(const QString &message);
    // Every finished chat call (queued from the relay thread), posted only while something is connected.
    void callFinished(const RelayDesk::Relay::CallResult &result);
    // An edit seen through the change feed (any process's, this one's too), queued from the relay thread: the
    // console forwards it to its AdminService::announce so its pages follow the CLI and other consoles.
    void storeChanged(RelayDesk::Store::ChangeKind kind, qint64 entityId);
    // A spend alert fired in this process (queued from the alerts thread): the console notifies.
    void alertFired(const RelayDesk::Store::AlertEvent &event);

protected:
    void connectNotify(const QMetaMethod &signal) override;
    void disconnectNotify(const QMetaMethod &signal) override;

private:
    bool fail(const QString &message);
    bool bootstrapDemo(bool freshDatabase);
    bool bootstrapDemoClaude(bool create);
    bool configureTls(Relay::HttpServerConfig *server);
    bool startDemoUpstream();
    void startKeeper();
    // Ends the keeper's thread; markStopped: first mark this instance stopped (what it held is settled).
    void stopKeeper(bool markStopped);
    // On the relay thread: the change feed and what applies its changes, owned by `owner`.
    LiveReload *startChangeFeed(QObject &owner, std::optional<qint64> loadedVersion);
    Relay::RealtimeRelay *installRealtime(Relay::HttpServer &http,
                                          const std::function<Billing::PriceBookPtr()> &prices);

    RuntimeConfig m_config;
    std::shared_ptr<Store::Database> m_db;
    std::unique_ptr<Billing::PricingService> m_pricing;
    std::unique_ptr<Monitor::SessionRegistry> m_sessions;
    std::unique_ptr<LiveSessionPublisher> m_publisher; // the sessions above, to the database, on its own thread
    std::shared_ptr<Relay::Auth> m_auth;
    std::shared_ptr<Relay::ChannelSelector> m_channels;
    std::unique_ptr<Relay::DemoUpstream> m_demo;
    std::unique_ptr<AlertService> m_alerts;
    std::unique_ptr<Relay::RelayServerThread> m_server;
    std::unique_ptr<Relay::RelayServerThread> m_abandoned; // stopped but not ended within stopTimeoutMs
    QPointer<Relay::HttpRelay> m_chat; // lives on the relay thread
    QPointer<Relay::RealtimeRelay> m_realtime; // idem
    // The heartbeat and recovery sweep: on a thread of their own, so a locked database never stalls the relay's
    // event loop through them.
    std::unique_ptr<QThread> m_keeperThread;
    QPointer<InstanceKeeper> m_keeper; // lives on m_keeperThread
    QPointer<LiveReload> m_liveReload; // idem
    QString m_instanceId;
    std::optional<DemoCredentials> m_demoCredentials;
    QString m_error;
    QString m_tlsCertificatePath;
    int m_recovered = 0;
    bool m_running = false;
    // Connections to callFinished (any thread connects; the relay thread reads): without one, a finished call is
    // not posted to this object's thread at all — the console's main thread is not woken once per call.
    std::atomic<int> m_callFinishedListeners{0};
};

} // namespace RelayDesk::Service
