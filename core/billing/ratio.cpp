#include "ratio.h"

#include <QLocale>
#include <QRegularExpression>

#include <cmath>

namespace RelayDesk::Billing {

Ratio Ratio::fromInteger(long value)
{
    Ratio r;
    r.m_value = value;
    r.m_text = QString::number(value);
    return r;
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
    Ratio r;
    if (scale >= 0)
        r.m_value = mpq_class(numerator * power);
    else
        r.m_value = mpq_class(numerator, power);
    r.m_value.canonicalize();
    // Keep the decimal text (GMP's mpq_get_d truncates, so a double must come from the text instead).
    r.m_text = decimalText.trimmed();
    return r;
}

double Ratio::toDouble() const
{
    // strtod rounds the decimal text to the nearest double (mpq_get_d would truncate).
    bool ok = false;
    const double d = m_text.toDouble(&ok);
    return ok ? d : m_value.get_d();
}

QJsonValue Ratio::toJson() const
{
    // Shortest round-trip double: re-importing yields the same exact ratio.
    return QJsonValue(toDouble());
}

} // namespace RelayDesk::Billing
