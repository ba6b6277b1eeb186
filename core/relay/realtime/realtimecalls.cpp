#include "relay/realtime/realtimecalls.h"

#include "http/httpexchange.h"
#include "http/multipartform.h"
#include "http/router.h"
#include "relay/realtime/realtimecallreaper.h"
#include "relay/realtime/realtimerelay.h"
#include "relay/realtime/realtimetranscription.h"
#include "relay/secretscrubber.h"
#include "relay/upstreamurl.h"
#include "store/channelrepository.h"
#include "store/clientsecretrepository.h"
#include "store/database.h"
#include "store/realtimecallrepository.h"
#include "store/storelane.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QTimer>
#include <QRegularExpression>
#include <QUuid>

namespace RelayDesk::Relay {

namespace {

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// multipart/form-data with plain fields, in order (the upstream's offer: sdp, session).
UpstreamBody formBody(const QList<std::pair<QByteArray, QByteArray>> &fields)
{
    const QByteArray boundary = "relaydesk-" + QUuid::createUuid().toString(QUuid::Id128).toLatin1();
    QByteArray out;
    for (const auto &[name, value] : fields) {
        out += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n";
        out += value;
        out += "\r\n";
    }
    out += "--" + boundary + "--\r\n";
    return UpstreamBody("multipart/form-data; boundary=" + boundary, {out});
}

// The call id of a Location header (/v1/realtime/calls/{id}, relative or absolute); empty when it is not one.
QString callIdFrom(const QByteArray &location)
{
    static const QRegularExpression shape(QStringLiteral(R"(/realtime/calls/([A-Za-z0-9_\-]{1,128})/?$)"));
    return shape.match(QUrl(QString::fromUtf8(location)).path()).captured(1);
}

bool validCallId(const QString &id)
{
    static const QRegularExpression shape(QStringLiteral(R"(^[A-Za-z0-9_\-]{1,128}$)"));
    return shape.match(id).hasMatch();
}

RealtimeCallTarget targetOf(const RealtimeAdmission &a, const QString &callId)
{
    return {callId, a.channelId, a.channelName, a.channelBaseUrl, a.channelKey};
}

bool isSuccess(int status)
{
    return status >= 200 && status < 300;
}

} // namespace

RealtimeCalls::RealtimeCalls(RealtimeRelay &relay, QObject *parent)
    : QObject(parent)
    , m_relay(relay)
{
    m_reaper = std::make_unique<RealtimeCallReaper>(m_relay.deps().database, m_http,
                                                    [this](const QString &id) { return isMetered(id); });
}

RealtimeCalls::~RealtimeCalls()
{
    shutdown();
    // Before m_http goes: a sideband still here (metering, or finished and not yet deleted) uses it.
    m_sidebands.clear();
    qDeleteAll(findChildren<RealtimeSideband *>(QString(), Qt::FindDirectChildrenOnly));
}

void RealtimeCalls::install(Router &router)
{
    // Public: a browser's `ek_` client secret is not an API key; both are checked here, as at the WebSocket upgrade.
    router.addRoute("POST", kPath, [this](HttpExchange &e) { create(e); }, Router::Access::Public);
    router.addPrefixRoute("POST", QByteArray(kPath) + '/', [this](HttpExchange &e) { control(e); },
                          Router::Access::Public);
    m_reaper->start();
}

bool RealtimeCalls::isMetered(const QString &callId) const
{
    for (const RealtimeSideband *sideband : m_sidebands)
        if (sideband->callId() == callId)
            return true;
    return false;
}

void RealtimeCalls::shutdown()
{
    m_shutdown = true;
    if (m_sidebands.isEmpty())
        return;
    const QSet<RealtimeSideband *> sidebands = m_sidebands;
    for (RealtimeSideband *sideband : sidebands)
        sideband->shutdown();
    // The hangups must leave before the relay thread stops, or the calls run on until the next start's reaper.
    QEventLoop loop;
    QTimer::singleShot(kShutdownWait, &loop, &QEventLoop::quit);
    connect(this, &RealtimeCalls::callFinished, &loop, [this, &loop] {
        if (m_sidebands.isEmpty())
            loop.quit();
    });
    if (!m_sidebands.isEmpty())
        loop.exec();
}

std::optional<RealtimeCalls::Offer> RealtimeCalls::readOffer(HttpExchange &exchange)
{
    const HttpRequest &request = exchange.request();
    if (request.body.size() > kMaxOfferBytes) {
        exchange.respondError(OpenAiError::payloadTooLarge(kMaxOfferBytes));
        return std::nullopt;
    }
    const QByteArray type = request.header("Content-Type").trimmed().toLower();
    Offer offer;
    if (type.startsWith("application/sdp")) {
        offer.sdp = request.body;
    } else if (type.startsWith("multipart/form-data")) {
        MultipartLimits limits;
        limits.maxParts = 8;
        limits.maxFieldBytes = std::max(kMaxSdpBytes, kMaxSessionBytes);
        auto parsed = MultipartForm::parse(request.header("Content-Type"), request.body, limits);
        if (auto *error = std::get_if<OpenAiError>(&parsed)) {
            exchange.respondError(*error);
            return std::nullopt;
        }
        const MultipartForm &form = std::get<MultipartForm>(parsed);
        const MultipartPart *sdp = form.part("sdp");
        if (!sdp) {
            exchange.respondError(OpenAiError::invalidRequest(QStringLiteral("Missing required parameter: 'sdp'."),
                                                              "missing_required_parameter", "sdp"));
            return std::nullopt;
        }
        offer.sdp = form.data(*sdp).toByteArray();
        if (const MultipartPart *session = form.part("session")) {
            const QByteArrayView data = form.data(*session);
            if (data.size() > kMaxSessionBytes) {
                exchange.respondError(OpenAiError::invalidValue(
                    "session", QStringLiteral("Invalid 'session': larger than %1 KiB.").arg(kMaxSessionBytes / 1024)));
                return std::nullopt;
            }
            QJsonParseError error{};
            const QJsonDocument doc = QJsonDocument::fromJson(data.toByteArray(), &error);
            if (error.error != QJsonParseError::NoError || !doc.isObject()) {
                exchange.respondError(OpenAiError::invalidValue(
                    "session", QStringLiteral("Invalid 'session': expected a JSON object.")));
                return std::nullopt;
            }
            offer.session = doc.object();
        }
    } else {
        exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("Unsupported Content-Type: send the SDP offer as application/sdp, or multipart/form-data "
                           "with the parts 'sdp' and 'session'.")));
        return std::nullopt;
    }
    if (offer.sdp.size() > kMaxSdpBytes) {
        exchange.respondError(OpenAiError::invalidValue(
            "sdp", QStringLiteral("Invalid 'sdp': larger than %1 KiB.").arg(kMaxSdpBytes / 1024)));
        return std::nullopt;
    }
    if (offer.sdp.trimmed().isEmpty() || !offer.sdp.trimmed().startsWith("v=")) {
        exchange.respondError(OpenAiError::invalidValue("sdp", QStringLiteral("Invalid 'sdp': expected an SDP offer.")));
        return std::nullopt;
    }
    return offer;
}

