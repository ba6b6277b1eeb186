#include "relay/realtime/realtimerelay.h"

#include "relay/channelselector.h"
#include "relay/ledgerrefusal.h"
#include "relay/realtime/realtimecalls.h"
#include "relay/realtime/realtimetranscription.h"
#include "relay/upstreamurl.h"
#include "http/httprequest.h"
#include "http/httpserver.h"
#include "http/relayloops.h"
#include "store/clientsecretrepository.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "store/storelane.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUuid>
#include <QtWebSockets/QWebSocket>

namespace RelayDesk::Relay {

namespace {

// A session refused at admission leaves an error row (quota 0), as a refused chat call does, so the console
// shows why an app could not connect. Written on the lane: its outcome matters only when it fails.
void logRefusal(Store::StoreLane &lane, const RealtimeAdmission &admission, const QString &requestId,
                const OpenAiError &error, const Store::LedgerOutcome &out)
{
    Store::LogRecord log;
    log.type = Store::LogType::Error;
    log.userId = admission.userId;
    log.keyId = admission.keyId;
    log.channelId = admission.channelId;
    log.model = admission.model;
    log.upstreamModel = admission.upstreamModel;
    log.requestId = requestId;
    log.content = error.message;
    log.other = QJsonObject{{QStringLiteral("ws"), true},
                            {QStringLiteral("end_reason"), QString(QStringLiteral("refused:") + Store::ledgerFailureName(out.failure))},
                            {QStringLiteral("status_code"), error.httpStatus},
                            {QStringLiteral("request_path"), QStringLiteral("/v1/realtime")}};
    lane.write(QStringLiteral("the error log of ") + requestId,
               [log](const Store::Database &db) { return Store::LogRepository(db).insert(log); });
}

// UTF-8 bytes / 4, counted in place (the meter calls it for every text delta: no conversion, no allocation).
qint64 defaultCountText(const QString &text)
{
    qint64 bytes = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text.at(i).unicode();
        if (c < 0x80) {
            bytes += 1;
        } else if (c < 0x800) {
            bytes += 2;
        } else if (QChar::isHighSurrogate(c) && i + 1 < text.size() && QChar::isLowSurrogate(text.at(i + 1).unicode())) {
            bytes += 4;
            ++i;
        } else {
            bytes += 3; // a lone surrogate is encoded as U+FFFD
        }
    }
    return (bytes + 3) / 4;
}

} // namespace

RealtimeRelay::RealtimeRelay(RealtimeRelayDeps deps, RealtimeRelayConfig config, QObject *parent)
    : QObject(parent)
    , m_deps(std::move(deps))
    , m_config(config)
{
    if (!m_deps.countText)
        m_deps.countText = defaultCountText;
    if (!m_deps.lane) {
        m_ownLane = std::make_unique<Store::StoreLane>(m_deps.database);
        m_deps.lane = m_ownLane.get();
    }
    m_calls = std::make_unique<RealtimeCalls>(*this);
    if (const int loops = m_config.loops < 0 ? RelayLoops::configuredCount() : m_config.loops; loops > 0)
        m_loops = std::make_unique<RelayLoops>(loops);
    m_expiry.setInterval(1000);
    connect(&m_expiry, &QTimer::timeout, this, &RealtimeRelay::expirePending);
}

RealtimeRelay::~RealtimeRelay()
{
    shutdown();
    // The sessions still closing are deleted on their loops, after the settlements the lane handed them (queued
    // there before this); the rest have no parent once they were meant for a loop.
    for (const auto &[session, index] : m_loopOf)
        m_loops->runBlocking(index, [session = session] { delete session; });
    for (RealtimeSession *session : std::as_const(m_sessions))
        if (!m_loopOf.count(session) && session->parent() != this)
            delete session;
    m_loopOf.clear();
    m_loops.reset();
}

void RealtimeRelay::install(HttpServer &server)
{
    m_transportRoot = &server;
    install(server.router());
}

void RealtimeRelay::install(Router &router)
{
    Router::WebSocketRoute route;
    route.path = kPath;
    route.asyncCheck = [this](const HttpRequest &request, Router::UpgradeDecision decide) {
        check(request, std::move(decide));
    };
    route.handler = [this](QWebSocket *socket, const HttpRequest &request) { accept(socket, request); };
    route.subprotocols = {QStringLiteral("realtime")};
    router.addWebSocketRoute(std::move(route));
    m_calls->install(router);
}

