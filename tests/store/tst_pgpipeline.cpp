// Database::ask (PgPipeline): n questions for the server in one round trip, answered in order, typed by their
// columns; outside a transaction each call stands alone, inside one a failed call spoils the rest (which is why
// only calls that never raise are asked in a batch); each statement is prepared once per connection; a Qt query
// left half-read does not block it; SQLite answers with an error.
#include "backenddatabases.h"

#include "store/database.h"
#include "store/pgpipeline.h"

#include <QtTest/QtTest>

using namespace RelayDesk;
using Store::ServerAnswer;
using Store::ServerCall;

namespace {

const QString kEcho = QStringLiteral("SELECT $1::bigint * 2, $2::text, $3::boolean, $4::bigint IS NULL");
const QString kDivide = QStringLiteral("SELECT 100 / $1::int");

std::vector<ServerAnswer> askAll(const Store::Database &db, const std::vector<ServerCall> &calls)
{
    std::vector<const ServerCall *> pointers;
    for (const ServerCall &c : calls)
        pointers.push_back(&c);
    return db.ask(pointers);
}

qint64 preparedAsks(const Store::Database &db) // on this thread's connection
{
    QSqlQuery q = db.query();
    if (!q.exec(QStringLiteral("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'relaydesk_ask_%'")) ||
        !q.next())
        return -1;
    return q.value(0).toLongLong();
}

} // namespace

class TestPgPipeline final : public QObject
{
    Q_OBJECT

    Testing::BackendDatabases m_databases;


private Q_SLOTS:
    void cleanupTestCase() { m_databases.reset(); }

    // More calls than one pipeline holds, inside a transaction and outside: every answer in order, typed.
    void answersComeInOrderAndTyped_data()
    {
        QTest::addColumn<bool>("inBatch");
        QTest::newRow("autocommit") << false;
        QTest::newRow("batch") << true;
    }
    void answersComeInOrderAndTyped()
    {
        QFETCH(bool, inBatch);
        const auto opened = m_databases.open(QStringLiteral("postgres"));
        if (!opened.skip.isEmpty())
            QSKIP(qPrintable(opened.skip));
        QVERIFY2(opened.db, qPrintable(opened.error));
        const auto db = opened.db;
        const int n = Store::PgPipeline::kMaxInFlight * 2 + 7;
        std::vector<ServerCall> calls;
        for (int i = 0; i < n; ++i)
            calls.push_back({kEcho, {qint64(i) + 4'000'000'000LL, QStringLiteral("n°%1").arg(i), i % 2 == 0,
                                     i % 3 == 0 ? QVariant(QMetaType::fromType<qint64>()) : QVariant(qint64(i))}});
        if (inBatch)
            QVERIFY(db->beginBatch());
        const std::vector<ServerAnswer> answers = askAll(*db, calls);
        if (inBatch)
            QVERIFY(db->commitBatch());
        QCOMPARE(int(answers.size()), n);
        for (int i = 0; i < n; ++i) {
            const ServerAnswer &a = answers[i];
            QVERIFY2(a.ok(), qPrintable(a.error));
            QCOMPARE(a.row.size(), 4);
            QCOMPARE(a.value(0).typeId(), QMetaType::LongLong);
            QCOMPARE(a.value(0).toLongLong(), (qint64(i) + 4'000'000'000LL) * 2);
            QCOMPARE(a.value(1).toString(), QStringLiteral("n°%1").arg(i));
            QCOMPARE(a.value(2).typeId(), QMetaType::Bool);
            QCOMPARE(a.value(2).toBool(), i % 2 == 0);
            QCOMPARE(a.value(3).toBool(), i % 3 == 0);
        }
    }

    // Outside a transaction a failing call fails alone; inside one it aborts the transaction, and the calls after
    // it are not run.
    void aFailingCall()
    {
        const auto opened = m_databases.open(QStringLiteral("postgres"));
        if (!opened.skip.isEmpty())
            QSKIP(qPrintable(opened.skip));
        QVERIFY2(opened.db, qPrintable(opened.error));
        const auto db = opened.db;
        const std::vector<ServerCall> calls{{kDivide, {4}}, {kDivide, {0}}, {kDivide, {5}}};
        std::vector<ServerAnswer> answers = askAll(*db, calls);
        QVERIFY(answers[0].ok() && answers[2].ok());
        QCOMPARE(answers[0].value(0).toLongLong(), 25);
        QCOMPARE(answers[2].value(0).toLongLong(), 20);
        QVERIFY(answers[1].error.contains(QStringLiteral("division by zero")));

        QVERIFY(db->beginBatch());
        answers = askAll(*db, calls);
        QVERIFY(answers[0].ok());
        QVERIFY(answers[1].error.contains(QStringLiteral("division by zero")));
        QVERIFY(!answers[2].ok());
        QVERIFY(!db->commitBatch()); // the transaction was aborted
        answers = askAll(*db, {{kDivide, {10}}});  // the connection goes on
        QVERIFY2(answers[0].ok(), qPrintable(answers[0].error));
        QCOMPARE(answers[0].value(0).toLongLong(), 10);
    }

    // A statement is prepared the first time it is asked on a connection, then only executed.
    void eachStatementIsPreparedOnce()
    {
        const auto opened = m_databases.open(QStringLiteral("postgres"));
        if (!opened.skip.isEmpty())
            QSKIP(qPrintable(opened.skip));
        QVERIFY2(opened.db, qPrintable(opened.error));
        const auto db = opened.db;
        QCOMPARE(preparedAsks(*db), 0);
        askAll(*db, {{kEcho, {1, QStringLiteral("a"), true, 1}}, {kEcho, {2, QStringLiteral("b"), false, 2}}});
        QCOMPARE(preparedAsks(*db), 1);
        askAll(*db, {{kDivide, {1}}, {kEcho, {3, QStringLiteral("c"), true, 3}}});
        QCOMPARE(preparedAsks(*db), 2);
        const ServerAnswer again = db->ask(ServerCall{kDivide, {50}});
        QCOMPARE(again.value(0).toLongLong(), 2);
        QCOMPARE(preparedAsks(*db), 2);
    }

    // A forward-only Qt query whose rows were not all read keeps the connection busy; asking discards the rest,
    // as the next Qt statement would.
    void aHalfReadQtQueryDoesNotBlockIt()
    {
        const auto opened = m_databases.open(QStringLiteral("postgres"));
        if (!opened.skip.isEmpty())
            QSKIP(qPrintable(opened.skip));
        QVERIFY2(opened.db, qPrintable(opened.error));
        const auto db = opened.db;
        QSqlQuery q = db->query();
        QVERIFY(q.exec(QStringLiteral("SELECT generate_series(1, 5000)")));
        QVERIFY(q.next());
        const ServerAnswer a = db->ask(ServerCall{kDivide, {4}});
        QVERIFY2(a.ok(), qPrintable(a.error));
        QCOMPARE(a.value(0).toLongLong(), 25);
        QSqlQuery after = db->query();
        QVERIFY(after.exec(QStringLiteral("SELECT 7")) && after.next());
        QCOMPARE(after.value(0).toInt(), 7);
    }

    void sqliteHasNoServerToAsk()
    {
        const auto opened = m_databases.open(QStringLiteral("sqlite"));
        QVERIFY2(opened.db, qPrintable(opened.error));
        const ServerAnswer a = opened.db->ask(ServerCall{QStringLiteral("SELECT 1"), {}});
        QVERIFY(!a.ok());
        QVERIFY(a.row.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestPgPipeline)
#include "tst_pgpipeline.moc"
