#pragma once
// The OpenAI-legacy billing endpoints many chat front-ends poll for "credit left", answered for the calling key
// as new-api answers them (its default, the key's own figures): GET /dashboard/billing/subscription and
// GET /dashboard/billing/usage, with and without /v1. Read from the store on each call (the auth cache's copy of
// the key is up to a minute old); unmetered.
//   subscription: {object:"billing_subscription", has_payment_method:true, soft_limit_usd = hard_limit_usd =
//                  system_hard_limit_usd = (remaining + used) / 500000 (100000000 for an unlimited key),
//                  access_until: the key's expiry in unix seconds, 0 = never}
//   usage:        {object:"list", total_usage: used / 500000 × 100 — in cents, as OpenAI's was}
#include <memory>

namespace RelayDesk::Store { class Database; }

namespace RelayDesk::Relay {

class HttpExchange;
class Router;

class BillingEndpoint final
{
public:
    // What new-api reports as the limit of an unlimited key.
    static constexpr double kUnlimitedUsd = 100000000;

    // The routes keep `db` for as long as the router lives.
    static void install(Router &router, std::shared_ptr<Store::Database> db);

private:
    static void subscription(HttpExchange &exchange, const Store::Database &db);
    static void usage(HttpExchange &exchange, const Store::Database &db);
};

} // namespace RelayDesk::Relay
