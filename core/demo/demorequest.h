#pragma once
// What the demo's embeddings, completions and moderations routes share: the key check (DemoUpstreamOptions::
// requiredKey, 401 invalid_api_key) and the JSON body with its model and scenario (demoscenario.h; the marker is
// searched in `markerField`). Answers the error itself and returns nullopt when the request is refused or the
// scenario is error_500 / error_429.
#include "demo/demoupstream.h"

#include <QtCore/QJsonObject>

#include <optional>

namespace RelayDesk::Relay {

class HttpExchange;

// The steps every demo route takes before its own work, each answering its own error: the key
// (DemoUpstreamOptions::requiredKey, 401 invalid_api_key), a model (400 missing_required_parameter) and the
// scenarios that fail a request outright (error_500, error_429). Each returns false after answering.
struct DemoGate
{
    static bool keyAccepted(HttpExchange &exchange, const DemoUpstreamOptions &options);
    static bool hasModel(HttpExchange &exchange, const QString &model);
    static bool passesScenario(HttpExchange &exchange, const QString &scenario);
};

struct DemoRequest
{
    QJsonObject body;
    QString model;    // without a "+scenario" suffix
    QString scenario; // "default" when none
    bool has(QLatin1StringView name) const;

    static std::optional<DemoRequest> read(HttpExchange &exchange, const DemoUpstreamOptions &options,
                                           QLatin1StringView markerField, const QString &defaultModel = {});
};

// Deterministic pseudo-random numbers from a text (SHA-256 seeded splitmix64): the demo's vectors and scores.
class DemoHashStream
{
public:
    explicit DemoHashStream(const QByteArray &seed);
    double nextUnit(); // [0, 1)

private:
    quint64 m_state = 0;
};

} // namespace RelayDesk::Relay
