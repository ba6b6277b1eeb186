#include "http/httpframingvalidator.h"

#include <algorithm>

namespace RelayDesk::Relay {

namespace {

constexpr char Cr = '\r';
constexpr char Lf = '\n';

// tchar (RFC 9110 5.6.2): the characters of a method or a header field name.
bool isTokenChar(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return true;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
        return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
    case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

// field-vchar, SP and HTAB; obs-text (≥ 0x80) is tolerated in values as RFC 9110 allows.
bool isFieldValueChar(unsigned char c)
{
    return c == ' ' || c == '\t' || (c >= 0x21 && c != 0x7f);
}

int hexValue(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

constexpr QByteArrayView VersionPrefix = "HTTP/1.";

} // namespace

qsizetype HttpFramingValidator::scan(QByteArrayView data)
{
    if (!isChecking())
        return data.size();
    qsizetype i = 0;
    while (i < data.size()) {
        if (m_state == State::ChunkData) {
            // Chunk payload is opaque; only its length matters.
            const qsizetype take = qsizetype(std::min<quint64>(m_chunkLeft, quint64(data.size() - i)));
            i += take;
            m_chunkLeft -= quint64(take);
            if (m_chunkLeft == 0)
                m_state = State::ChunkDataCr;
            continue;
        }
        if (!step(data[i]))
            return i;
        ++i;
        if (!isChecking())
            break; // the head or the body ended at this byte
    }
    return i;
}

void HttpFramingValidator::beginChunkedBody()
{
    m_stage = Stage::ChunkedBody;
    m_state = State::ChunkSize;
    m_index = 0;
    m_chunkLeft = 0;
}

void HttpFramingValidator::beginOpaqueBody()
{
    m_stage = Stage::OpaqueBody;
}

void HttpFramingValidator::reset()
{
    *this = HttpFramingValidator();
}

bool HttpFramingValidator::refuse(const char *why)
{
    m_stage = Stage::Failed;
    m_error = QString::fromLatin1(why);
    return false;
}

bool HttpFramingValidator::step(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return m_stage == Stage::Head ? stepHead(u) : stepChunked(u);
}

bool HttpFramingValidator::stepHead(unsigned char c)
{
    switch (m_state) {
    case State::Start:
        if (c == Cr) {
            m_state = State::StartLf;
            return true;
        }
        if (!isTokenChar(c))
            return refuse(c == Lf ? "bare LF (lines must end with CRLF)" : "invalid character in the method");
        m_state = State::Method;
        return true;
    case State::StartLf:
        if (c != Lf)
            return refuse("CR not followed by LF");
        m_state = State::Start;
        return true;
    case State::Method:
        if (c == ' ') {
            m_state = State::Target;
            m_index = 0;
            return true;
        }
        return isTokenChar(c) || refuse("invalid character in the method");
    case State::Target:
        if (c == ' ') {
            if (m_index == 0)
                return refuse("more than one space in the request line");
            m_state = State::Version;
            m_index = 0;
            return true;
        }
        if (c == Cr || c == Lf)
            return refuse("request line without an HTTP version (only HTTP/1.0 and HTTP/1.1 are supported)");
        if (c < 0x21 || c > 0x7e)
            return refuse("invalid character in the request target");
        ++m_index;
        return true;
    case State::Version:
        if (m_index < VersionPrefix.size()) {
            if (c != static_cast<unsigned char>(VersionPrefix[m_index]))
                return refuse("unsupported HTTP version (only HTTP/1.0 and HTTP/1.1 are supported)");
        } else if (m_index == VersionPrefix.size()) {
            if (c != '0' && c != '1')
                return refuse("unsupported HTTP version (only HTTP/1.0 and HTTP/1.1 are supported)");
        } else {
            if (c != Cr)
                return refuse(c == Lf ? "bare LF (lines must end with CRLF)"
                                      : "unsupported HTTP version (only HTTP/1.0 and HTTP/1.1 are supported)");
            m_state = State::RequestLineLf;
        }
        ++m_index;
        return true;
    case State::RequestLineLf:
    case State::FieldLf:
        if (c != Lf)
            return refuse("CR not followed by LF");
        m_state = State::LineStart;
        return true;
    case State::LineStart:
        if (c == Cr) {
            m_state = State::EndLf;
            return true;
        }
        if (c == ' ' || c == '\t')
            return refuse("obsolete line folding (a header line starting with whitespace)");
        if (c == Lf)
            return refuse("bare LF (lines must end with CRLF)");
        if (!isTokenChar(c))
            return refuse("invalid character in a header name");
        m_state = State::FieldName;
        return true;
    case State::FieldName:
        if (c == ':') {
            m_state = State::FieldValue;
            return true;
        }
        if (c == ' ' || c == '\t')
            return refuse("whitespace between a header name and its colon");
        return isTokenChar(c) || refuse(c == Lf || c == Cr ? "header line without a colon"
                                                           : "invalid character in a header name");
    case State::FieldValue:
        if (c == Cr) {
            m_state = State::FieldLf;
            return true;
        }
        if (c == Lf)
            return refuse("bare LF (lines must end with CRLF)");
        return isFieldValueChar(c) || refuse("control character in a header value");
    case State::EndLf:
        if (c != Lf)
            return refuse("CR not followed by LF");
        if (m_inTrailers) {
            m_stage = Stage::MessageComplete;
        } else {
            m_stage = Stage::HeadComplete;
        }
        return true;
    default:
        return refuse("internal framing state error");
    }
}

bool HttpFramingValidator::stepChunked(unsigned char c)
{
    switch (m_state) {
    case State::ChunkSize: {
        const int digit = hexValue(c);
        if (digit >= 0) {
            if (++m_index > 15)
                return refuse("chunk size too large");
            m_chunkLeft = m_chunkLeft * 16 + quint64(digit);
            return true;
        }
        if (m_index == 0)
            return refuse("invalid chunk size");
        if (c == ';') {
            m_state = State::ChunkExtension;
            return true;
        }
        if (c == Cr) {
            m_state = State::ChunkSizeLf;
            return true;
        }
        return refuse(c == Lf ? "bare LF (lines must end with CRLF)" : "invalid chunk size");
    }
    case State::ChunkExtension:
        if (c == Cr) {
            m_state = State::ChunkSizeLf;
            return true;
        }
        if (c == Lf)
            return refuse("bare LF (lines must end with CRLF)");
        return isFieldValueChar(c) || refuse("control character in a chunk extension");
    case State::ChunkSizeLf:
        if (c != Lf)
            return refuse("CR not followed by LF");
        m_index = 0;
        if (m_chunkLeft == 0) {
            // Last chunk: the trailer section follows, checked like the header section.
            m_stage = Stage::Head;
            m_state = State::LineStart;
            m_inTrailers = true;
        } else {
            m_state = State::ChunkData;
        }
        return true;
    case State::ChunkDataCr:
        if (c != Cr)
            return refuse("chunk data not followed by CRLF (chunk size does not match its data)");
        m_state = State::ChunkDataLf;
        return true;
    case State::ChunkDataLf:
        if (c != Lf)
            return refuse("CR not followed by LF");
        m_state = State::ChunkSize;
        return true;
    default:
        return refuse("internal framing state error");
    }
}

} // namespace RelayDesk::Relay
