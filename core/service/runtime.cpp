#include "service/runtime.h"

#include "service/alertservice.h"

#include "billing/ledger.h"
#include "billing/pricingservice.h"
#include "common/cidr.h"
#include "common/datadir.h"
#include "monitor/sessionregistry.h"
#include "relay/auth.h"
#include "relay/channelselector.h"
#include "relay/chat/chatrelaytokens.h"
#include "demo/demorealtime.h"
#include "demo/demorealtimecalls.h"
#include "http/tlsmaterial.h"
#include "service/adminservice.h"
#include "service/changefeed.h"
#include "service/instancekeeper.h"
#include "service/livesessionpublisher.h"
#include "relay/realtime/realtimerelay.h"
#include "relay/realtime/realtimetranscription.h"
#include "http/relayserverthread.h"
#include "store/apikeyrepository.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/instancerepository.h"
#include "store/userrepository.h"

#include <QtCore/QDeadlineTimer>
#include <QtCore/QMetaMethod>
#include <QtCore/QSemaphore>
#include <QtCore/QTimer>

namespace RelayDesk::Service {

// Applies admin edits to what the relays hold, on the relay thread, between requests. Each reload builds a new
// snapshot and swaps it in, so a call in flight keeps the one it started with. A reload that cannot happen now
// (the store does not answer; an edit of this process is publishing prices) keeps the current snapshot in force
// and is retried every 250 ms.
class LiveReload final : public QObject
{
public:
    LiveReload(std::shared_ptr<Relay::Auth> auth, std::shared_ptr<Relay::ChannelSelector> channels,
               Billing::PricingService *pricing, QObject *parent)
        : QObject(parent), m_auth(std::move(auth)), m_channels(std::move(channels)), m_pricing(pricing)
    {
        m_retryTimer.setInterval(250);
        connect(&m_retryTimer, &QTimer::timeout, this, &LiveReload::retry);
    }

    void apply(Store::ChangeKind kind, qint64 entityId)
    {
        if (applyNow(kind, entityId))
            return;
        m_retry.insert(kind);
        if (!m_retryTimer.isActive())
            m_retryTimer.start();
    }

private:
    bool applyNow(Store::ChangeKind kind, qint64 entityId)
    {
        switch (kind) {
        case Store::ChangeKind::Channel:
            return m_channels->reload();
        case Store::ChangeKind::Key:
            entityId > 0 ? m_auth->invalidateKey(entityId) : m_auth->invalidateAll();
            return true;
        case Store::ChangeKind::User:
            entityId > 0 ? m_auth->invalidateUser(entityId) : m_auth->invalidateAll();
            return true;
        case Store::ChangeKind::Pricing:
            return bool(m_pricing->reload());
        }
        return true;
    }

    void retry()
    {
        const QSet<Store::ChangeKind> kinds = std::exchange(m_retry, {});
        for (Store::ChangeKind kind : kinds)
            if (!applyNow(kind, 0))
                m_retry.insert(kind);
        if (m_retry.isEmpty())
            m_retryTimer.stop();
    }

