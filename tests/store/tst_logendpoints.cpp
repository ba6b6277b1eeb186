// The endpoint of a log row (request_path, migration 9) on SQLite and PostgreSQL: insert fills it from
// other.request_path without the query, filters take any-of and none-of path lists (bounded), totals group by it,
// and the migration backfills rows written before the column existed.
#include "pgcluster.h"
#include "tempdatabase.h"

#include "store/database.h"
#include "store/logrepository.h"
#include "store/migrations.h"

#include <QtTest>

using namespace RelayDesk;
using namespace RelayDesk::Store;

namespace {

constexpr qint64 kT0 = 1'700'000'000'000;

struct Row
{
    const char *path; // nullptr: no request_path in other
    qint64 quota;
    qint64 promptTokens;
};

// 3 chat, 2 speech, 1 image (with a query string), 1 without a path, 1 error row on chat.
const Row kRows[] = {{"/v1/chat/completions", 10, 100},   {"/v1/chat/completions", 20, 200},
                     {"/v1/chat/completions", 30, 300},   {"/v1/audio/speech", 400, 0},
                     {"/v1/audio/speech", 500, 0},        {"/v1/images/generations?user=x", 7000, 0},
                     {nullptr, 1, 1}};

void fill(const Database &db)
{
    const LogRepository logs(db);
    int i = 0;
    for (const Row &row : kRows) {
        LogRecord r;
        r.createdAt = kT0 + 1000 * i++;
        r.userId = 1;
        r.model = QStringLiteral("m");
        r.quota = row.quota;
        r.promptTokens = row.promptTokens;
        if (row.path)
            r.other.insert(QStringLiteral("request_path"), QString::fromLatin1(row.path));
        QVERIFY(logs.insert(r));
    }
    LogRecord error;
    error.createdAt = kT0 + 1000 * i;
    error.type = LogType::Error;
    error.other.insert(QStringLiteral("request_path"), QStringLiteral("/v1/chat/completions"));
    QVERIFY(logs.insert(error));
}

QVariant scalar(const Database &db, const QString &sql)
{
    QSqlQuery q = db.query();
    if (!q.exec(sql) || !q.next())
        return {};
    return q.value(0);
}

} // namespace

class TestLogEndpoints final : public QObject
{
    Q_OBJECT

    std::unique_ptr<Testing::PgCluster> m_pg;

    std::shared_ptr<Database> open(const QString &backend, Testing::TempDatabase *sqlite, QString *skip)
    {
        if (backend == u"sqlite")
            return sqlite->shared();
        if (!m_pg)
            m_pg = std::make_unique<Testing::PgCluster>();
        if (!m_pg->isAvailable()) {
            *skip = m_pg->skipReason();
            return nullptr;
        }
        if (!m_pg->isRunning())
            return nullptr;
        auto db = Database::openUrl(m_pg->createDatabase());
        return db ? db.value() : nullptr;
    }

    static void backends()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

private slots:
    void requestPathOfStripsTheQuery_data()
    {
        QTest::addColumn<QJsonObject>("other");
        QTest::addColumn<QString>("path");
        QTest::newRow("plain") << QJsonObject{{QStringLiteral("request_path"), QStringLiteral("/v1/audio/speech")}}
                               << QStringLiteral("/v1/audio/speech");
        QTest::newRow("query") << QJsonObject{{QStringLiteral("request_path"), QStringLiteral("/v1/realtime?model=a")}}
                               << QStringLiteral("/v1/realtime");
        QTest::newRow("fragment") << QJsonObject{{QStringLiteral("request_path"), QStringLiteral("/v1/x#y?z")}}
                                  << QStringLiteral("/v1/x");
        QTest::newRow("absent") << QJsonObject{} << QString();
        QTest::newRow("not a string") << QJsonObject{{QStringLiteral("request_path"), 5}} << QString();
        QTest::newRow("long") << QJsonObject{{QStringLiteral("request_path"), QString(300, QLatin1Char('a'))}}
                              << QString(256, QLatin1Char('a'));
    }
    void requestPathOfStripsTheQuery()
    {
        QFETCH(QJsonObject, other);
        QFETCH(QString, path);
        QCOMPARE(LogRepository::requestPathOf(other), path);
        QVERIFY(!LogRepository::requestPathOf(other).isNull()); // the column is NOT NULL
    }

