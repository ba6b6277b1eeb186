#include "ratio.h"

#include <QLocale>
#include <QRegularExpression>

#include <cmath>

namespace RelayDesk::Billing {

Ratio::Ratio(mpq_class value, QString text)
    : m_value(std::make_shared<const mpq_class>(std::move(value))), m_text(std::move(text))
{
}

const std::shared_ptr<const mpq_class> &Ratio::zero()
{
    static const std::shared_ptr<const mpq_class> value = std::make_shared<const mpq_class>(0);
    return value;
}

Ratio Ratio::fromInteger(long value)
{
    // Every ModelPricing starts from 1s and a 2: those are built once, then shared.
    static const Ratio one(1, QStringLiteral("1"));
    static const Ratio two(2, QStringLiteral("2"));
    if (value == 0)
        return Ratio();
    if (value == 1)
        return one;
    if (value == 2)
        return two;
    return Ratio(value, QString::number(value));
}

std::optional<Ratio> Ratio::fromJson(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    const double d = value.toDouble();
    if (!std::isfinite(d) || d < 0)
        return std::nullopt;
    return parse(QString::number(d, 'g', QLocale::FloatingPointShortest));
}

std::optional<Ratio> Ratio::parse(const QString &decimalText)
{
    static const QRegularExpression re(QStringLiteral("^(-?)(\\d*)(?:\\.(\\d*))?(?:[eE]([+-]?\\d{1,4}))?$"));
    const auto m = re.match(decimalText.trimmed());
    if (!m.hasMatch())
        return std::nullopt;
    const QString intPart = m.captured(2);
    const QString fracPart = m.captured(3);
    if (intPart.isEmpty() && fracPart.isEmpty())
        return std::nullopt;
    const int exponent = m.captured(4).isEmpty() ? 0 : m.captured(4).toInt();
    QString digits = intPart + fracPart;
    if (digits.isEmpty())
        digits = QStringLiteral("0");
    mpz_class numerator(digits.toStdString(), 10);
    if (m.captured(1) == u"-")
        numerator = -numerator;
    const long scale = long(exponent) - long(fracPart.size());
    mpz_class power;
    mpz_ui_pow_ui(power.get_mpz_t(), 10, static_cast<unsigned long>(std::labs(scale)));
    mpq_class value = scale >= 0 ? mpq_class(numerator * power) : mpq_class(numerator, power);
    value.canonicalize();
    // Keep the decimal text (GMP's mpq_get_d truncates, so a double must come from the text instead).
    return Ratio(std::move(value), decimalText.trimmed());
}

double Ratio::toDouble() const
{
    // strtod rounds the decimal text to the nearest double (mpq_get_d would truncate).
    bool ok = false;
    const double d = m_text.toDouble(&ok);
    return ok ? d : m_value->get_d();
}

QJsonValue Ratio::toJson() const
{
    // Shortest round-trip double: re-importing yields the same exact ratio.
    return QJsonValue(toDouble());
}

} // namespace RelayDesk::Billing
