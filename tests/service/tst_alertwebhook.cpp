// The spend-alert webhook against a local receiver (a real HTTP server on loopback): the event is posted as JSON
// with its id, type and a timestamp, signed HMAC-SHA256 over "<timestamp>.<body>" (verified here); a 500 or a
// refused connection is retried with back-off and delivered once after; after maxAttempts the event is given up
// and kept; with no URL configured events are kept, marked not sent; two webhooks (instances) on one outbox post
// each event once.
#include "ledgeraccount.h"
#include "tempdatabase.h"

#include "http/httpserver.h"
#include "service/adminservice.h"
#include "service/alertwebhook.h"
#include "store/alertrepository.h"
#include "store/limitrepository.h"

#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QSignalSpy>
#include <QtTest>

using namespace RelayDesk;
using Store::AlertRepository;

namespace {

// What the receiver got.
struct Delivery
{
    QByteArray body;
    QByteArray signature;
    QByteArray timestamp;
    QByteArray eventId;
    QByteArray eventType;
};

class Receiver final
{
public:
    Receiver()
    {
        Relay::HttpServerConfig config;
        config.port = 0;
        m_server = std::make_unique<Relay::HttpServer>(config);
        m_server->router().addRoute(
            "POST", "/hook",
            [this](Relay::HttpExchange &e) {
                const auto &r = e.request();
                m_got.append({r.body, r.header("x-relaydesk-signature"), r.header("x-relaydesk-timestamp"),
                              r.header("x-relaydesk-event-id"), r.header("x-relaydesk-event")});
                const int status = m_statuses.isEmpty() ? 200 : m_statuses.takeFirst();
                e.respond(status, "{}");
            },
            Relay::Router::Access::Public);
        if (!m_server->start())
            qFatal("receiver: %s", qPrintable(m_server->errorString()));
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1/hook").arg(m_server->serverPort()); }
    void answer(QList<int> statuses) { m_statuses = std::move(statuses); }
    const QList<Delivery> &got() const { return m_got; }

private:
    std::unique_ptr<Relay::HttpServer> m_server;
    QList<int> m_statuses;
    QList<Delivery> m_got;
};

// One fired event in the outbox (as the watcher writes it).
Store::AlertEvent fireOne(const Store::Database &db, qint64 userId, qint64 period = 1)
{
    const AlertRepository alerts(db);
    if (alerts.rules(QString::fromLatin1(Store::LimitRepository::kUser), userId).isEmpty())
        alerts.setRules(QString::fromLatin1(Store::LimitRepository::kUser), userId,
                        {{QString::fromLatin1(AlertRepository::kBalance), QString(), 500}});
    const auto rule = alerts.rules(QString::fromLatin1(Store::LimitRepository::kUser), userId).first();
    const QJsonObject payload{{QStringLiteral("type"), QStringLiteral("balance.low")},
                              {QStringLiteral("balance_quota"), 499},
                              {QStringLiteral("owner"), QJsonObject{{QStringLiteral("kind"), QStringLiteral("user")},
                                                                    {QStringLiteral("id"), userId}}}};
    const auto fired = alerts.fire(rule, period, QDateTime::currentMSecsSinceEpoch(), payload);
    if (!fired || !fired->has_value())
        qFatal("fire: %s", qPrintable(fired.error()));
    return **fired;
}

Service::AlertWebhook::Options fast()
{
    Service::AlertWebhook::Options o;
    o.pollMs = 50;
    o.firstRetryMs = 100;
    o.maxRetryMs = 400;
    o.maxAttempts = 3;
    o.timeoutMs = 5'000;
    return o;
}

} // namespace

class TestAlertWebhook final : public QObject
{
    Q_OBJECT

private slots:
    void signatureIsHmacSha256OfTimestampDotBody()
    {
        // RFC 4231 test case 2's key and data, split as "<timestamp>.<body>" would be.
        const QByteArray sig = Service::AlertWebhook::signature("Jefe", "what do ya want ", "for nothing?");
        QCOMPARE(sig, QByteArray("sha256=") + QMessageAuthenticationCode::hash(
                                                   "what do ya want .for nothing?", "Jefe", QCryptographicHash::Sha256)
                                                   .toHex());
        QVERIFY(sig != Service::AlertWebhook::signature("Jefe", "what do ya want", " .for nothing?"));
    }

