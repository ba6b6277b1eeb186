#include "live/unitstext.h"

#include "widgets/money.h"

#include <QLocale>

#include <cmath>

namespace RelayDesk::Ui {

namespace {

constexpr double kMaxQuantity = 1e12; // far beyond any call; bounds what a log row can make us print

qint64 boundedInteger(const QJsonValue &v)
{
    const double d = v.toDouble(0);
    return std::isfinite(d) && d > 0 && d <= kMaxQuantity ? qint64(d) : 0;
}

} // namespace

QString UnitsText::audio(qint64 audioMs)
{
    // Tenths of a second are what the minute price is prorated on in practice; more digits only when needed.
    const double seconds = double(audioMs) / 1000.0;
    const int decimals = audioMs % 1000 == 0 ? 0 : (audioMs % 100 == 0 ? 1 : 3);
    return tr("%1 s of audio").arg(QLocale().toString(seconds, 'f', decimals));
}

QString UnitsText::characters(qint64 characters)
{
    return characters == 1 ? tr("1 character") : tr("%1 characters").arg(formatTokens(characters));
}

QString UnitsText::images(qint64 images, const QString &size, const QString &quality)
{
    QStringList parts;
    parts << (images == 1 ? tr("1 image") : tr("%1 images").arg(formatTokens(images)));
    if (!size.isEmpty())
        parts << size;
    if (!quality.isEmpty())
        parts << quality;
    return parts.join(QStringLiteral(", "));
}

QStringList UnitsText::phrases(const Billing::Units &units)
{
    QStringList out;
    if (units.audioMs > 0)
        out << audio(units.audioMs);
    if (units.characters > 0)
        out << characters(units.characters);
    if (units.images > 0)
        out << images(units.images, units.imageSize, units.imageQuality);
    return out;
}

Billing::Units UnitsText::fromJson(const QJsonObject &o)
{
    Billing::Units u;
    const double seconds = o.value(QLatin1StringView("audio_seconds")).toDouble(0);
    if (std::isfinite(seconds) && seconds > 0 && seconds <= kMaxQuantity / 1000.0)
        u.audioMs = std::llround(seconds * 1000.0);
    u.characters = boundedInteger(o.value(QLatin1StringView("characters")));
    u.images = boundedInteger(o.value(QLatin1StringView("images")));
    // Sizes and qualities are short words ("1024x1792", "hd"); a longer value is not one of them.
    u.imageSize = o.value(QLatin1StringView("image_size")).toString().left(32);
    u.imageQuality = o.value(QLatin1StringView("image_quality")).toString().left(32);
    return u;
}

} // namespace RelayDesk::Ui
