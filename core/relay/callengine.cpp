#include "relay/callengine.h"

#include "billing/closingretry.h"
#include "store/storelane.h"

namespace RelayDesk::Relay {

CallEngine::CallEngine(std::shared_ptr<Store::Database> db, ChannelSelector *channels,
                       Monitor::SessionRegistry *registry, CallConfig config, QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<CallResult>();
    m_context.lane = new Store::StoreLane(db, this);
    m_context.db = std::move(db);
    m_context.channels = channels;
    if (channels)
        channels->setLane(m_context.lane);
    m_context.registry = registry;
    m_context.upstream = new UpstreamClient(config.upstream, this);
    m_context.closings = new Billing::ClosingRetry(1000, m_context.lane, this);
    m_context.config = config;
    m_context.done = [this](MeteredCall *call, const CallResult &result) { callDone(call, result); };
}

CallEngine::~CallEngine()
{
    shutdown();
}

MeteredCall *CallEngine::start(ClientSink *client, std::unique_ptr<CallAdapter> adapter,
                               MeteredCall::Request request)
{
    auto *call = new MeteredCall(m_context, this, client, std::move(adapter), std::move(request));
    m_calls.insert(call);
    allowLaneInline();
    call->start();
    return call;
}

void CallEngine::shutdown()
{
    const auto calls = m_calls; // finishing removes from m_calls
    for (MeteredCall *call : calls)
        call->shutdown();
    m_context.lane->drain(); // every hold, settlement and refund those started, and what their outcomes started
}

void CallEngine::allowLaneInline()
{
    // A lone call's writes skip two thread hops each; several calls' writes share the lane's group commit.
    m_context.lane->setInlineWhenIdle(m_calls.size() <= 1);
}

void CallEngine::callDone(MeteredCall *call, const CallResult &result)
{
    if (call) {
        m_calls.remove(call);
        call->deleteLater();
        allowLaneInline();
    }
    Q_EMIT callFinished(result);
}

} // namespace RelayDesk::Relay
