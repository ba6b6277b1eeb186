#pragma once
// Follows background responses (`background: true`) to their end. A call whose response is still queued or in
// progress when its client is done (the create's JSON reply, a client that left a background stream) hands its
// open reservation here (CallEngine's defer handler). The poller records it (background_responses, in the same
// batch as the call's other writes), then asks the owning channel for the response — GET /v1/responses/{id}
// as a resumed metered call on the engine — after 0.5 s, 1 s, 2 s, … up to one minute between polls, until the
// response is completed, incomplete, failed or cancelled; that call settles the reservation from the response's
// usage like any other call. A restarted or surviving instance adopts the rows of a gone owner (at start and
// every 30 s) and resumes polling. The clock of a poll is the relay thread's event loop, and its writes go through
// the store lane: nothing blocks.
#include "billing/pricebook.h"
#include "relay/callcontext.h"
#include "store/backgroundresponserepository.h"

#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <functional>
#include <memory>

namespace RelayDesk::Relay {

class CallEngine;
class MeteredCall;

class BackgroundPoller final : public QObject
{
public:
    using PriceBookProvider = std::function<Billing::PriceBookPtr()>;
    static constexpr int kFirstPollMs = 500;
    static constexpr int kMaxPollIntervalMs = 60'000;
    static constexpr int kAdoptIntervalMs = 30'000;

    // `answered` is called for each poll that settled or deferred (e.g. to record routes).
    BackgroundPoller(CallEngine &engine, PriceBookProvider prices, std::shared_ptr<Store::Database> db,
                     qint64 instanceLeaseMs, std::function<void(MeteredCall &)> answered, QObject *parent = nullptr);

    // Takes over a deferred call (first time: records it durably) and schedules its next poll.
    void follow(const DeferredCall &call);
    // Adopts the background responses of this instance and of gone ones that nobody polls yet (claimed on the
    // store lane; followed once the claim committed).
    void adopt();
    int following() const { return m_polls.size(); }

private:
    void adopted(const Store::Result<QList<Store::BackgroundResponse>> &rows, bool committed);
    void poll(qint64 reservationId);
    void answered(MeteredCall &call);

    CallEngine &m_engine;
    PriceBookProvider m_prices;
    std::shared_ptr<Store::Database> m_db;
    qint64 m_leaseMs;
    std::function<void(MeteredCall &)> m_answered;
    QHash<qint64, std::pair<DeferredCall, int>> m_polls; // reservation id → (call, polls so far)
    QTimer m_adoptTimer;
};

} // namespace RelayDesk::Relay
