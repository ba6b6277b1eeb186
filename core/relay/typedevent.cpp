#include "relay/typedevent.h"

#include "relay/clientsink.h"

#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

TypedEvent TypedEvent::forward(const SseEvent &event, ClientSink &client)
{
    client.writeEvent(event.event, event.data);
    return read(event);
}

TypedEvent TypedEvent::read(const SseEvent &event)
{
    TypedEvent typed;
    typed.payload = QJsonDocument::fromJson(event.data).object();
    typed.type = typed.payload.value(QLatin1StringView("type")).toString();
    typed.liveType = typed.type.isEmpty() ? QString::fromUtf8(event.event) : typed.type;
    return typed;
}

} // namespace RelayDesk::Relay
