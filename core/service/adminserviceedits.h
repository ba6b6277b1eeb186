#pragma once
// The partial edits AdminService accepts: a field left unset keeps its stored value.
#include "store/alertrepository.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace RelayDesk::Service {

struct ChannelEdit
{
    std::optional<QString> baseUrl;
    std::optional<QString> secret;       // the upstream key; never echoed back unmasked
    std::optional<QStringList> models;
    std::optional<QStringList> groups;
    std::optional<int> priority;
    std::optional<int> weight;
    std::optional<QJsonObject> modelMapping;
};

struct KeyEdit
{
    std::optional<qint64> quota;         // remaining quota; makes the key limited
    bool unlimited = false;              // exclusive with quota
    std::optional<QStringList> models;   // empty list = every model
    std::optional<qint64> expiresAt;     // unix seconds; 0 = never
    std::optional<QString> group;        // empty = the user's group
};

// Budget windows of a user or a key: window name ("day", "week", "month", "<N>h") → quota cap per period.
// Setting them replaces the owner's whole set; an empty list clears it.
using BudgetWindows = QList<std::pair<QString, qint64>>;

// Rate limits of a user or a key: kind ("rpm", "tpm", "rpd", "concurrency") → cap; a cap of 0 removes that limit.
// Setting them changes only the kinds named.
using RateCaps = QList<std::pair<QString, qint64>>;

// Spend alerts of a user or a key (see AlertWatcher): kind alert_budget (window + percent of its cap) or
// alert_balance (a quota under which the balance fires).
using AlertRules = QList<Store::AlertRepository::Spec>;

// The webhook spend alerts are posted to; the signing secret itself is never read back.
struct AlertWebhookConfig
{
    QString url;            // empty: none (alerts are kept, not sent)
    bool hasSecret = false;
};

// What a price import did: the snapshot now in force and how many models it prices.
struct PricingImport
{
    qint64 snapshotId = 0;
    int models = 0;
};

} // namespace RelayDesk::Service
