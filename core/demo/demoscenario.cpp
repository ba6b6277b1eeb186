#include "demo/demoscenario.h"

#include "http/httprequest.h"

#include <QtCore/QRegularExpression>
#include <QtCore/QStringList>

namespace RelayDesk::Relay {

QString DemoScenario::of(const HttpRequest &request, QString &model, const QString &markerText)
{
    return of(request.header("X-Fake-Scenario"), model, markerText);
}

QString DemoScenario::of(const QByteArray &header, QString &model, const QString &markerText)
{
    QString scenario = QString::fromUtf8(header).trimmed();
    const qsizetype plus = model.indexOf(QLatin1Char('+'));
    if (plus > 0) {
        if (scenario.isEmpty())
            scenario = model.mid(plus + 1);
        model.truncate(plus);
    }
    if (scenario.isEmpty()) {
        static const QRegularExpression marker(QStringLiteral(R"(\[\[scenario:([a-z0-9_,]+)\]\])"));
        const auto m = marker.match(markerText);
        if (m.hasMatch())
            scenario = m.captured(1);
    }
    return scenario.isEmpty() ? QStringLiteral("default") : scenario;
}

bool DemoScenario::has(const QString &scenario, QLatin1StringView name)
{
    for (const auto part : QStringView(scenario).split(QLatin1Char(',')))
        if (part.trimmed() == name)
            return true;
    return false;
}

QString DemoScenario::replyText()
{
    return QStringLiteral(
        "Hello! This is the RelayDesk demo upstream. It simulates an OpenAI model on your own machine, "
        "so you can watch a request travel through the relay, get counted token by token, and be billed "
        "exactly once. Point any OpenAI SDK at the relay to try it.");
}

QStringList DemoScenario::replyWords()
{
    return replyText().split(QLatin1Char(' '));
}

QString DemoScenario::reasoningText()
{
    return QStringLiteral("The user greeted me; a short friendly answer fits.");
}

QString DemoScenario::toolName()
{
    return QStringLiteral("get_weather");
}

QString DemoScenario::toolArguments()
{
    return QStringLiteral(R"({"city":"Paris","unit":"celsius"})");
}

} // namespace RelayDesk::Relay
