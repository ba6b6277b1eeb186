#pragma once
// One HTTP exchange with the demo upstream for its tests: JSON or multipart/form-data requests over loopback,
// the reply's status, headers and body, and the body read as SSE (event names and data lines kept apart, so a
// test can assert the framing, not only the payloads).
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtNetwork/QHttpMultiPart>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QNetworkRequest>
#include <QtTest/QSignalSpy>

#include <memory>

namespace DemoHttp {

struct Result
{
    int status = 0;
    QByteArray contentType;
    QByteArray body;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    bool timedOut = false;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

struct Event
{
    QByteArray name; // empty when the event had no `event:` line
    QJsonObject data;
    QByteArray raw;  // the data line as sent
};

// Events of a text/event-stream body; `framingOk` turns false on a line that is neither event:, data: nor blank.
inline QList<Event> parseSse(const QByteArray &body, bool *framingOk = nullptr)
{
    QList<Event> out;
    QByteArray pendingName;
    bool ok = true;
    for (const QByteArray &line : body.split('\n')) {
        if (line.startsWith("event: ")) {
            pendingName = line.mid(7);
        } else if (line.startsWith("data: ")) {
            out.append({pendingName, QJsonDocument::fromJson(line.mid(6)).object(), line.mid(6)});
            pendingName.clear();
        } else if (!line.isEmpty()) {
            ok = false;
        }
    }
    if (framingOk)
        *framingOk = ok;
    return out;
}

inline Result finish(QNetworkReply *reply, int timeoutMs)
{
    Result result;
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished() && !finished.wait(timeoutMs)) {
        result.timedOut = true;
        reply->abort();
        reply->deleteLater();
        return result;
    }
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    result.body = reply->readAll();
    result.error = reply->error();
    reply->deleteLater();
    return result;
}

inline QNetworkRequest request(const QString &url, const QByteArray &key, const QByteArray &scenario)
{
    QNetworkRequest req{QUrl(url)};
    req.setRawHeader("Authorization", "Bearer " + key);
    if (!scenario.isEmpty())
        req.setRawHeader("X-Fake-Scenario", scenario);
    return req;
}

inline Result postJson(QNetworkAccessManager &nam, const QString &url, const QJsonObject &body, const QByteArray &key,
                       const QByteArray &scenario = {}, int timeoutMs = 20'000)
{
    QNetworkRequest req = request(url, key, scenario);
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    return finish(nam.post(req, QJsonDocument(body).toJson(QJsonDocument::Compact)), timeoutMs);
}

inline Result get(QNetworkAccessManager &nam, const QString &url, int timeoutMs = 20'000)
{
    return finish(nam.get(QNetworkRequest{QUrl(url)}), timeoutMs);
}

// A multipart/form-data field: a file when `filename` is set.
struct Field
{
    QString name;
    QByteArray value;
    QString filename;
    QByteArray contentType;
};

inline Result postForm(QNetworkAccessManager &nam, const QString &url, const QList<Field> &fields,
                       const QByteArray &key, const QByteArray &scenario = {}, int timeoutMs = 20'000)
{
    auto *multi = new QHttpMultiPart(QHttpMultiPart::FormDataType);
    for (const Field &f : fields) {
        QHttpPart part;
        QByteArray disposition = "form-data; name=\"" + f.name.toUtf8() + "\"";
        if (!f.filename.isEmpty())
            disposition += "; filename=\"" + f.filename.toUtf8() + "\"";
        part.setHeader(QNetworkRequest::ContentDispositionHeader, disposition);
        if (!f.contentType.isEmpty())
            part.setHeader(QNetworkRequest::ContentTypeHeader, f.contentType);
        part.setBody(f.value);
        multi->append(part);
    }
    QNetworkReply *reply = nam.post(request(url, key, scenario), multi);
    multi->setParent(reply);
    return finish(reply, timeoutMs);
}

} // namespace DemoHttp
