// One refusal, one answer: Auth, chat and Realtime (and every later endpoint) map an unusable key or a refused
// reservation through keyRefusal / ledgerRefusal, so a disabled key is 403 key_disabled everywhere (the ledger's
// refusal was 403 permission_denied on chat and 401 on Realtime).
#include "relay/anthropic/anthropicerror.h"
#include "relay/ledgerrefusal.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtTest/QtTest>

using namespace RelayDesk;
using Store::LedgerFailure;

class TestLedgerRefusal final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mapping_data()
    {
        QTest::addColumn<int>("failure");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::newRow("user quota") << int(LedgerFailure::UserQuota) << 403 << "insufficient_quota";
        QTest::newRow("key quota") << int(LedgerFailure::KeyQuota) << 403 << "insufficient_quota";
        QTest::newRow("user disabled") << int(LedgerFailure::UserDisabled) << 403 << "user_disabled";
        QTest::newRow("key disabled") << int(LedgerFailure::KeyDisabled) << 403 << "key_disabled";
        QTest::newRow("key expired") << int(LedgerFailure::KeyExpired) << 403 << "key_expired";
        QTest::newRow("key gone") << int(LedgerFailure::KeyNotFound) << 401 << "invalid_api_key";
        QTest::newRow("key of another user") << int(LedgerFailure::KeyNotOwned) << 401 << "invalid_api_key";
        QTest::newRow("user gone") << int(LedgerFailure::UserNotFound) << 401 << "invalid_api_key";
        QTest::newRow("store down") << int(LedgerFailure::Database) << 503 << "store_unavailable";
        QTest::newRow("duplicate request id") << int(LedgerFailure::DuplicateRequest) << 500 << "internal_error";
        QTest::newRow("negative amount") << int(LedgerFailure::InvalidAmount) << 500 << "internal_error";
        QTest::newRow("budget without its details (a bug)") << int(LedgerFailure::BudgetExceeded) << 500
                                                            << "internal_error";
        QTest::newRow("rate without its details (a bug)") << int(LedgerFailure::RateLimited) << 500 << "internal_error";
    }

    void mapping()
    {
        QFETCH(int, failure);
        QFETCH(int, status);
        QFETCH(QString, code);
        Store::LedgerOutcome refusal;
        refusal.failure = LedgerFailure(failure);
        refusal.message = QStringLiteral("internal detail");
        const Relay::OpenAiError error = Relay::ledgerRefusal(refusal, 1234, QStringLiteral("sk-ab…yz"));
        QCOMPARE(error.httpStatus, status);
        QCOMPARE(QString::fromUtf8(error.code), code);
        QVERIFY(!error.message.contains(QStringLiteral("internal detail"))); // no ledger internals to the client
        if (code == QLatin1String("insufficient_quota"))
            QVERIFY2(error.message.contains(QStringLiteral("1234")), qPrintable(error.message));
        if (code == QLatin1String("key_disabled") || code == QLatin1String("invalid_api_key"))
            QVERIFY2(error.message.contains(QStringLiteral("sk-ab…yz")), qPrintable(error.message));
    }

    // A spent budget window: 429 insufficient_quota / budget_exceeded naming the owner (a key by its hint only),
    // the window, its cap and when it resets, with Retry-After — in OpenAI's shape, and in Anthropic's on its routes.
    void budgetExceeded_data()
    {
        QTest::addColumn<QString>("ownerKind");
        QTest::addColumn<QString>("ownerName");
        QTest::addColumn<QString>("window");
        QTest::addColumn<qint64>("cap");
        QTest::addColumn<QStringList>("says");
        QTest::newRow("key, daily") << "key" << "sk-ab…yz" << "day" << qint64(2'500'000)
                                    << QStringList{"the API key sk-ab…yz", "daily budget of US$5.00", "2500000 quota",
                                                   "needs 1234 quota", "resets at 2026-12-07T00:00:00Z"};
        QTest::newRow("user, monthly") << "user" << "alice" << "month" << qint64(50'000'000)
                                       << QStringList{"the user 'alice'", "monthly budget of US$100.00"};
        QTest::newRow("key, rolling") << "key" << "sk-cd…wx" << "24h" << qint64(250'000)
                                      << QStringList{"24-hour rolling budget of US$0.50"};
    }

    void budgetExceeded()
    {
        QFETCH(QString, ownerKind);
        QFETCH(QString, ownerName);
        QFETCH(QString, window);
        QFETCH(qint64, cap);
        QFETCH(QStringList, says);
        Store::LedgerOutcome refusal;
        refusal.failure = LedgerFailure::BudgetExceeded;
        refusal.message = QStringLiteral("internal detail");
        Store::BudgetRefusal b;
        b.ownerKind = ownerKind;
        b.ownerName = ownerName;
        b.window = window;
        b.cap = cap;
        b.spent = cap - 10;
        b.amount = 1234;
        b.resetAt = QDateTime::fromString(QStringLiteral("2026-12-07T00:00:00Z"), Qt::ISODate).toSecsSinceEpoch();
        b.retryAfterSecs = 2520;
        refusal.budget = b;
        const Relay::OpenAiError error = Relay::ledgerRefusal(refusal, 1234, QStringLiteral("sk-full-key-hint"));
        QCOMPARE(error.httpStatus, 429);
        QCOMPARE(error.type, QByteArray("insufficient_quota"));
        QCOMPARE(error.code, QByteArray("budget_exceeded"));
        QCOMPARE(error.retryAfterSecs, qint64(2520));
        for (const QString &part : says)
            QVERIFY2(error.message.contains(part), qPrintable(error.message));
        QVERIFY(!error.message.contains(QStringLiteral("internal detail")));

        const Relay::HttpResponse openAi = Relay::HttpResponse::error(error);
        QCOMPARE(openAi.status, 429);
        QCOMPARE(openAi.headers.value("retry-after"), QByteArray("2520"));
        const QJsonObject body = QJsonDocument::fromJson(openAi.body).object().value(QStringLiteral("error")).toObject();
        QCOMPARE(body.value(QStringLiteral("code")).toString(), QStringLiteral("budget_exceeded"));
        QCOMPARE(body.value(QStringLiteral("type")).toString(), QStringLiteral("insufficient_quota"));

        const Relay::HttpResponse anthropic = Relay::AnthropicError::response(error);
        QCOMPARE(anthropic.status, 429);
        QCOMPARE(anthropic.headers.value("retry-after"), QByteArray("2520"));
        const QJsonObject a = QJsonDocument::fromJson(anthropic.body).object();
        QCOMPARE(a.value(QStringLiteral("type")).toString(), QStringLiteral("error"));
        QCOMPARE(a.value(QStringLiteral("error")).toObject().value(QStringLiteral("type")).toString(),
                 QStringLiteral("rate_limit_error"));
        QCOMPARE(a.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString(), error.message);
    }

    // A rate limit reached: 429 rate_limit_exceeded in OpenAI's wording, type "tokens" for tpm and "requests" for
    // the others, with Retry-After — in OpenAI's shape, and Anthropic's rate_limit_error on its routes.
    void rateLimited_data()
    {
        QTest::addColumn<QString>("ownerKind");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<qint64>("requested");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QStringList>("says");
        QTest::newRow("key rpm") << "key" << "rpm" << qint64(1) << "requests"
                                 << QStringList{"Rate limit reached for the API key sk-ab…yz on requests per min (RPM): "
                                                "Limit 10, Used 10, Requested 1. Please try again in 17s."};
        QTest::newRow("user rpd") << "user" << "rpd" << qint64(1) << "requests"
                                  << QStringList{"the user 'alice' on requests per day (RPD): Limit 10"};
        QTest::newRow("key tpm") << "key" << "tpm" << qint64(5) << "tokens"
                                 << QStringList{"on tokens per min (TPM): Limit 10, Used 10, Requested 5."};
        QTest::newRow("tpm, too large alone") << "key" << "tpm" << qint64(11) << "tokens"
                                              << QStringList{"Request too large for the API key sk-ab…yz on tokens per "
                                                             "min (TPM): Limit 10, Requested 11."};
        QTest::newRow("user concurrency") << "user" << "concurrency" << qint64(1) << "requests"
                                          << QStringList{"on concurrent requests: Limit 10, Used 10"};
    }

    void rateLimited()
    {
        QFETCH(QString, ownerKind);
        QFETCH(QString, kind);
        QFETCH(qint64, requested);
        QFETCH(QString, type);
        QFETCH(QStringList, says);
        Store::LedgerOutcome refusal;
        refusal.failure = LedgerFailure::RateLimited;
        refusal.message = QStringLiteral("internal detail");
        Store::RateRefusal r;
        r.ownerKind = ownerKind;
        r.ownerName = ownerKind == u"key" ? QStringLiteral("sk-ab…yz") : QStringLiteral("alice");
        r.kind = kind;
        r.cap = 10;
        r.used = 10;
        r.requested = requested;
        r.retryAfterSecs = 17;
        refusal.rate = r;
        const Relay::OpenAiError error = Relay::ledgerRefusal(refusal, 1234, QStringLiteral("sk-full-key-hint"));
        QCOMPARE(error.httpStatus, 429);
        QCOMPARE(error.type, type.toUtf8());
        QCOMPARE(error.code, QByteArray("rate_limit_exceeded"));
        QCOMPARE(error.retryAfterSecs, qint64(17));
        for (const QString &part : says)
            QVERIFY2(error.message.contains(part), qPrintable(error.message));
        QVERIFY(!error.message.contains(QStringLiteral("internal detail")));
        QCOMPARE(Relay::HttpResponse::error(error).headers.value("retry-after"), QByteArray("17"));
        const Relay::HttpResponse anthropic = Relay::AnthropicError::response(error);
        QCOMPARE(anthropic.status, 429);
        QCOMPARE(anthropic.headers.value("retry-after"), QByteArray("17"));
        QCOMPARE(QJsonDocument::fromJson(anthropic.body).object().value(QStringLiteral("error")).toObject()
                     .value(QStringLiteral("type")).toString(),
                 QStringLiteral("rate_limit_error"));
    }

    void errorsWithoutRetryAfterHaveNoHeader()
    {
        const Relay::OpenAiError error = Relay::OpenAiError::insufficientQuota(QStringLiteral("no"));
        QVERIFY(!Relay::HttpResponse::error(error).headers.contains("retry-after"));
        QVERIFY(!Relay::AnthropicError::response(error).headers.contains("retry-after"));
    }
};

QTEST_GUILESS_MAIN(TestLedgerRefusal)
#include "tst_ledgerrefusal.moc"
