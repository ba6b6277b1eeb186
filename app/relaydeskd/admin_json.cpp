#include "admin_json.h"

#include "billing/quotamath.h"
#include "service/adminservicejson.h"

#include <QDateTime>
#include <QJsonArray>

namespace RelayDesk::Cli::AdminJson {
namespace {

QString logTypeName(Store::LogType t)
{
    switch (t) {
    case Store::LogType::Topup: return QStringLiteral("topup");
    case Store::LogType::Consume: return QStringLiteral("consume");
    case Store::LogType::Manage: return QStringLiteral("manage");
    case Store::LogType::System: return QStringLiteral("system");
    case Store::LogType::Error: return QStringLiteral("error");
    case Store::LogType::Refund: return QStringLiteral("refund");
    case Store::LogType::Unknown: break;
    }
    return QStringLiteral("unknown");
}

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

} // namespace

QJsonObject user(const Store::User &u)
{
    // What the audit trail records, plus the counters an operator reads.
    QJsonObject o = Service::AuditJson::user(u);
    o.insert(QStringLiteral("id"), u.id);
    o.insert(QStringLiteral("used_quota"), u.usedQuota);
    o.insert(QStringLiteral("request_count"), u.requestCount);
    return o;
}

QJsonObject key(const Store::ApiKey &k, const QString &userName)
{
    QJsonObject o = Service::AuditJson::key(k);
    o.remove(QStringLiteral("user_id"));
    o.insert(QStringLiteral("id"), k.id);
    o.insert(QStringLiteral("user"), userName);
    o.insert(QStringLiteral("used_quota"), k.usedQuota);
    return o;
}

QJsonObject channel(const Store::Channel &c)
{
    QJsonObject o = Service::AuditJson::channel(c);
    o.insert(QStringLiteral("id"), c.id);
    o.insert(QStringLiteral("used_quota"), c.usedQuota);
    return o;
}

// As the relaying process last recorded it: skipped until retry_at_ms; probing = one call is testing it.
QJsonObject channelHealth(const Store::ChannelHealth &h)
{
    QJsonObject o{{QStringLiteral("state"), Store::ChannelHealth::stateName(h.state)},
                  {QStringLiteral("failures"), h.failures}};
    if (h.state == Store::ChannelHealth::State::Healthy)
        return o;
    o.insert(QStringLiteral("retry_at_ms"), h.retryAtMs);
    o.insert(QStringLiteral("skipped"), h.retryAtMs > QDateTime::currentMSecsSinceEpoch());
    o.insert(QStringLiteral("last_error"), h.lastError);
    o.insert(QStringLiteral("updated_at_ms"), h.updatedAtMs);
    return o;
}

QJsonObject log(const Store::LogRecord &r, const QString &userName)
{
    return {{QStringLiteral("id"), r.id},
            {QStringLiteral("created_at"), r.createdAt},
            {QStringLiteral("time"), isoTime(r.createdAt)},
            {QStringLiteral("type"), logTypeName(r.type)},
            {QStringLiteral("user"), userName},
            {QStringLiteral("user_id"), r.userId},
            {QStringLiteral("key_id"), r.keyId},
            {QStringLiteral("channel_id"), r.channelId},
            {QStringLiteral("model"), r.model},
            {QStringLiteral("upstream_model"), r.upstreamModel},
            {QStringLiteral("prompt_tokens"), r.promptTokens},
            {QStringLiteral("completion_tokens"), r.completionTokens},
            {QStringLiteral("quota"), r.quota},
            {QStringLiteral("use_ms"), r.useMs},
            {QStringLiteral("is_stream"), r.isStream},
            {QStringLiteral("request_id"), r.requestId},
            {QStringLiteral("content"), r.content},
            {QStringLiteral("price_snapshot_id"), r.priceSnapshotId},
            {QStringLiteral("other"), r.other}};
}

QJsonObject audit(const Store::AuditEntry &e)
{
    return {{QStringLiteral("id"), e.id},
            {QStringLiteral("at"), e.atMs},
            {QStringLiteral("time"), isoTime(e.atMs)},
            {QStringLiteral("actor"), e.actor},
            {QStringLiteral("action"), e.action},
            {QStringLiteral("entity_kind"), e.entityKind},
            {QStringLiteral("entity_id"), e.entityId},
            {QStringLiteral("entity_name"), e.entityName},
            {QStringLiteral("before"), e.before},
            {QStringLiteral("after"), e.after}};
}

QJsonObject budgets(const QString &ownerKind, const QString &name, const QString &timeZone,
                    const QList<Store::BudgetState> &states)
{
    const auto iso = [](qint64 secs) {
        return secs > 0 ? QJsonValue(QDateTime::fromSecsSinceEpoch(secs, Qt::UTC).toString(Qt::ISODate)) : QJsonValue();
    };
    QJsonArray list;
    for (const Store::BudgetState &s : states)
        list.append(QJsonObject{{QStringLiteral("window"), s.limit.window},
                                {QStringLiteral("cap"), s.limit.cap},
                                {QStringLiteral("cap_usd"), QString::number(double(s.limit.cap) / 500000.0, 'f', 2)},
                                {QStringLiteral("spent"), s.spent},
                                {QStringLiteral("period_start"), iso(s.periodStart)},
                                {QStringLiteral("resets_at"), iso(s.resetAt)}});
    return {{QStringLiteral("owner"), ownerKind},
            {QStringLiteral("name"), name},
            {QStringLiteral("time_zone"), timeZone},
            {QStringLiteral("budgets"), list}};
}

QJsonArray rates(const QList<Store::RateState> &states)
{
    const auto iso = [](qint64 secs) {
        return secs > 0 ? QJsonValue(QDateTime::fromSecsSinceEpoch(secs, Qt::UTC).toString(Qt::ISODate)) : QJsonValue();
    };
    QJsonArray list;
    for (const Store::RateState &s : states)
        list.append(QJsonObject{{QStringLiteral("kind"), s.limit.kind},
                                {QStringLiteral("cap"), s.limit.cap},
                                {QStringLiteral("used"), s.used},
                                {QStringLiteral("period_start"), iso(s.periodStart)},
                                {QStringLiteral("resets_at"), iso(s.resetAt)}});
    return list;
}

QJsonArray alerts(const QList<Store::AlertRule> &rules)
{
    QJsonArray list;
    for (const Store::AlertRule &r : rules) {
        const bool budget = r.kind == QLatin1String(Store::AlertRepository::kBudget);
        QJsonObject o{{QStringLiteral("kind"), budget ? QStringLiteral("budget") : QStringLiteral("balance")},
                      {QStringLiteral("armed"), r.firedPeriod == 0}};
        if (budget) {
            o.insert(QStringLiteral("window"), r.window);
            o.insert(QStringLiteral("percent"), r.threshold);
        } else {
            o.insert(QStringLiteral("quota"), r.threshold);
            o.insert(QStringLiteral("quota_usd"), Billing::QuotaMath::toUsd(r.threshold));
        }
        list.append(o);
    }
    return list;
}

QJsonObject alertEvent(const Store::AlertEvent &e)
{
    const QString status = e.deliveredAt > 0 ? QStringLiteral("delivered")
                           : e.failedAt > 0  ? QStringLiteral("failed")
                                             : QStringLiteral("pending");
    return {{QStringLiteral("id"), e.id},
            {QStringLiteral("type"), e.payload.value(QLatin1StringView("type"))},
            {QStringLiteral("owner"), e.payload.value(QLatin1StringView("owner"))},
            {QStringLiteral("created_at"), QDateTime::fromMSecsSinceEpoch(e.createdAt, Qt::UTC).toString(Qt::ISODate)},
            {QStringLiteral("status"), status},
            {QStringLiteral("attempts"), e.attempts},
            {QStringLiteral("last_error"), e.lastError},
            {QStringLiteral("payload"), e.payload}};
}

QJsonObject instance(const Service::InstanceOverview &o)
{
    const Store::Instance &i = o.instance;
    return {{QStringLiteral("id"), i.id},
            {QStringLiteral("address"), i.address},
            {QStringLiteral("version"), i.version},
            {QStringLiteral("hostname"), i.hostname},
            {QStringLiteral("pid"), i.pid},
            {QStringLiteral("state"), Service::InstanceOverview::stateName(o.state)},
            {QStringLiteral("started_at"), isoTime(i.startedAt)},
            {QStringLiteral("uptime_s"), o.uptimeMs / 1000},
            {QStringLiteral("heartbeat_age_s"), double(o.heartbeatAgeMs / 100) / 10.0},
            {QStringLiteral("live_sessions"), o.liveSessions},
            {QStringLiteral("requests_total"), i.requestsTotal},
            {QStringLiteral("requests_per_s"), o.requestsPerSecond}};
}

} // namespace RelayDesk::Cli::AdminJson
