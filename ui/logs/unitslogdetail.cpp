#include "logs/unitslogdetail.h"

#include "live/unitstext.h"

#include "monitor/endpointkind.h"

namespace RelayDesk::Ui {

QString UnitsLogDetail::endpoint(const QJsonObject &other)
{
    const QString path = other.value(QLatin1StringView("request_path")).toString();
    if (path.isEmpty())
        return {};
    return tr("%1 (%2)").arg(Monitor::endpointKindName(Monitor::endpointKindForPath(path)),
                             path.left(Monitor::kMaxRequestPathLength));
}

bool UnitsLogDetail::applies(const QJsonObject &other)
{
    return !UnitsText::fromJson(other.value(QLatin1StringView("units")).toObject()).isEmpty();
}

QStringList UnitsLogDetail::lines(const QJsonObject &other)
{
    const QStringList phrases = UnitsText::phrases(UnitsText::fromJson(other.value(QLatin1StringView("units")).toObject()));
    if (phrases.isEmpty())
        return {};
    return {tr("Billed units: %1").arg(phrases.join(QStringLiteral(" · ")))};
}

} // namespace RelayDesk::Ui
