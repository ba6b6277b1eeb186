#pragma once
// The limits of users and keys (`limits`, migration 10) and what they have counted (`limit_usage`). Budget windows
// (a quota cap per period, BudgetWindow) and IP allow-lists (kind allow_ip, one row per CIDR in `value`, canonical
// Cidr text). Rate limits are further kinds of the same rows.
#include "records.h"
#include "result.h"

#include <QList>
#include <QTimeZone>

namespace RelayDesk {
class BudgetWindow;
}

namespace RelayDesk::Store {

class Database;

class LimitRepository final
{
public:
    static constexpr const char *kUser = "user";
    static constexpr const char *kKey = "key";
    static constexpr const char *kBudget = "budget";
    static constexpr const char *kAllowIp = "allow_ip";
    // The option listing the proxies whose X-Forwarded-For is believed (CIDRs, comma-separated; default none).
    static constexpr const char *kTrustedProxiesOption = "RelayDeskTrustedProxies";
    // The option naming the IANA time zone calendar windows are counted in (default UTC).
    static constexpr const char *kTimeZoneOption = "RelayDeskBudgetTimeZone";

    explicit LimitRepository(const Database &db) : m_db(db) {}

    // The owner's budget windows, by id.
    QList<BudgetLimit> budgets(const QString &ownerKind, qint64 ownerId) const;
    // Replaces the owner's budget windows with `windows` (window name → cap; names canonical and distinct). A window
    // kept (same name) keeps its id and what it counted, with the new cap; a window dropped loses its counts.
    Status setBudgets(const QString &ownerKind, qint64 ownerId, const QList<std::pair<QString, qint64>> &windows) const;

    // The owner's IP allow-list (canonical CIDR texts, in the order set; empty: every address).
    QStringList allowedIps(const QString &ownerKind, qint64 ownerId) const;
    // Replaces the owner's allow-list with `cidrs` (canonical, distinct: Cidr::parseList's; empty clears it).
    Status setAllowedIps(const QString &ownerKind, qint64 ownerId, const QStringList &cidrs) const;
    // A key's and its user's allow-lists with one statement (Auth loads them with the key and user rows).
    struct AllowLists
    {
        QStringList key;
        QStringList user;
    };
    Result<AllowLists> allowLists(qint64 keyId, qint64 userId) const;
    // The trusted proxies option as entries (unparsed texts; empty when unset).
    QStringList trustedProxies() const;

    // The zone calendar windows use now (the option, or UTC).
    QTimeZone timeZone() const;
    // `limit` at `nowSecs` in `zone`; `wanted` > 0 asks when that much more would fit (resetAt).
    Result<BudgetState> state(const BudgetLimit &limit, qint64 nowSecs, const QTimeZone &zone, qint64 wanted = 0) const;

private:
    const Database &m_db;
};

} // namespace RelayDesk::Store
