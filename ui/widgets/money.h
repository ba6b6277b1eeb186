#pragma once

#include <QString>
#include <QtGlobal>

namespace RelayDesk::Ui {

// Quota is the only money unit in the core (Billing::QuotaMath::kQuotaPerUnit quota = US$1). The console
// shows it either as dollars or as raw quota units, as the user prefers (Settings → Currency display).

enum class CurrencyDisplay { Dollars, QuotaUnits };

QString formatQuota(qint64 quota, CurrencyDisplay display);
// For display-only fractional amounts (estimates in the detail bars).
QString formatQuota(double quota, CurrencyDisplay display);
QString formatDollars(double dollars);
QString formatTokens(qint64 tokens); // 1 234 567 → "1,234,567" in the current locale

// "1.5" (dollars) → quota, rounding to the nearest unit. Returns false on anything that is not a
// non-negative decimal number.
bool parseDollars(const QString &text, qint64 *quota);

} // namespace RelayDesk::Ui
