#include "demo/demomultipart.h"

#include "http/httprequest.h"

#include <QtCore/QStringList>

namespace RelayDesk::Relay {

namespace {

// The value of `key=` in a header's parameters (quoted or not), e.g. boundary or name.
QByteArray parameter(const QByteArray &header, QByteArrayView key)
{
    for (QByteArray item : header.split(';')) {
        item = item.trimmed();
        const qsizetype eq = item.indexOf('=');
        if (eq <= 0 || item.left(eq).trimmed().toLower() != key)
            continue;
        QByteArray v = item.mid(eq + 1).trimmed();
        if (v.size() >= 2 && v.startsWith('"') && v.endsWith('"'))
            v = v.mid(1, v.size() - 2);
        return v;
    }
    return {};
}

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

bool readHead(const QByteArray &head, DemoMultipart::Part &part)
{
    for (const QByteArray &line : head.split('\n')) {
        const QByteArray l = line.trimmed();
        const qsizetype colon = l.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = l.left(colon).trimmed().toLower();
        const QByteArray value = l.mid(colon + 1).trimmed();
        if (name == "content-disposition") {
            part.name = QString::fromUtf8(parameter(value, "name"));
            part.filename = QString::fromUtf8(parameter(value, "filename"));
        } else if (name == "content-type") {
            part.contentType = value;
        }
    }
    return !part.name.isEmpty();
}

} // namespace

std::optional<DemoMultipart> DemoMultipart::parse(const HttpRequest &request, QString *error)
{
    const QByteArray type = request.header("Content-Type");
    if (!type.trimmed().toLower().startsWith("multipart/form-data")) {
        fail(error, QStringLiteral("Expected a multipart/form-data body."));
        return std::nullopt;
    }
    const QByteArray boundary = parameter(type, "boundary");
    if (boundary.isEmpty() || boundary.size() > 200) {
        fail(error, QStringLiteral("The multipart/form-data Content-Type has no valid boundary."));
        return std::nullopt;
    }
    const QByteArray delimiter = "--" + boundary;
    const QByteArray &body = request.body;
    qsizetype pos = body.indexOf(delimiter);
    if (pos < 0) {
        fail(error, QStringLiteral("The multipart body has no part."));
        return std::nullopt;
    }
    DemoMultipart out;
    while (true) {
        pos += delimiter.size();
        if (body.mid(pos, 2) == "--")
            return out; // closing delimiter
        if (body.mid(pos, 2) != "\r\n" || out.m_parts.size() >= kMaxParts)
            break;
        pos += 2;
        const qsizetype headEnd = body.indexOf("\r\n\r\n", pos);
        if (headEnd < 0)
            break;
        Part part;
        if (!readHead(body.mid(pos, headEnd - pos), part))
            break;
        const qsizetype dataStart = headEnd + 4;
        const qsizetype next = body.indexOf(QByteArray("\r\n" + delimiter), dataStart);
        if (next < 0)
            break;
        part.data = body.mid(dataStart, next - dataStart);
        out.m_parts.append(std::move(part));
        pos = next + 2;
    }
    fail(error, QStringLiteral("The multipart/form-data body is malformed."));
    return std::nullopt;
}

const DemoMultipart::Part *DemoMultipart::part(QStringView name) const
{
    for (const Part &p : m_parts)
        if (p.name == name)
            return &p;
    return nullptr;
}

QList<const DemoMultipart::Part *> DemoMultipart::all(const QStringList &names) const
{
    QList<const Part *> out;
    for (const Part &p : m_parts)
        if (names.contains(p.name))
            out.append(&p);
    return out;
}

QString DemoMultipart::value(QStringView name) const
{
    const Part *p = part(name);
    return p ? QString::fromUtf8(p->data) : QString();
}

} // namespace RelayDesk::Relay
