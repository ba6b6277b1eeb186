#pragma once
// A unit-priced call's units in words, the same in the live view and the logs: "92.5 s of audio",
// "1,000 characters", "2 images, 1024x1792, hd" (numbers in the current locale).
#include "billing/usage.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QStringList>

namespace RelayDesk::Ui {

class UnitsText final
{
    Q_DECLARE_TR_FUNCTIONS(RelayDesk::Ui::UnitsText)

public:
    static QString audio(qint64 audioMs);
    static QString characters(qint64 characters);
    static QString images(qint64 images, const QString &size, const QString &quality);
    // One phrase per quantity present, in the order audio, characters, images; empty for none.
    static QStringList phrases(const Billing::Units &units);
    // The inverse of Billing::Units::toJson (a log row's other.units): audio_seconds, characters, images,
    // image_size, image_quality. Negative, non-finite or absurd numbers (beyond 10^12) read as 0.
    static Billing::Units fromJson(const QJsonObject &units);
};

} // namespace RelayDesk::Ui
