// Statement: the repositories' prepared statement. On SQLite it runs on the driver's sqlite3 handle, so each row
// checks that it writes and reads exactly what Qt Sql would: a value bound through a Statement reads back through a
// QSqlQuery as the value Qt Sql itself stores, and the other way round.
#include "tempdatabase.h"

#include "store/database.h"
#include "store/statement.h"

#include <QDateTime>
#include <QSqlQuery>
#include <QThread>
#include <QtTest>

using namespace RelayDesk;

class TestStatement final : public QObject
{
    Q_OBJECT

private:
    static QSqlDatabase connection(Testing::TempDatabase &t) { return t.db().connection(); }

    static bool makeTable(Testing::TempDatabase &t)
    {
        QSqlQuery q(connection(t));
        return q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS st(id INTEGER PRIMARY KEY, v, t TEXT NOT NULL DEFAULT '')"));
    }

    // What Qt Sql stores for `value`: its type and value as SQLite sees them.
    static QString storedByQt(Testing::TempDatabase &t, const QVariant &value)
    {
        QSqlQuery q(connection(t));
        q.prepare(QStringLiteral("SELECT typeof(?) || ':' || quote(?)"));
        q.addBindValue(value);
        q.addBindValue(value);
        return q.exec() && q.next() ? q.value(0).toString() : QStringLiteral("<failed>");
    }

private slots:
    void bindsAsQtSqlDoes_data()
    {
        QTest::addColumn<QVariant>("value");
        QTest::newRow("int") << QVariant(42);
        QTest::newRow("negative qint64") << QVariant(qint64(-9007199254740993LL));
        QTest::newRow("max qint64") << QVariant(std::numeric_limits<qint64>::max());
        QTest::newRow("bool true") << QVariant(true);
        QTest::newRow("bool false") << QVariant(false);
        QTest::newRow("double") << QVariant(0.1);
        QTest::newRow("whole double") << QVariant(3.0);
        QTest::newRow("text") << QVariant(QStringLiteral("gpt-4o"));
        QTest::newRow("unicode text") << QVariant(QStringLiteral("价格 🙂 Привет"));
        QTest::newRow("text with NUL") << QVariant(QString(QStringLiteral("a") + QChar(0) + QStringLiteral("b")));
        QTest::newRow("empty text") << QVariant(QStringLiteral(""));
        QTest::newRow("null text") << QVariant(QString());
        QTest::newRow("blob") << QVariant(QByteArray("\x00\x01\xff", 3));
        QTest::newRow("empty blob") << QVariant(QByteArray(""));
        QTest::newRow("null blob") << QVariant(QByteArray());
        QTest::newRow("null variant") << QVariant();
        QTest::newRow("typed null qint64") << QVariant(QMetaType::fromType<qint64>());
        QTest::newRow("date-time") << QVariant(QDateTime(QDate(2026, 12, 7), QTime(13, 5, 1, 250), Qt::UTC));
        QTest::newRow("invalid date-time") << QVariant(QDateTime());
    }

    void bindsAsQtSqlDoes()
    {
        QFETCH(QVariant, value);
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        auto s = Store::Statement::prepare(connection(t), QStringLiteral("SELECT typeof(?) || ':' || quote(?)"));
        s->bindValue(0, value);
        s->bindValue(1, value);
        QVERIFY2(s->exec(), qPrintable(s->lastError().text()));
        QVERIFY(s->next());
        QCOMPARE(s->value(0).toString(), storedByQt(t, value));
        QVERIFY(!s->next());
    }

    void readsAsQtSqlDoes_data()
    {
        QTest::addColumn<QString>("literal");
        QTest::newRow("integer") << QStringLiteral("-42");
        QTest::newRow("big integer") << QStringLiteral("9223372036854775807");
        QTest::newRow("real") << QStringLiteral("2.5");
        QTest::newRow("text") << QStringLiteral("'héllo 世界'");
        QTest::newRow("empty text") << QStringLiteral("''");
        QTest::newRow("blob") << QStringLiteral("x'00ff10'");
        QTest::newRow("null") << QStringLiteral("NULL");
    }

