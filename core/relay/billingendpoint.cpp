#include "relay/billingendpoint.h"

#include "billing/quotamath.h"
#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/exchangeinput.h"
#include "store/apikeyrepository.h"
#include "store/database.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

namespace RelayDesk::Relay {

namespace {

// The caller's key as the store has it now; nullopt after answering 503 (the store did not answer).
std::optional<Store::ApiKey> currentKey(HttpExchange &exchange, const Store::Database &db)
{
    const AuthContext *auth = authenticatedCaller(exchange);
    if (!auth)
        return std::nullopt;
    auto key = Store::ApiKeyRepository(db).byId(auth->key.id);
    if (!key)
        exchange.respondError(OpenAiError::storeUnavailable());
    return key;
}

} // namespace

void BillingEndpoint::install(Router &router, std::shared_ptr<Store::Database> db)
{
    for (const QByteArray &prefix : {QByteArray(), QByteArrayLiteral("/v1")}) {
        router.addRoute("GET", prefix + "/dashboard/billing/subscription",
                        [db](HttpExchange &e) { subscription(e, *db); });
        router.addRoute("GET", prefix + "/dashboard/billing/usage", [db](HttpExchange &e) { usage(e, *db); });
    }
}

void BillingEndpoint::subscription(HttpExchange &exchange, const Store::Database &db)
{
    const auto key = currentKey(exchange, db);
    if (!key)
        return;
    const double limit = key->unlimited ? kUnlimitedUsd
                                        : Billing::QuotaMath::toUsd(key->remainQuota + key->usedQuota);
    const QJsonObject body{{QStringLiteral("object"), QStringLiteral("billing_subscription")},
                           {QStringLiteral("has_payment_method"), true},
                           {QStringLiteral("soft_limit_usd"), limit},
                           {QStringLiteral("hard_limit_usd"), limit},
                           {QStringLiteral("system_hard_limit_usd"), limit},
                           {QStringLiteral("access_until"), std::max<qint64>(0, key->expiresAt)}};
    exchange.respond(200, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

void BillingEndpoint::usage(HttpExchange &exchange, const Store::Database &db)
{
    const auto key = currentKey(exchange, db);
    if (!key)
        return;
    const QJsonObject body{{QStringLiteral("object"), QStringLiteral("list")},
                           {QStringLiteral("total_usage"), Billing::QuotaMath::toUsd(key->usedQuota) * 100}};
    exchange.respond(200, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

} // namespace RelayDesk::Relay