int RealtimeRelay::callCount() const
{
    return m_calls->callCount();
}

QByteArray RealtimeRelay::apiKeyFrom(const HttpRequest &request, bool *viaSubprotocol)
{
    if (viaSubprotocol)
        *viaSubprotocol = false;
    const QByteArray bearer = request.bearerToken();
    if (!bearer.isEmpty())
        return bearer;
    for (const QByteArray &protocol : request.webSocketSubprotocols()) {
        if (protocol.startsWith(kKeySubprotocolPrefix)) {
            if (viaSubprotocol)
                *viaSubprotocol = true;
            return protocol.mid(qsizetype(qstrlen(kKeySubprotocolPrefix)));
        }
    }
    return {};
}

QString RealtimeRelay::peerKey(const HttpRequest &request)
{
    return request.peerAddress.toString() + QLatin1Char('|') + QString::number(request.peerPort);
}

void RealtimeRelay::check(const HttpRequest &request, std::function<bool(std::optional<OpenAiError>)> decide)
{
    if (m_shutdown)
        return void(decide(OpenAiError::serviceUnavailable(QStringLiteral("the relay is shutting down"))));
    if (int(m_sessions.size() + m_pending.size()) + m_admitting + callCount() >= m_config.maxSessions)
        return void(decide(OpenAiError::serviceUnavailable(QStringLiteral("too many Realtime sessions"))));
    bool viaSubprotocol = false;
    const QByteArray key = apiKeyFrom(request, &viaSubprotocol);
    if (key.isEmpty())
        return void(decide(OpenAiError::invalidApiKey(QStringLiteral(
            "You didn't provide an API key. Use 'Authorization: Bearer <key>' or the "
            "'openai-insecure-api-key.<key>' WebSocket subprotocol."))));
    const bool secret = Store::ClientSecretRepository::looksLikeSecret(QString::fromUtf8(key));
    // A transcription session names its model in a session.update, after the upgrade: until then it is priced by
    // the default one (a client secret carries its own).
    const bool transcriptionIntent =
        request.queryItem(QStringLiteral("intent")) == QLatin1StringView(RealtimeTranscription::kIntent);
    QString model = request.queryItem(QStringLiteral("model"));
    if (model.isEmpty() && transcriptionIntent && !secret)
        model = QString::fromLatin1(RealtimeTranscription::kDefaultModel);
    // Only a client secret may leave the model out (it was minted for one).
    if (model.isEmpty() && !secret)
        return void(decide(OpenAiError::invalidRequest(QStringLiteral("the 'model' query parameter is required"),
                                                       "missing_required_parameter", "model")));
    // The 101 waits for the hold (the connection reads nothing meanwhile); the relay goes on serving.
    admitSession(key, model, transcriptionIntent, request,
                 [self = QPointer<RealtimeRelay>(this), peer = peerKey(request).toStdString(), viaSubprotocol,
                  decide = std::move(decide)](std::variant<RealtimeAdmitted, OpenAiError> admitted) {
                     if (auto *error = std::get_if<OpenAiError>(&admitted))
                         return void(decide(*error));
                     RealtimeAdmitted &session = std::get<RealtimeAdmitted>(admitted);
                     if (!self) // cannot happen while the lane delivers (the relay drains it before it goes)
                         return RealtimeAccount::cancelAndDelete(std::move(session.account));
                     if (auto old = self->m_pending.find(peer); old != self->m_pending.end()) {
                         // A stale admission from the same port (handshake never completed).
                         RealtimeAccount::cancelAndDelete(std::move(old->second.account));
                         self->m_pending.erase(old);
                     }
                     // Pending before the decision: the upgrade may reach accept() from within it.
                     self->m_pending.emplace(peer, Pending{std::move(session.admission), std::move(session.account),
                                                           viaSubprotocol, QDateTime::currentMSecsSinceEpoch()});
                     if (!decide(std::nullopt)) { // the client left while the hold was taken: give it back
                         if (auto it = self->m_pending.find(peer); it != self->m_pending.end()) {
                             RealtimeAccount::cancelAndDelete(std::move(it->second.account));
                             self->m_pending.erase(it);
                         }
                         return;
                     }
                     if (!self->m_expiry.isActive())
                         self->m_expiry.start();
                 });
}