    void readsAsQtSqlDoes()
    {
        QFETCH(QString, literal);
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const QString sql = QStringLiteral("SELECT ") + literal;
        QSqlQuery qt(connection(t));
        QVERIFY(qt.exec(sql) && qt.next());
        auto s = Store::Statement::prepare(connection(t), sql);
        QVERIFY(s->exec() && s->next());
        QCOMPARE(s->isNull(0), qt.isNull(0));
        QCOMPARE(s->value(0).isNull(), qt.value(0).isNull());
        QCOMPARE(s->value(0).toString(), qt.value(0).toString());
        QCOMPARE(s->value(0).toByteArray(), qt.value(0).toByteArray());
        QCOMPARE(s->value(0).toLongLong(), qt.value(0).toLongLong());
        QCOMPARE(s->value(0).toDouble(), qt.value(0).toDouble());
    }

    void stepsThroughRowsAndCountsChanges()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        QVERIFY(makeTable(t));
        auto insert = Store::Statement::prepare(connection(t), QStringLiteral("INSERT INTO st(v) VALUES (?) RETURNING id"));
        QList<qint64> ids;
        for (int i = 0; i < 3; ++i) {
            insert->bindValue(0, i * 10);   // bound again without finish(): the previous run is reset first
            QVERIFY2(insert->exec(), qPrintable(insert->lastError().text()));
            QVERIFY(insert->next());
            ids << insert->value(0).toLongLong();
            QCOMPARE(insert->lastInsertId().toLongLong(), ids.last());
        }
        insert->finish();
        QCOMPARE(ids.size(), 3);
        auto update = Store::Statement::prepare(connection(t), QStringLiteral("UPDATE st SET v = v + 1 WHERE v >= ?"));
        update->bindValue(0, 10);
        QVERIFY(update->exec());
        QCOMPARE(update->numRowsAffected(), 2);
        QVERIFY(!update->next()); // no rows from an UPDATE without RETURNING
        auto select = Store::Statement::prepare(connection(t), QStringLiteral("SELECT v FROM st ORDER BY id"));
        QVERIFY(select->exec());
        QList<qint64> values;
        while (select->next())
            values << select->value(0).toLongLong();
        QCOMPARE(values, (QList<qint64>{0, 11, 21}));
        QVERIFY(!select->next());
        QVERIFY(select->exec()); // runs again from the start
        QVERIFY(select->next());
        QCOMPARE(select->value(0).toLongLong(), 0);
    }

    void reportsErrorsAsQtSqlDoes()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        QVERIFY(makeTable(t));
        const QString sql = QStringLiteral("INSERT INTO st(id, v) VALUES (?, ?)");
        auto s = Store::Statement::prepare(connection(t), sql);
        s->bindValue(0, 7);
        s->bindValue(1, QStringLiteral("first"));
        QVERIFY(s->exec());
        QVERIFY(!s->exec()); // the same id again
        QSqlQuery qt(connection(t));
        qt.prepare(sql);
        qt.addBindValue(7);
        qt.addBindValue(QStringLiteral("again"));
        QVERIFY(!qt.exec());
        QCOMPARE(s->lastError().databaseText(), qt.lastError().databaseText());
        QCOMPARE(s->lastError().text(), qt.lastError().text());
        s->bindValue(0, 8); // usable after an error
        QVERIFY2(s->exec(), qPrintable(s->lastError().text()));
        QVERIFY(!s->lastError().isValid());

        auto bad = Store::Statement::prepare(connection(t), QStringLiteral("SELECT nope FROM nowhere"));
        QVERIFY(bad->lastError().isValid());
        QVERIFY2(bad->lastError().text().contains(QStringLiteral("no such table")), qPrintable(bad->lastError().text()));
        QVERIFY(!bad->exec());
    }

    void finishEndsTheReadSnapshot()
    {
        // A SELECT stepped onto a row holds a read transaction: another connection's write stays invisible to this
        // connection's next statement until the statement is reset (finish), as Qt Sql's finish() does.
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        QVERIFY(makeTable(t));
        QVERIFY(QSqlQuery(connection(t)).exec(QStringLiteral("INSERT INTO st(v) VALUES (1), (2)")));
        auto select = Store::Statement::prepare(connection(t), QStringLiteral("SELECT COUNT(*) FROM st"));
        auto rows = Store::Statement::prepare(connection(t), QStringLiteral("SELECT v FROM st"));
        QVERIFY(rows->exec() && rows->next()); // mid-way: the connection's read snapshot is open
        QThread *writer = QThread::create([&t] {
            QSqlQuery q(t.db().connection());
            q.exec(QStringLiteral("INSERT INTO st(v) VALUES (3)"));
        });
        writer->start();
        QVERIFY(writer->wait(10000));
        delete writer;
        QVERIFY(select->exec() && select->next());
        QCOMPARE(select->value(0).toInt(), 2); // same snapshot
        select->finish();
        rows->finish();
        QVERIFY(select->exec() && select->next());
        QCOMPARE(select->value(0).toInt(), 3);
    }

    void cachedQueriesUseIt()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        Store::CachedQuery q = t.db().prepared(QStringLiteral("SELECT ? + 1"));
        q->bindValue(0, 41);
        QVERIFY(Store::execQuery(*q, nullptr, "add"));
        QVERIFY(q->next());
        QCOMPARE(q->value(0).toLongLong(), 42);
    }

    // The cache finds a literal's statement by its text's address; SQL in a raw buffer (no header, like a literal)
    // that is rewritten in place still gets the statement of what the buffer says now.
    void cachedQueriesFollowTheTextNotItsAddress()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const auto valueOf = [&t](const QString &sql) {
            Store::CachedQuery q = t.db().prepared(sql);
            return Store::execQuery(*q, nullptr, "select") && q->next() ? q->value(0).toLongLong() : -1;
        };
        for (int round = 0; round < 2; ++round) { // the second round finds both in the cache
            QCOMPARE(valueOf(QStringLiteral("SELECT 1")), 1);
            QCOMPARE(valueOf(QStringLiteral("SELECT 2")), 2);
        }
        char16_t buffer[] = u"SELECT 3";
        const QString raw = QString::fromRawData(reinterpret_cast<const QChar *>(buffer), 8);
        QCOMPARE(valueOf(raw), 3);
        buffer[7] = u'4';
        QCOMPARE(valueOf(raw), 4);
        buffer[7] = u'3';
        QCOMPARE(valueOf(raw), 3);
    }

    // SQL that does not prepare is reported each time and never cached, under whichever literal asks; the
    // table it names, made afterwards, is then found.
    void aFailedPrepareIsReportedAndNotCached()
    {
        Testing::TempDatabase t;
        QVERIFY2(t.isValid(), qPrintable(t.error()));
        const auto errorOf = [&t](const QString &sql) { return t.db().prepared(sql)->lastError().isValid(); };
        QVERIFY(errorOf(QStringLiteral("SELECT n FROM later")));
        QVERIFY(errorOf(QStringLiteral("SELECT n FROM later")));   // another literal, the same text
        QVERIFY(errorOf(QString::fromLatin1("SELECT n FROM later"))); // not a literal
        QSqlQuery make(connection(t));
        QVERIFY(make.exec(QStringLiteral("CREATE TABLE later(n)")));
        QVERIFY(make.exec(QStringLiteral("INSERT INTO later VALUES (7)")));
        Store::CachedQuery q = t.db().prepared(QStringLiteral("SELECT n FROM later"));
        QVERIFY(!q->lastError().isValid());
        QVERIFY(Store::execQuery(*q, nullptr, "select") && q->next());
        QCOMPARE(q->value(0).toLongLong(), 7);
    }
};

QTEST_GUILESS_MAIN(TestStatement)
#include "tst_statement.moc"
