#pragma once

#include <QCoreApplication>
#include <QJsonObject>
#include <QStringList>

namespace RelayDesk::Ui {

// The endpoint and billed units part of a log row's detail: which endpoint family served the call (from
// other.request_path through Monitor::endpointKindForPath) and, for a unit-priced call, its units in words
// (other.units = Billing::Units::toJson: "92.5 s of audio", "1,000 characters", "2 images, 1024x1792, hd").
class UnitsLogDetail final
{
    Q_DECLARE_TR_FUNCTIONS(RelayDesk::Ui::UnitsLogDetail)

public:
    // "Speech (/v1/audio/speech)"; empty when the row names no endpoint.
    static QString endpoint(const QJsonObject &other);
    // True when the row carries units (a non-empty other.units object).
    static bool applies(const QJsonObject &other);
    // Readable lines (no JSON), empty when the row has no units.
    static QStringList lines(const QJsonObject &other);
};

} // namespace RelayDesk::Ui