QJsonObject RealtimeCalls::upstreamSession(const RealtimeAdmission &a, const QJsonObject &client)
{
    QJsonObject session = a.boundSession;
    for (auto it = client.begin(); it != client.end(); ++it)
        session.insert(it.key(), it.value());
    // What only describes the minted object is not the upstream's to read.
    for (const char *key : {"id", "object", "expires_at", "client_secret"})
        session.remove(QLatin1StringView(key));
    if (!session.contains(u"type"))
        session.insert(QStringLiteral("type"), a.transcription ? QStringLiteral("transcription") : QStringLiteral("realtime"));
    if (!a.transcription)
        session.insert(QStringLiteral("model"), a.upstreamModel.isEmpty() ? a.model : a.upstreamModel);
    return session;
}

void RealtimeCalls::create(HttpExchange &exchange)
{
    if (m_shutdown)
        return exchange.respondError(OpenAiError::serviceUnavailable(QStringLiteral("the relay is shutting down")));
    const HttpRequest &request = exchange.request();
    const QByteArray key = request.bearerToken();
    if (key.isEmpty())
        return exchange.respondError(OpenAiError::invalidApiKey(
            QStringLiteral("You didn't provide an API key. Use 'Authorization: Bearer <key or client secret>'.")));
    const std::optional<Offer> offer = readOffer(exchange);
    if (!offer)
        return;
    const QJsonValue named = offer->session.value(u"model");
    if (!named.isUndefined() && !named.isString())
        return exchange.respondError(OpenAiError::invalidValue("session.model", QStringLiteral("Invalid 'session.model': expected a string.")));
    QString model = named.toString();
    const bool secret = Store::ClientSecretRepository::looksLikeSecret(QString::fromUtf8(key));
    const bool transcription = RealtimeTranscription::isTranscriptionSession(offer->session);
    if (transcription)
        model = RealtimeTranscription::pricedModel(offer->session);
    // Only a client secret may leave the model out (it was minted for one).
    if (model.isEmpty() && !secret)
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("Missing required parameter: 'session.model'."), "missing_required_parameter", "session.model"));

    // The offer goes upstream only once the hold is durable; the exchange waits for it.
    admitThen(key, model, transcription, request, exchange,
              [this, offer = *offer](HttpExchange &client, std::shared_ptr<RealtimeAdmitted> call) {
                  this->offer(client, std::move(call), offer);
              });
}

