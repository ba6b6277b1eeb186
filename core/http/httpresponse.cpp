#include "http/httpresponse.h"

#include <http_parser.h>

#include <ctime>

namespace RelayDesk::Relay {

HttpResponse HttpResponse::json(int status, QByteArray body)
{
    HttpResponse r;
    r.status = status;
    r.headers.add("Content-Type", "application/json");
    r.body = std::move(body);
    return r;
}

HttpResponse HttpResponse::text(int status, QByteArray body, QByteArray contentType)
{
    HttpResponse r;
    r.status = status;
    r.headers.add("Content-Type", std::move(contentType));
    r.body = std::move(body);
    return r;
}

HttpResponse HttpResponse::error(const OpenAiError &error)
{
    return withRetryAfter(json(error.httpStatus, error.toJson()), error);
}

HttpResponse HttpResponse::withRetryAfter(HttpResponse response, const OpenAiError &error)
{
    if (error.retryAfterSecs > 0)
        response.headers.set(QByteArrayLiteral("Retry-After"), QByteArray::number(error.retryAfterSecs));
    return response;
}

namespace HttpWire {

QByteArray reasonPhrase(int status)
{
    if (status == 100)
        return QByteArrayLiteral("Continue");
    if (status == 101)
        return QByteArrayLiteral("Switching Protocols");
    const char *phrase = http_status_str(static_cast<enum http_status>(status));
    // http_status_str answers "<unknown>" for codes it does not know.
    if (!phrase || *phrase == '<')
        return QByteArrayLiteral("Unknown");
    return QByteArray(phrase);
}

QByteArray currentDate()
{
    thread_local std::time_t cachedSecond = 0;
    thread_local QByteArray cached;
    const std::time_t now = std::time(nullptr);
    if (now != cachedSecond || cached.isEmpty()) {
        std::tm tm {};
        gmtime_r(&now, &tm);
        char buf[64];
        const size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        cached = QByteArray(buf, qsizetype(n));
        cachedSecond = now;
    }
    return cached;
}

void appendHead(QByteArray &out, int status, const HttpHeaders &headers, Framing framing, qint64 contentLength,
                bool close, bool http10KeepAlive, const QByteArray &serverName)
{
    out += "HTTP/1.1 ";
    out += QByteArray::number(status);
    out += ' ';
    out += reasonPhrase(status);
    out += "\r\n";
    for (const HttpHeaders::Field &f : headers.fields()) {
        out += f.first;
        out += ": ";
        out += f.second;
        out += "\r\n";
    }
    switch (framing) {
    case Framing::ContentLength:
        out += "Content-Length: ";
        out += QByteArray::number(contentLength);
        out += "\r\n";
        break;
    case Framing::Chunked:
        out += "Transfer-Encoding: chunked\r\n";
        break;
    case Framing::UntilClose:
    case Framing::None:
        break;
    }
    if (close)
        out += "Connection: close\r\n";
    else if (http10KeepAlive)
        out += "Connection: keep-alive\r\n";
    if (!serverName.isEmpty()) {
        out += "Server: ";
        out += serverName;
        out += "\r\n";
    }
    out += "Date: ";
    out += currentDate();
    out += "\r\n\r\n";
}

void appendChunk(QByteArray &out, QByteArrayView data)
{
    if (data.isEmpty())
        return;
    out += QByteArray::number(data.size(), 16);
    out += "\r\n";
    out += data;
    out += "\r\n";
}

} // namespace HttpWire

} // namespace RelayDesk::Relay