void RealtimeRelay::admitSession(const QByteArray &key, QString model, bool transcription, const HttpRequest &request,
                                 RealtimeAdmitDone done)
{
    if (m_shutdown)
        return done(OpenAiError::serviceUnavailable(QStringLiteral("the relay is shutting down")));
    if (int(m_sessions.size() + m_pending.size()) + m_admitting + callCount() >= m_config.maxSessions)
        return done(OpenAiError::serviceUnavailable(QStringLiteral("too many Realtime sessions")));
    if (!m_deps.admit)
        return done(OpenAiError::internal(QStringLiteral("Realtime admission is not configured")));
    if (model.isEmpty() && transcription && !Store::ClientSecretRepository::looksLikeSecret(QString::fromUtf8(key)))
        model = QString::fromLatin1(RealtimeTranscription::kDefaultModel);
    auto admitted = m_deps.admit(key, model, request);
    if (auto *error = std::get_if<OpenAiError>(&admitted))
        return done(*error);
    RealtimeAdmission admission = std::get<RealtimeAdmission>(std::move(admitted));
    admission.transcription = admission.transcription || transcription
        || RealtimeTranscription::isTranscriptionSession(admission.boundSession);
    if (admission.model.isEmpty())
        return done(OpenAiError::invalidRequest(QStringLiteral("the 'model' query parameter is required"),
                                                "missing_required_parameter", "model"));

    const Billing::PriceBookPtr book = m_deps.priceBook ? m_deps.priceBook() : Billing::PriceBook::empty();
    const auto pricing = book->pricing(admission.model, admission.userGroup, admission.usingGroup);
    if (!pricing)
        return done(OpenAiError::permissionDenied(
            QStringLiteral("model '%1' has no price configured").arg(admission.model), "model_price_not_configured"));

    RealtimeAccountParams params;
    params.userId = admission.userId;
    params.keyId = admission.keyId;
    params.channelId = admission.channelId;
    const QString requestId = QStringLiteral("rt-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    params.requestId = requestId;
    params.model = admission.model;
    params.upstreamModel = admission.upstreamModel.isEmpty() ? admission.model : admission.upstreamModel;
    params.userGroup = admission.userGroup;
    params.usingGroup = admission.usingGroup;
    params.pricing = *pricing;
    params.book = book;
    params.defaultMaxOutputTokens = m_config.defaultMaxOutputTokens;
    params.mayUse = admission.mayUse;
    auto session = std::make_shared<RealtimeAdmitted>();
    session->account = std::make_unique<RealtimeAccount>(m_deps.database, *m_deps.lane, std::move(params));
    // Admitted (key, price) above: the first hold is then one window of audio at the transcription model's price.
    if (admission.transcription
        && session->account->useTranscriptionModel(admission.model) != RealtimeAccount::Refusal::None)
        return done(OpenAiError::modelNotAllowed(admission.model));
    session->admission = std::move(admission);
    ++m_admitting;
    // The session (and its caller's answer) waits for the hold to be durable; the account lives in this closure
    // meanwhile, which the lane keeps until it delivers.
    RealtimeAccount &account = *session->account;
    account.open([self = QPointer<RealtimeRelay>(this), session, requestId, done = std::move(done)](
                     const Store::LedgerOutcome &reserved) {
        if (self)
            --self->m_admitting;
        if (!reserved) {
            const OpenAiError error = ledgerRefusal(reserved, session->account->worstCaseNext(),
                                                    session->admission.keyHint);
            if (!self)
                return done(error);
            // The refusal is answered once its error row is durable: what the client is told is in the log.
            logRefusal(*self->m_deps.lane, session->admission, requestId, error, reserved);
            self->m_deps.lane->afterCommit([done, error](bool) { done(error); });
            return;
        }
        if (!self || self->m_shutdown) { // the relay stopped meanwhile: the hold goes back, nothing reached upstream
            RealtimeAccount::cancelAndDelete(std::move(session->account));
            return done(OpenAiError::serviceUnavailable(QStringLiteral("the relay is shutting down")));
        }
        done(RealtimeAdmitted{std::move(session->admission), std::move(session->account)});
    });
}

quint64 RealtimeRelay::registerSession(const RealtimeAdmission &a, qint64 held, Monitor::MediaPath mediaPath)
{
    if (!m_deps.registry)
        return 0;
    Monitor::SessionInfo info;
    info.kind = a.transcription ? Monitor::SessionKind::Transcription : Monitor::SessionKind::Realtime;
    info.state = Monitor::SessionState::Connecting;
    info.user = a.userName;
    info.keyHint = a.keyHint;
    info.model = a.model;
    info.upstreamModel = a.upstreamModel;
    info.channel = a.channelName;
    info.mediaPath = mediaPath;
    info.reservedQuota = held;
    return m_deps.registry->open(info);
}

QString RealtimeRelay::boundSessionUpdate(QJsonObject session)
{
    // What the URL and the relay decide, or what only describes the minted object, is not the client's to set.
    for (const char *key : {"model", "id", "object", "expires_at", "client_secret"})
        session.remove(QLatin1StringView(key));
    if (session.isEmpty() || (session.size() == 1 && session.contains(QLatin1StringView("type"))))
        return {};
    return QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("session.update")},
                                                       {QStringLiteral("session"), session}})
                                 .toJson(QJsonDocument::Compact));
}

