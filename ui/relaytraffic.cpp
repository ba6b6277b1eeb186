#include "relaytraffic.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

namespace RelayDesk::Ui {

namespace {
const char *const kPrompts[] = {
    "Write a haiku about relays.", "Explain prompt caching in two sentences.", "List three uses of WebSockets.",
    "Translate 'good morning' into Chinese.", "Summarise the plot of Hamlet in one paragraph.",
};
} // namespace

RelayTrafficSimulator::RelayTrafficSimulator(QUrl baseUrl, QString key, QObject *parent)
    : QObject(parent)
    , m_base(std::move(baseUrl))
    , m_key(std::move(key))
    , m_nam(new QNetworkAccessManager(this))
{
}

void RelayTrafficSimulator::run(int requests, const QStringList &models, int spacingMs)
{
    if (models.isEmpty() || requests <= 0) {
        emit finished(0, 0, tr("nothing to send"));
        return;
    }
    m_ok = m_failed = 0;
    m_lastError.clear();
    m_pending = requests;
    for (int i = 0; i < requests; ++i) {
        const QString model = models[i % models.size()];
        QTimer::singleShot(i * spacingMs, this, [this, model, i] { sendOne(model, i); });
    }
}

void RelayTrafficSimulator::sendOne(const QString &model, int n)
{
    QUrl url = m_base;
    url.setPath(url.path() + QStringLiteral("/chat/completions"));
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    request.setRawHeader("Authorization", "Bearer " + m_key.toUtf8());
    request.setTransferTimeout(60000);
    const QJsonObject body{
        {QStringLiteral("model"), model},
        {QStringLiteral("stream"), true},
        {QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}}},
        {QStringLiteral("max_tokens"), 120 + 40 * (n % 5)},
        {QStringLiteral("messages"), QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                                            {QStringLiteral("content"), QString::fromLatin1(kPrompts[n % 5])}}}}};
    QNetworkReply *reply = m_nam->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    connect(reply, &QNetworkReply::readyRead, reply, [reply] { reply->readAll(); }); // stream consumed as it comes
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() == QNetworkReply::NoError && status / 100 == 2) {
            ++m_ok;
        } else {
            ++m_failed;
            m_lastError = QStringLiteral("HTTP %1: %2").arg(status).arg(reply->errorString());
        }
        reply->deleteLater();
        if (--m_pending == 0)
            emit finished(m_ok, m_failed, m_lastError);
    });
}

} // namespace RelayDesk::Ui
