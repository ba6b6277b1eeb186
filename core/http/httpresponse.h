#pragma once
// A complete HTTP response as a value, plus the wire formatting shared by complete and streamed replies.
#include "http/httprequest.h"
#include "http/openaierror.h"

namespace RelayDesk::Relay {

struct HttpResponse final
{
    int status = 200;
    HttpHeaders headers; // Content-Length, Connection, Date and Transfer-Encoding are added by the server
    QByteArray body;

    static HttpResponse json(int status, QByteArray body);
    static HttpResponse text(int status, QByteArray body, QByteArray contentType = "text/plain; charset=utf-8");
    static HttpResponse error(const OpenAiError &error);
    // `response` with the Retry-After header `error` asks for, if any (an error body in another API's shape).
    static HttpResponse withRetryAfter(HttpResponse response, const OpenAiError &error);
};

namespace HttpWire {

// "OK", "Not Found", ... ("Unknown" for codes without a phrase).
QByteArray reasonPhrase(int status);
// IMF-fixdate of the current second, cached per thread ("Tue, 24 Nov 2026 11:00:00 GMT").
QByteArray currentDate();

enum class Framing { ContentLength, Chunked, UntilClose, None };

// Status line + user headers + framing/connection/date headers + blank line.
// `contentLength` is used only with Framing::ContentLength.
void appendHead(QByteArray &out, int status, const HttpHeaders &headers, Framing framing, qint64 contentLength,
                bool close, bool http10KeepAlive, const QByteArray &serverName);
// One chunk of a chunked body: "<hex>\r\n<data>\r\n" (nothing for empty data, which would end the body).
void appendChunk(QByteArray &out, QByteArrayView data);
inline constexpr QByteArrayView lastChunk = "0\r\n\r\n";

} // namespace HttpWire

} // namespace RelayDesk::Relay