    std::shared_ptr<Relay::Auth> m_auth;
    std::shared_ptr<Relay::ChannelSelector> m_channels;
    Billing::PricingService *m_pricing;
    QSet<Store::ChangeKind> m_retry;
    QTimer m_retryTimer{this};
};

Runtime::Runtime(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<Relay::CallResult>();
}

Runtime::~Runtime()
{
    stop();
    if (m_abandoned && !m_abandoned->wait(m_config.stopTimeoutMs))
        (void)m_abandoned.release(); // still stuck: leak it rather than free what it uses
}

void Runtime::connectNotify(const QMetaMethod &signal)
{
    if (signal == QMetaMethod::fromSignal(&Runtime::callFinished))
        m_callFinishedListeners.fetch_add(1, std::memory_order_relaxed);
}

void Runtime::disconnectNotify(const QMetaMethod &signal)
{
    // Also called with an invalid method for a disconnect of everything (disconnect(this, nullptr, ...)); an
    // over-count only means results are posted with nobody to hear them, as before.
    if (signal == QMetaMethod::fromSignal(&Runtime::callFinished))
        m_callFinishedListeners.fetch_sub(1, std::memory_order_relaxed);
}

bool Runtime::fail(const QString &message)
{
    m_error = message;
    stop();
    Q_EMIT failed(message);
    return false;
}

bool Runtime::start(const RuntimeConfig &config)
{
    if (m_running)
        return true;
    m_config = config;
    m_error.clear();

    const QString dataDir = m_config.dbUrl.isEmpty() ? resolveDataDir(m_config.dataDir) : QString();
    auto opened = Store::Database::open(dataDir, m_config.dbUrl);
    if (!opened)
        return fail(QStringLiteral("Cannot open the database: %1").arg(opened.error()));
    m_db = opened.value();

    // This process owns the reservations it makes from now on. Other processes on the same database (the
    // console beside relaydeskd serve on one data dir, several serve on one PostgreSQL) are peers: their
    // calls in flight are theirs. Only reservations of instances that are gone are recovered here.
    const auto registered = InstanceKeeper::registerSelf(
        *m_db, QStringLiteral("%1:%2").arg(m_config.listenAddress.toString()).arg(m_config.listenPort),
        m_config.instanceLeaseMs);
    if (!registered)
        return fail(QStringLiteral("Cannot register this instance: %1").arg(registered.error()));
    m_instanceId = *registered;
    const auto recovered = Billing::Ledger(*m_db).recoverOrphans(m_instanceId, m_config.instanceLeaseMs);
    if (!recovered)
        return fail(QStringLiteral("Cannot recover open reservations: %1").arg(recovered.error()));
    m_recovered = recovered.value();

    // Read before loading anything: the change feed reports what is committed after this point.
    const std::optional<qint64> loadedVersion = Store::ChangeRepository(*m_db).latestVersion();
    m_pricing = std::make_unique<Billing::PricingService>(*m_db);
    if (const auto loaded = m_pricing->load(); !loaded)
        return fail(QStringLiteral("Cannot load prices: %1").arg(loaded.error()));
    m_sessions = std::make_unique<Monitor::SessionRegistry>();
    m_auth = std::make_shared<Relay::Auth>(m_db);
    QString proxyError;
    const auto proxies = Cidr::parseList(m_config.trustedProxies, &proxyError);
    if (!proxies)
        return fail(QStringLiteral("Trusted proxy: %1").arg(proxyError));
    m_auth->setTrustedProxies(*proxies);
    m_channels = std::make_shared<Relay::ChannelSelector>(m_db);

    const bool fresh = Store::UserRepository(*m_db).count() == 0 && Store::ChannelRepository(*m_db).list().isEmpty();
    if (!bootstrapDemo(fresh))
        return false;

    Relay::HttpServerConfig server = m_config.server;
    server.address = m_config.listenAddress;
    server.port = m_config.listenPort;
    if (m_config.tls && !configureTls(&server))
        return false;
    Relay::CallConfig relayConfig = m_config.relay;
    if (relayConfig.defaultMaxTokens <= 0)
        relayConfig.defaultMaxTokens = m_pricing->defaultMaxTokens();
    relayConfig.instanceLeaseMs = m_config.instanceLeaseMs;
    Billing::PricingService *pricing = m_pricing.get();
    auto prices = [pricing] { return pricing->current(); };
    auto ready = std::make_shared<QSemaphore>();
    auto chat = std::make_shared<QPointer<Relay::HttpRelay>>();
    auto realtime = std::make_shared<QPointer<Relay::RealtimeRelay>>();
    auto live = std::make_shared<QPointer<LiveReload>>();
    m_server = std::make_unique<Relay::RelayServerThread>(
        server, [this, relayConfig, prices, chat, realtime, live, loadedVersion](Relay::HttpServer &http) {
            *live = startChangeFeed(http, loadedVersion);
            auto *relay = new Relay::HttpRelay(m_db, m_auth, m_channels, prices, m_sessions.get(), relayConfig, &http);
            relay->install(http.router());
            connect(relay, &Relay::HttpRelay::callFinished, relay, [this](const Relay::CallResult &result) {
                if (m_callFinishedListeners.load(std::memory_order_relaxed) > 0)
                    QMetaObject::invokeMethod(
                        this, [this, result] { Q_EMIT callFinished(result); }, Qt::QueuedConnection);
            });
            *chat = relay;
            if (m_config.realtime)
                *realtime = installRealtime(http, prices);
            if (m_config.installRelayRoutes)
                m_config.installRelayRoutes(http);
        });
    auto error = std::make_shared<QString>();
    connect(m_server.get(), &Relay::RelayServerThread::listening, this, [ready] { ready->release(); },
            Qt::DirectConnection);
    connect(m_server.get(), &Relay::RelayServerThread::failed, this,
            [ready, error](const QString &message) { *error = message; ready->release(); }, Qt::DirectConnection);
    m_server->start();
    if (!ready->tryAcquire(1, 15'000))
        return fail(QStringLiteral("The relay did not start in time."));
    if (!error->isEmpty())
        return fail(*error);
    m_chat = *chat;
    m_realtime = *realtime;
    startKeeper();
    m_liveReload = *live;
    if (m_config.listenPort == 0) // registered before listening: name the port the consoles can reach
        if (const auto named = Store::InstanceRepository(*m_db).setAddress(
                m_instanceId, QStringLiteral("%1:%2").arg(m_config.listenAddress.toString()).arg(port()));
            !named)
            qWarning("instance %s: cannot record its address: %s", qPrintable(m_instanceId), qPrintable(named.error()));
    // Consoles and the CLI on this database see this instance's sessions (after it listens: none before).
    m_publisher = std::make_unique<LiveSessionPublisher>(m_db, m_sessions.get(), m_instanceId);
    m_publisher->start();
    if (m_config.alerts) {
        m_alerts = std::make_unique<AlertService>(m_db);
        connect(m_alerts.get(), &AlertService::fired, this, &Runtime::alertFired);
        m_alerts->start();
    }
    m_running = true;
    Q_EMIT started(m_config.listenAddress, port());
    return true;
}

LiveReload *Runtime::startChangeFeed(QObject &owner, std::optional<qint64> loadedVersion)
{
    auto *reload = new LiveReload(m_auth, m_channels, m_pricing.get(), &owner);
    ChangeFeedOptions options;
    options.pollMs = m_config.changePollMs;
    auto *feed = new ChangeFeed(m_db, loadedVersion, options, &owner);
    connect(feed, &ChangeFeed::changed, reload, &LiveReload::apply); // same thread: direct
    connect(feed, &ChangeFeed::changed, this, &Runtime::storeChanged); // queued to this object's thread
    feed->start();
    return reload;
}

Relay::RealtimeRelay *Runtime::installRealtime(Relay::HttpServer &http,
                                              const std::function<Billing::PriceBookPtr()> &prices)
{
    Relay::RealtimeRelayDeps deps;
    deps.database = m_db;
    deps.priceBook = prices;
    deps.registry = m_sessions.get();
    // Admission uses the same key auth and channel choice as chat completions; an ephemeral client secret (ek_…)
    // opens a session for its parent key, with the model and configuration it was minted with.
    deps.admit = [auth = m_auth, channels = m_channels](const QByteArray &apiKey, QString model,
                                                         const Relay::HttpRequest &request)
        -> std::variant<Relay::RealtimeAdmission, Relay::OpenAiError> {
        // A client secret's parent key's allow-lists apply too.
        auto granted = auth->authenticateRealtime(apiKey, auth->clientAddress(request));
        if (auto *error = std::get_if<Relay::OpenAiError>(&granted))
            return *error;
        const Relay::ClientSecretGrant &grant = std::get<Relay::ClientSecretGrant>(granted);
        const Relay::AuthContext &ctx = grant.auth;
        const QJsonObject &bound = grant.session;
        // A secret was minted for one model (a transcription secret: its transcription model); a key names none.
        const QString minted = Relay::RealtimeTranscription::pricedModel(bound);
        if (!model.isEmpty() && !minted.isEmpty() && model != minted)
            return Relay::OpenAiError::invalidValue(
                "model", QStringLiteral("The client secret was minted for model '%1', not '%2'.").arg(minted, model));
        if (model.isEmpty())
            model = minted;
        if (model.isEmpty())
            return Relay::RealtimeAdmission{}; // RealtimeRelay answers the missing model
        if (!ctx.mayUse(model))
            return Relay::OpenAiError::modelNotAllowed(model);
        const auto channel = channels->select(model, ctx.group);
        if (!channel)
            return Relay::OpenAiError::notFound(
                QStringLiteral("The model `%1` does not exist or you do not have access to it.").arg(model),
                "model_not_found");
        Relay::RealtimeAdmission a;
        a.userId = ctx.user.id;
        a.keyId = ctx.key.id;
        a.userName = ctx.user.name;
        a.keyHint = ctx.key.keyHint;
        a.userGroup = ctx.user.group;
        a.usingGroup = ctx.group;
        a.model = model;
        a.boundSession = bound;
        a.mayUse = [ctx](const QString &m) { return ctx.mayUse(m); };
        a.useChannel(*channel);
        return a;
    };
    deps.nextChannel = [channels = m_channels](const QString &model, const QString &group, const QSet<qint64> &exclude) {
        return channels->select(model, group, exclude);
    };
    // Realtime models all use o200k_base.
    deps.countText = [](const QString &text) {
        return Relay::ChatRelayTokens::countText(text, QStringLiteral("gpt-realtime"));
    };
    auto *relay = new Relay::RealtimeRelay(std::move(deps), {}, &http);
    // Realtime dials count toward channel health like chat calls (same thread: direct calls).
    connect(relay, &Relay::RealtimeRelay::channelSucceeded, relay,
            [channels = m_channels](qint64 id) { channels->reportSuccess(id); });
    connect(relay, &Relay::RealtimeRelay::channelFailed, relay,
            [channels = m_channels](qint64 id, Relay::ChannelFailure kind, const QString &detail) {
                channels->reportFailure(id, kind, detail);
            });
    relay->install(http);
    return relay;
}

void Runtime::startKeeper()
{
    m_keeperThread = std::make_unique<QThread>();
    m_keeperThread->setObjectName(QStringLiteral("relaydesk-instance"));
    auto *keeper = new InstanceKeeper(m_db, m_instanceId, m_config.instanceLeaseMs);
    keeper->moveToThread(m_keeperThread.get());
    connect(m_keeperThread.get(), &QThread::finished, keeper, &QObject::deleteLater);
    m_keeper = keeper;
    m_keeperThread->start();
    QMetaObject::invokeMethod(keeper, &InstanceKeeper::startTimer, Qt::QueuedConnection);
}

void Runtime::stopKeeper(bool markStopped)
{
    if (!m_keeperThread)
        return;
    if (markStopped && m_keeper)
        QMetaObject::invokeMethod(m_keeper, &InstanceKeeper::markStopped, Qt::BlockingQueuedConnection);
    m_keeperThread->quit();
    m_keeperThread->wait();
    m_keeperThread.reset();
}

bool Runtime::startDemoUpstream()
{
    if (m_demo)
        return true;
    m_demo = std::make_unique<Relay::DemoUpstream>(m_config.demoOptions);
    if (m_config.realtime) {
        // The simulated Realtime server shares the demo's port: ws://127.0.0.1:<port>/v1/realtime.
        m_demo->addRoutes([](Relay::HttpServer &server) {
            auto *demo = new Relay::DemoRealtime({}, &server);
            demo->install(server); // also takes ownership of each session's transport
            (new Relay::DemoRealtimeCalls(*demo, &server))->install(server.router()); // WebRTC calls
        });
    }
    if (m_config.installDemoRoutes)
        m_demo->addRoutes(m_config.installDemoRoutes);
    if (!m_demo->start())
        return fail(QStringLiteral("Cannot start the demo upstream: %1").arg(m_demo->errorString()));
    return true;
}

namespace {

// The demo-claude channel while it is still the demo's: the anthropic type and the demo secret. A channel of
// that name the admin has made their own (another key, another type) is left alone.
std::optional<Store::Channel> demoClaudeChannel(const Store::ChannelRepository &channels)
{
    auto c = channels.byName(QString::fromLatin1(Runtime::kDemoClaudeChannelName));
    if (c && c->type == QLatin1StringView(Runtime::kDemoClaudeChannelType) && c->secret == QLatin1StringView("demo"))
        return c;
    return std::nullopt;
}

} // namespace

QStringList Runtime::demoClaudeModels()
{
    return {QStringLiteral("claude-sonnet-4-5"), QStringLiteral("claude-haiku-4-5")};
}

bool Runtime::bootstrapDemo(bool freshDatabase)
{
    const Store::ChannelRepository channels(*m_db);
    auto demoChannel = channels.byName(QString::fromLatin1(kDemoChannelName));
    const bool demoChannelIsOurs = demoChannel && demoChannel->type == QLatin1StringView(kDemoChannelType);
    const bool claudeChannelIsOurs = demoClaudeChannel(channels).has_value();
    if (!freshDatabase && !m_config.demo && !demoChannelIsOurs && !claudeChannelIsOurs)
        return true;
    if (!startDemoUpstream())
        return false;

    // The demo upstream listens on an ephemeral port: point the channel at this run's port.
    if (demoChannelIsOurs) {
        Store::Channel c = *demoChannel;
        c.baseUrl = m_demo->baseUrl();
        if (const auto updated = channels.update(c); !updated)
            return fail(QStringLiteral("Cannot update the demo channel: %1").arg(updated.error()));
    } else if (!demoChannel && (freshDatabase || m_config.demo)) { // not when only demo-claude brought us here
        Store::Channel c;
        c.name = QString::fromLatin1(kDemoChannelName);
        c.type = QString::fromLatin1(kDemoChannelType);
        c.baseUrl = m_demo->baseUrl();
        c.secret = QStringLiteral("demo");
        c.models = m_config.demoOptions.models;
        c.groups = {QStringLiteral("default")};
        if (const auto created = channels.create(c); !created)
            return fail(QStringLiteral("Cannot create the demo channel: %1").arg(created.error()));
    }
    // Only a fresh install (or --demo) gains the Claude channel: an existing install's channels stay as they are.
    if (!bootstrapDemoClaude(freshDatabase || m_config.demo))
        return false;
    m_channels->invalidate();
    if (!freshDatabase && !m_config.demo)
        return true;

    const Store::UserRepository users(*m_db);
    auto user = users.byName(QStringLiteral("demo"));
    if (!user) {
        auto created = users.create(QStringLiteral("demo"), QStringLiteral("default"), kDemoUserQuota);
        if (!created)
            return fail(QStringLiteral("Cannot create the demo user: %1").arg(created.error()));
        user = created.value();
    }
    const Store::ApiKeyRepository keys(*m_db);
    DemoCredentials credentials;
    credentials.userName = user->name;
    credentials.keyName = QStringLiteral("demo");
    if (auto key = keys.byName(credentials.keyName)) {
        credentials.keyHint = key->keyHint;
    } else {
        Store::NewApiKey spec;
        spec.userId = user->id;
        spec.name = credentials.keyName;
        spec.unlimited = true; // the user's balance is the limit
        auto created = keys.create(spec);
        if (!created)
            return fail(QStringLiteral("Cannot create the demo key: %1").arg(created.error()));
        credentials.plainKey = created->plainKey;
        credentials.keyHint = created->key.keyHint;
    }
    m_demoCredentials = credentials;
    return true;
}

bool Runtime::bootstrapDemoClaude(bool create)
{
    const Store::ChannelRepository channels(*m_db);
    if (auto ours = demoClaudeChannel(channels)) { // follows this run's port, as the demo channel does
        ours->baseUrl = m_demo->baseUrl();
        if (const auto updated = channels.update(*ours); !updated)
            return fail(QStringLiteral("Cannot update the demo Claude channel: %1").arg(updated.error()));
        return true;
    }
    if (!create || channels.byName(QString::fromLatin1(kDemoClaudeChannelName)))
        return true;
    Store::Channel c;
    c.name = QString::fromLatin1(kDemoClaudeChannelName);
    c.type = QString::fromLatin1(kDemoClaudeChannelType);
    c.baseUrl = m_demo->baseUrl();
    c.secret = QStringLiteral("demo");
    c.models = demoClaudeModels();
    c.groups = {QStringLiteral("default")};
    if (const auto created = channels.create(c); !created)
        return fail(QStringLiteral("Cannot create the demo Claude channel: %1").arg(created.error()));
    return true;
}

void Runtime::stop()
{
    m_alerts.reset(); // its thread ends; undelivered events stay in the outbox
    m_publisher.reset(); // deletes this instance's live sessions; the relay's are settled below
    if (m_server) {
        QDeadlineTimer deadline(m_config.stopTimeoutMs);
        // Settle or refund what is in flight while the sockets still exist, then stop the thread.
        if (m_chat && m_server->isRunning()) {
            QPointer<Relay::HttpRelay> chat = m_chat;
            QPointer<Relay::RealtimeRelay> realtime = m_realtime;
            auto settled = std::make_shared<QSemaphore>();
            QMetaObject::invokeMethod(
                m_chat,
                [chat, realtime, settled] {
                    if (chat)
                        chat->shutdown();
                    if (realtime)
                        realtime->shutdown();
                    settled->release();
                },
                Qt::QueuedConnection);
            if (settled->tryAcquire(1, int(std::max<qint64>(0, deadline.remainingTime()))))
                stopKeeper(true); // everything in flight is settled: nothing of ours is left to recover
            else
                qWarning("relay: calls in flight were not settled within %d ms", m_config.stopTimeoutMs);
        }
        stopKeeper(false);
        m_server->stop();
        if (m_server->wait(int(std::max<qint64>(0, deadline.remainingTime())))) {
            m_server.reset();
        } else {
            // Never delete what a running thread still uses: set it aside (the destructor gives it one more
            // bounded wait). Its open holds are recovered by the next start or by another instance once this
            // one's lease lapses.
            qWarning("relay: the relay thread did not stop within %d ms; leaving it", m_config.stopTimeoutMs);
            m_abandoned = std::move(m_server);
        }
    }
    if (m_demo) {
        m_demo->stop();
        m_demo.reset();
    }
    const bool wasRunning = m_running;
    m_running = false;
    if (wasRunning)
        Q_EMIT stopped();
}

bool Runtime::configureTls(Relay::HttpServerConfig *server)
{
    Relay::TlsMaterial::Paths paths = Relay::TlsMaterial::defaultPaths(resolveDataDir(m_config.dataDir));
    if (!m_config.tlsCertificate.isEmpty() || !m_config.tlsKey.isEmpty()) {
        if (m_config.tlsCertificate.isEmpty() || m_config.tlsKey.isEmpty())
            return fail(QStringLiteral("TLS needs both a certificate and a key file."));
        paths = {m_config.tlsCertificate, m_config.tlsKey};
    }
    QString error;
    const auto tls = (m_config.tlsCertificate.isEmpty() ? Relay::TlsMaterial::loadOrCreate(paths, &error)
                                                        : Relay::TlsMaterial::load(paths, &error));
    if (!tls)
        return fail(QStringLiteral("Cannot set up TLS: %1").arg(error));
    server->tls = *tls;
    m_tlsCertificatePath = paths.certificate;
    return true;
}

quint16 Runtime::port() const
{
    return m_server ? m_server->port() : 0;
}

QString Runtime::baseUrl() const
{
    QString host = m_config.listenAddress.toString();
    if (m_config.listenAddress == QHostAddress::Any || m_config.listenAddress == QHostAddress::AnyIPv4)
        host = QStringLiteral("127.0.0.1");
    else if (m_config.listenAddress.protocol() == QAbstractSocket::IPv6Protocol)
        host = QLatin1Char('[') + host + QLatin1Char(']');
    const QString scheme = m_config.tls ? QStringLiteral("https") : QStringLiteral("http");
    return QStringLiteral("%1://%2:%3/v1").arg(scheme, host).arg(port());
}

void Runtime::forgetDemoKey()
{
    if (m_demoCredentials)
        m_demoCredentials->plainKey.clear();
}

void Runtime::invalidateKey(qint64 keyId)
{
    if (m_auth)
        m_auth->invalidateKey(keyId);
}

void Runtime::invalidateUser(qint64 userId)
{
    if (m_auth)
        m_auth->invalidateUser(userId);
}

void Runtime::invalidateChannels()
{
    if (m_channels)
        m_channels->invalidate();
}

void Runtime::follow(const AdminService *admin)
{
    // Direct: applyChange only posts to the relay thread, from whichever thread the service emits on.
    connect(admin, &AdminService::written, this, &Runtime::applyChange, Qt::DirectConnection);
}

void Runtime::applyChange(Store::ChangeKind kind, qint64 entityId)
{
    // Reloads read the store: never on the caller's (maybe the GUI) thread.
    if (QPointer<LiveReload> live = m_liveReload)
        QMetaObject::invokeMethod(live, [live, kind, entityId] {
            if (live)
                live->apply(kind, entityId);
        }, Qt::QueuedConnection);
}

} // namespace RelayDesk::Service
