#include "http/multipartform.h"

#include <QtCore/QByteArrayMatcher>
#include <QtCore/QStringDecoder>

#include <optional>
#include <utility>

namespace RelayDesk::Relay {

namespace {

OpenAiError malformed(const QString &message)
{
    return OpenAiError::invalidRequest(u"Invalid multipart/form-data body: "_qs + message);
}

bool isPadding(char c) { return c == ' ' || c == '\t'; }

// A header value as `type; name=value; name="quoted \" value"`: the type lower-cased, parameter names
// lower-cased, quoted values unescaped. nullopt when a quoted string is not closed.
struct HeaderValue {
    QByteArray type;
    QList<std::pair<QByteArray, QByteArray>> parameters;

    const QByteArray *parameter(QByteArrayView name) const
    {
        for (const auto &[key, value] : parameters) {
            if (key == name)
                return &value;
        }
        return nullptr;
    }
};

std::optional<QByteArray> readQuoted(QByteArrayView text, qsizetype &at)
{
    QByteArray value;
    for (++at; at < text.size(); ++at) {
        const char c = text[at];
        if (c == '"') {
            ++at;
            return value;
        }
        if (c == '\\' && at + 1 < text.size())
            ++at;
        value += text[at];
    }
    return std::nullopt;
}

std::optional<HeaderValue> parseHeaderValue(QByteArrayView text)
{
    HeaderValue result;
    qsizetype at = text.indexOf(';');
    result.type = text.first(at < 0 ? text.size() : at).trimmed().toByteArray().toLower();
    while (at >= 0 && at < text.size()) {
        ++at;   // past ';'
        const qsizetype eq = text.indexOf('=', at);
        const qsizetype semi = text.indexOf(';', at);
        if (eq < 0 || (semi >= 0 && semi < eq)) {   // a bare word: skip it
            at = semi;
            continue;
        }
        QByteArray name = text.sliced(at, eq - at).trimmed().toByteArray().toLower();
        at = eq + 1;
        while (at < text.size() && isPadding(text[at]))
            ++at;
        QByteArray value;
        if (at < text.size() && text[at] == '"') {
            std::optional<QByteArray> quoted = readQuoted(text, at);
            if (!quoted)
                return std::nullopt;
            value = std::move(*quoted);
            at = text.indexOf(';', at);
        } else {
            const qsizetype end = text.indexOf(';', at);
            value = text.sliced(at, (end < 0 ? text.size() : end) - at).trimmed().toByteArray();
            at = end;
        }
        result.parameters.emplaceBack(std::move(name), std::move(value));
    }
    return result;
}

// RFC 5987 ext-value (charset'language'percent-encoded) as UTF-8; nullopt for another charset or a bad
// encoding, so the plain parameter is used instead.
std::optional<QByteArray> decodeExtValue(const QByteArray &value)
{
    const qsizetype first = value.indexOf('\'');
    const qsizetype second = first < 0 ? -1 : value.indexOf('\'', first + 1);
    if (second < 0)
        return std::nullopt;
    const QByteArray charset = value.first(first).toLower();
    const QByteArray bytes = QByteArray::fromPercentEncoding(value.sliced(second + 1));
    if (charset == "utf-8") {
        QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString text = utf8(bytes);
        return utf8.hasError() ? std::nullopt : std::optional<QByteArray>(text.toUtf8());
    }
    if (charset == "iso-8859-1")
        return QString::fromLatin1(bytes).toUtf8();
    return std::nullopt;
}

// `name*` (RFC 5987) wins over `name`.
QByteArray dispositionParameter(const HeaderValue &disposition, QByteArrayView name)
{
    if (const QByteArray *ext = disposition.parameter(QByteArray(name.toByteArray() + '*'))) {
        if (std::optional<QByteArray> decoded = decodeExtValue(*ext))
            return *decoded;
    }
    const QByteArray *plain = disposition.parameter(name);
    return plain ? *plain : QByteArray();
}

// WHATWG's escaping of a field name inside a quoted Content-Disposition parameter.
QByteArray quotedName(QByteArrayView name)
{
    QByteArray out = name.toByteArray();
    out.replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
    return out;
}

// One pass over the body: delimiters found with a Boyer-Moore matcher, part headers read within bounds.
class FormReader final {
public:
    FormReader(const QByteArray &body, const QByteArray &boundary, MultipartForm::Limits limits)
        : m_body(body), m_dashBoundary("--" + boundary), m_matcher("\r\n--" + boundary), m_limits(limits)
    {
    }

