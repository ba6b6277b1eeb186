#include "relay/chat/chatrelay.h"

#include "billing/closingretry.h"
#include "billing/pricebook.h"
#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/auth.h"
#include "relay/channelselector.h"
#include "relay/chat/chatcall.h"
#include "relay/holdparameters.h"
#include "store/commitbatch.h"
#include "store/database.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

ChatRelay::ChatRelay(std::shared_ptr<Store::Database> db, std::shared_ptr<Auth> auth,
                     std::shared_ptr<ChannelSelector> channels, PriceBookProvider prices,
                     Monitor::SessionRegistry *registry, ChatRelayConfig config, QObject *parent)
    : QObject(parent)
    , m_db(std::move(db))
    , m_auth(std::move(auth))
    , m_channels(std::move(channels))
    , m_prices(std::move(prices))
    , m_registry(registry)
    , m_config(config)
    , m_upstream(new UpstreamClient(config.upstream, this))
    , m_commits(new Store::CommitBatch(m_db, this))
{
    qRegisterMetaType<ChatCallResult>();
    m_context.db = m_db;
    m_context.channels = m_channels.get();
    m_context.registry = m_registry;
    m_context.upstream = m_upstream;
    m_context.commits = m_commits;
    m_context.closings = new Billing::ClosingRetry(1000, this);
    m_context.config = m_config;
    m_context.done = [this](ChatCall *call, const ChatCallResult &result) { callDone(call, result); };
}

ChatRelay::~ChatRelay()
{
    shutdown();
}

void ChatRelay::shutdown()
{
    const auto calls = m_calls; // finishing removes from m_calls
    for (ChatCall *call : calls)
        call->shutdown();
    m_commits->commit();
}

void ChatRelay::callDone(ChatCall *call, const ChatCallResult &result)
{
    if (call) {
        m_calls.remove(call);
        call->deleteLater();
    }
    Q_EMIT callFinished(result);
}

void ChatRelay::install(Router &router)
{
    router.setAuthenticator([this](HttpExchange &exchange) {
        auto result = m_auth->authenticate(exchange.request());
        if (auto *error = std::get_if<OpenAiError>(&result)) {
            exchange.respondError(*error);
            return false;
        }
        exchange.context() = std::get<AuthContext>(std::move(result));
        return true;
    });
    router.addRoute("POST", "/v1/chat/completions", [this](HttpExchange &e) { handleChat(e); });
    router.addRoute("GET", "/v1/models", [this](HttpExchange &e) { handleModels(e); });
    // Healthy means able to relay and bill: the store must answer too (a load balancer then stops sending
    // calls that could only fail). One SELECT 1 on the relay thread's connection per probe.
    router.addRoute("GET", "/healthz", [this](HttpExchange &e) {
        if (m_db->ping())
            return e.respond(200, QByteArrayLiteral("{\"status\":\"ok\",\"store\":\"ok\"}"));
        e.respond(503, QByteArrayLiteral("{\"status\":\"unavailable\",\"store\":\"unavailable\","
                                         "\"reason\":\"the database does not answer\"}"));
    }, Router::Access::Public);
}

void ChatRelay::handleModels(HttpExchange &exchange)
{
    const auto *auth = std::any_cast<AuthContext>(&exchange.context());
    if (!auth)
        return exchange.respondError(OpenAiError::internal(QStringLiteral("not authenticated")));
    QJsonArray data;
    for (const QString &model : m_channels->modelsFor(auth->group)) {
        if (!auth->mayUse(model))
            continue;
        data.append(QJsonObject{{QStringLiteral("id"), model},
                                {QStringLiteral("object"), QStringLiteral("model")},
                                {QStringLiteral("created"), 0},
                                {QStringLiteral("owned_by"), QStringLiteral("relaydesk")}});
    }
    exchange.respond(200, QJsonDocument(QJsonObject{{QStringLiteral("object"), QStringLiteral("list")},
                                                    {QStringLiteral("data"), data}})
                              .toJson(QJsonDocument::Compact));
}

void ChatRelay::handleChat(HttpExchange &exchange)
{
    const auto *auth = std::any_cast<AuthContext>(&exchange.context());
    if (!auth)
        return exchange.respondError(OpenAiError::internal(QStringLiteral("not authenticated")));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(exchange.request().body, &parseError);
    if (!doc.isObject())
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("The request body is not a JSON object: %1").arg(parseError.errorString())));
    QJsonObject request = doc.object();
    const QString model = request.value(QLatin1StringView("model")).toString();
    if (model.isEmpty())
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("you must provide a model parameter"), "missing_required_parameter", "model"));
    if (!request.value(QLatin1StringView("messages")).isArray())
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("'messages' is a required property"), "missing_required_parameter", "messages"));
    if (!auth->mayUse(model))
        return exchange.respondError(OpenAiError::modelNotAllowed(model));
    if (!m_channels->serves(model, auth->group))
        return exchange.respondError(OpenAiError::notFound(
            QStringLiteral("The model `%1` does not exist or you do not have access to it.").arg(model),
            "model_not_found"));
    const Billing::PriceBookPtr book = m_prices ? m_prices() : Billing::PriceBook::empty();
    auto pricing = book->pricing(model, auth->user.group, auth->group);
    if (!pricing) {
        OpenAiError e = OpenAiError::permissionDenied(
            QStringLiteral("The price of model %1 is not configured.").arg(model), "model_price_not_configured");
        return exchange.respondError(e);
    }
    const auto hold = HoldParameters::fromChatRequest(request); // before anything is reserved
    if (const auto *error = std::get_if<OpenAiError>(&hold))
        return exchange.respondError(*error);
    auto *call = new ChatCall(m_context, this, exchange, *auth, std::move(request), pricing.value(), model,
                              std::get<HoldParameters>(hold));
    m_calls.insert(call);
    call->start();
}

} // namespace RelayDesk::Relay
