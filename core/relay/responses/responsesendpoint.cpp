#include "relay/responses/responsesendpoint.h"

#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/callengine.h"
#include "relay/channelselector.h"
#include "relay/exchangeinput.h"
#include "relay/httpclientsink.h"
#include "relay/modeladmission.h"
#include "relay/responses/backgroundpoller.h"
#include "relay/responses/responsesadapter.h"
#include "relay/responses/responsessocket.h"
#include "relay/upstreamforward.h"
#include "store/storelane.h"
#include "store/database.h"
#include "store/responserouterepository.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRegularExpression>
#include <QtWebSockets/QWebSocket>

namespace RelayDesk::Relay {

namespace {

const QByteArray kPrefix = QByteArrayLiteral("/v1/responses/");

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// Ids are short tokens (resp_…, conv_…, msg_…); anything else cannot name a stored object.
bool plausibleId(const QString &id)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9_-]{1,128}$"));
    return pattern.match(id).hasMatch();
}

OpenAiError responseNotFound(const QString &id)
{
    OpenAiError e = OpenAiError::notFound(QStringLiteral("Response with id '%1' not found.").arg(id));
    e.type = "invalid_request_error";
    e.code.clear();
    return e;
}

// The ids a create request refers to, with the parameter that names each (for the error of a foreign one).
QList<std::pair<QString, QByteArray>> referencedIds(const QJsonObject &request)
{
    QList<std::pair<QString, QByteArray>> ids;
    const QString previous = request.value(QLatin1StringView("previous_response_id")).toString();
    if (!previous.isEmpty())
        ids.append({previous, "previous_response_id"});
    const QJsonValue conversation = request.value(QLatin1StringView("conversation"));
    const QString conversationId = conversation.isObject()
                                       ? conversation.toObject().value(QLatin1StringView("id")).toString()
                                       : conversation.toString();
    if (!conversationId.isEmpty())
        ids.append({conversationId, "conversation"});
    // Items replayed by id (item_reference) or with the id of a stored item (reasoning items, messages).
    for (const QJsonValue &item : request.value(QLatin1StringView("input")).toArray()) {
        const QString id = item.toObject().value(QLatin1StringView("id")).toString();
        if (!id.isEmpty())
            ids.append({id, "input"});
    }
    return ids;
}

OpenAiError foreignId(const QString &id, const QByteArray &param)
{
    if (param == "previous_response_id")
        return OpenAiError::invalidRequest(QStringLiteral("Previous response with id '%1' not found.").arg(id),
                                           "previous_response_not_found", param);
    if (param == "conversation")
        return OpenAiError::notFound(QStringLiteral("Conversation with id '%1' not found.").arg(id));
    return OpenAiError::invalidRequest(QStringLiteral("Item with id '%1' not found.").arg(id), "item_not_found",
                                       param);
}

} // namespace

ResponsesEndpoint::ResponsesEndpoint(CallEngine &engine, ChannelSelector &channels, PriceBookProvider prices,
                                     std::shared_ptr<Store::Database> db, std::shared_ptr<Auth> auth,
                                     Monitor::SessionRegistry *registry)
    : m_engine(engine)
    , m_channels(channels)
    , m_prices(std::move(prices))
    , m_db(std::move(db))
    , m_auth(std::move(auth))
    , m_registry(registry)
    , m_poller(std::make_unique<BackgroundPoller>(engine, m_prices, m_db, engine.config().instanceLeaseMs,
                                                  [this](MeteredCall &c) { recordRoutes(c); }))
{
    engine.setDeferHandler([this](const DeferredCall &call) { m_poller->follow(call); });
}

ResponsesEndpoint::~ResponsesEndpoint() = default;

