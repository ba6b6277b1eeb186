#include "relay/anthropic/messagesendpoint.h"

#include "common/compactjson.h"
#include "common/fastjson.h"

#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/anthropic/anthropicclientsink.h"
#include "relay/anthropic/anthropicerror.h"
#include "relay/anthropic/anthropicheaders.h"
#include "relay/anthropic/messagesadapter.h"
#include "relay/anthropic/tokencountcache.h"
#include "relay/callengine.h"
#include "relay/channelselector.h"
#include "relay/jsoncount.h"
#include "relay/modeladmission.h"
#include "relay/upstreamforward.h"
#include "relay/usageceilings.h"

#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

namespace {

void refuse(HttpExchange &exchange, const QString &message)
{
    AnthropicError::respond(exchange, OpenAiError::invalidRequest(message));
}

} // namespace

MessagesEndpoint::MessagesEndpoint(CallEngine &engine, ChannelSelector &channels, PriceBookProvider prices,
                                   std::shared_ptr<Auth> auth)
    : MeteredEndpoint(engine, channels, std::move(prices))
    , m_auth(std::move(auth))
    , m_counts(std::make_shared<TokenCountCache>())
{
}

void MessagesEndpoint::install(Router &router)
{
    // Public to the router: the handlers authenticate, so that a refused key is answered in Anthropic's shape.
    router.addRoute("POST", "/v1/messages", [this](HttpExchange &e) { handle(e); }, Router::Access::Public);
    router.addRoute("POST", "/v1/messages/count_tokens", [this](HttpExchange &e) { countTokens(e); },
                    Router::Access::Public);
}

std::optional<MessagesEndpoint::Call> MessagesEndpoint::read(HttpExchange &exchange) const
{
    auto auth = m_auth->authenticate(exchange.request());
    if (const auto *error = std::get_if<OpenAiError>(&auth)) {
        AnthropicError::respond(exchange, *error);
        return std::nullopt;
    }
    QJsonParseError parse;
    const QJsonDocument doc = FastJson::parse(exchange.request().body, &parse);
    if (parse.error != QJsonParseError::NoError || !doc.isObject()) {
        refuse(exchange, parse.error != QJsonParseError::NoError
                             ? QStringLiteral("The request body is not valid JSON: %1").arg(parse.errorString())
                             : QStringLiteral("The request body must be a JSON object."));
        return std::nullopt;
    }
    Call call{std::get<AuthContext>(std::move(auth)), doc.object(), {}};
    const QJsonValue model = call.request.value(QLatin1StringView("model"));
    if (!model.isString() || model.toString().trimmed().isEmpty()) {
        refuse(exchange, model.isUndefined() ? QStringLiteral("model: Field required")
                                             : QStringLiteral("model: Input should be a non-empty string"));
        return std::nullopt;
    }
    call.model = model.toString();
    if (!call.request.value(QLatin1StringView("messages")).isArray()) {
        refuse(exchange, QStringLiteral("messages: Field required (an array of messages)"));
        return std::nullopt;
    }
    return call;
}

void MessagesEndpoint::handle(HttpExchange &exchange)
{
    auto call = read(exchange);
    if (!call)
        return;
    // Anthropic requires max_tokens; it also sizes the hold, so it is read strictly before anything is reserved.
    const QJsonValue maxTokens = call->request.value(QLatin1StringView("max_tokens"));
    if (maxTokens.isUndefined() || maxTokens.isNull())
        return refuse(exchange, QStringLiteral("max_tokens: Field required"));
    const auto limit = jsonCount(maxTokens, HoldParameters::kMaxCompletionTokens);
    if (!limit || *limit < 1)
        return refuse(exchange, QStringLiteral("max_tokens: Input should be an integer from 1 to %1")
                                    .arg(HoldParameters::kMaxCompletionTokens));
    const QJsonValue stream = call->request.value(QLatin1StringView("stream"));
    if (!stream.isUndefined() && !stream.isNull() && !stream.isBool())
        return refuse(exchange, QStringLiteral("stream: Input should be a valid boolean"));
    auto admitted = admitModel(call->auth, call->model, m_channels, *m_prices(), Store::ChannelWire::Anthropic);
    if (const auto *error = std::get_if<OpenAiError>(&admitted))
        return AnthropicError::respond(exchange, *error);

    MeteredCall::Request request;
    request.auth = call->auth;
    request.pricing = std::get<Billing::ModelPricing>(std::move(admitted));
    request.model = call->model;
    const auto counted = m_counts->recall(call->auth.key.id, TokenCountCache::promptHash(call->request));
    auto adapter = std::make_unique<MessagesAdapter>(std::move(call->request),
                                                     HoldParameters().withDefaultMaxTokens(*limit),
                                                     AnthropicHeaders::fromRequest(exchange.request()));
    if (counted)
        adapter->setCountedInput(*counted);
    m_engine.start(new AnthropicClientSink(exchange, nullptr), std::move(adapter), std::move(request));
}

void MessagesEndpoint::countTokens(HttpExchange &exchange)
{
    auto call = read(exchange);
    if (!call)
        return;
    if (!call->auth.mayUse(call->model))
        return AnthropicError::respond(exchange, OpenAiError::modelNotAllowed(call->model));
    const auto channel = m_channels.select(call->model, call->auth.group, {}, Store::ChannelWire::Anthropic);
    if (!channel) {
        return AnthropicError::respond(
            exchange, m_channels.serves(call->model, call->auth.group, Store::ChannelWire::Anthropic)
                          ? OpenAiError::serviceUnavailable(
                                QStringLiteral("No available channel for model %1.").arg(call->model))
                          : OpenAiError::notFound(QStringLiteral("model: %1").arg(call->model)));
    }
    // Remembered under the prompt as the client wrote it (its model name, before the channel's mapping): that is
    // what the /v1/messages call that follows will carry. A count beyond the model's context is not believed.
    const QByteArray prompt = TokenCountCache::promptHash(call->request);
    const QString upstreamModel = ChannelSelector::upstreamModel(*channel, call->model);
    const qint64 plausible = UsageCeilings::current().forModel(upstreamModel).context;
    call->request.insert(QStringLiteral("model"), upstreamModel);
    UpstreamForward::Outgoing outgoing;
    outgoing.body = CompactJson::write(call->request);
    outgoing.bearer = AnthropicHeaders::fromRequest(exchange.request()).apply(*channel, outgoing.body);
    outgoing.writeError = &AnthropicError::respond;
    auto remember = [counts = std::weak_ptr<TokenCountCache>(m_counts), keyId = call->auth.key.id, prompt,
                     plausible](int status, const QByteArray &body) {
        const auto cache = counts.lock();
        if (const auto n = TokenCountCache::readCount(status, body, plausible); cache && n)
            cache->remember(keyId, prompt, *n);
    };
    UpstreamForward::start(*m_engine.context().upstream, exchange, *channel, "POST",
                           QStringLiteral("messages/count_tokens"), {}, std::move(outgoing), std::move(remember));
}

} // namespace RelayDesk::Relay
