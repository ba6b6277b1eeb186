// AnthropicModelList: GET /v1/models in Anthropic's shape — pages by limit, after_id and before_id as Anthropic
// documents them (has_more in the page's direction, first_id/last_id, null when empty), 400s for a bad limit or
// both cursors, and the model objects' display_name and created_at spelled from the id.
#include "http/httprequest.h"
#include "relay/anthropic/anthropicmodellist.h"

#include <QtCore/QJsonArray>
#include <QtTest/QtTest>

using RelayDesk::Relay::AnthropicModelList;
using RelayDesk::Relay::HttpRequest;
using RelayDesk::Relay::OpenAiError;

class TestAnthropicModelList : public QObject
{
    Q_OBJECT

private slots:
    void page_data()
    {
        QTest::addColumn<QStringList>("models");
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QStringList>("expected"); // the page's ids
        QTest::addColumn<bool>("hasMore");

        const QStringList five{QStringLiteral("e"), QStringLiteral("c"), QStringLiteral("a"), QStringLiteral("d"),
                               QStringLiteral("b")}; // listed in id order whatever the input order
        QStringList many;
        for (int i = 0; i < 25; ++i)
            many.append(QStringLiteral("m%1").arg(i, 2, 10, QLatin1Char('0')));

        QTest::newRow("all") << five << QByteArray() << QStringList{"a", "b", "c", "d", "e"} << false;
        QTest::newRow("default limit 20") << many << QByteArray() << many.mid(0, 20) << true;
        QTest::newRow("limit 1000") << many << QByteArray("limit=1000") << many << false;
        QTest::newRow("limit 2") << five << QByteArray("limit=2") << QStringList{"a", "b"} << true;
        QTest::newRow("limit exactly all") << five << QByteArray("limit=5") << QStringList{"a", "b", "c", "d", "e"}
                                           << false;
        QTest::newRow("after_id") << five << QByteArray("limit=2&after_id=b") << QStringList{"c", "d"} << true;
        QTest::newRow("after_id, last page") << five << QByteArray("limit=2&after_id=c") << QStringList{"d", "e"}
                                             << false;
        QTest::newRow("after_id, nothing after") << five << QByteArray("after_id=e") << QStringList{} << false;
        QTest::newRow("before_id") << five << QByteArray("limit=2&before_id=e") << QStringList{"c", "d"} << true;
        QTest::newRow("before_id, first page") << five << QByteArray("limit=2&before_id=c") << QStringList{"a", "b"}
                                               << false;
        QTest::newRow("before_id, nothing before") << five << QByteArray("before_id=a") << QStringList{} << false;
        // A cursor is a position in id order: a model gone since the last page still places the next one.
        QTest::newRow("after a removed id") << five << QByteArray("limit=2&after_id=bb") << QStringList{"c", "d"}
                                            << true;
        QTest::newRow("before a removed id") << five << QByteArray("before_id=cc") << QStringList{"a", "b", "c"}
                                             << false;
        QTest::newRow("empty cursors are none") << five << QByteArray("after_id=&before_id=&limit=3")
                                                << QStringList{"a", "b", "c"} << true;
        QTest::newRow("percent-encoded cursor") << QStringList{"a/x", "a/y", "b"} << QByteArray("after_id=a%2Fx")
                                                << QStringList{"a/y", "b"} << false;
        QTest::newRow("no models") << QStringList{} << QByteArray() << QStringList{} << false;
    }

    void page()
    {
        QFETCH(QStringList, models);
        QFETCH(QByteArray, query);
        QFETCH(QStringList, expected);
        QFETCH(bool, hasMore);
        HttpRequest request;
        request.query = query;
        const auto page = AnthropicModelList::page(models, request);
        QVERIFY(std::holds_alternative<QJsonObject>(page));
        const QJsonObject body = std::get<QJsonObject>(page);
        QStringList ids;
        for (const QJsonValue &m : body.value(QStringLiteral("data")).toArray()) {
            QCOMPARE(m.toObject().value(QStringLiteral("type")).toString(), QStringLiteral("model"));
            ids.append(m.toObject().value(QStringLiteral("id")).toString());
        }
        QCOMPARE(ids, expected);
        QCOMPARE(body.value(QStringLiteral("has_more")).toBool(true), hasMore);
        QVERIFY(body.value(QStringLiteral("has_more")).isBool());
        QCOMPARE(body.value(QStringLiteral("first_id")),
                 expected.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(expected.first()));
        QCOMPARE(body.value(QStringLiteral("last_id")),
                 expected.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(expected.last()));
    }

    void badQuery_data()
    {
        QTest::addColumn<QByteArray>("query");
        QTest::newRow("limit 0") << QByteArray("limit=0");
        QTest::newRow("limit 1001") << QByteArray("limit=1001");
        QTest::newRow("negative limit") << QByteArray("limit=-1");
        QTest::newRow("limit not a number") << QByteArray("limit=ten");
        QTest::newRow("fractional limit") << QByteArray("limit=2.5");
        QTest::newRow("empty limit") << QByteArray("limit=");
        QTest::newRow("both cursors") << QByteArray("after_id=a&before_id=c");
    }

    void badQuery()
    {
        QFETCH(QByteArray, query);
        HttpRequest request;
        request.query = query;
        const auto page = AnthropicModelList::page({QStringLiteral("a"), QStringLiteral("b")}, request);
        QVERIFY(std::holds_alternative<OpenAiError>(page));
        QCOMPARE(std::get<OpenAiError>(page).httpStatus, 400);
    }

    void model_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<QString>("displayName");
        QTest::addColumn<QString>("createdAt");
        const QString epoch = QStringLiteral("1970-01-01T00:00:00Z");
        QTest::newRow("sonnet alias") << "claude-sonnet-4-5" << "Claude Sonnet 4.5" << epoch;
        QTest::newRow("dated snapshot") << "claude-sonnet-4-5-20250929" << "Claude Sonnet 4.5"
                                        << "2025-09-29T00:00:00Z";
        QTest::newRow("opus 4.1") << "claude-opus-4-1-20250805" << "Claude Opus 4.1" << "2025-08-05T00:00:00Z";
        QTest::newRow("old naming") << "claude-3-5-haiku-20241022" << "Claude 3.5 Haiku" << "2024-10-22T00:00:00Z";
        QTest::newRow("single version") << "claude-opus-4-20250514" << "Claude Opus 4" << "2025-05-14T00:00:00Z";
        QTest::newRow("not a date") << "claude-sonnet-4-5-20251399" << "Claude Sonnet 4.5.20251399" << epoch;
        QTest::newRow("house alias") << "claude-house" << "Claude House" << epoch;
        QTest::newRow("not Claude") << "gpt-4o-2024-08-06" << "gpt-4o-2024-08-06" << epoch;
    }

    void model()
    {
        QFETCH(QString, id);
        QFETCH(QString, displayName);
        QFETCH(QString, createdAt);
        const QJsonObject m = AnthropicModelList::model(id);
        QCOMPARE(m.value(QStringLiteral("type")).toString(), QStringLiteral("model"));
        QCOMPARE(m.value(QStringLiteral("id")).toString(), id);
        QCOMPARE(m.value(QStringLiteral("display_name")).toString(), displayName);
        QCOMPARE(m.value(QStringLiteral("created_at")).toString(), createdAt);
        QCOMPARE(m.size(), 4);
    }
};

QTEST_APPLESS_MAIN(TestAnthropicModelList)
#include "tst_anthropicmodellist.moc"
