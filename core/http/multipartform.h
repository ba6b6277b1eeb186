#pragma once
// A multipart/form-data request body (RFC 7578 over RFC 2046) read in place: the parts are offsets into the
// body the HTTP server already holds, so a 25 MB upload is never copied. What the relay's upload endpoints
// (audio transcriptions and translations, image edits and variations) need: the fields, the file parts, and
// the body again with one field changed (the model mapped for the channel) as pieces that reuse the body.
//
// Framing as the RFCs say and as real clients send it (curl -F, the openai Node SDK's undici FormData,
// Python httpx): CRLF line ends; a preamble before the first delimiter and an epilogue after the close
// delimiter are ignored; transport padding (spaces, tabs) after a delimiter is allowed; a delimiter is
// "--boundary" at the start of a line followed by CRLF or "--", so "--boundaryX" inside a file is data.
// Part headers: at most kMaxHeaderBytes per part, folded lines unfolded, names case-insensitive.
// Content-Disposition must be form-data with a name; names and file names may be tokens or quoted strings
// (backslash escapes undone; WHATWG's %22/%0D/%0A escapes are kept as sent, like every server does);
// filename* / name* (RFC 5987: charset'lang'percent-encoded, UTF-8 or ISO-8859-1) win over the plain ones.
#include "http/openaierror.h"

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QList>
#include <QtCore/QString>

#include <variant>

namespace RelayDesk::Relay {

struct MultipartPart {
    QByteArray name;          // form field name (from Content-Disposition)
    QByteArray fileName;      // empty for a plain field
    QByteArray contentType;   // the part's Content-Type, empty when absent
    qsizetype headerBegin = 0;// offset of the part's first header line in the body
    qsizetype dataBegin = 0;  // offset of the part's data in the body
    qsizetype dataSize = 0;
};

// MultipartForm::Limits. Declared outside the class because GCC cannot use a nested struct's default member
// initializers in a default argument of the enclosing class (`Limits limits = {}`).
struct MultipartLimits { int maxParts = 64; qsizetype maxFieldBytes = 1 << 20; /* non-file parts */ };

class MultipartForm final {
public:
    using Limits = MultipartLimits;
    static constexpr qsizetype kMaxHeaderBytes = 8 * 1024;   // one part's header block
    static constexpr qsizetype kMaxBoundaryLength = 70;      // RFC 2046

    // Parses `body` (the Content-Type header value gives the boundary). An error is an OpenAiError 400
    // invalid_request_error with a clear message (no boundary, bad framing, a part without a name, too many
    // parts, a field too large, a missing final boundary, …). Parts refer into `body`: nothing is copied;
    // the form keeps `body` (implicitly shared, no copy) so the offsets stay valid.
    static std::variant<MultipartForm, OpenAiError> parse(const QByteArray &contentType, QByteArray body,
                                                         Limits limits = {});
    // The boundary parameter of a multipart/form-data Content-Type value; empty when the type is another
    // or the boundary is missing or invalid (1 to 70 characters, no CR, LF or quote).
    static QByteArray boundaryOf(const QByteArray &contentType);

    const QByteArray &body() const { return m_body; }
    const QList<MultipartPart> &parts() const { return m_parts; }
    const MultipartPart *part(QByteArrayView name) const;   // first part of that name
    QList<const MultipartPart *> parts(QByteArrayView name) const; // all (e.g. "image[]" or repeated "image")
    QByteArrayView data(const MultipartPart &part) const;  // a view into body()
    QString text(QByteArrayView name) const;               // a plain field as UTF-8 text ("" when absent)
    QByteArray boundary() const { return m_boundary; }
    // The body with one field's value replaced (e.g. the model mapped for the channel), as a list of
    // pieces to send in order: views into body() wherever nothing changed (QByteArray::fromRawData over
    // body(), so the 25 MB file is not copied) and the new value. Valid while this form (or a copy of
    // body()) lives. If the field is absent, appends it as a new part before the closing boundary. Only the
    // first part of that name is replaced. Empty (no pieces) when `value` holds CRLF "--boundary" (a
    // delimiter, or a line merely starting like one), which could break the framing.
    QList<QByteArray> withField(QByteArrayView name, const QByteArray &value) const;

private:
    MultipartForm() = default;

    QByteArray m_body;
    QByteArray m_boundary;
    QList<MultipartPart> m_parts;
    qsizetype m_closeAt = 0;   // offset of the close delimiter's "--boundary--"
};

} // namespace RelayDesk::Relay