void RealtimeCalls::admitThen(const QByteArray &key, const QString &model, bool transcription,
                              const HttpRequest &request, HttpExchange &exchange, Admitted proceed)
{
    QPointer<HttpExchange> client(&exchange);
    m_relay.admitSession(key, model, transcription, request,
                         [self = QPointer<RealtimeCalls>(this), client, proceed = std::move(proceed)](
                             std::variant<RealtimeAdmitted, OpenAiError> admitted) {
                             if (auto *error = std::get_if<OpenAiError>(&admitted)) {
                                 if (client)
                                     client->respondError(*error);
                                 return;
                             }
                             auto call = std::make_shared<RealtimeAdmitted>(std::get<RealtimeAdmitted>(std::move(admitted)));
                             // The client left while the hold was taken (or the relay stops): nothing reached the
                             // upstream, the hold goes back.
                             if (!self || self->m_shutdown || !client || client->isClientGone()) {
                                 RealtimeAccount::cancelAndDelete(std::move(call->account));
                                 if (client && self)
                                     client->respondError(
                                         OpenAiError::serviceUnavailable(QStringLiteral("the relay is shutting down")));
                                 return;
                             }
                             proceed(*client, std::move(call));
                         });
}

void RealtimeCalls::offer(HttpExchange &exchange, std::shared_ptr<RealtimeAdmitted> call, const Offer &offer)
{
    const QJsonObject session = upstreamSession(call->admission, offer.session);
    QPointer<HttpExchange> client(&exchange);
    post(call->admission, QStringLiteral("realtime/calls"), formBody({{"sdp", offer.sdp}, {"session", compact(session)}}),
         [this, client, call](UpstreamReply &reply) {
             const QString callId = callIdFrom(reply.location());
             if (!isSuccess(reply.status()) || callId.isEmpty() || !client || client->isClientGone()) {
                 RealtimeAccount::cancelAndDelete(std::move(call->account));
                 if (isSuccess(reply.status()) && !callId.isEmpty()) // the client left: nobody will talk on it
                     RealtimeSideband::hangUp(m_http, targetOf(call->admission, callId), this, [](bool) {});
                 if (!client)
                     return;
                 if (isSuccess(reply.status()) && callId.isEmpty())
                     return client->respondError(OpenAiError::badGateway(
                         QStringLiteral("the upstream created the call without a call id (Location header)")));
                 return answer(*client, reply, call->admission, false);
             }
             answer(*client, reply, call->admission, true);
             meter(call, callId);
         });
}