    void filtersAndTotals_data() { backends(); }
    void filtersAndTotals()
    {
        QFETCH(QString, backend);
        Testing::TempDatabase sqlite;
        QVERIFY2(sqlite.isValid(), qPrintable(sqlite.error()));
        QString skip;
        const auto db = open(backend, &sqlite, &skip);
        if (!db && !skip.isEmpty())
            QSKIP(qPrintable(skip));
        QVERIFY(db);
        fill(*db);
        const LogRepository logs(*db);

        LogFilter consume;
        consume.type = LogType::Consume;
        LogFilter chat = consume;
        chat.requestPaths = {QStringLiteral("/v1/chat/completions")};
        QCOMPARE(logs.count(chat), qint64(3));
        QCOMPARE(logs.sumQuota(chat), qint64(60));
        LogFilter media = consume;
        media.requestPaths = {QStringLiteral("/v1/audio/speech"), QStringLiteral("/v1/images/generations")};
        QCOMPARE(logs.count(media), qint64(3)); // the image row was stored without its query string
        QCOMPARE(logs.sumQuota(media), qint64(7900));
        const LogPage page = logs.page(media, 10);
        QCOMPARE(page.rows.size(), 3);
        QCOMPARE(page.rows.first().other.value(QStringLiteral("request_path")).toString(),
                 QStringLiteral("/v1/images/generations?user=x")); // `other` itself is kept as written

        LogFilter rest = consume;
        rest.excludedRequestPaths = {QStringLiteral("/v1/chat/completions"), QStringLiteral("/v1/audio/speech"),
                                     QStringLiteral("/v1/images/generations")};
        QCOMPARE(logs.count(rest), qint64(1)); // the row without a path
        QCOMPARE(logs.sumQuota(rest), qint64(1));
        rest.excludedRequestPaths << QString(); // "no path" too (a null QString means the empty path, not NULL)
        QCOMPARE(logs.count(rest), qint64(0));

        LogFilter both = consume; // any-of and none-of together
        both.requestPaths = media.requestPaths;
        both.excludedRequestPaths = {QStringLiteral("/v1/audio/speech")};
        QCOMPARE(logs.count(both), qint64(1));

        LogFilter tooMany = consume;
        for (int i = 0; i <= LogFilter::kMaxFilterPaths; ++i)
            tooMany.requestPaths << QStringLiteral("/v1/chat/completions");
        QCOMPARE(logs.count(tooMany), qint64(0)); // refused, not cut
        tooMany.requestPaths.removeLast();
        QCOMPARE(logs.count(tooMany), qint64(3)); // at the bound: accepted

        const QList<LogGroupTotal> byPath = logs.totals(consume, LogRepository::GroupBy::RequestPath, 10);
        QCOMPARE(byPath.size(), 4);
        QCOMPARE(byPath[0].key, QStringLiteral("/v1/images/generations"));
        QCOMPARE(byPath[0].quota, qint64(7000));
        QCOMPARE(byPath[1].key, QStringLiteral("/v1/audio/speech"));
        QCOMPARE(byPath[1].requests, qint64(2));
        QCOMPARE(byPath[2].key, QStringLiteral("/v1/chat/completions"));
        QCOMPARE(byPath[2].requests, qint64(3));
        QCOMPARE(byPath[2].promptTokens, qint64(600));
        QCOMPARE(byPath[3].key, QString());
        QCOMPARE(byPath[3].requests, qint64(1));
    }

