#include "alertwebhook.h"

#include "common/version.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/optionrepository.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QMessageAuthenticationCode>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QNetworkRequest>

#include <algorithm>

namespace RelayDesk::Service {

AlertWebhook::AlertWebhook(std::shared_ptr<Store::Database> db, QObject *parent)
    : AlertWebhook(std::move(db), Options(), parent)
{
}

AlertWebhook::AlertWebhook(std::shared_ptr<Store::Database> db, Options options, QObject *parent)
    : QObject(parent), m_db(std::move(db)), m_options(options), m_poll(new QTimer(this))
{
    m_poll->setInterval(m_options.pollMs);
    connect(m_poll, &QTimer::timeout, this, &AlertWebhook::deliverDue);
}

AlertWebhook::~AlertWebhook() = default;

QByteArray AlertWebhook::signature(const QByteArray &secret, const QByteArray &timestamp, const QByteArray &body)
{
    QMessageAuthenticationCode mac(QCryptographicHash::Sha256, secret);
    mac.addData(timestamp);
    mac.addData(".");
    mac.addData(body);
    return "sha256=" + mac.result().toHex();
}

QByteArray AlertWebhook::body(const Store::AlertEvent &event)
{
    QJsonObject o = event.payload;
    o.insert(QStringLiteral("id"), event.id);
    o.insert(QStringLiteral("created_at"), event.createdAt / 1000);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

void AlertWebhook::start()
{
    m_poll->start();
}

AlertWebhook::Target AlertWebhook::target() const
{
    const Store::OptionRepository options(*m_db);
    Target t;
    t.url = QUrl(options.value(QString::fromLatin1(Store::AlertRepository::kWebhookUrlOption)).value_or(QString()));
    const QString sealed = options.value(QString::fromLatin1(Store::AlertRepository::kWebhookSecretOption))
                               .value_or(QString());
    if (!sealed.isEmpty()) {
        const auto opened = Store::ChannelRepository(*m_db).openSecret(sealed);
        if (opened)
            t.secret = opened->toUtf8();
        else
            t.error = QStringLiteral("the webhook secret cannot be opened: %1").arg(opened.error());
    }
    return t;
}

void AlertWebhook::deliverDue()
{
    if (m_inFlight >= kBatch)
        return; // the earlier pass's posts are still out
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const Store::AlertRepository alerts(*m_db);
    const auto due = alerts.claimDue(now, m_options.claimLeaseMs, kBatch - m_inFlight);
    if (!due || due->isEmpty())
        return;
    const Target t = target();
    for (const Store::AlertEvent &event : *due) {
        if (!t.url.isValid() || t.url.isEmpty()) {
            // Kept for the console and the CLI, but not queued for a webhook set later (it would be stale then).
            alerts.markFailed(event.id, now, QStringLiteral("no webhook URL configured"));
            Q_EMIT gaveUp(event.id, QStringLiteral("no webhook URL configured"));
        } else if (!t.error.isEmpty()) {
            failedAttempt(event, t.error);
        } else {
            post(event, t);
        }
    }
}

void AlertWebhook::post(const Store::AlertEvent &event, const Target &target)
{
    if (!m_network)
        m_network = new QNetworkAccessManager(this);
    QNetworkRequest request(target.url);
    const QByteArray payload = body(event);
    const QByteArray timestamp = QByteArray::number(QDateTime::currentSecsSinceEpoch());
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArray(QByteArray("RelayDesk/") + kVersion));
    request.setRawHeader("X-RelayDesk-Event", event.payload.value(QLatin1StringView("type")).toString().toUtf8());
    request.setRawHeader("X-RelayDesk-Event-Id", QByteArray::number(event.id));
    request.setRawHeader("X-RelayDesk-Timestamp", timestamp);
    if (!target.secret.isEmpty())
        request.setRawHeader("X-RelayDesk-Signature", signature(target.secret, timestamp, payload));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(m_options.timeoutMs);
    QNetworkReply *reply = m_network->post(request, payload);
    ++m_inFlight;
    // The receiver's answer is not wanted: read and drop it as it comes, so a large one is never buffered.
    connect(reply, &QNetworkReply::readyRead, reply, [reply] { reply->skip(reply->bytesAvailable()); });
    connect(reply, &QNetworkReply::finished, this, [this, event, reply] { finished(event, reply); });
}

void AlertWebhook::finished(const Store::AlertEvent &event, QNetworkReply *reply)
{
    reply->deleteLater();
    --m_inFlight;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() == QNetworkReply::NoError && status >= 200 && status < 300) {
        if (Store::Status s = Store::AlertRepository(*m_db).markDelivered(event.id, QDateTime::currentMSecsSinceEpoch()); !s)
            qWarning("alert %lld delivered, but not recorded: %s", event.id, qPrintable(s.error()));
        Q_EMIT delivered(event.id);
        return;
    }
    failedAttempt(event, status != 0 ? QStringLiteral("HTTP %1").arg(status) : reply->errorString());
}

void AlertWebhook::failedAttempt(const Store::AlertEvent &event, const QString &error)
{
    const Store::AlertRepository alerts(*m_db);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (event.attempts >= m_options.maxAttempts) {
        alerts.markFailed(event.id, now, error);
        Q_EMIT gaveUp(event.id, error);
        return;
    }
    const int doublings = std::min(event.attempts - 1, 30);
    const qint64 wait = std::min(m_options.maxRetryMs, m_options.firstRetryMs << doublings);
    alerts.retryAt(event.id, now + wait, error);
    Q_EMIT retrying(event.id, event.attempts, error);
}

} // namespace RelayDesk::Service
