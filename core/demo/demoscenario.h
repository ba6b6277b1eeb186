#pragma once
// How the demo upstream picks a scenario per request, and the canned texts it answers with: shared by the chat
// simulation (demoupstream.cpp) and the Responses simulation (demoresponses.h) so both behave alike.
//
// A scenario comes from the header `X-Fake-Scenario: <name>`, a model suffix `<model>+<name>`, or a marker
// `[[scenario:<name>]]` anywhere in the request's text (the only one that survives a relay untouched). Names
// combine with commas ("tools,no_usage").
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace RelayDesk::Relay {

class HttpRequest;

class DemoScenario final
{
public:
    // The scenario of a request ("default" when none); strips a "+<name>" suffix from `model`. `markerText`
    // is the request text searched for a [[scenario:…]] marker.
    static QString of(const HttpRequest &request, QString &model, const QString &markerText);
    static QString of(const QByteArray &header, QString &model, const QString &markerText);
    static bool has(const QString &scenario, QLatin1StringView name);

    static QString replyText();
    static QStringList replyWords();
    static QString reasoningText();
    static QString toolName();
    static QString toolArguments();
};

} // namespace RelayDesk::Relay
