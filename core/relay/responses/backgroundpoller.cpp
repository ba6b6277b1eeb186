#include "relay/responses/backgroundpoller.h"

#include "relay/callengine.h"
#include "relay/discardingsink.h"
#include "relay/responses/responsesadapter.h"
#include "store/apikeyrepository.h"
#include "store/backgroundresponserepository.h"
#include "store/storelane.h"
#include "store/database.h"
#include "store/userrepository.h"

#include <QtCore/QDateTime>
#include <QtCore/QPointer>

#include <algorithm>

namespace RelayDesk::Relay {

BackgroundPoller::BackgroundPoller(CallEngine &engine, PriceBookProvider prices, std::shared_ptr<Store::Database> db,
                                   qint64 instanceLeaseMs, std::function<void(MeteredCall &)> answered,
                                   QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_prices(std::move(prices))
    , m_db(std::move(db))
    , m_leaseMs(instanceLeaseMs)
    , m_answered(std::move(answered))
{
    m_adoptTimer.setInterval(kAdoptIntervalMs);
    connect(&m_adoptTimer, &QTimer::timeout, this, &BackgroundPoller::adopt);
    m_adoptTimer.start();
    QTimer::singleShot(0, this, &BackgroundPoller::adopt); // what a previous run of this relay left open
}

void BackgroundPoller::follow(const DeferredCall &call)
{
    auto it = m_polls.find(call.reservationId);
    if (it == m_polls.end()) {
        Store::BackgroundResponse row;
        row.reservationId = call.reservationId;
        row.responseId = call.objectId;
        row.channelId = call.channelId;
        row.model = call.model;
        row.promptTokens = call.promptTokens;
        row.requestPath = call.requestPath;
        // On the store lane after the call's hold: durable with the call's other writes.
        m_engine.context().lane->write(
            QStringLiteral("recording background response ") + call.objectId,
            [row](const Store::Database &db) { return Store::BackgroundResponseRepository(db).add(row); });
        it = m_polls.insert(call.reservationId, {call, 0});
    } else {
        it->first = call;
    }
    const int polls = it->second++;
    const int delay = std::min<qint64>(qint64(kFirstPollMs) << std::min(polls, 20), kMaxPollIntervalMs);
    QTimer::singleShot(delay, this, [this, id = call.reservationId] { poll(id); });
}

void BackgroundPoller::adopt()
{
    // On the store lane (a locked row must not stall the relay); the rows come back here once claimed.
    m_engine.context().lane->submit<Store::Result<QList<Store::BackgroundResponse>>>(
        [db = m_db, leaseMs = m_leaseMs] {
            return Store::BackgroundResponseRepository(*db).adopt(db->instanceId(),
                                                                  QDateTime::currentMSecsSinceEpoch(), leaseMs);
        },
        [self = QPointer<BackgroundPoller>(this)](const Store::Result<QList<Store::BackgroundResponse>> &rows,
                                                  bool committed) {
            if (self)
                self->adopted(rows, committed);
        });
}

void BackgroundPoller::adopted(const Store::Result<QList<Store::BackgroundResponse>> &rows, bool committed)
{
    if (!rows || !committed) {
        qWarning("relay: adopting background responses failed: %s",
                 rows ? "its batch was not committed" : qPrintable(rows.error()));
        return;
    }
    for (const Store::BackgroundResponse &row : *rows) {
        if (m_polls.contains(row.reservationId))
            continue;
        DeferredCall call;
        call.reservationId = row.reservationId;
        call.reserved = row.reservation.reserved;
        call.userId = row.reservation.userId;
        call.keyId = row.reservation.keyId;
        call.requestId = row.reservation.requestId;
        call.requestPath = row.requestPath;
        call.channelId = row.channelId;
        call.model = row.model;
        call.objectId = row.responseId;
        call.promptTokens = row.promptTokens;
        m_polls.insert(call.reservationId, {call, 0});
        QTimer::singleShot(0, this, [this, id = call.reservationId] { poll(id); });
    }
}

void BackgroundPoller::poll(qint64 reservationId)
{
    const auto it = m_polls.constFind(reservationId);
    if (it == m_polls.cend())
        return;
    const DeferredCall call = it->first;
    // Who pays and at what price: the reservation's user and key (disabled since or not: the work was asked for
    // and done), priced with the book in force now.
    AuthContext auth;
    const auto user = Store::UserRepository(*m_db).byId(call.userId);
    const auto key = call.keyId > 0 ? Store::ApiKeyRepository(*m_db).byId(call.keyId) : std::nullopt;
    auto pricing = user ? m_prices()->pricing(call.model, user->group,
                                              key && !key->group.isEmpty() ? key->group : user->group)
                        : Store::Result<Billing::ModelPricing>::failure(QStringLiteral("user gone"));
    if (!user || !pricing) {
        qWarning("relay: background response %s cannot be priced now (%s); asking again later",
                 qPrintable(call.objectId), user ? qPrintable(pricing.error()) : "its user is gone");
        return follow(call);
    }
    auth.user = *user;
    if (key)
        auth.key = *key;
    auth.group = auth.key.group.isEmpty() ? auth.user.group : auth.key.group;
    MeteredCall::Request request{auth, *pricing, call.model, call.channelId,
                                 [this](MeteredCall &c) { answered(c); }, call};
    m_engine.start(new DiscardingSink(nullptr),
                   std::make_unique<ResponsesAdapter>(ResponsesAdapter::Mode::Retrieve,
                                                      QJsonObject{{QStringLiteral("id"), call.objectId}},
                                                      HoldParameters()),
                   std::move(request));
}

void BackgroundPoller::answered(MeteredCall &call)
{
    if (!call.isDeferred()) { // settled: nothing left to follow
        const qint64 id = call.resume() ? call.resume()->reservationId : 0;
        m_polls.remove(id);
        m_engine.context().lane->write(QStringLiteral("removing background response %1").arg(id),
                                       [id](const Store::Database &db) {
                                           return Store::BackgroundResponseRepository(db).remove(id);
                                       });
    }
    if (m_answered)
        m_answered(call);
}

} // namespace RelayDesk::Relay
