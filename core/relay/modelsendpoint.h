#pragma once
// GET /v1/models and GET /v1/models/{model}: the models the caller's key may use on the channels of its group
// (ChannelSelector::modelsFor, the key's model limits applied). OpenAI's shape by default; Anthropic's list and model
// objects (AnthropicModelList) when the request carries `anthropic-version`, as the Anthropic SDK and Claude Code
// send — and then every refusal, the key's included, in Anthropic's error shape, which is why the routes
// authenticate themselves (x-api-key or Bearer, as the Messages routes).
#include <QtCore/QStringList>

#include <memory>

namespace RelayDesk::Relay {

class Auth;
struct AuthContext;
class ChannelSelector;
class HttpExchange;
class Router;

class ModelsEndpoint final
{
public:
    ModelsEndpoint(std::shared_ptr<Auth> auth, ChannelSelector &channels);
    void install(Router &router);

private:
    void list(HttpExchange &exchange);
    void retrieve(HttpExchange &exchange);
    // The caller, authenticated with refusals in the request's shape; nullptr after answering.
    const AuthContext *caller(HttpExchange &exchange, bool anthropic);
    QStringList modelsFor(const AuthContext &auth) const;

    std::shared_ptr<Auth> m_auth;
    ChannelSelector &m_channels;
};

} // namespace RelayDesk::Relay
