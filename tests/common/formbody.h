#pragma once
// A multipart/form-data request body as a client (curl -F, the SDKs) sends it, for relay tests.
#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QMetaType>

namespace RelayDeskTest {

struct FormField
{
    QByteArray name;
    QByteArray value;
    QByteArray fileName;    // a file part when set
    QByteArray contentType; // the part's Content-Type (files)
};

struct FormBody
{
    QByteArray contentType;
    QByteArray body;
};

inline FormBody formBody(const QList<FormField> &fields, const QByteArray &boundary = "----relaydesk-test-7MA4YWxkTrZu0gW")
{
    FormBody out;
    out.contentType = "multipart/form-data; boundary=" + boundary;
    for (const FormField &f : fields) {
        out.body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.name + "\"";
        if (!f.fileName.isEmpty())
            out.body += "; filename=\"" + f.fileName + "\"";
        out.body += "\r\n";
        if (!f.contentType.isEmpty())
            out.body += "Content-Type: " + f.contentType + "\r\n";
        out.body += "\r\n" + f.value + "\r\n";
    }
    out.body += "--" + boundary + "--\r\n";
    return out;
}

} // namespace RelayDeskTest

Q_DECLARE_METATYPE(RelayDeskTest::FormField)
