#pragma once

#include <QJsonValue>
#include <QString>

#include <gmpxx.h>

#include <memory>
#include <optional>

namespace RelayDesk::Billing {

// A price ratio as an exact rational. Ratios arrive as JSON numbers (doubles); we take the shortest
// decimal text that round-trips the double — i.e. exactly what the admin typed, e.g. "0.075" — and
// parse that text into an exact fraction (75/1000). Binary floating point never enters the money path,
// so sums and products are exact and the only rounding is the one at settlement.
//
// The fraction is immutable and shared: a ModelPricing holds a dozen ratios and travels by value with every
// request, and a GMP rational allocates on each copy and on each move (gmpxx re-initialises the moved-from
// value) — before sharing, ~800 allocations a request.
class Ratio
{
public:
    Ratio() = default;
    // Copies only (a move would leave a null fraction behind); a copy shares the fraction.
    Ratio(const Ratio &) = default;
    Ratio &operator=(const Ratio &) = default;
    static Ratio fromInteger(long value);
    // Finite, non-negative JSON numbers only.
    static std::optional<Ratio> fromJson(const QJsonValue &value);
    // Decimal text: [-]digits[.digits][e[+-]digits]. Returns nullopt on anything else.
    static std::optional<Ratio> parse(const QString &decimalText);

    const mpq_class &exact() const { return *m_value; }
    double toDouble() const;
    const QString &text() const { return m_text; }
    QJsonValue toJson() const;
    bool isZero() const { return sgn(*m_value) == 0; }

    friend bool operator==(const Ratio &a, const Ratio &b) { return *a.m_value == *b.m_value; }

private:
    Ratio(mpq_class value, QString text);

    std::shared_ptr<const mpq_class> m_value = zero();
    QString m_text = QStringLiteral("0");

    static const std::shared_ptr<const mpq_class> &zero();
};

} // namespace RelayDesk::Billing
