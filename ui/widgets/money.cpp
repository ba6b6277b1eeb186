#include "widgets/money.h"

#include "billing/quotamath.h"

#include <QLocale>

#include <cmath>

namespace RelayDesk::Ui {

QString formatDollars(double dollars)
{
    const double magnitude = std::abs(dollars);
    // Small amounts (a single realtime turn costs fractions of a cent) need more digits to be useful.
    const int decimals = magnitude == 0.0 ? 2 : magnitude < 0.01 ? 6 : magnitude < 1.0 ? 4 : 2;
    const QString number = QLocale().toString(magnitude, 'f', decimals);
    return (dollars < 0 ? QStringLiteral("-$") : QStringLiteral("$")) + number;
}

QString formatQuota(qint64 quota, CurrencyDisplay display)
{
    if (display == CurrencyDisplay::QuotaUnits)
        return QLocale().toString(quota);
    return formatDollars(double(quota) / double(Billing::QuotaMath::kQuotaPerUnit));
}

QString formatQuota(double quota, CurrencyDisplay display)
{
    if (display == CurrencyDisplay::QuotaUnits)
        return QLocale().toString(quota, 'f', quota != 0.0 && std::abs(quota) < 10 ? 2 : 0);
    return formatDollars(quota / double(Billing::QuotaMath::kQuotaPerUnit));
}

QString formatTokens(qint64 tokens)
{
    return QLocale().toString(tokens);
}

bool parseDollars(const QString &text, qint64 *quota)
{
    QString t = text.trimmed();
    if (t.startsWith(QLatin1Char('$')))
        t.remove(0, 1);
    bool ok = false;
    const double dollars = t.toDouble(&ok);
    if (!ok || !std::isfinite(dollars) || dollars < 0 || dollars > 1e12)
        return false;
    *quota = qint64(std::llround(dollars * double(Billing::QuotaMath::kQuotaPerUnit)));
    return true;
}

} // namespace RelayDesk::Ui
