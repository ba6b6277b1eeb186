#include "adminservicejson.h"

#include "common/secretmask.h"

#include <QJsonArray>

namespace RelayDesk::Service::AuditJson {

QString statusName(Store::RowStatus status)
{
    return status == Store::RowStatus::Enabled ? QStringLiteral("enabled") : QStringLiteral("disabled");
}

QJsonObject user(const Store::User &u)
{
    return {{QStringLiteral("name"), u.name},
            {QStringLiteral("group"), u.group},
            {QStringLiteral("quota"), u.quota},
            {QStringLiteral("status"), statusName(u.status)}};
}

QJsonObject key(const Store::ApiKey &k)
{
    return {{QStringLiteral("name"), k.name},
            {QStringLiteral("user_id"), k.userId},
            {QStringLiteral("hint"), k.keyHint},
            {QStringLiteral("status"), statusName(k.status)},
            {QStringLiteral("quota"), k.remainQuota},
            {QStringLiteral("unlimited"), k.unlimited},
            {QStringLiteral("models"), QJsonArray::fromStringList(k.modelLimits)},
            {QStringLiteral("group"), k.group},
            {QStringLiteral("expires_at"), k.expiresAt}};
}

QJsonObject channel(const Store::Channel &c)
{
    return {{QStringLiteral("name"), c.name},
            {QStringLiteral("type"), c.type},
            {QStringLiteral("base_url"), c.baseUrl},
            {QStringLiteral("key"), maskSecret(c.secret)},
            {QStringLiteral("models"), QJsonArray::fromStringList(c.models)},
            {QStringLiteral("groups"), QJsonArray::fromStringList(c.groups)},
            {QStringLiteral("model_mapping"), c.modelMapping},
            {QStringLiteral("priority"), c.priority},
            {QStringLiteral("weight"), c.weight},
            {QStringLiteral("status"), statusName(c.status)}};
}

} // namespace RelayDesk::Service::AuditJson
