#include "budgetwindow.h"

#include <QDateTime>
#include <QHash>
#include <QMutex>

namespace RelayDesk {

std::optional<BudgetWindow> BudgetWindow::parse(const QString &text)
{
    const QString t = text.trimmed().toLower();
    if (t == u"day")
        return BudgetWindow(Kind::Day, 0);
    if (t == u"week")
        return BudgetWindow(Kind::Week, 0);
    if (t == u"month")
        return BudgetWindow(Kind::Month, 0);
    if (t.size() < 2 || !t.endsWith(u'h') || !t.at(0).isDigit())
        return std::nullopt;
    bool ok = false;
    const int hours = t.chopped(1).toInt(&ok);
    if (!ok || hours < 1 || hours > kMaxRollingHours)
        return std::nullopt;
    return BudgetWindow(Kind::Rolling, hours);
}

QTimeZone BudgetWindow::zone(const QString &ianaId)
{
    // Building a QTimeZone reads the zone's rules; one per id for the life of the process.
    static QMutex mutex;
    static QHash<QString, QTimeZone> cache;
    const QMutexLocker lock(&mutex);
    const auto it = cache.constFind(ianaId);
    if (it != cache.constEnd())
        return *it;
    QTimeZone z(ianaId.toUtf8());
    if (ianaId.isEmpty() || !z.isValid())
        z = QTimeZone::utc();
    cache.insert(ianaId, z);
    return z;
}

QString BudgetWindow::name() const
{
    switch (m_kind) {
    case Kind::Day: return QStringLiteral("day");
    case Kind::Week: return QStringLiteral("week");
    case Kind::Month: return QStringLiteral("month");
    case Kind::Rolling: break;
    }
    return QStringLiteral("%1h").arg(m_hours);
}

QString BudgetWindow::adjective() const
{
    switch (m_kind) {
    case Kind::Day: return QStringLiteral("daily");
    case Kind::Week: return QStringLiteral("weekly");
    case Kind::Month: return QStringLiteral("monthly");
    case Kind::Rolling: break;
    }
    return QStringLiteral("%1-hour rolling").arg(m_hours);
}

BudgetWindow::Period BudgetWindow::period(qint64 atSecs, const QTimeZone &zone) const
{
    if (m_kind == Kind::Rolling) {
        const qint64 bucket = atSecs - ((atSecs % kBucketSecs) + kBucketSecs) % kBucketSecs;
        return {bucket, bucket + kBucketSecs};
    }
    const QDate day = QDateTime::fromSecsSinceEpoch(atSecs, zone).date();
    QDate first = day, next = day.addDays(1);
    if (m_kind == Kind::Week) {
        first = day.addDays(1 - day.dayOfWeek()); // Monday is 1
        next = first.addDays(7);
    } else if (m_kind == Kind::Month) {
        first = QDate(day.year(), day.month(), 1);
        next = first.addMonths(1);
    }
    return {first.startOfDay(zone).toSecsSinceEpoch(), next.startOfDay(zone).toSecsSinceEpoch()};
}

qint64 BudgetWindow::firstCounted(qint64 atSecs, const QTimeZone &zone) const
{
    const Period p = period(atSecs, zone);
    return isRolling() ? p.start - qint64(m_hours - 1) * kBucketSecs : p.start;
}

} // namespace RelayDesk