void ResponsesEndpoint::install(Router &router)
{
    router.addRoute("POST", "/v1/responses", [this](HttpExchange &e) { create(e, false); });
    router.addRoute("POST", "/v1/responses/compact", [this](HttpExchange &e) { create(e, true); });
    router.addRoute("POST", "/v1/responses/input_tokens", [this](HttpExchange &e) { inputTokens(e); });
    for (const QByteArray method : {QByteArrayLiteral("GET"), QByteArrayLiteral("DELETE"), QByteArrayLiteral("POST")})
        router.addPrefixRoute(method, kPrefix, [this](HttpExchange &e) { byId(e); });
    ResponsesSocket::install(router, *this, m_auth, m_registry);
}

void ResponsesEndpoint::create(HttpExchange &exchange, bool compact)
{
    const AuthContext *auth = authenticatedCaller(exchange);
    auto body = auth ? jsonObjectBody(exchange) : std::nullopt;
    if (!body)
        return;
    auto *client = new HttpClientSink(exchange, nullptr);
    if (const auto error = startCall(*auth, std::move(*body), compact, client)) {
        delete client;
        exchange.respondError(*error);
    }
}

std::optional<OpenAiError> ResponsesEndpoint::startCall(const AuthContext &auth, QJsonObject request, bool compact,
                                                        ClientSink *client, bool webSocket, quint64 liveSession)
{
    const QString model = request.value(QLatin1StringView("model")).toString();
    auto admitted = admitModel(auth, model, m_channels, *m_prices());
    if (const auto *error = std::get_if<OpenAiError>(&admitted))
        return *error;
    const auto hold = HoldParameters::fromResponsesRequest(request);
    if (const auto *error = std::get_if<OpenAiError>(&hold))
        return *error;
    auto pinned = pinnedChannel(auth, request);
    if (const auto *error = std::get_if<OpenAiError>(&pinned))
        return *error;
    const auto mode = compact ? ResponsesAdapter::Mode::Compact
                              : webSocket ? ResponsesAdapter::Mode::WebSocket : ResponsesAdapter::Mode::Create;
    MeteredCall::Request call{auth, std::get<Billing::ModelPricing>(std::move(admitted)), model,
                              std::get<std::optional<qint64>>(pinned), [this](MeteredCall &c) { recordRoutes(c); }, {},
                              liveSession};
    m_engine.start(client, std::make_unique<ResponsesAdapter>(mode, std::move(request), std::get<HoldParameters>(hold)),
                   std::move(call));
    return std::nullopt;
}

std::variant<std::optional<qint64>, OpenAiError> ResponsesEndpoint::pinnedChannel(const AuthContext &auth,
                                                                                  const QJsonObject &request) const
{
    std::optional<qint64> pinned;
    const Store::ResponseRouteRepository routes(*m_db);
    const qint64 at = now();
    for (const auto &[id, param] : referencedIds(request)) {
        if (!plausibleId(id))
            continue; // not an id we handed out: the upstream judges it
        const auto route = routes.find(id, at);
        if (!route)
            continue; // made elsewhere or expired: the upstream judges it
        if (route->userId != auth.user.id)
            return foreignId(id, param);
        if (!pinned)
            pinned = route->channelId;
    }
    return pinned;
}

void ResponsesEndpoint::recordRoutes(MeteredCall &call)
{
    const auto &adapter = static_cast<const ResponsesAdapter &>(call.adapter());
    // A response that is not stored cannot be named later (and a background one is always stored).
    if (adapter.responseId().isEmpty() || call.channelId() == 0 || !adapter.storesResponse())
        return;
    const qint64 at = now();
    auto route = [&](const QString &id) {
        return Store::ResponseRoute{id, call.channelId(), call.auth().user.id, call.auth().key.id, at,
                                    at + kRouteLifetimeMs};
    };
    QList<Store::ResponseRoute> rows{route(adapter.responseId())};
    for (const QString &id : adapter.outputItemIds())
        rows.append(route(id));
    for (const auto &[id, param] : referencedIds(adapter.request()))
        if (param == "conversation" && plausibleId(id))
            rows.append(route(id));
    // On the store lane ahead of the call's own completion: durable before its reply goes out.
    const CallContext &ctx = m_engine.context();
    const bool prune = ++m_recorded % 1000 == 0;
    ctx.lane->write(QStringLiteral("recording the routes of ") + adapter.responseId(),
                    [rows, prune, at](const Store::Database &db) {
                        const Store::ResponseRouteRepository repository(db);
                        const Store::Status recorded = repository.record(rows);
                        if (recorded && prune)
                            (void)repository.prune(at);
                        return recorded;
                    },
                    call.storeChain());
}

