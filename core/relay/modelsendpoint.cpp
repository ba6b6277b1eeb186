#include "relay/modelsendpoint.h"

#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/anthropic/anthropicerror.h"
#include "relay/anthropic/anthropicmodellist.h"
#include "relay/channelselector.h"
#include "relay/exchangeinput.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QUrl>

namespace RelayDesk::Relay {

namespace {

const QByteArray kModelPrefix = QByteArrayLiteral("/v1/models/");

bool wantsAnthropic(const HttpExchange &exchange)
{
    return exchange.request().headers.contains("anthropic-version");
}

QJsonObject openAiModel(const QString &id)
{
    return QJsonObject{{QStringLiteral("id"), id},
                       {QStringLiteral("object"), QStringLiteral("model")},
                       {QStringLiteral("created"), 0},
                       {QStringLiteral("owned_by"), QStringLiteral("relaydesk")}};
}

void respondJson(HttpExchange &exchange, const QJsonObject &body)
{
    exchange.respond(200, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

} // namespace

ModelsEndpoint::ModelsEndpoint(std::shared_ptr<Auth> auth, ChannelSelector &channels)
    : m_auth(std::move(auth))
    , m_channels(channels)
{
}

void ModelsEndpoint::install(Router &router)
{
    // Public to the router: the handlers authenticate, so that a refused key is answered in the request's shape.
    router.addRoute("GET", "/v1/models", [this](HttpExchange &e) { list(e); }, Router::Access::Public);
    router.addPrefixRoute("GET", kModelPrefix, [this](HttpExchange &e) { retrieve(e); }, Router::Access::Public);
}

const AuthContext *ModelsEndpoint::caller(HttpExchange &exchange, bool anthropic)
{
    if (!authenticateCaller(*m_auth, exchange, anthropic ? ErrorWriter(&AnthropicError::respond) : ErrorWriter()))
        return nullptr;
    return authenticatedCaller(exchange);
}

QStringList ModelsEndpoint::modelsFor(const AuthContext &auth) const
{
    QStringList out = m_channels.modelsFor(auth.group);
    out.removeIf([&auth](const QString &model) { return !auth.mayUse(model); });
    return out;
}

void ModelsEndpoint::list(HttpExchange &exchange)
{
    const bool anthropic = wantsAnthropic(exchange);
    const AuthContext *auth = caller(exchange, anthropic);
    if (!auth)
        return;
    const QStringList models = modelsFor(*auth);
    if (anthropic) {
        auto page = AnthropicModelList::page(models, exchange.request());
        if (const auto *error = std::get_if<OpenAiError>(&page))
            return AnthropicError::respond(exchange, *error);
        return respondJson(exchange, std::get<QJsonObject>(page));
    }
    QJsonArray data;
    for (const QString &model : models)
        data.append(openAiModel(model));
    respondJson(exchange, QJsonObject{{QStringLiteral("object"), QStringLiteral("list")},
                                      {QStringLiteral("data"), data}});
}

void ModelsEndpoint::retrieve(HttpExchange &exchange)
{
    const bool anthropic = wantsAnthropic(exchange);
    const AuthContext *auth = caller(exchange, anthropic);
    if (!auth)
        return;
    const QString id = QUrl::fromPercentEncoding(exchange.request().path.mid(kModelPrefix.size()));
    if (id.isEmpty() || !modelsFor(*auth).contains(id)) {
        const OpenAiError missing = OpenAiError::notFound(
            QStringLiteral("The model `%1` does not exist or you do not have access to it.").arg(id),
            "model_not_found");
        return anthropic ? AnthropicError::respond(exchange, missing) : exchange.respondError(missing);
    }
    respondJson(exchange, anthropic ? AnthropicModelList::model(id) : openAiModel(id));
}

} // namespace RelayDesk::Relay
