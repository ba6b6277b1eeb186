// libFuzzer target for the relay's HTTP request path without sockets: arbitrary bytes, split into arbitrary
// chunks, go through HttpRequestParser (libhttp-parser + our limits), then through everything a handler or the
// connection does with a parsed request (header lookups, upgrade detection, subprotocols, bearer token, query
// decoding) and through response formatting. Any crash, leak or UB report is a bug.
#include "http/httpexchange.h"
#include "http/httprequestparser.h"
#include "http/httpresponse.h"

#include <cstddef>
#include <cstdint>

using namespace RelayDesk::Relay;

namespace {

struct Sink final : HttpRequestParser::Listener
{
    HttpRequestParser *parser = nullptr;
    int requests = 0;
    bool pauseNext = false;

    void onRequestHead(const HttpRequest &head) override
    {
        (void)head.headers.value("Expect");
        (void)head.headers.hasToken("Connection", "close");
    }

    void onRequest(HttpRequest &&r) override
    {
        ++requests;
        QByteArray sink;
        sink += r.header("Content-Type");
        sink += r.headers.combinedValue("x-many");
        sink += r.bearerToken();
        for (const QByteArray &p : r.webSocketSubprotocols())
            sink += p;
        sink += r.queryItem(QStringLiteral("model")).toUtf8();
        (void)r.isWebSocketUpgrade();
        // Format what the server would send back, echoing request bytes into headers and body.
        HttpResponse resp = HttpResponse::json(200, r.body);
        resp.headers.add("X-Echo", r.path.left(64));
        QByteArray out;
        HttpWire::appendHead(out, 200, resp.headers, HttpWire::Framing::ContentLength, resp.body.size(), !r.keepAlive,
                             r.isHttp10(), "fuzz");
        HttpWire::appendChunk(out, sink);
        out += OpenAiError::unknownUrl(r.method, r.path).toJson();
        if (pauseNext)
            parser->pause();
        pauseNext = !pauseNext;
    }

    void onParseError(const OpenAiError &e) override { (void)e.toJson(); }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    // First byte: chunk size for feeding (1..64, 0 = all at once); second: small or default limits.
    const size_t step = data[0] % 65;
    const bool smallLimits = data[1] & 1;
    data += 2;
    size -= 2;
    Sink sink;
    HttpRequestParser parser(sink, smallLimits ? HttpRequestParser::Limits{256, 512} : HttpRequestParser::Limits{});
    sink.parser = &parser;
    const char *bytes = reinterpret_cast<const char *>(data);
    size_t pos = 0;
    QByteArray carry; // what a paused parser left over, as HttpConnection keeps it
    while (pos < size && !parser.isStopped()) {
        const size_t n = step == 0 ? size - pos : std::min(step, size - pos);
        QByteArray piece = carry + QByteArray(bytes + pos, qsizetype(n));
        carry.clear();
        pos += n;
        qsizetype used = parser.feed(piece);
        while (parser.isPaused() && !parser.isStopped()) {
            parser.resume();
            piece = piece.sliced(used);
            used = parser.feed(piece);
        }
        if (used < piece.size() && !parser.isStopped())
            carry = piece.sliced(used);
    }
    return 0;
}