void RealtimeCalls::control(HttpExchange &exchange)
{
    const HttpRequest &request = exchange.request();
    const QList<QByteArray> parts = request.path.mid(qsizetype(qstrlen(kPath)) + 1).split('/');
    static const QSet<QByteArray> actions{"accept", "reject", "refer", "hangup"};
    const QString callId = parts.size() == 2 ? QString::fromUtf8(parts[0]) : QString();
    if (!validCallId(callId) || !actions.contains(parts.value(1)))
        return exchange.respondError(OpenAiError::unknownUrl(request.method, request.path));
    const QByteArray action = parts[1];
    const QByteArray key = request.bearerToken();
    if (key.isEmpty())
        return exchange.respondError(OpenAiError::invalidApiKey(
            QStringLiteral("You didn't provide an API key. Use 'Authorization: Bearer <key>'.")));
    if (Store::ClientSecretRepository::looksLikeSecret(QString::fromUtf8(key)))
        return exchange.respondError(OpenAiError::invalidApiKey(
            QStringLiteral("Call control takes an API key (sk-…), not a Realtime client secret.")));
    QJsonObject body;
    if (!request.body.trimmed().isEmpty()) {
        if (request.body.size() > kMaxSessionBytes)
            return exchange.respondError(OpenAiError::payloadTooLarge(kMaxSessionBytes));
        const QJsonDocument doc = QJsonDocument::fromJson(request.body);
        if (!doc.isObject())
            return exchange.respondError(OpenAiError::invalidRequest(QStringLiteral("The body must be a JSON object.")));
        body = doc.object();
    }
    const auto stored = Store::RealtimeCallRepository(*m_relay.deps().database).byCallId(callId);
    if (action == "accept" && !stored)
        return accept(exchange, key, callId, body);

    // Authenticated and routed as a session of the call's model would be; nothing is reserved.
    QString model = stored ? stored->model : body.value(u"model").toString();
    if (model.isEmpty())
        model = QString::fromLatin1(kDefaultModel);
    auto admitted = m_relay.deps().admit(key, model, request);
    if (auto *error = std::get_if<OpenAiError>(&admitted))
        return exchange.respondError(*error);
    RealtimeAdmission a = std::get<RealtimeAdmission>(std::move(admitted));
    if (stored) {
        const auto channel = Store::ChannelRepository(*m_relay.deps().database).byId(stored->channelId);
        if (stored->userId != a.userId || !channel)
            return exchange.respondError(OpenAiError::notFound(QStringLiteral("Call '%1' not found.").arg(callId)));
        a.useChannel(*channel);
    }
    QPointer<HttpExchange> client(&exchange);
    post(a, QStringLiteral("realtime/calls/%1/%2").arg(callId, QString::fromLatin1(action)),
         request.body.trimmed().isEmpty() ? UpstreamBody(QByteArray()) : UpstreamBody(compact(body)),
         [client, a](UpstreamReply &reply) {
             if (client)
                 answer(*client, reply, a, false);
         });
}

void RealtimeCalls::accept(HttpExchange &exchange, const QByteArray &key, const QString &callId, QJsonObject body)
{
    if (m_shutdown)
        return exchange.respondError(OpenAiError::serviceUnavailable(QStringLiteral("the relay is shutting down")));
    const bool transcription = RealtimeTranscription::isTranscriptionSession(body);
    QString model = transcription ? RealtimeTranscription::pricedModel(body) : body.value(u"model").toString();
    if (model.isEmpty())
        model = QString::fromLatin1(kDefaultModel);
    // The accept goes upstream only once the hold is durable; the exchange waits for it.
    admitThen(key, model, transcription, exchange.request(), exchange,
              [this, callId, body](HttpExchange &client, std::shared_ptr<RealtimeAdmitted> call) {
                  acceptAdmitted(std::move(call), callId, body, &client);
              });
}

void RealtimeCalls::acceptAdmitted(std::shared_ptr<RealtimeAdmitted> call, const QString &callId,
                                   const QJsonObject &body, QPointer<HttpExchange> client)
{
    post(call->admission, QStringLiteral("realtime/calls/%1/accept").arg(callId),
         UpstreamBody(compact(upstreamSession(call->admission, body))),
         [this, client, call, callId](UpstreamReply &reply) {
             if (!isSuccess(reply.status())) {
                 RealtimeAccount::cancelAndDelete(std::move(call->account));
                 if (client)
                     answer(*client, reply, call->admission, false);
                 return;
             }
             // Accepted: the call runs whether or not this client is still there to read the answer.
             if (client)
                 answer(*client, reply, call->admission, false);
             meter(call, callId);
         });
}

void RealtimeCalls::post(const RealtimeAdmission &a, const QString &pathAfterV1, UpstreamBody body,
                         std::function<void(UpstreamReply &reply)> done)
{
    UpstreamReply *reply = m_http.send("POST", upstreamApiUrl(a.channelBaseUrl, pathAfterV1), std::move(body),
                                       a.channelKey, false);
    reply->setParent(this);
    connect(reply, &UpstreamReply::finished, this, [reply, done = std::move(done)] {
        done(*reply);
        reply->deleteLater();
    });
}

