#pragma once
// The limits of users and keys (`limits`, migration 10) and what they have counted (`limit_usage`): budget windows
// (a quota cap per period, BudgetWindow), rate limits (rpm, tpm, rpd, concurrency; see RateLedger) and IP
// allow-lists (kind allow_ip, one row per CIDR in `value`, canonical Cidr text).
#include "records.h"
#include "result.h"

#include <QList>
#include <QStringList>
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
    static constexpr const char *kRpm = "rpm";
    static constexpr const char *kTpm = "tpm";
    static constexpr const char *kRpd = "rpd";
    static constexpr const char *kConcurrency = "concurrency";
    static constexpr qint64 kMinuteSecs = 60;
    // The rate kinds, in the order they are shown and checked when their ids tie (never: ids are unique).
    static QStringList rateKinds();
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
    // The owner's rate limits, by id.
    QList<RateLimit> rates(const QString &ownerKind, qint64 ownerId) const;
    // Sets the owner's rate limits named in `caps` (kind → cap; 0 removes that limit); kinds not named stay.
    // A limit kept keeps what it counted, with the new cap.
    Status setRates(const QString &ownerKind, qint64 ownerId, const QList<std::pair<QString, qint64>> &caps) const;
    // `limit` at `nowSecs`: what its current window counted (rpd: the day in `zone`), when that window ends.
    Result<RateState> rateState(const RateLimit &limit, qint64 nowSecs, const QTimeZone &zone) const;
    // The user's name or the key's hint (never the key): how a refusal names the owner.
    QString ownerName(const QString &ownerKind, qint64 ownerId) const;

    // The zone calendar windows use now (the option, or UTC).
    QTimeZone timeZone() const;
    // `limit` at `nowSecs` in `zone`; `wanted` > 0 asks when that much more would fit (resetAt).
    Result<BudgetState> state(const BudgetLimit &limit, qint64 nowSecs, const QTimeZone &zone, qint64 wanted = 0) const;

private:
    const Database &m_db;
};

} // namespace RelayDesk::Store
