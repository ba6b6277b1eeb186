#pragma once
// One small metered call of a route through a MeteredRelay with its key, for the limit tests (budgets, rates): chat
// (JSON), chat-stream or messages (Anthropic's, with anthropic-version), 256 max tokens; it waits for the call to
// finish. The models: gpt-4o-mini on the demo channel, claude-sonnet-4-5-20250929 on an anthropic channel.
#include "meteredrelay.h"

#include <QtCore/QJsonArray>

namespace RelayDeskTest {

inline const QString kRouteChatModel = QStringLiteral("gpt-4o-mini");
inline const QString kRouteClaudeModel = QStringLiteral("claude-sonnet-4-5-20250929");

inline QJsonObject routeBody(const QString &route)
{
    const QJsonArray messages{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                          {QStringLiteral("content"), QStringLiteral("Say hello.")}}};
    if (route == u"messages")
        return {{QStringLiteral("model"), kRouteClaudeModel}, {QStringLiteral("max_tokens"), 256},
                {QStringLiteral("messages"), messages}};
    QJsonObject chat{{QStringLiteral("model"), kRouteChatModel}, {QStringLiteral("max_tokens"), 256},
                     {QStringLiteral("messages"), messages}};
    if (route == u"chat-stream")
        chat.insert(QStringLiteral("stream"), true);
    return chat;
}

inline RelayReply callRoute(MeteredRelay &relay, const QString &route)
{
    const QByteArray path = route == u"messages" ? "/v1/messages" : "/v1/chat/completions";
    const QByteArray bytes = QJsonDocument(routeBody(route)).toJson(QJsonDocument::Compact);
    const qsizetype before = relay.results().size();
    QByteArray request = httpRequest("POST", path, bytes, relay.key());
    if (route == u"messages")
        request.replace("\r\n\r\n", "\r\nanthropic-version: 2023-06-01\r\n\r\n");
    RawClient client;
    RelayReply out;
    if (!client.connectTo(relay.runtime().port()))
        return out;
    client.send(request);
    if (auto r = client.readResponse(false, 30000))
        out.http = *r;
    spinUntil([&] { return relay.results().size() > before; }, 30000);
    return out;
}

} // namespace RelayDeskTest