void RealtimeAdmission::useChannel(const Store::Channel &channel)
{
    channelId = channel.id;
    channelName = channel.name;
    channelBaseUrl = channel.baseUrl;
    channelKey = channel.secret.toUtf8();
    upstreamModel = ChannelSelector::upstreamModel(channel, model);
}

RealtimeUpstreamTarget RealtimeRelay::upstreamTarget(const RealtimeAdmission &a, const HttpRequest &request,
                                                     bool keyViaSubprotocol)
{
    RealtimeUpstreamTarget target;
    // A transcription session is opened upstream as the client opened it (?intent=transcription, no model): its
    // model is a session setting.
    target.url = upstreamRealtimeUrl(a.channelBaseUrl, request.query,
                                     a.transcription ? QString() : a.upstreamModel.isEmpty() ? a.model : a.upstreamModel);
    target.channelKey = a.channelKey;
    target.keyAsSubprotocol = keyViaSubprotocol;
    target.openAiBeta = request.header("OpenAI-Beta");
    for (const QByteArray &protocol : request.webSocketSubprotocols())
        if (protocol.startsWith("openai-beta."))
            target.extraSubprotocols << QString::fromUtf8(protocol);
    target.initialEvent = boundSessionUpdate(a.boundSession);
    target.channelId = a.channelId;
    target.channelName = a.channelName;
    target.model = a.model;
    target.upstreamModel = a.upstreamModel.isEmpty() ? a.model : a.upstreamModel;
    target.reportDial = [self = QPointer<RealtimeRelay>(this), channelId = a.channelId](
                            std::optional<ChannelFailure> failure, const QString &detail) {
        if (!self)
            return;
        if (failure)
            Q_EMIT self->channelFailed(channelId, *failure, detail);
        else
            Q_EMIT self->channelSucceeded(channelId);
    };
    return target;
}

void RealtimeRelay::accept(QWebSocket *socket, const HttpRequest &request)
{
    const auto it = m_pending.find(peerKey(request).toStdString());
    if (it == m_pending.end()) {
        socket->sendTextMessage(QString::fromUtf8(
            OpenAiError::internal(QStringLiteral("the session was not admitted")).toRealtimeEvent()));
        socket->close(QWebSocketProtocol::CloseCodeBadOperation, QStringLiteral("not admitted"));
        socket->deleteLater();
        return;
    }
    Pending pending = std::move(it->second);
    m_pending.erase(it);
    const RealtimeAdmission &a = pending.admission;

    RealtimeUpstreamTarget target = upstreamTarget(a, request, pending.keyViaSubprotocol);
    if (m_deps.nextChannel) {
        // One more dial on another channel when this one fails to connect or refuses its key.
        target.nextChannel = [self = QPointer<RealtimeRelay>(this), a, request, viaSubprotocol = pending.keyViaSubprotocol]()
            -> std::optional<RealtimeUpstreamTarget> {
            if (!self)
                return std::nullopt;
            const auto channel = self->m_deps.nextChannel(a.model, a.usingGroup, {a.channelId});
            if (!channel)
                return std::nullopt;
            RealtimeAdmission next = a;
            next.useChannel(*channel);
            return self->upstreamTarget(next, request, viaSubprotocol);
        };
    }

    quint64 registryId = ++m_sequence;
    if (m_deps.registry)
        registryId = registerSession(a, pending.account->held());
    QAbstractSocket *transport = m_transportRoot ? RealtimeSession::findTransport(m_transportRoot, socket) : nullptr;
    // A session moves to a loop with its client's TCP socket, so only when that socket is known.
    const bool onLoop = m_loops && transport;
    auto *session = new RealtimeSession(socket, std::move(target), std::move(pending.account), m_deps.registry,
                                        registryId, m_deps.countText, m_config.session, onLoop ? nullptr : this);
    if (transport)
        session->setClientTransport(transport);
    m_sessions.insert(session);
    connect(session, &RealtimeSession::finished, this, &RealtimeRelay::onSessionFinished);
    if (onLoop) {
        // It listens now (frames wait for the upstream) and moves once the upgrade's call chain — QWebSocketServer,
        // the TCP socket's readyRead — has unwound: objects must not change threads under their own callers.
        session->attachClient();
        QMetaObject::invokeMethod(this, [this, session] { startOnLoop(session); }, Qt::QueuedConnection);
    } else {
        session->start();
    }
    Q_EMIT sessionStarted(registryId);
}

