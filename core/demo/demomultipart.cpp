#include "demo/demomultipart.h"

#include "http/httprequest.h"
#include "http/multipartform.h"

#include <QtCore/QStringList>

namespace RelayDesk::Relay {

std::optional<DemoMultipart> DemoMultipart::parse(const HttpRequest &request, QString *error)
{
    auto parsed = MultipartForm::parse(request.header("Content-Type"), request.body,
                                       MultipartLimits{kMaxParts, MultipartLimits{}.maxFieldBytes});
    if (const auto *refused = std::get_if<OpenAiError>(&parsed)) {
        if (error)
            *error = refused->message;
        return std::nullopt;
    }
    const MultipartForm &form = std::get<MultipartForm>(parsed);
    DemoMultipart out;
    for (const MultipartPart &p : form.parts()) {
        Part part;
        part.name = QString::fromUtf8(p.name);
        part.filename = QString::fromUtf8(p.fileName);
        part.contentType = p.contentType;
        part.data = form.data(p).toByteArray();
        out.m_parts.append(std::move(part));
    }
    return out;
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
