#include "relay/httprelay.h"

#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/anthropic/messagesendpoint.h"
#include "relay/audio/speechendpoint.h"
#include "relay/audio/transcriptionendpoint.h"
#include "relay/auth.h"
#include "relay/billingendpoint.h"
#include "relay/callengine.h"
#include "relay/channelselector.h"
#include "relay/exchangeinput.h"
#include "relay/chat/chatendpoint.h"
#include "relay/completions/completionsendpoint.h"
#include "relay/embeddings/embeddingsendpoint.h"
#include "relay/images/imagesendpoint.h"
#include "relay/moderations/moderationsendpoint.h"
#include "relay/modelsendpoint.h"
#include "relay/realtime/clientsecretsendpoint.h"
#include "relay/responses/responsesendpoint.h"
#include "store/database.h"


namespace RelayDesk::Relay {

HttpRelay::HttpRelay(std::shared_ptr<Store::Database> db, std::shared_ptr<Auth> auth,
                     std::shared_ptr<ChannelSelector> channels, PriceBookProvider prices,
                     Monitor::SessionRegistry *registry, CallConfig config, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_auth(std::move(auth))
    , m_channels(std::move(channels))
    , m_engine(new CallEngine(db, m_channels.get(), registry, config, this))
{
    if (!prices)
        prices = [] { return Billing::PriceBook::empty(); };
    m_endpoints.push_back(std::make_unique<ChatEndpoint>(*m_engine, *m_channels, prices));
    m_endpoints.push_back(std::make_unique<EmbeddingsEndpoint>(*m_engine, *m_channels, prices));
    m_endpoints.push_back(std::make_unique<CompletionsEndpoint>(*m_engine, *m_channels, prices));
    m_endpoints.push_back(std::make_unique<ModerationsEndpoint>(*m_engine, *m_channels, prices));
    m_endpoints.push_back(std::make_unique<TranscriptionEndpoint>(*m_engine, *m_channels, prices));
    m_endpoints.push_back(std::make_unique<SpeechEndpoint>(*m_engine, *m_channels, prices));
    m_endpoints.push_back(std::make_unique<ImagesEndpoint>(*m_engine, *m_channels, prices));
    m_endpoints.push_back(std::make_unique<MessagesEndpoint>(*m_engine, *m_channels, prices, m_auth));
    m_responses = std::make_unique<ResponsesEndpoint>(*m_engine, *m_channels, prices, db, m_auth, registry);
    m_models = std::make_unique<ModelsEndpoint>(m_auth, *m_channels);
    m_clientSecrets = std::make_unique<ClientSecretsEndpoint>(db, *m_channels, prices);
    connect(m_engine, &CallEngine::callFinished, this, &HttpRelay::callFinished);
}

HttpRelay::~HttpRelay()
{
    shutdown();
}

int HttpRelay::inFlight() const
{
    return m_engine->inFlight();
}

const CallConfig &HttpRelay::config() const
{
    return m_engine->config();
}

void HttpRelay::shutdown()
{
    m_engine->shutdown();
}

void HttpRelay::install(Router &router)
{
    router.setAuthenticator([this](HttpExchange &exchange) { return authenticateCaller(*m_auth, exchange); });
    for (const auto &endpoint : m_endpoints)
        endpoint->install(router);
    m_responses->install(router);
    m_models->install(router);
    m_clientSecrets->install(router);
    BillingEndpoint::install(router, m_db);
    // Healthy means able to relay and bill: the store must answer too (a load balancer then stops sending
    // calls that could only fail). One SELECT 1 on the relay thread's connection per probe.
    router.addRoute("GET", "/healthz", [this](HttpExchange &e) {
        if (m_db->ping())
            return e.respond(200, QByteArrayLiteral("{\"status\":\"ok\",\"store\":\"ok\"}"));
        e.respond(503, QByteArrayLiteral("{\"status\":\"unavailable\",\"store\":\"unavailable\","
                                         "\"reason\":\"the database does not answer\"}"));
    }, Router::Access::Public);
}

} // namespace RelayDesk::Relay
