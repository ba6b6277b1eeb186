#include "users/limitcaps.h"

#include <QCoreApplication>

namespace RelayDesk::Ui {

namespace {
LimitCaps from(const Store::Result<QList<Store::RateState>> &rates, const Store::Result<QList<Store::BudgetState>> &budgets,
               const QStringList &ips)
{
    LimitCaps caps;
    if (rates)
        for (const Store::RateState &r : rates.value())
            caps.rates << r.limit;
    if (budgets)
        for (const Store::BudgetState &b : budgets.value())
            caps.budgets << b.limit;
    caps.allowedIps = int(ips.size());
    return caps;
}
} // namespace

LimitCaps LimitCaps::ofUser(const Service::AdminService &s, qint64 userId)
{
    return from(s.userRates(userId), s.userBudgets(userId), s.userAllowedIps(userId));
}

LimitCaps LimitCaps::ofKey(const Service::AdminService &s, qint64 keyId)
{
    return from(s.keyRates(keyId), s.keyBudgets(keyId), s.keyAllowedIps(keyId));
}

QString LimitCaps::summary(CurrencyDisplay display) const
{
    QStringList parts;
    for (const Store::RateLimit &r : rates)
        parts << QStringLiteral("%1 %2").arg(r.kind, formatTokens(r.cap));
    for (const Store::BudgetLimit &b : budgets)
        parts << QStringLiteral("%1 %2").arg(b.window, formatQuota(b.cap, display));
    if (allowedIps > 0)
        parts << QCoreApplication::translate("RelayDesk::Ui::UsersKeysPage", "IP list");
    return parts.join(QStringLiteral(" · "));
}

} // namespace RelayDesk::Ui
