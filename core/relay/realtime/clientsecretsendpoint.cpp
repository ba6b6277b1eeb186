#include "relay/realtime/clientsecretsendpoint.h"

#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/exchangeinput.h"
#include "relay/jsoncount.h"
#include "relay/modeladmission.h"
#include "relay/realtime/realtimetranscription.h"
#include "store/clientsecretrepository.h"
#include "store/database.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QUuid>

namespace RelayDesk::Relay {

namespace {

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString sessionId()
{
    return QStringLiteral("sess_") + QUuid::createUuid().toString(QUuid::Id128).left(24);
}

} // namespace

ClientSecretsEndpoint::ClientSecretsEndpoint(std::shared_ptr<Store::Database> db, ChannelSelector &channels,
                                             PriceBookProvider prices)
    : m_db(std::move(db))
    , m_channels(channels)
    , m_prices(std::move(prices))
{
}

void ClientSecretsEndpoint::install(Router &router)
{
    router.addRoute("POST", "/v1/realtime/client_secrets", [this](HttpExchange &e) { mintGa(e); });
    router.addRoute("POST", "/v1/realtime/sessions", [this](HttpExchange &e) { mintBeta(e); });
}

qint64 ClientSecretsEndpoint::lifetime(HttpExchange &exchange, const QJsonValue &expiresAfter,
                                       const QByteArray &param, qint64 fallback)
{
    if (expiresAfter.isUndefined() || expiresAfter.isNull())
        return fallback;
    const QJsonObject o = expiresAfter.toObject();
    const QJsonValue anchor = o.value(QLatin1StringView("anchor"));
    if (!expiresAfter.isObject() || (!anchor.isUndefined() && anchor != QJsonValue(QStringLiteral("created_at")))) {
        exchange.respondError(OpenAiError::invalidValue(
            param, QStringLiteral("Invalid '%1': expected {\"anchor\": \"created_at\", \"seconds\": %2..%3}.")
                       .arg(QString::fromUtf8(param)).arg(kMinSeconds).arg(kMaxSeconds)));
        return -1;
    }
    const QJsonValue seconds = o.value(QLatin1StringView("seconds"));
    if (seconds.isUndefined() || seconds.isNull())
        return fallback;
    const auto n = jsonCount(seconds, kMaxSeconds);
    if (!n || *n < kMinSeconds) {
        exchange.respondError(OpenAiError::invalidValue(
            param + ".seconds", QStringLiteral("Invalid '%1.seconds': expected an integer from %2 to %3.")
                                    .arg(QString::fromUtf8(param)).arg(kMinSeconds).arg(kMaxSeconds)));
        return -1;
    }
    return *n;
}

std::pair<QString, qint64> ClientSecretsEndpoint::mint(HttpExchange &exchange, const AuthContext &auth,
                                                      QJsonObject &session, qint64 seconds)
{
    const QJsonValue model = session.value(QLatin1StringView("model"));
    if (!model.isUndefined() && !model.isString()) {
        exchange.respondError(OpenAiError::invalidValue("session.model", QStringLiteral("Invalid 'session.model': expected a string.")));
        return {};
    }
    // A transcription session is priced by its transcription model (named in the session, so the upstream and the
    // relay agree on it); a conversation by its model.
    if (RealtimeTranscription::isTranscriptionSession(session))
        session = RealtimeTranscription::withModel(session, RealtimeTranscription::pricedModel(session));
    else if (model.toString().isEmpty())
        session.insert(QStringLiteral("model"), QString::fromLatin1(kDefaultModel));
    if (json(session).size() > kMaxSessionBytes) {
        exchange.respondError(OpenAiError::invalidValue(
            "session", QStringLiteral("Invalid 'session': larger than %1 KiB.").arg(kMaxSessionBytes / 1024)));
        return {};
    }
    // Refused now, in OpenAI's shape, rather than when the browser connects.
    auto admitted = admitModel(auth, RealtimeTranscription::pricedModel(session), m_channels, *m_prices());
    if (const auto *error = std::get_if<OpenAiError>(&admitted)) {
        exchange.respondError(*error);
        return {};
    }
    Store::ClientSecret secret;
    secret.keyId = auth.key.id;
    secret.userId = auth.user.id;
    secret.session = session;
    secret.createdAt = QDateTime::currentMSecsSinceEpoch();
    secret.expiresAt = secret.createdAt + seconds * 1000;
    const Store::ClientSecretRepository repository(*m_db);
    const auto minted = repository.mint(secret);
    if (!minted) {
        exchange.respondError(m_db->ping() ? OpenAiError::internal(QStringLiteral("The client secret could not be stored."))
                                           : OpenAiError::storeUnavailable());
        return {};
    }
    if (++m_minted % 100 == 0)
        (void)repository.prune(secret.createdAt);
    return {minted->value, secret.expiresAt / 1000};
}

void ClientSecretsEndpoint::mintGa(HttpExchange &exchange)
{
    const AuthContext *auth = authenticatedCaller(exchange);
    auto body = auth ? jsonObjectBody(exchange) : std::nullopt;
    if (!body)
        return;
    const qint64 seconds = lifetime(exchange, body->value(QLatin1StringView("expires_after")), "expires_after",
                                    kDefaultSeconds);
    if (seconds < 0)
        return;
    const QJsonValue given = body->value(QLatin1StringView("session"));
    if (!given.isUndefined() && !given.isNull() && !given.isObject())
        return exchange.respondError(OpenAiError::invalidValue("session", QStringLiteral("Invalid 'session': expected an object.")));
    QJsonObject session = given.toObject();
    const QString type = session.value(QLatin1StringView("type")).toString(QStringLiteral("realtime"));
    if (type != u"realtime" && type != QLatin1StringView(RealtimeTranscription::kIntent))
        return exchange.respondError(OpenAiError::invalidValue(
            "session.type", QStringLiteral("Invalid 'session.type': expected 'realtime' or 'transcription'.")));
    session.insert(QStringLiteral("type"), type);
    const auto [value, expiresAt] = mint(exchange, *auth, session, seconds);
    if (value.isEmpty())
        return;
    session.insert(QStringLiteral("object"), QStringLiteral("realtime.session"));
    session.insert(QStringLiteral("id"), sessionId());
    exchange.respond(200, json({{QStringLiteral("value"), value},
                                {QStringLiteral("expires_at"), expiresAt},
                                {QStringLiteral("session"), session}}));
}

void ClientSecretsEndpoint::mintBeta(HttpExchange &exchange)
{
    const AuthContext *auth = authenticatedCaller(exchange);
    auto body = auth ? jsonObjectBody(exchange) : std::nullopt;
    if (!body)
        return;
    QJsonObject session = *body;
    const qint64 seconds = lifetime(exchange,
                                    session.value(QLatin1StringView("client_secret")).toObject()
                                        .value(QLatin1StringView("expires_after")),
                                    "client_secret.expires_after", kDefaultBetaSeconds);
    if (seconds < 0)
        return;
    session.remove(QStringLiteral("client_secret"));
    const auto [value, expiresAt] = mint(exchange, *auth, session, seconds);
    if (value.isEmpty())
        return;
    session.insert(QStringLiteral("id"), sessionId());
    session.insert(QStringLiteral("object"), QStringLiteral("realtime.session"));
    session.insert(QStringLiteral("client_secret"), QJsonObject{{QStringLiteral("value"), value},
                                                                {QStringLiteral("expires_at"), expiresAt}});
    exchange.respond(200, json(session));
}

} // namespace RelayDesk::Relay
