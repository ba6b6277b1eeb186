#pragma once
// The demo upstream's view of a multipart/form-data body (RFC 7578): the audio and image routes take their file,
// model and options from it, like OpenAI. Read by the relay's own MultipartForm (http/multipartform.h), with each
// part copied out — the demo is a test double and keeps its parts as plain values.
#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QString>

#include <optional>

namespace RelayDesk::Relay {

struct HttpRequest;

class DemoMultipart final
{
public:
    struct Part
    {
        QString name;        // form field name ("file", "image[]")
        QString filename;    // empty for a plain field
        QByteArray contentType;
        QByteArray data;
        bool isFile() const { return !filename.isEmpty() || !contentType.isEmpty(); }
    };

    // The parts of a multipart/form-data request; nullopt (with a reason in `error`) when the Content-Type is
    // not multipart/form-data with a boundary, or the body is not well-formed. At most kMaxParts parts.
    static std::optional<DemoMultipart> parse(const HttpRequest &request, QString *error = nullptr);
    static constexpr int kMaxParts = 256;

    const QList<Part> &parts() const { return m_parts; }
    // The first part called `name` (nullptr when absent).
    const Part *part(QStringView name) const;
    // Every part called one of `names`, in order (e.g. {"image", "image[]"}).
    QList<const Part *> all(const QStringList &names) const;
    // A text field's value (null QString when absent).
    QString value(QStringView name) const;
    bool contains(QStringView name) const { return part(name) != nullptr; }

private:
    QList<Part> m_parts;
};

} // namespace RelayDesk::Relay
