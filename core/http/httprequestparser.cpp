#include "http/httprequestparser.h"

#include <http_parser.h>

#include <algorithm>

namespace RelayDesk::Relay {

namespace {

HttpRequestParser *self(http_parser *p)
{
    return static_cast<HttpRequestParser *>(p->data);
}

// Splits the request-target into path and query. Origin-form ("/a?b") is the norm; absolute-form
// ("http://host/a?b") is allowed by RFC 9112 and goes through libhttp-parser's URL parser.
bool splitTarget(HttpRequest &r)
{
    const QByteArray &t = r.target;
    if (t.startsWith('/') || t == "*") {
        qsizetype end = t.indexOf('#');
        if (end < 0)
            end = t.size();
        const qsizetype q = t.indexOf('?');
        if (q >= 0 && q < end) {
            r.path = t.first(q);
            r.query = t.sliced(q + 1, end - q - 1);
        } else {
            r.path = t.first(end);
        }
        return true;
    }
    http_parser_url url;
    http_parser_url_init(&url);
    if (http_parser_parse_url(t.constData(), size_t(t.size()), 0, &url) != 0)
        return false;
    if (url.field_set & (1 << UF_PATH))
        r.path = t.sliced(url.field_data[UF_PATH].off, url.field_data[UF_PATH].len);
    else
        r.path = "/";
    if (url.field_set & (1 << UF_QUERY))
        r.query = t.sliced(url.field_data[UF_QUERY].off, url.field_data[UF_QUERY].len);
    return true;
}

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

OpenAiError malformed(const QString &why)
{
    return OpenAiError::invalidRequest(QStringLiteral("Malformed HTTP request: %1.").arg(why), "malformed_request");
}

int countFields(const HttpHeaders &headers, QByteArrayView name)
{
    int n = 0;
    for (const HttpHeaders::Field &f : headers.fields())
        n += f.first.compare(name, Qt::CaseInsensitive) == 0 ? 1 : 0;
    return n;
}

} // namespace

HttpRequestParser::HttpRequestParser(Listener &listener, Limits limits)
    : m_listener(listener)
    , m_limits(limits)
    , m_parser(std::make_unique<http_parser>())
{
    http_parser_init(m_parser.get(), HTTP_REQUEST);
    m_parser->data = this;
}

HttpRequestParser::~HttpRequestParser() = default;

void HttpRequestParser::pause()
{
    m_paused = true;
    http_parser_pause(m_parser.get(), 1);
}

void HttpRequestParser::resume()
{
    m_paused = false;
    http_parser_pause(m_parser.get(), 0);
}

qsizetype HttpRequestParser::feed(QByteArrayView data)
{
    qsizetype done = 0;
    while (done < data.size() && !m_stopped && !m_paused) {
        QByteArrayView chunk = data.sliced(done);
        if (m_framing.isChecking()) {
            // The library only ever sees bytes the validator accepted, and a head or chunked body ends exactly
            // at the end of what it is given, so both agree on where each message starts.
            const qsizetype accepted = m_framing.scan(chunk);
            if (m_framing.hasFailed()) {
                fail(malformed(m_framing.error()));
                break;
            }
            chunk = chunk.first(accepted);
        }
        const size_t n = http_parser_execute(m_parser.get(), &callbacks(), chunk.data(), size_t(chunk.size()));
        done += qsizetype(n);
        if (m_stopped || m_paused)
            break;
        auto err = HTTP_PARSER_ERRNO(m_parser.get());
        if (err == HPE_PAUSED) {
            // Our own pause at the end of each message (onMessageComplete): the next head is validated first.
            http_parser_pause(m_parser.get(), 0);
            err = HPE_OK;
        }
        if (err == HPE_HEADER_OVERFLOW) {
            fail(OpenAiError::headersTooLarge(m_limits.maxHeaderBytes));
            break;
        }
        if (err != HPE_OK) {
            fail(malformed(QString::fromLatin1(http_errno_description(err))));
            break;
        }
        const auto stage = m_framing.stage();
        if (stage == HttpFramingValidator::Stage::HeadComplete
            || stage == HttpFramingValidator::Stage::MessageComplete) {
            // The validator saw the end of a head or body that the library did not: never guess which is right.
            fail(malformed(QStringLiteral("ambiguous message framing")));
            break;
        }
        if (m_parser->upgrade) {
            // libhttp-parser stops after a request that asks for a protocol upgrade. Upgrades we accept are
            // decided before parsing (see HttpConnection); here the request was answered as plain HTTP, so the
            // following bytes are simply the next request.
            http_parser_init(m_parser.get(), HTTP_REQUEST);
            m_parser->data = this;
            m_phase = Phase::Idle;
            m_framing.reset();
            continue;
        }
        if (n == 0) {
            fail(OpenAiError::invalidRequest(QStringLiteral("Malformed HTTP request."), "malformed_request"));
            break;
        }
    }
    return done;
}

void HttpRequestParser::fail(const OpenAiError &error)
{
    if (m_failed)
        return;
    m_failed = true;
    m_stopped = true;
    m_listener.onParseError(error);
}

bool HttpRequestParser::countHeadBytes(size_t len)
{
    m_headBytes += qsizetype(len);
    if (m_headBytes <= m_limits.maxHeaderBytes)
        return true;
    fail(OpenAiError::headersTooLarge(m_limits.maxHeaderBytes));
    return false;
}

int HttpRequestParser::onMessageBegin(http_parser *p)
{
    HttpRequestParser *s = self(p);
    s->m_request = HttpRequest();
    s->m_headBytes = 0;
    s->m_lastWasValue = false;
    s->m_phase = Phase::Head;
    return 0;
}

int HttpRequestParser::onUrl(http_parser *p, const char *at, size_t len)
{
    HttpRequestParser *s = self(p);
    if (!s->countHeadBytes(len))
        return 1;
    s->m_request.target.append(at, qsizetype(len));
    return 0;
}

int HttpRequestParser::onHeaderField(http_parser *p, const char *at, size_t len)
{
    HttpRequestParser *s = self(p);
    // ": " and CRLF count too, so many empty headers cannot slip under the limit.
    if (!s->countHeadBytes(len + 4))
        return 1;
    HttpHeaders &h = s->m_request.headers;
    if (s->m_lastWasValue || h.isEmpty()) {
        h.add(QByteArray(at, qsizetype(len)), QByteArray(""));
        s->m_lastWasValue = false;
    } else {
        // A field name split across two reads arrives in two callbacks.
        h.fields().last().first.append(at, qsizetype(len));
    }
    return 0;
}

int HttpRequestParser::onHeaderValue(http_parser *p, const char *at, size_t len)
{
    HttpRequestParser *s = self(p);
    if (!s->countHeadBytes(len))
        return 1;
    HttpHeaders &h = s->m_request.headers;
    if (h.isEmpty())
        return 1;
    h.fields().last().second.append(at, qsizetype(len));
    s->m_lastWasValue = true;
    return 0;
}

bool HttpRequestParser::finishHead()
{
    HttpRequest &r = m_request;
    r.method = http_method_str(static_cast<enum http_method>(m_parser->method));
    r.versionMajor = m_parser->http_major;
    r.versionMinor = m_parser->http_minor;
    r.keepAlive = http_should_keep_alive(m_parser.get()) != 0;
    for (HttpHeaders::Field &f : r.headers.fields()) {
        // libhttp-parser strips leading blanks only; trailing ones are not part of the value (RFC 9110 5.5).
        QByteArray &v = f.second;
        while (!v.isEmpty() && isBlank(v.back()))
            v.chop(1);
    }
    if (!checkFraming())
        return false;
    if (!splitTarget(r)) {
        fail(OpenAiError::invalidRequest(QStringLiteral("Malformed request target."), "malformed_request"));
        return false;
    }
    const bool hasLength = (m_parser->flags & F_CONTENTLENGTH) != 0;
    if (hasLength && m_parser->content_length > quint64(m_limits.maxBodyBytes)) {
        fail(OpenAiError::payloadTooLarge(m_limits.maxBodyBytes));
        return false;
    }
    const QByteArray expect = r.headers.value("Expect");
    if (!expect.isNull() && expect.compare("100-continue", Qt::CaseInsensitive) != 0) {
        fail(OpenAiError::expectationFailed(expect));
        return false;
    }
    // Reserve what is announced, but only up to 1 MiB: a client announcing 32 MiB and sending nothing must not
    // make every connection hold a 32 MiB buffer. Larger bodies grow as they arrive.
    if (hasLength && m_parser->content_length > 0)
        r.body.reserve(qsizetype(std::min<quint64>(m_parser->content_length, 1024 * 1024)));
    return true;
}

// Framing headers a front proxy could read differently. libhttp-parser already refuses a repeated or listed
// Content-Length and Content-Length together with Transfer-Encoding; the rest is checked here.
bool HttpRequestParser::checkFraming()
{
    const HttpRequest &r = m_request;
    const int codings = countFields(r.headers, "Transfer-Encoding");
    if (codings > 0) {
        if (r.isHttp10()) {
            fail(malformed(QStringLiteral("Transfer-Encoding in an HTTP/1.0 request")));
            return false;
        }
        // We de-chunk and nothing else: "gzip, chunked" would hand handlers a compressed body.
        if (codings > 1 || r.headers.value("Transfer-Encoding").compare("chunked", Qt::CaseInsensitive) != 0) {
            fail(malformed(QStringLiteral("only \"Transfer-Encoding: chunked\" is supported")));
            return false;
        }
        if (r.headers.contains("Content-Length")) {
            fail(malformed(QStringLiteral("both Transfer-Encoding and Content-Length")));
            return false;
        }
    }
    if (countFields(r.headers, "Host") > 1) {
        fail(malformed(QStringLiteral("more than one Host header")));
        return false;
    }
    return true;
}

int HttpRequestParser::onHeadersComplete(http_parser *p)
{
    HttpRequestParser *s = self(p);
    if (s->m_framing.stage() != HttpFramingValidator::Stage::HeadComplete) {
        s->fail(malformed(QStringLiteral("ambiguous message framing")));
        return -1;
    }
    if (!s->finishHead())
        return -1;
    if (p->flags & F_CHUNKED)
        s->m_framing.beginChunkedBody();
    else
        s->m_framing.beginOpaqueBody();
    s->m_phase = Phase::Body;
    s->m_listener.onRequestHead(s->m_request);
    return s->m_stopped ? -1 : 0;
}

int HttpRequestParser::onBody(http_parser *p, const char *at, size_t len)
{
    HttpRequestParser *s = self(p);
    if (s->m_request.body.size() + qint64(len) > s->m_limits.maxBodyBytes) {
        s->fail(OpenAiError::payloadTooLarge(s->m_limits.maxBodyBytes));
        return 1;
    }
    s->m_request.body.append(at, qsizetype(len));
    return 0;
}

int HttpRequestParser::onMessageComplete(http_parser *p)
{
    HttpRequestParser *s = self(p);
    if (s->m_framing.stage() == HttpFramingValidator::Stage::ChunkedBody) {
        s->fail(malformed(QStringLiteral("ambiguous message framing")));
        return 1;
    }
    s->m_framing.reset();
    s->m_phase = Phase::Idle;
    s->m_listener.onRequest(std::move(s->m_request));
    s->m_request = HttpRequest();
    if (s->m_stopped)
        return 1;
    // Return to feed() so the next request's head goes through the validator before the library parses it.
    if (!s->m_paused)
        http_parser_pause(p, 1);
    return 0;
}

const http_parser_settings &HttpRequestParser::callbacks()
{
    static const http_parser_settings s = [] {
        http_parser_settings st;
        http_parser_settings_init(&st);
        st.on_message_begin = &HttpRequestParser::onMessageBegin;
        st.on_url = &HttpRequestParser::onUrl;
        st.on_header_field = &HttpRequestParser::onHeaderField;
        st.on_header_value = &HttpRequestParser::onHeaderValue;
        st.on_headers_complete = &HttpRequestParser::onHeadersComplete;
        st.on_body = &HttpRequestParser::onBody;
        st.on_message_complete = &HttpRequestParser::onMessageComplete;
        return st;
    }();
    return s;
}

} // namespace RelayDesk::Relay
