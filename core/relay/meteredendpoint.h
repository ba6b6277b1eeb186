#pragma once
// What every metered HTTP endpoint shares: the engine its calls run on, the channels that admit a model, the live
// price book, and the steps before a call — the caller, a JSON body and its model, the model's admission — each
// answering its own error (OpenAI's shape) so that a route just returns. An endpoint family derives from it,
// checks what is its own (the fields, the hold's numbers) and starts its CallAdapter.
#include "billing/pricebook.h"
#include "http/multipartform.h"
#include "relay/auth.h"
#include "store/channeltype.h"

#include <QtCore/QJsonObject>

#include <functional>
#include <memory>
#include <optional>

namespace RelayDesk::Relay {

class CallAdapter;
class CallEngine;
class ChannelSelector;
class HttpExchange;
class Router;

class MeteredEndpoint
{
public:
    using PriceBookProvider = std::function<Billing::PriceBookPtr()>;

    MeteredEndpoint(CallEngine &engine, ChannelSelector &channels, PriceBookProvider prices);
    virtual ~MeteredEndpoint() = default;
    MeteredEndpoint(const MeteredEndpoint &) = delete;
    MeteredEndpoint &operator=(const MeteredEndpoint &) = delete;

    virtual void install(Router &router) = 0;

protected:
    struct JsonCall
    {
        AuthContext auth;
        QJsonObject request;
        QString model;
    };
    struct FormCall
    {
        AuthContext auth;
        MultipartForm form;
        QByteArray contentType; // the request's, boundary included: the upstream gets the form as it came
        QString model;
    };
    enum class Model { Required, Optional };

    // The authenticated caller; nullptr after answering 500 (a route installed without the authenticator).
    static const AuthContext *caller(HttpExchange &exchange);
    // The caller, the body as a JSON object and its `model` (a string; required unless Optional); nullopt after
    // answering the error.
    static std::optional<JsonCall> readJsonCall(HttpExchange &exchange, Model model = Model::Required);
    // The caller, the body as a multipart/form-data form (the request's body moves into it) and its `model`
    // field; nullopt after answering the error.
    static std::optional<FormCall> readFormCall(HttpExchange &exchange, Model model = Model::Required);
    // The model's pricing for the caller; nullopt after answering why not (not allowed, no channel of `wire`,
    // no price).
    std::optional<Billing::ModelPricing> admit(HttpExchange &exchange, const AuthContext &auth, const QString &model,
                                               Store::ChannelWire wire = Store::ChannelWire::OpenAi) const;
    // Starts the metered call, answering through `exchange`.
    void start(HttpExchange &exchange, std::unique_ptr<CallAdapter> adapter, const AuthContext &auth,
               Billing::ModelPricing pricing, const QString &model);

    CallEngine &m_engine;
    ChannelSelector &m_channels;
    PriceBookProvider m_prices;
};

} // namespace RelayDesk::Relay