void RealtimeRelay::startOnLoop(RealtimeSession *session)
{
    if (!m_sessions.contains(session))
        return; // finished already (its deletion is queued)
    if (session->isEnding() || m_shutdown)
        return session->start(); // settled or settling here; start() does nothing more
    const int index = m_loops->acquire();
    m_loopOf.emplace(session, index);
    session->setLedgerHome(m_loops->anchor(index));
    session->moveToThread(m_loops->thread(index));
    QMetaObject::invokeMethod(session, &RealtimeSession::start, Qt::QueuedConnection);
}

void RealtimeRelay::onSessionFinished(RealtimeSession *session)
{
    if (!m_sessions.remove(session))
        return;
    if (const auto it = m_loopOf.find(session); it != m_loopOf.end()) {
        m_loops->release(it->second);
        m_loopOf.erase(it);
    }
    Q_EMIT sessionFinished(session->registryId(), session->endReason(), session->account().chargedTotal());
    session->deleteLater();
}

void RealtimeRelay::expirePending()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (now - it->second.admittedAtMs >= m_config.upgradeTimeout.count()) {
            RealtimeAccount::cancelAndDelete(std::move(it->second.account));
            it = m_pending.erase(it);
        } else {
            ++it;
        }
    }
    if (m_pending.empty())
        m_expiry.stop();
}

void RealtimeRelay::shutdown()
{
    const bool first = !m_shutdown;
    m_shutdown = true;
    m_calls->shutdown();
    for (auto &[peer, pending] : m_pending)
        RealtimeAccount::cancelAndDelete(std::move(pending.account));
    m_pending.clear();
    m_expiry.stop();
    const QSet<RealtimeSession *> sessions = m_sessions;
    for (RealtimeSession *session : sessions)
        if (!m_loopOf.count(session))
            session->shutdown();
    // Those on loops are ended there, a loop at a time; their settlements are on the lane before it drains below.
    std::vector<std::vector<RealtimeSession *>> perLoop(m_loops ? size_t(m_loops->count()) : 0);
    for (const auto &[session, index] : m_loopOf)
        perLoop[size_t(index)].push_back(session);
    for (size_t index = 0; index < perLoop.size(); ++index)
        if (!perLoop[index].empty())
            m_loops->runBlocking(int(index), [&sessions = perLoop[index]] {
                for (RealtimeSession *session : sessions)
                    session->shutdown();
            });
    // Admissions in flight, refunds and settlements: durable before the relay thread goes on to stop. A session's
    // writes run one at a time (a charge, its restored hold, the settlement); on a loop the next is submitted there
    // when the previous one's outcome lands, so each round lets every loop take its outcomes and queue the next.
    if (!first && !m_ownLane)
        return;
    constexpr int MaxChainedWrites = 4;
    for (int round = 0; round < MaxChainedWrites; ++round) {
        m_deps.lane->drain();
        if (!m_loops || m_loopOf.empty())
            break;
        for (int index = 0; index < m_loops->count(); ++index)
            m_loops->runBlocking(index, [] {}); // queued behind the outcomes posted there
    }
    m_deps.lane->drain();
}

} // namespace RelayDesk::Relay
