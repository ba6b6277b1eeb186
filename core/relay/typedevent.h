#pragma once
// An event of a stream whose JSON payload names its own `type` (transcription, speech, images, Anthropic's
// Messages): forwarded to the client unchanged, then read once.
#include "relay/sseparser.h"

#include <QtCore/QJsonObject>
#include <QtCore/QString>

namespace RelayDesk::Relay {

class ClientSink;

struct TypedEvent
{
    QJsonObject payload;
    QString type;     // the payload's `type` ("" when it has none)
    QString liveType; // `type`, else the SSE event's name: what the live view shows

    // Reads the event's payload and types.
    static TypedEvent read(const SseEvent &event);
    // Writes `event` to `client` as it came, then reads it.
    static TypedEvent forward(const SseEvent &event, ClientSink &client);
};

} // namespace RelayDesk::Relay