    std::optional<OpenAiError> read();
    QList<MultipartPart> takeParts() { return std::move(m_parts); }
    qsizetype closeAt() const { return m_closeAt; }

private:
    enum class Delimiter { None, Open, Close };

    Delimiter delimiterAt(qsizetype at, qsizetype *next) const;
    qsizetype nextDelimiter(qsizetype from, Delimiter *kind, qsizetype *next) const;
    std::optional<OpenAiError> readHeaders(MultipartPart &part, qsizetype *dataBegin) const;
    std::optional<OpenAiError> readHeaderLines(QByteArrayView block, MultipartPart &part) const;
    std::optional<OpenAiError> applyHeader(QByteArrayView name, QByteArrayView value, MultipartPart &part) const;
    QString where() const { return u"part %1: "_qs.arg(m_parts.size() + 1); }

    const QByteArray &m_body;
    const QByteArray m_dashBoundary;   // "--boundary"
    const QByteArrayMatcher m_matcher; // "\r\n--boundary"
    const MultipartForm::Limits m_limits;
    QList<MultipartPart> m_parts;
    qsizetype m_closeAt = 0;
};

// "--boundary" at `at`: a close delimiter when "--" follows, an open one when (after padding) CRLF does.
FormReader::Delimiter FormReader::delimiterAt(qsizetype at, qsizetype *next) const
{
    qsizetype i = at + m_dashBoundary.size();
    if (QByteArrayView(m_body).sliced(i).startsWith("--"))
        return Delimiter::Close;
    while (i < m_body.size() && isPadding(m_body[i]))
        ++i;
    if (!QByteArrayView(m_body).sliced(i).startsWith("\r\n"))
        return Delimiter::None;
    *next = i + 2;
    return Delimiter::Open;
}

// Offset of the next real delimiter's "--boundary" at or after `from` (which starts a line), or -1.
qsizetype FormReader::nextDelimiter(qsizetype from, Delimiter *kind, qsizetype *next) const
{
    qsizetype at = from;
    if (!QByteArrayView(m_body).sliced(from).startsWith(m_dashBoundary)) {
        const qsizetype crlf = m_matcher.indexIn(m_body, from);
        at = crlf < 0 ? -1 : crlf + 2;
    }
    while (at >= 0) {
        *kind = delimiterAt(at, next);
        if (*kind != Delimiter::None)
            return at;
        const qsizetype crlf = m_matcher.indexIn(m_body, at);
        at = crlf < 0 ? -1 : crlf + 2;
    }
    return -1;
}

std::optional<OpenAiError> FormReader::read()
{
    Delimiter kind = Delimiter::None;
    qsizetype next = 0;
    qsizetype at = nextDelimiter(0, &kind, &next);
    if (at < 0)
        return malformed(u"no boundary delimiter (\"%1\") found"_qs.arg(QString::fromLatin1(m_dashBoundary)));
    while (kind == Delimiter::Open) {
        if (m_parts.size() >= m_limits.maxParts)
            return malformed(u"more than %1 parts"_qs.arg(m_limits.maxParts));
        MultipartPart part;
        part.headerBegin = next;
        if (std::optional<OpenAiError> error = readHeaders(part, &part.dataBegin))
            return error;
        // The part's data ends at the CRLF that starts the next delimiter line.
        at = part.dataBegin >= 2 ? nextDelimiter(part.dataBegin - 2, &kind, &next) : -1;
        if (at < 0)
            return malformed(where() + u"missing final boundary (the body ends inside a part)"_qs);
        // "headers CRLF CRLF --boundary": RFC 2046 reads the blank line's CRLF as the delimiter's, an empty part.
        part.dataBegin = std::min(part.dataBegin, at - 2);
        part.dataSize = at - 2 - part.dataBegin;
        if (part.fileName.isEmpty() && part.dataSize > m_limits.maxFieldBytes) {
            return malformed(where() + u"field \"%1\" is larger than %2 bytes"_qs.arg(QString::fromUtf8(part.name.left(80)))
                                           .arg(m_limits.maxFieldBytes));
        }
        m_parts.append(std::move(part));
    }
    m_closeAt = at;
    return std::nullopt;
}

// The header block runs from headerBegin to an empty line; *dataBegin is just past it.
std::optional<OpenAiError> FormReader::readHeaders(MultipartPart &part, qsizetype *dataBegin) const
{
    const QByteArrayView rest = QByteArrayView(m_body).sliced(part.headerBegin);
    if (rest.startsWith("\r\n")) {   // no header at all: no name either
        *dataBegin = part.headerBegin + 2;
        return malformed(where() + u"a part without a name (Content-Disposition: form-data; name=\"…\" is required)"_qs);
    }
    const QByteArrayView window = rest.first(std::min(rest.size(), MultipartForm::kMaxHeaderBytes + 4));
    const qsizetype end = window.indexOf("\r\n\r\n");
    if (end < 0) {
        if (window.size() < rest.size())
            return malformed(where() + u"headers larger than %1 bytes"_qs.arg(MultipartForm::kMaxHeaderBytes));
        return malformed(where() + u"headers not terminated by an empty line"_qs);
    }
    *dataBegin = part.headerBegin + end + 4;
    if (std::optional<OpenAiError> error = readHeaderLines(window.first(end), part))
        return error;
    if (part.name.isEmpty())
        return malformed(where() + u"a part without a name (Content-Disposition: form-data; name=\"…\" is required)"_qs);
    return std::nullopt;
}

// Header lines, folded continuation lines joined to the one before.
std::optional<OpenAiError> FormReader::readHeaderLines(QByteArrayView block, MultipartPart &part) const
{
    QList<std::pair<QByteArrayView, QByteArray>> headers;
    for (qsizetype at = 0; at <= block.size();) {
        qsizetype end = block.indexOf("\r\n", at);
        if (end < 0)
            end = block.size();
        const QByteArrayView line = block.sliced(at, end - at);
        at = end + 2;
        if (line.contains('\r') || line.contains('\n'))
            return malformed(where() + u"header lines must end with CRLF"_qs);
        if (!line.isEmpty() && isPadding(line.front()) && !headers.isEmpty()) {
            headers.last().second += ' ' + line.trimmed().toByteArray();
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            return malformed(where() + u"bad header line \"%1\""_qs.arg(
                                           QString::fromUtf8(line.first(std::min<qsizetype>(line.size(), 80)))));
        }
        headers.emplaceBack(line.first(colon).trimmed(), line.sliced(colon + 1).trimmed().toByteArray());
    }
    for (const auto &[name, value] : headers) {
        if (std::optional<OpenAiError> error = applyHeader(name, value, part))
            return error;
    }
    return std::nullopt;
}

std::optional<OpenAiError> FormReader::applyHeader(QByteArrayView name, QByteArrayView value, MultipartPart &part) const
{
    if (name.compare("Content-Type", Qt::CaseInsensitive) == 0) {
        if (part.contentType.isEmpty())
            part.contentType = value.toByteArray();
        return std::nullopt;
    }
    if (name.compare("Content-Disposition", Qt::CaseInsensitive) != 0 || !part.name.isEmpty())
        return std::nullopt;   // other headers (Content-Transfer-Encoding, …) carry nothing we use
    const std::optional<HeaderValue> disposition = parseHeaderValue(value);
    if (!disposition)
        return malformed(where() + u"unterminated quoted string in Content-Disposition"_qs);
    if (disposition->type != "form-data")
        return malformed(where() + u"Content-Disposition must be form-data, not \"%1\""_qs.arg(QString::fromUtf8(disposition->type)));
    part.name = dispositionParameter(*disposition, "name");
    part.fileName = dispositionParameter(*disposition, "filename");
    return std::nullopt;
}

} // namespace

QByteArray MultipartForm::boundaryOf(const QByteArray &contentType)
{
    const std::optional<HeaderValue> value = parseHeaderValue(contentType);
    if (!value || value->type != "multipart/form-data")
        return {};
    const QByteArray *boundary = value->parameter("boundary");
    if (!boundary || boundary->isEmpty() || boundary->size() > kMaxBoundaryLength || boundary->contains('\r')
        || boundary->contains('\n') || boundary->contains('"'))
        return {};
    return *boundary;
}

std::variant<MultipartForm, OpenAiError> MultipartForm::parse(const QByteArray &contentType, QByteArray body,
                                                             Limits limits)
{
    MultipartForm form;
    form.m_boundary = boundaryOf(contentType);
    if (form.m_boundary.isEmpty()) {
        return OpenAiError::invalidRequest(
            u"Content-Type must be multipart/form-data with a boundary of 1 to %1 characters"_qs.arg(kMaxBoundaryLength));
    }
    form.m_body = std::move(body);
    FormReader reader(form.m_body, form.m_boundary, limits);
    if (std::optional<OpenAiError> error = reader.read())
        return *std::move(error);
    form.m_parts = reader.takeParts();
    form.m_closeAt = reader.closeAt();
    return form;
}

const MultipartPart *MultipartForm::part(QByteArrayView name) const
{
    for (const MultipartPart &p : m_parts) {
        if (p.name == name)
            return &p;
    }
    return nullptr;
}

QList<const MultipartPart *> MultipartForm::parts(QByteArrayView name) const
{
    QList<const MultipartPart *> found;
    for (const MultipartPart &p : m_parts) {
        if (p.name == name)
            found.append(&p);
    }
    return found;
}

QByteArrayView MultipartForm::data(const MultipartPart &part) const
{
    return QByteArrayView(m_body).sliced(part.dataBegin, part.dataSize);
}

QString MultipartForm::text(QByteArrayView name) const
{
    const MultipartPart *p = part(name);
    return p ? QString::fromUtf8(data(*p)) : QStringLiteral("");
}

QList<QByteArray> MultipartForm::withField(QByteArrayView name, const QByteArray &value) const
{
    // The value sits after the CRLF ending the part's headers: a delimiter inside it would end the part.
    if (QByteArray("\r\n" + value).contains(QByteArray("\r\n--" + m_boundary)))
        return {};
    QList<QByteArray> pieces;
    const auto unchanged = [&](qsizetype from, qsizetype to) {
        if (to > from)
            pieces.append(QByteArray::fromRawData(m_body.constData() + from, to - from));
    };
    if (const MultipartPart *p = part(name)) {
        unchanged(0, p->dataBegin);
        if (!QByteArrayView(m_body).first(p->dataBegin).endsWith("\r\n\r\n"))
            pieces.append("\r\n");   // the empty part written without its blank line (see read())
        if (!value.isEmpty())
            pieces.append(value);
        unchanged(p->dataBegin + p->dataSize, m_body.size());
        return pieces;
    }
    unchanged(0, m_closeAt);
    pieces.append("--" + m_boundary + "\r\nContent-Disposition: form-data; name=\"" + quotedName(name) + "\"\r\n\r\n"
                  + value + "\r\n");
    unchanged(m_closeAt, m_body.size());
    return pieces;
}

} // namespace RelayDesk::Relay