    // Rows written before migration 9 get their path from their JSON: drop the column, forget the version, migrate.
    void migrationBackfillsOldRows_data() { backends(); }
    void migrationBackfillsOldRows()
    {
        QFETCH(QString, backend);
        Testing::TempDatabase sqlite;
        QVERIFY2(sqlite.isValid(), qPrintable(sqlite.error()));
        QString skip;
        const auto db = open(backend, &sqlite, &skip);
        if (!db && !skip.isEmpty())
            QSKIP(qPrintable(skip));
        QVERIFY(db);
        QCOMPARE(currentSchemaVersion(*db), latestSchemaVersion());
        fill(*db);
        QSqlQuery q = db->query();
        QVERIFY2(q.exec(QStringLiteral("DROP INDEX idx_logs_request_path_created")), qPrintable(q.lastError().text()));
        QVERIFY2(q.exec(QStringLiteral("ALTER TABLE logs DROP COLUMN request_path")), qPrintable(q.lastError().text()));
        // Back to version 8: the later migrations are forgotten too, and what they created dropped (a migration
        // added after 14 adds its tables and columns here).
        QVERIFY(q.exec(QStringLiteral("DELETE FROM schema_version WHERE version >= 9")));
        for (const char *table : {"live_sessions", "realtime_calls", "alert_events", "alert_state", "client_secrets",
                                  "reservation_takes", "limit_usage", "limits"})
            QVERIFY2(q.exec(QStringLiteral("DROP TABLE %1").arg(QLatin1StringView(table))), qPrintable(q.lastError().text()));
        for (const char *column : {"lease_ms", "requests_total", "request_rate_milli"})
            QVERIFY2(q.exec(QStringLiteral("ALTER TABLE instances DROP COLUMN %1").arg(QLatin1StringView(column))),
                     qPrintable(q.lastError().text()));
        if (backend == u"sqlite") // not JSON at all: left empty, the migration does not fail on it
            QVERIFY(q.exec(QStringLiteral("INSERT INTO logs(created_at, type, user_id, key_id, channel_id, model, "
                                          "other_json) VALUES (1, 2, 1, 0, 0, 'm', '{\"request_path\": broken')")));
        QCOMPARE(currentSchemaVersion(*db), 8);

        const Status migrated = runMigrations(*db);
        QVERIFY2(migrated, qPrintable(migrated.error()));
        QCOMPARE(currentSchemaVersion(*db), latestSchemaVersion());
        const LogRepository logs(*db);
        LogFilter consume;
        consume.type = LogType::Consume;
        const QList<LogGroupTotal> byPath = logs.totals(consume, LogRepository::GroupBy::RequestPath, 10);
        QHash<QString, qint64> requests;
        for (const LogGroupTotal &g : byPath)
            requests.insert(g.key, g.requests);
        QCOMPARE(requests.value(QStringLiteral("/v1/chat/completions")), qint64(3));
        QCOMPARE(requests.value(QStringLiteral("/v1/audio/speech")), qint64(2));
        // The backfill copies the path as logged (the relay never logged a query string).
        QCOMPARE(requests.value(QStringLiteral("/v1/images/generations?user=x")), qint64(1));
        QCOMPARE(requests.value(QString()), backend == u"sqlite" ? qint64(2) : qint64(1));
        QCOMPARE(scalar(*db, QStringLiteral("SELECT COUNT(*) FROM logs WHERE request_path = '/v1/chat/completions'")).toInt(),
                 4); // the error row too
        // New rows are filled on insert as before.
        LogRecord r;
        r.other.insert(QStringLiteral("request_path"), QStringLiteral("/v1/embeddings"));
        QVERIFY(logs.insert(r));
        LogFilter embeddings;
        embeddings.requestPaths = {QStringLiteral("/v1/embeddings")};
        QCOMPARE(logs.count(embeddings), qint64(1));
    }
};

QTEST_GUILESS_MAIN(TestLogEndpoints)
#include "tst_logendpoints.moc"
