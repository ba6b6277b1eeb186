#pragma once
// Delivers fired spend alerts (the alert_events outbox) as a JSON POST to the configured webhook URL:
//   body     {"id", "type", "created_at", "owner": {…}, …the event's fields}
//   headers  X-RelayDesk-Event (type), X-RelayDesk-Event-Id, X-RelayDesk-Timestamp (unix s) and, with a secret,
//            X-RelayDesk-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
// A 2xx answer delivers the event; anything else (status, network error, timeout) is retried with exponential
// back-off until maxAttempts, then given up (kept, marked failed, with the last error). Several instances share
// the outbox: each attempt is claimed first (Store::AlertRepository::claimDue). It runs on the alerts thread
// with an asynchronous QNetworkAccessManager, so a slow receiver holds up nothing else.
#include "store/alertrepository.h"

#include <QtCore/QObject>
#include <QtCore/QTimer>
#include <QtCore/QUrl>

#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace RelayDesk::Store { class Database; }

namespace RelayDesk::Service {

class AlertWebhook final : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        int pollMs = 2'000;          // how often the outbox is looked at (also kicked by deliverDue())
        qint64 firstRetryMs = 2'000; // back-off: firstRetryMs × 2^(attempt−1), capped at maxRetryMs
        qint64 maxRetryMs = 600'000;
        int maxAttempts = 8;
        int timeoutMs = 10'000;      // per attempt
        qint64 claimLeaseMs = 60'000; // an attempt not finished by then may be taken by another instance
    };
    static constexpr int kBatch = 16; // events claimed per pass

    explicit AlertWebhook(std::shared_ptr<Store::Database> db, QObject *parent = nullptr);
    AlertWebhook(std::shared_ptr<Store::Database> db, Options options, QObject *parent = nullptr);
    ~AlertWebhook() override;

    // "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body): what a receiver recomputes.
    static QByteArray signature(const QByteArray &secret, const QByteArray &timestamp, const QByteArray &body);
    // The JSON body posted for `event`.
    static QByteArray body(const Store::AlertEvent &event);

    void start(); // the poll timer (call on this object's thread)
    // Claims the due events and posts them now.
    void deliverDue();

Q_SIGNALS:
    void delivered(qint64 eventId);
    void retrying(qint64 eventId, int attempts, const QString &error);
    void gaveUp(qint64 eventId, const QString &error);

private:
    struct Target
    {
        QUrl url;
        QByteArray secret;
        QString error; // a configured secret that cannot be opened
    };
    Target target() const;
    void post(const Store::AlertEvent &event, const Target &target);
    void finished(const Store::AlertEvent &event, QNetworkReply *reply);
    void failedAttempt(const Store::AlertEvent &event, const QString &error);

    std::shared_ptr<Store::Database> m_db;
    Options m_options;
    QNetworkAccessManager *m_network = nullptr; // made on first use, on this object's thread
    QTimer *m_poll;
    int m_inFlight = 0;
};

} // namespace RelayDesk::Service
