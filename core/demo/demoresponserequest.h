#pragma once
// One Responses API request as the demo upstream understands it (create, input_tokens, compact and the
// WebSocket mode's response.create): the model and scenario, the input normalised to items with ids, and the
// input token count a real server would bill — the request's own text plus the context it adds from
// previous_response_id, which a relay cannot see.
#include "http/openaierror.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QString>

#include <optional>

namespace RelayDesk::Relay {

class DemoResponseStore;

struct DemoResponseRequest
{
    QJsonObject body;
    QString model;        // without a "+scenario" suffix
    QString scenario;     // "default" or comma-separated names (demoresponses.h)
    QJsonArray inputItems; // string input → one user message; ids added; item_reference resolved
    QString instructions;
    QString previousResponseId;
    bool stream = false;
    bool background = false;
    bool store = true;
    bool obfuscation = true;  // stream_options.include_obfuscation (default on, like OpenAI)
    qint64 inputTokens = 0;   // everything billed as input, context included
    qint64 contextTokens = 0; // the part added by previous_response_id

    bool has(QLatin1StringView scenarioName) const;

    // Parses and validates `body`; an error (400 previous_response_not_found, item not found, missing model)
    // instead when OpenAI would refuse it. `scenarioHeader` is X-Fake-Scenario (empty when absent).
    static std::optional<OpenAiError> parse(const QJsonObject &body, const QByteArray &scenarioHeader,
                                            const DemoResponseStore &store, DemoResponseRequest &out);
    // Tokens of `text` for `model` (the project's tokenizer; realistic and deterministic).
    static qint64 countText(const QString &text, const QString &model);
    // A fresh OpenAI-style id: "<prefix>_<48 hex>".
    static QString newId(QLatin1StringView prefix);
};

} // namespace RelayDesk::Relay
