#include "relay/calladapter.h"

#include "common/compactjson.h"
#include "relay/clientsink.h"

#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

void CallAdapter::writeStreamError(ClientSink &client, const OpenAiError &error)
{
    client.writeEvent({}, error.toJson());
}

QByteArray CallAdapter::withLocalUsage(QJsonObject reply, const ParsedUsage &usage) const
{
    Q_UNUSED(usage)
    return CompactJson::write(reply);
}

} // namespace RelayDesk::Relay
