#pragma once
// Strict RFC 9112 check of the bytes that decide where a request starts and ends: the request line, the
// header section, and chunked framing (chunk-size lines, the CRLF after each chunk, trailers).
//
// Why: Debian's libhttp-parser is built without HTTP_PARSER_STRICT, and then it accepts a bare LF as a line
// end (so "X: a\nY: b" is two headers), obs-fold, "Host : x", HTTP/9.9 and version-less (HTTP/0.9) request
// lines, bytes ≥ 0x80 in the target, runs of spaces in the request line, and chunk data not followed by CRLF.
// A front proxy that reads such a request differently from us is a request-smuggling hole. This validator
// runs in lock step with the library (HttpRequestParser feeds it exactly the bytes it feeds the library) and
// refuses any of these shapes before the library sees them; the library still does the actual parsing.
#include <QtCore/QByteArrayView>
#include <QtCore/QString>

namespace RelayDesk::Relay {

class HttpFramingValidator final
{
public:
    enum class Stage {
        Head,          // inside a request line or header section: every byte is checked
        HeadComplete,  // the blank line that ends the head was seen; waiting for body framing (see below)
        OpaqueBody,    // Content-Length body (or none): libhttp-parser counts it; nothing to check here
        ChunkedBody,   // chunked framing is checked byte by byte
        MessageComplete,
        Failed,
    };

    // Checks bytes until the end of the current head (Head) or chunked body (ChunkedBody), or an error.
    // Returns how many bytes were accepted: all of `data`, or fewer when the head or body ended inside it
    // (the rest belongs to the next stage). In other stages nothing is checked and data.size() is returned.
    qsizetype scan(QByteArrayView data);

    // After the head: tell how the body is framed.
    void beginChunkedBody();
    void beginOpaqueBody();
    // Ready for the next request on the connection.
    void reset();

    Stage stage() const { return m_stage; }
    bool isChecking() const { return m_stage == Stage::Head || m_stage == Stage::ChunkedBody; }
    bool hasFailed() const { return m_stage == Stage::Failed; }
    // Why the request was refused (for a 400 message).
    const QString &error() const { return m_error; }

private:
    enum class State {
        Start, StartLf,                   // optional empty lines before the request line (RFC 9112 2.2)
        Method, Target, Version, RequestLineLf,
        LineStart, FieldName, FieldValue, FieldLf, EndLf,
        ChunkSize, ChunkExtension, ChunkSizeLf, ChunkData, ChunkDataCr, ChunkDataLf,
    };

    bool step(char c);
    bool stepHead(unsigned char c);
    bool stepChunked(unsigned char c);
    bool refuse(const char *why);

    Stage m_stage = Stage::Head;
    State m_state = State::Start;
    int m_index = 0;             // position within the method, target or "HTTP/1.x"
    quint64 m_chunkLeft = 0;     // data bytes left in the current chunk
    bool m_inTrailers = false;   // header-field states parse trailers after the last chunk
    QString m_error;
};

} // namespace RelayDesk::Relay