void ResponsesEndpoint::inputTokens(HttpExchange &exchange)
{
    const AuthContext *auth = authenticatedCaller(exchange);
    auto body = auth ? jsonObjectBody(exchange) : std::nullopt;
    if (!body)
        return;
    QJsonObject request = std::move(*body);
    const QString model = request.value(QLatin1StringView("model")).toString();
    auto pinned = pinnedChannel(*auth, request);
    if (const auto *error = std::get_if<OpenAiError>(&pinned))
        return exchange.respondError(*error);
    std::optional<Store::Channel> channel;
    if (const auto id = std::get<std::optional<qint64>>(pinned)) {
        channel = m_channels.enabledChannel(*id);
    } else {
        auto admitted = admitModel(*auth, model, m_channels, *m_prices());
        if (const auto *error = std::get_if<OpenAiError>(&admitted))
            return exchange.respondError(*error);
        channel = m_channels.select(model, auth->group);
    }
    if (!channel)
        return exchange.respondError(OpenAiError::serviceUnavailable(
            QStringLiteral("No available channel for model %1.").arg(model), "no_available_channel"));
    if (!model.isEmpty())
        request.insert(QStringLiteral("model"), ChannelSelector::upstreamModel(*channel, model));
    UpstreamForward::start(*m_engine.context().upstream, exchange, *channel, "POST",
                           QStringLiteral("responses/input_tokens"), {},
                           QJsonDocument(request).toJson(QJsonDocument::Compact));
}

void ResponsesEndpoint::byId(HttpExchange &exchange)
{
    const AuthContext *auth = authenticatedCaller(exchange);
    if (!auth)
        return;
    const HttpRequest &request = exchange.request();
    const QString rest = QString::fromUtf8(request.path.mid(kPrefix.size()));
    const QStringList parts = rest.split(QLatin1Char('/'));
    const QString id = parts.value(0);
    const QString action = parts.size() == 2 ? parts.at(1) : QString();
    const bool known = (parts.size() == 1 && (request.method == "GET" || request.method == "DELETE")) ||
                       (action == QLatin1StringView("cancel") && request.method == "POST") ||
                       (action == QLatin1StringView("input_items") && request.method == "GET");
    if (!known || parts.size() > 2 || !plausibleId(id))
        return exchange.respondError(OpenAiError::unknownUrl(request.method, request.path));
    const auto route = Store::ResponseRouteRepository(*m_db).find(id, now());
    if (!route || route->userId != auth->user.id)
        return exchange.respondError(responseNotFound(id));
    const auto channel = m_channels.enabledChannel(route->channelId);
    if (!channel)
        return exchange.respondError(OpenAiError::serviceUnavailable(
            QStringLiteral("The channel that holds response '%1' is not available.").arg(id), "no_available_channel"));
    UpstreamForward::Done done;
    if (request.method == "DELETE")
        done = [db = m_db, id](int status, const QByteArray &) {
            if (status == 200)
                (void)Store::ResponseRouteRepository(*db).remove(id);
        };
    UpstreamForward::start(*m_engine.context().upstream, exchange, *channel, request.method,
                           QStringLiteral("responses/") + rest, request.query,
                           request.method == "POST" ? request.body : QByteArray(), std::move(done));
}

} // namespace RelayDesk::Relay
