#include "admin_json.h"

#include "common/secretmask.h"

#include <QDateTime>
#include <QJsonArray>

namespace RelayDesk::Cli::AdminJson {
namespace {

QString statusName(Store::RowStatus s)
{
    return s == Store::RowStatus::Enabled ? QStringLiteral("enabled") : QStringLiteral("disabled");
}

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
    return {{QStringLiteral("id"), u.id},
            {QStringLiteral("name"), u.name},
            {QStringLiteral("group"), u.group},
            {QStringLiteral("quota"), u.quota},
            {QStringLiteral("used_quota"), u.usedQuota},
            {QStringLiteral("request_count"), u.requestCount},
            {QStringLiteral("status"), statusName(u.status)}};
}

QJsonObject key(const Store::ApiKey &k, const QString &userName)
{
    return {{QStringLiteral("id"), k.id},
            {QStringLiteral("name"), k.name},
            {QStringLiteral("user"), userName},
            {QStringLiteral("hint"), k.keyHint},
            {QStringLiteral("status"), statusName(k.status)},
            {QStringLiteral("quota"), k.remainQuota},
            {QStringLiteral("unlimited"), k.unlimited},
            {QStringLiteral("used_quota"), k.usedQuota},
            {QStringLiteral("models"), QJsonArray::fromStringList(k.modelLimits)},
            {QStringLiteral("group"), k.group},
            {QStringLiteral("expires_at"), k.expiresAt}};
}

QJsonObject channel(const Store::Channel &c)
{
    return {{QStringLiteral("id"), c.id},
            {QStringLiteral("name"), c.name},
            {QStringLiteral("type"), c.type},
            {QStringLiteral("base_url"), c.baseUrl},
            {QStringLiteral("key"), maskSecret(c.secret)},
            {QStringLiteral("models"), QJsonArray::fromStringList(c.models)},
            {QStringLiteral("groups"), QJsonArray::fromStringList(c.groups)},
            {QStringLiteral("model_mapping"), c.modelMapping},
            {QStringLiteral("priority"), c.priority},
            {QStringLiteral("weight"), c.weight},
            {QStringLiteral("status"), statusName(c.status)},
            {QStringLiteral("used_quota"), c.usedQuota}};
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

} // namespace RelayDesk::Cli::AdminJson
