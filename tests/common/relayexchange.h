#pragma once
// One HTTP exchange with the relay over a real loopback socket, for the end-to-end endpoint tests: the request
// bytes (method, path, JSON body, bearer key), the raw response, and its SSE events parsed. Shared by
// tests/responses and tests/surface.
#include "../relay/rawhttpclient.h"

#include "relay/sseparser.h"

#include <QtCore/QJsonObject>

namespace RelayDeskTest {

struct RelayReply
{
    RawResponse http;
    QList<std::pair<QByteArray, QJsonObject>> events; // SSE (event name, payload parsed as an object)
    QList<QByteArray> data;                           // SSE payloads as sent ("[DONE]" included)
    QJsonObject json() const { return http.json(); }
};

inline QByteArray httpRequest(const QByteArray &method, const QByteArray &path, const QByteArray &body,
                              const QByteArray &key, const QByteArray &contentType = "application/json")
{
    QByteArray r = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!key.isEmpty())
        r += "Authorization: Bearer " + key + "\r\n";
    if (!body.isEmpty() || method == "POST")
        r += "Content-Type: " + contentType + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    return r + "\r\n" + body;
}

// Sends one request on a new connection and reads the whole response (an SSE body to its end).
inline RelayReply exchangeWith(quint16 port, const QByteArray &method, const QByteArray &path,
                               const QByteArray &body, const QByteArray &key,
                               const QByteArray &contentType = "application/json")
{
    RawClient client;
    RelayReply out;
    if (!client.connectTo(port))
        return out;
    client.send(httpRequest(method, path, body, key, contentType));
    if (auto r = client.readResponse(false, 30000))
        out.http = *r;
    if (out.http.header("Content-Type").startsWith("text/event-stream")) {
        RelayDesk::Relay::SseParser parser;
        for (const auto &e : parser.feed(out.http.body)) {
            out.data.append(e.data);
            out.events.append({e.event, QJsonDocument::fromJson(e.data).object()});
        }
    }
    return out;
}

} // namespace RelayDeskTest
