// Cost feedback to the caller (issue 16 part 5), end to end through the relay and the demo upstream: a non-stream
// metered reply carries X-RelayDesk-Quota (what its consume row debited) and X-RelayDesk-Cost-USD (that / 500000,
// exactly); a stream (whose head leaves before the charge is known) and a refunded call carry neither. The legacy
// billing endpoints answer for the calling key as new-api does, from the ledger's figures: subscription's limits
// are the key's (remaining + used) quota in USD (100000000 for an unlimited key) and access_until its expiry;
// usage's total_usage is the key's consume rows in cents. Both with and without /v1.
#include "billing/quotamath.h"
#include "demoruntime.h"
#include "relayexchange.h"
#include "store/apikeyrepository.h"
#include "store/database.h"
#include "store/logrepository.h"
#include "store/userrepository.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

using namespace RelayDesk;
using Billing::QuotaMath;
using RelayDeskTest::exchangeWith;

namespace {

constexpr qint64 kKeyQuota = 1'000'000; // US$2
const qint64 kExpiry = QDateTime::currentSecsSinceEpoch() + 30 * 86400;

QByteArray chatBody(const QString &text, bool stream)
{
    QJsonObject o{{QStringLiteral("model"), QStringLiteral("gpt-4o-mini")},
                  {QStringLiteral("max_tokens"), 32},
                  {QStringLiteral("messages"), QJsonArray{QJsonObject{{QStringLiteral("role"), QStringLiteral("user")},
                                                                      {QStringLiteral("content"), text}}}}};
    if (stream)
        o.insert(QStringLiteral("stream"), true);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

class TestCostFeedback final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QList<Relay::CallResult> m_results;
    std::unique_ptr<Service::Runtime> m_runtime;
    QHash<QString, Store::CreatedApiKey> m_keys; // "limited", "unlimited"

    quint16 port() const { return m_runtime->port(); }
    const Store::Database &db() const { return *m_runtime->database(); }

    QList<Store::LogRecord> consumeRows(qint64 keyId) const
    {
        Store::LogFilter filter;
        filter.type = Store::LogType::Consume;
        filter.keyId = keyId;
        return Store::LogRepository(db()).page(filter, 1000).rows;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_runtime = RelayDeskTest::recordingRuntime(this, &m_results);
        QVERIFY2(m_runtime->start(RelayDeskTest::fastDemoConfig(m_dir.path())), qPrintable(m_runtime->errorString()));
        const auto user = Store::UserRepository(db()).create(QStringLiteral("payer"), QStringLiteral("default"), 10'000'000);
        QVERIFY(user);
        Store::NewApiKey limited;
        limited.userId = user->id;
        limited.name = QStringLiteral("limited");
        limited.quota = kKeyQuota;
        limited.expiresAt = kExpiry;
        Store::NewApiKey unlimited;
        unlimited.userId = user->id;
        unlimited.name = QStringLiteral("unlimited");
        unlimited.unlimited = true;
        for (const Store::NewApiKey &spec : {limited, unlimited}) {
            const auto created = Store::ApiKeyRepository(db()).create(spec);
            QVERIFY(created);
            m_keys.insert(spec.name, *created);
        }
    }

    void chargeHeaders_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("charged"); // a new consume row, and the headers on the reply
        QTest::newRow("chat JSON") << QByteArray("/v1/chat/completions") << chatBody(QStringLiteral("Hello."), false)
                                   << 200 << true;
        QTest::newRow("chat JSON, longer") << QByteArray("/v1/chat/completions")
                                           << chatBody(QStringLiteral("Tell me about relays and quotas."), false) << 200
                                           << true;
        QTest::newRow("embeddings") << QByteArray("/v1/embeddings")
                                    << QByteArray(R"({"model":"text-embedding-3-small","input":"a line to embed"})")
                                    << 200 << true;
        QTest::newRow("responses JSON") << QByteArray("/v1/responses")
                                        << QByteArray(R"({"model":"gpt-4o-mini","input":"Hi","max_output_tokens":32})")
                                        << 200 << true;
        QTest::newRow("chat stream: head sent before the charge") << QByteArray("/v1/chat/completions")
                                                                  << chatBody(QStringLiteral("Stream."), true) << 200
                                                                  << false;
        QTest::newRow("refunded: upstream failed") << QByteArray("/v1/chat/completions")
                                                   << chatBody(QStringLiteral("[[scenario:error_500]]"), false) << 500
                                                   << false;
    }
    void chargeHeaders()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(bool, charged);
        const Store::CreatedApiKey &key = m_keys.value(QStringLiteral("limited"));
        const qsizetype rowsBefore = consumeRows(key.key.id).size();
        const qsizetype resultsBefore = m_results.size();
        const auto reply = exchangeWith(port(), "POST", path, body, key.plainKey.toLatin1());
        QCOMPARE(reply.http.status, status);
        QVERIFY(QTest::qWaitFor([&] { return m_results.size() > resultsBefore; }, 10000)); // settled or refunded
        const QList<Store::LogRecord> rows = consumeRows(key.key.id);
        QCOMPARE(rows.size(), rowsBefore + (status == 200 ? 1 : 0));
        if (!charged) {
            QVERIFY(reply.http.header("X-RelayDesk-Quota").isNull());
            QVERIFY(reply.http.header("X-RelayDesk-Cost-USD").isNull());
            return;
        }
        const Store::LogRecord newest = *std::max_element(rows.begin(), rows.end(),
                                                          [](const auto &a, const auto &b) { return a.id < b.id; });
        QVERIFY(newest.quota > 0);
        QCOMPARE(reply.http.header("X-RelayDesk-Quota"), QByteArray::number(newest.quota));
        QCOMPARE(reply.http.header("X-RelayDesk-Cost-USD"), QuotaMath::toUsdText(newest.quota).toLatin1());
        QCOMPARE(reply.http.header("X-RelayDesk-Cost-USD").toDouble(), double(newest.quota) / 500000);
    }

    void subscription_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QString>("key");
        for (const char *path : {"/dashboard/billing/subscription", "/v1/dashboard/billing/subscription"})
            for (const char *key : {"limited", "unlimited"})
                QTest::addRow("%s %s", key, path) << QByteArray(path) << QString::fromLatin1(key);
    }
    void subscription()
    {
        QFETCH(QByteArray, path);
        QFETCH(QString, key);
        const Store::CreatedApiKey &created = m_keys.value(key);
        const auto reply = exchangeWith(port(), "GET", path, {}, created.plainKey.toLatin1());
        QCOMPARE(reply.http.status, 200);
        const QJsonObject o = reply.json();
        QCOMPARE(o.value(u"object").toString(), QStringLiteral("billing_subscription"));
        QCOMPARE(o.value(u"has_payment_method").toBool(), true);
        const auto stored = Store::ApiKeyRepository(db()).byId(created.key.id);
        QVERIFY(stored);
        const double limit = stored->unlimited ? 100000000.0 : double(stored->remainQuota + stored->usedQuota) / 500000;
        if (!stored->unlimited) // the ledger keeps remaining + used at what the key was given
            QCOMPARE(limit, double(kKeyQuota) / 500000);
        for (const char *field : {"soft_limit_usd", "hard_limit_usd", "system_hard_limit_usd"})
            QCOMPARE(o.value(QLatin1StringView(field)).toDouble(), limit);
        QCOMPARE(o.value(u"access_until").toInteger(), stored->unlimited ? 0 : kExpiry);
    }

    void usage_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QString>("key");
        for (const char *path : {"/dashboard/billing/usage", "/v1/dashboard/billing/usage"})
            for (const char *key : {"limited", "unlimited"})
                QTest::addRow("%s %s", key, path) << QByteArray(path) << QString::fromLatin1(key);
    }
    void usage()
    {
        QFETCH(QByteArray, path);
        QFETCH(QString, key);
        const Store::CreatedApiKey &created = m_keys.value(key);
        // The unlimited key spends too, so both have consume rows to sum.
        const auto call = exchangeWith(port(), "POST", "/v1/chat/completions", chatBody(QStringLiteral("Hi."), false),
                                       created.plainKey.toLatin1());
        QCOMPARE(call.http.status, 200);
        const auto reply = exchangeWith(port(), "GET", path, {}, created.plainKey.toLatin1());
        QCOMPARE(reply.http.status, 200);
        qint64 spent = 0;
        for (const Store::LogRecord &row : consumeRows(created.key.id))
            spent += row.quota;
        QVERIFY(spent > 0);
        QCOMPARE(reply.json().value(u"object").toString(), QStringLiteral("list"));
        QCOMPARE(reply.json().value(u"total_usage").toDouble(), double(spent) / 500000 * 100); // cents
    }

    void needsAKey_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::newRow("subscription") << QByteArray("/dashboard/billing/subscription");
        QTest::newRow("v1 usage") << QByteArray("/v1/dashboard/billing/usage");
    }
    void needsAKey()
    {
        QFETCH(QByteArray, path);
        QCOMPARE(exchangeWith(port(), "GET", path, {}, {}).http.status, 401);
        QCOMPARE(exchangeWith(port(), "GET", path, {}, "sk-not-a-key").http.status, 401);
    }

    void cleanupTestCase()
    {
        if (m_runtime)
            m_runtime->stop();
    }
};

QTEST_GUILESS_MAIN(TestCostFeedback)
#include "tst_costfeedback.moc"
