#pragma once
// A budget window's arithmetic: which period a moment falls in, and when that period ends. Pure, no I/O.
//  - `day`, `week`, `month`: calendar periods in a time zone (weeks start on Monday). Boundaries are local
//    midnights computed by QDate::startOfDay in that zone, so a DST change day is 23 or 25 hours long and a
//    midnight that does not exist (a zone that springs forward at 00:00) starts the day at the first valid time.
//  - `Nh` (1..720): a rolling window of N hours, kept as hour buckets (UTC hours since the epoch). The window at
//    a moment is the current bucket and the N − 1 before it, so spend leaves it at most an hour late — never
//    early: a rolling cap is never exceeded by counting too little.
// A period is identified by its start (unix seconds): the key of its usage row. Rolling windows key the bucket.
#include <QString>
#include <QTimeZone>

#include <optional>

namespace RelayDesk {

class BudgetWindow final
{
public:
    enum class Kind { Day, Week, Month, Rolling };
    static constexpr int kMaxRollingHours = 720;
    static constexpr qint64 kBucketSecs = 3600;

    // "day", "week", "month" or "<N>h" (1 ≤ N ≤ 720); nullopt otherwise.
    static std::optional<BudgetWindow> parse(const QString &text);
    // An IANA zone id ("Europe/Berlin"); UTC when empty or unknown. Cached: cheap to call per reservation.
    static QTimeZone zone(const QString &ianaId);

    Kind kind() const { return m_kind; }
    int hours() const { return m_hours; } // rolling only
    bool isRolling() const { return m_kind == Kind::Rolling; }
    QString name() const;      // the canonical text: "day", "24h"
    QString adjective() const; // "daily", "weekly", "monthly", "24-hour rolling"

    struct Period
    {
        qint64 start = 0; // unix seconds, inclusive: the period key (rolling: the current hour bucket)
        qint64 end = 0;   // unix seconds, exclusive: when it rolls over (rolling: when the current bucket ends)
    };
    // The period (calendar) or current bucket (rolling) containing `atSecs`.
    Period period(qint64 atSecs, const QTimeZone &zone) const;
    // The oldest period key counted at `atSecs`: the period's start (calendar), or the bucket N − 1 hours before
    // the current one (rolling). Usage rows with keys in [firstCounted, period.start] make up the window's spend.
    qint64 firstCounted(qint64 atSecs, const QTimeZone &zone) const;
    // When a rolling bucket stops being counted.
    qint64 bucketLeaves(qint64 bucketStart) const { return bucketStart + qint64(m_hours) * kBucketSecs; }

private:
    BudgetWindow(Kind kind, int hours) : m_kind(kind), m_hours(hours) {}
    Kind m_kind;
    int m_hours;
};

} // namespace RelayDesk
