#pragma once
// The one metered-call engine of the relay thread: what every MeteredCall shares (the store, channel choice,
// the upstream client, the store lane, the closing retry, the live registry), the calls in flight, and the
// end of each. Endpoint families (chat, responses, …) validate their requests and start calls here with their
// own CallAdapter; they never copy the pipeline. Lives on the relay server thread.
#include "relay/callcontext.h"
#include "relay/meteredcall.h"

#include <QtCore/QObject>
#include <QtCore/QSet>

#include <memory>

namespace RelayDesk::Relay {

class CallEngine final : public QObject
{
    Q_OBJECT

public:
    CallEngine(std::shared_ptr<Store::Database> db, ChannelSelector *channels, Monitor::SessionRegistry *registry,
               CallConfig config, QObject *parent = nullptr);
    // Ends every call still in flight (see shutdown()).
    ~CallEngine() override;

    // Starts a call answering through `client` (the call owns it and the adapter). Returns the call, which the
    // engine deletes once it is done.
    MeteredCall *start(ClientSink *client, std::unique_ptr<CallAdapter> adapter, MeteredCall::Request request);

    // Aborts every in-flight upstream and settles each call on what was delivered (refunds those that
    // delivered nothing). For a clean stop on SIGINT/SIGTERM or console quit.
    void shutdown();
    int inFlight() const { return m_calls.size(); }
    // Who takes over calls that are not over when their client is done (CallContext::defer).
    void setDeferHandler(std::function<void(const DeferredCall &call)> handler) { m_context.defer = std::move(handler); }
    const CallConfig &config() const { return m_context.config; }
    const CallContext &context() const { return m_context; }

Q_SIGNALS:
    void callFinished(const RelayDesk::Relay::CallResult &result);

private:
    void callDone(MeteredCall *call, const CallResult &result);
    // The store lane may run a write on this thread only while a single call is in flight (StoreLane).
    void allowLaneInline();

    CallContext m_context;
    QSet<MeteredCall *> m_calls;
};

} // namespace RelayDesk::Relay