void RealtimeCalls::answer(HttpExchange &exchange, UpstreamReply &reply, const RealtimeAdmission &a, bool withLocation)
{
    const int status = reply.status();
    if (status == 0)
        return exchange.respondError(OpenAiError::badGateway(
            QStringLiteral("cannot reach the upstream Realtime server: %1")
                .arg(SecretScrubber::scrub(reply.errorString(), QString::fromUtf8(a.channelKey)))));
    if (status == 401 || status == 403)
        return exchange.respondError(OpenAiError::upstreamAuthFailed(a.channelName, status));
    HttpResponse response;
    response.status = status;
    response.body = SecretScrubber::scrub(reply.readAll(), a.channelKey);
    // An upstream error not in OpenAI's shape (a proxy's HTML page, an empty body) is the relay's to word.
    if (status >= 400 && !QJsonDocument::fromJson(response.body).object().value(u"error").isObject())
        return exchange.respondError(OpenAiError::badGateway(
            QStringLiteral("the upstream Realtime server refused the call: HTTP %1").arg(status)));
    if (!reply.contentType().isEmpty())
        response.headers.set("Content-Type", reply.contentType());
    if (withLocation)
        response.headers.set("Location", reply.location());
    exchange.respond(std::move(response));
}

void RealtimeCalls::meter(std::shared_ptr<RealtimeAdmitted> call, const QString &callId)
{
    const RealtimeAdmission &a = call->admission;
    const RealtimeCallTarget target = targetOf(a, callId);
    Store::RealtimeCall row;
    row.callId = callId;
    row.channelId = a.channelId;
    row.reservationId = call->account->reservationId();
    row.userId = a.userId;
    row.keyId = a.keyId;
    row.model = a.model;
    // Stored (on the lane) before the sideband opens, with the reservation: a relay killed from here on leaves the
    // call for the next one to hang up. Not stored: nothing could ever end it but us, now.
    m_relay.lane().submit<QString>(
        [db = m_relay.deps().database, row]() -> QString {
            Store::Transaction tx(*db); // a savepoint of the lane's batch: a failed insert is rolled back alone
            if (const auto added = Store::RealtimeCallRepository(*db).add(row); !added)
                return added.error();
            return tx.commit() ? QString() : tx.error();
        },
        [self = QPointer<RealtimeCalls>(this), call, target, callId](const QString &error, bool committed) {
            if (!self) // cannot happen while the lane delivers (the relay drains it before it goes)
                return RealtimeAccount::cancelAndDelete(std::move(call->account));
            self->startSideband(call, target, committed ? error : QStringLiteral("its batch was lost"));
        },
        [](const QString &error) { return !error.isEmpty(); });
}

void RealtimeCalls::startSideband(std::shared_ptr<RealtimeAdmitted> call, const RealtimeCallTarget &target,
                                  const QString &storeError)
{
    const QString &callId = target.callId;
    if (!storeError.isEmpty() || m_shutdown) {
        if (!storeError.isEmpty())
            qWarning("realtime: call %s could not be stored (%s); hanging it up", qPrintable(callId), qPrintable(storeError));
        RealtimeAccount::cancelAndDelete(std::move(call->account));
        RealtimeSideband::hangUp(m_http, target, this, [](bool) {});
        return;
    }
    const RealtimeAdmission &a = call->admission;
    call->account->setCallId(callId);
    const quint64 registryId = m_relay.registerSession(a, call->account->held(), Monitor::MediaPath::DirectWebRtc);
    auto *sideband = new RealtimeSideband(target, std::move(call->account), m_relay.lane(), m_http,
                                          m_relay.deps().registry, registryId, m_relay.deps().countText, this);
    m_sidebands.insert(sideband);
    connect(sideband, &RealtimeSideband::finished, this, &RealtimeCalls::onSidebandFinished);
    sideband->start(m_openTimeout);
    Q_EMIT callStarted(callId, registryId);
}

void RealtimeCalls::onSidebandFinished(RealtimeSideband *sideband)
{
    if (!m_sidebands.remove(sideband))
        return;
    Q_EMIT callFinished(sideband->callId(), sideband->endReason(), sideband->account().chargedTotal());
    sideband->deleteLater();
}

} // namespace RelayDesk::Relay
