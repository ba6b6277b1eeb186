#pragma once
// Socket-free HTTP/1.x request parser on top of Debian's libhttp-parser: feed it bytes in any chunking and it
// reports request heads, complete requests and errors. It enforces the header and body limits, so the same
// code path is exercised by the server and by the fuzzer (tools/fuzz).
// Parsing is strict (request-smuggling hygiene behind a front proxy): HttpFramingValidator checks the head and
// chunked framing in lock step with the library, and the head's framing headers are checked once complete;
// anything ambiguous is a 400.
#include "http/httpframingvalidator.h"
#include "http/httprequest.h"
#include "http/openaierror.h"

#include <memory>

struct http_parser;
struct http_parser_settings;

namespace RelayDesk::Relay {

class HttpRequestParser final
{
public:
    struct Limits
    {
        qsizetype maxHeaderBytes = 64 * 1024;       // request line + header fields → 431
        qint64 maxBodyBytes = 32 * 1024 * 1024;     // declared or de-chunked body → 413
    };

    class Listener
    {
    public:
        virtual ~Listener() = default;
        // Headers complete, body not read yet (for Expect: 100-continue and early decisions).
        virtual void onRequestHead(const HttpRequest &head) = 0;
        virtual void onRequest(HttpRequest &&request) = 0;
        // Called at most once; the parser then ignores further input.
        virtual void onParseError(const OpenAiError &error) = 0;
    };

    enum class Phase { Idle, Head, Body };

    HttpRequestParser(Listener &listener, Limits limits);
    ~HttpRequestParser();
    HttpRequestParser(const HttpRequestParser &) = delete;
    HttpRequestParser &operator=(const HttpRequestParser &) = delete;

    // Parses as much as possible; returns the number of bytes consumed. Fewer than data.size() only when a
    // listener callback paused or stopped the parser: keep the rest and feed it again after resume().
    qsizetype feed(QByteArrayView data);

    // From a listener callback: stop after the current callback (backpressure).
    void pause();
    void resume();
    bool isPaused() const { return m_paused; }
    // No further input is parsed (after a rejection, Connection: close, an upgrade hand-over).
    void stop() { m_stopped = true; }
    bool isStopped() const { return m_stopped; }
    bool hasFailed() const { return m_failed; }
    Phase phase() const { return m_phase; }
    const Limits &limits() const { return m_limits; }

private:
    static const http_parser_settings &callbacks();
    static int onMessageBegin(http_parser *p);
    static int onUrl(http_parser *p, const char *at, size_t len);
    static int onHeaderField(http_parser *p, const char *at, size_t len);
    static int onHeaderValue(http_parser *p, const char *at, size_t len);
    static int onHeadersComplete(http_parser *p);
    static int onBody(http_parser *p, const char *at, size_t len);
    static int onMessageComplete(http_parser *p);

    bool countHeadBytes(size_t len);
    bool finishHead();
    bool checkFraming();
    void fail(const OpenAiError &error);

    Listener &m_listener;
    Limits m_limits;
    std::unique_ptr<http_parser> m_parser;
    HttpRequest m_request;
    HttpFramingValidator m_framing;
    qsizetype m_headBytes = 0;
    bool m_lastWasValue = false;
    bool m_paused = false;
    bool m_stopped = false;
    bool m_failed = false;
    Phase m_phase = Phase::Idle;
};

} // namespace RelayDesk::Relay