    // A 500 first: retried after the back-off, delivered on the second attempt; the signature verifies.
    void deliveredSignedAndRetriedAfterA500()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto a = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("dora"));
        Receiver receiver;
        receiver.answer({500});
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Cli);
        QVERIFY(admin.setAlertWebhook(receiver.url(), QStringLiteral("s3cret")));
        const Store::AlertEvent event = fireOne(tmp.db(), a.userId);
        Service::AlertWebhook webhook(tmp.shared(), fast());
        QSignalSpy delivered(&webhook, &Service::AlertWebhook::delivered);
        QSignalSpy retrying(&webhook, &Service::AlertWebhook::retrying);
        webhook.start();
        QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), 1, 10'000);
        QCOMPARE(retrying.size(), 1);
        QCOMPARE(retrying.first().at(2).toString(), QStringLiteral("HTTP 500"));
        QCOMPARE(receiver.got().size(), 2);
        const Delivery &d = receiver.got().last();
        QCOMPARE(d.signature, Service::AlertWebhook::signature("s3cret", d.timestamp, d.body));
        QVERIFY(qAbs(d.timestamp.toLongLong() - QDateTime::currentSecsSinceEpoch()) < 60);
        QCOMPARE(d.eventId, QByteArray::number(event.id));
        QCOMPARE(d.eventType, QByteArray("balance.low"));
        const QJsonObject body = QJsonDocument::fromJson(d.body).object();
        QCOMPARE(body.value(QLatin1String("id")).toInteger(), event.id);
        QCOMPARE(body.value(QLatin1String("balance_quota")).toInteger(), 499);
        const auto stored = AlertRepository(tmp.db()).events(1).first();
        QVERIFY(stored.deliveredAt > 0);
        QCOMPARE(stored.attempts, 2);
        // Nothing is ever due again for a delivered event.
        QVERIFY(AlertRepository(tmp.db()).claimDue(QDateTime::currentMSecsSinceEpoch() + 86'400'000, 1, 10)->isEmpty());
    }

    // A receiver that keeps failing: maxAttempts posts, then the event is kept as failed with the last error.
    void givenUpAfterMaxAttempts()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto a = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("dora"));
        Receiver receiver;
        receiver.answer({503, 503, 503, 503});
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Cli);
        QVERIFY(admin.setAlertWebhook(receiver.url(), std::nullopt));
        fireOne(tmp.db(), a.userId);
        Service::AlertWebhook webhook(tmp.shared(), fast());
        QSignalSpy gaveUp(&webhook, &Service::AlertWebhook::gaveUp);
        webhook.start();
        QTRY_COMPARE_WITH_TIMEOUT(gaveUp.size(), 1, 10'000);
        QCOMPARE(receiver.got().size(), 3);
        QVERIFY(receiver.got().first().signature.isEmpty()); // no secret, no signature
        const auto stored = AlertRepository(tmp.db()).events(1).first();
        QVERIFY(stored.failedAt > 0);
        QCOMPARE(stored.deliveredAt, 0);
        QCOMPARE(stored.lastError, QStringLiteral("HTTP 503"));
    }

    // Nobody listening: a network error is retried like a 5xx.
    void refusedConnectionIsRetried()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto a = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("dora"));
        QString url;
        {
            Receiver gone; // bound and closed again: its port now refuses
            url = gone.url();
        }
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Cli);
        QVERIFY(admin.setAlertWebhook(url, std::nullopt));
        fireOne(tmp.db(), a.userId);
        Service::AlertWebhook webhook(tmp.shared(), fast());
        QSignalSpy retrying(&webhook, &Service::AlertWebhook::retrying);
        QSignalSpy gaveUp(&webhook, &Service::AlertWebhook::gaveUp);
        webhook.start();
        QTRY_COMPARE_WITH_TIMEOUT(gaveUp.size(), 1, 10'000);
        QCOMPARE(retrying.size(), 2);
        QVERIFY(!AlertRepository(tmp.db()).events(1).first().lastError.isEmpty());
    }

    void withoutAUrlEventsAreKeptNotSent()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto a = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("dora"));
        fireOne(tmp.db(), a.userId);
        Service::AlertWebhook webhook(tmp.shared(), fast());
        QSignalSpy gaveUp(&webhook, &Service::AlertWebhook::gaveUp);
        webhook.deliverDue();
        QCOMPARE(gaveUp.size(), 1);
        const auto stored = AlertRepository(tmp.db()).events(1).first();
        QCOMPARE(stored.lastError, QStringLiteral("no webhook URL configured"));
        QCOMPARE(stored.attempts, 1);
    }

    // Two instances share the outbox: each event is posted once.
    void twoWebhooksPostEachEventOnce()
    {
        Testing::TempDatabase tmp;
        QVERIFY2(tmp.isValid(), qPrintable(tmp.error()));
        const auto a = RelayDeskTest::makeLedgerAccount(tmp.db(), QStringLiteral("dora"));
        Receiver receiver;
        Service::AdminService admin(tmp.shared(), Service::AdminService::Actor::Cli);
        QVERIFY(admin.setAlertWebhook(receiver.url(), QStringLiteral("s")));
        for (int period = 1; period <= 10; ++period)
            fireOne(tmp.db(), a.userId, period);
        Service::AlertWebhook one(tmp.shared(), fast());
        Service::AlertWebhook two(tmp.shared(), fast());
        QSignalSpy d1(&one, &Service::AlertWebhook::delivered);
        QSignalSpy d2(&two, &Service::AlertWebhook::delivered);
        one.start();
        two.start();
        QTRY_COMPARE_WITH_TIMEOUT(d1.size() + d2.size(), 10, 10'000);
        QCOMPARE(receiver.got().size(), 10);
        QVERIFY(AlertRepository(tmp.db()).claimDue(QDateTime::currentMSecsSinceEpoch() + 86'400'000, 1, 10)->isEmpty());
        QSet<QByteArray> ids;
        for (const Delivery &d : receiver.got())
            ids.insert(d.eventId);
        QCOMPARE(ids.size(), 10);
    }
};

QTEST_GUILESS_MAIN(TestAlertWebhook)
#include "tst_alertwebhook.moc"
