#pragma once

#include "widgets/money.h"

#include "service/adminservice.h"

namespace RelayDesk::Ui {

// The caps of one user's or key's limits, read for the compact "Limits" column of the Users & Keys tables
// ("rpm 60 · day $5.00 · IP list"). Read on the service's worker (the of*() calls are SQL).
struct LimitCaps
{
    QList<Store::RateLimit> rates;
    QList<Store::BudgetLimit> budgets;
    int allowedIps = 0;

    static LimitCaps ofUser(const Service::AdminService &s, qint64 userId);
    static LimitCaps ofKey(const Service::AdminService &s, qint64 keyId);
    // Empty when the owner has no limits.
    QString summary(CurrencyDisplay display) const;
};

} // namespace RelayDesk::Ui
