#pragma once
// What the demo's multipart routes (audio transcriptions and translations, image edits and variations) share,
// like DemoRequest for the JSON ones: the key check (401 invalid_api_key), the form (DemoMultipart), its model
// (a default when the form has none) and scenario (demoscenario.h; the marker is searched in `markerField`).
// Answers the error itself and returns nullopt when the request is refused or the scenario is error_500 /
// error_429.
#include "demo/demomultipart.h"
#include "demo/demoupstream.h"

#include <optional>

namespace RelayDesk::Relay {

class HttpExchange;

struct DemoFormRequest
{
    DemoMultipart form;
    QString model;    // without a "+scenario" suffix
    QString scenario; // "default" when none
    bool has(QLatin1StringView name) const;

    static std::optional<DemoFormRequest> read(HttpExchange &exchange, const DemoUpstreamOptions &options,
                                               QLatin1StringView markerField, const QString &defaultModel = {});
};

} // namespace RelayDesk::Relay
