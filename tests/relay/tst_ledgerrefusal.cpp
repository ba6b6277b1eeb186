// One refusal, one answer: Auth, chat and Realtime (and every later endpoint) map an unusable key or a refused
// reservation through keyRefusal / ledgerRefusal, so a disabled key is 403 key_disabled everywhere (the ledger's
// refusal was 403 permission_denied on chat and 401 on Realtime).
#include "relay/ledgerrefusal.h"

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
};

QTEST_GUILESS_MAIN(TestLedgerRefusal)
#include "tst_ledgerrefusal.moc"
