#include "service/metricsreport.h"

#include "metrics/expositionwriter.h"
#include "monitor/sessionregistry.h"
#include "store/database.h"
#include "store/reservationrepository.h"
#include "store/userrepository.h"

#include <QtCore/QHash>

namespace RelayDesk::Service {

namespace {

using Metrics::ExpositionWriter;
using Type = ExpositionWriter::Type;

void counted(ExpositionWriter &w, const Metrics::MetricsSnapshot &m, const QHash<qint64, QString> &names)
{
    w.family("relaydesk_requests_total", Type::Counter,
             QStringLiteral("Metered calls finished, by endpoint kind, requested model and HTTP status."));
    for (const auto &[key, n] : m.requests)
        w.sample("relaydesk_requests_total",
                 {{"kind", std::get<0>(key)}, {"model", std::get<1>(key)}, {"status", QString::number(std::get<2>(key))}},
                 qint64(n));
    w.family("relaydesk_tokens_total", Type::Counter,
             QStringLiteral("Settled tokens by direction, modality and model; a direction's modalities are disjoint "
                            "(cached and cache_write are not in text, reasoning is not in output text)."));
    for (const auto &[key, n] : m.tokens)
        w.sample("relaydesk_tokens_total",
                 {{"direction", std::get<0>(key)}, {"modality", std::get<1>(key)}, {"model", std::get<2>(key)}}, n);
    w.family("relaydesk_quota_spent_total", Type::Counter,
             QStringLiteral("Quota debited by settlements (the consume log rows), by user and model. 500000 quota = 1 USD."));
    for (const auto &[key, quota] : m.spent) {
        const QString user = names.value(key.first, QStringLiteral("#%1").arg(key.first));
        w.sample("relaydesk_quota_spent_total", {{"user", user}, {"model", key.second}}, quota);
    }
    w.family("relaydesk_request_duration_seconds", Type::Histogram,
             QStringLiteral("Whole duration of a metered call (a stream until its end), by endpoint kind."));
    for (const auto &[kind, h] : m.requestSeconds)
        w.histogram("relaydesk_request_duration_seconds", {{"kind", kind}}, h);
    w.family("relaydesk_upstream_first_byte_seconds", Type::Histogram,
             QStringLiteral("Time from sending a call upstream to the upstream's answer beginning, by endpoint kind."));
    for (const auto &[kind, h] : m.upstreamFirstByteSeconds)
        w.histogram("relaydesk_upstream_first_byte_seconds", {{"kind", kind}}, h);
    w.family("relaydesk_ledger_commit_duration_seconds", Type::Histogram,
             QStringLiteral("Duration of a ledger group commit (SQLite; PostgreSQL commits each write itself)."));
    w.histogram("relaydesk_ledger_commit_duration_seconds", {}, m.ledgerCommitSeconds);
}

} // namespace

QByteArray MetricsReport::render(const Metrics::MetricsSnapshot &m) const
{
    ExpositionWriter w;
    const Store::UserRepository users(m_db);
    const QList<Store::User> listed = users.list(kMaxBalanceSeries, 0);
    QHash<qint64, QString> names;
    for (const Store::User &u : listed)
        names.insert(u.id, u.name);
    for (const auto &[key, quota] : m.spent) // a spender beyond the balance cap still goes by name
        if (!names.contains(key.first))
            if (const auto u = users.byId(key.first))
                names.insert(u->id, u->name);

    counted(w, m, names);

    w.family("relaydesk_user_balance_quota", Type::Gauge,
             QStringLiteral("Each user's balance in quota (500000 = 1 USD), read from the store at scrape time; "
                            "at most %1 users, lowest ids first.").arg(kMaxBalanceSeries));
    for (const Store::User &u : listed)
        w.sample("relaydesk_user_balance_quota", {{"user", u.name}}, u.quota);
    w.family("relaydesk_users", Type::Gauge, QStringLiteral("Users in the store (balance series are capped)."));
    w.sample("relaydesk_users", {}, users.count());

    w.family("relaydesk_open_reservations", Type::Gauge,
             QStringLiteral("Reservations not yet settled or refunded (calls and sessions in flight, every instance)."));
    w.sample("relaydesk_open_reservations", {}, qint64(Store::ReservationRepository(m_db).openReservations().size()));

    w.family("relaydesk_live_sessions", Type::Gauge,
             QStringLiteral("Live sessions (calls in flight, Realtime and WebSocket connections) by kind."));
    QHash<Monitor::SessionKind, qint64> live;
    if (m_sessions)
        for (const Monitor::SessionInfo &s : m_sessions->sessions())
            if (s.isLive())
                ++live[s.kind];
    // Every kind, also at 0, so a series does not vanish between calls (Messages is the last kind).
    for (int k = 0; k <= int(Monitor::SessionKind::Messages); ++k) {
        const auto kind = Monitor::SessionKind(k);
        w.sample("relaydesk_live_sessions", {{"kind", Monitor::kindName(kind)}}, live.value(kind));
    }
    return w.text();
}

} // namespace RelayDesk::Service
