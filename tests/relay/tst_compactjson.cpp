// CompactJson: byte for byte QJsonDocument::toJson(Compact) — for parsed documents of every kind of value, for
// values only code can build (lone surrogates, control characters, non-finite doubles, whole doubles beyond 2^53,
// undefined array elements), and for seeded random strings of UTF-16 units.
#include "common/compactjson.h"
#include "common/jsonmembers.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QRandomGenerator>
#include <QtTest/QtTest>

#include <cmath>
#include <limits>

using namespace RelayDesk;

namespace {

QByteArray qtCompact(const QJsonDocument &d) { return d.toJson(QJsonDocument::Compact); }

} // namespace

class TestCompactJson final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsedDocuments_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("empty object") << QByteArray("{}");
        QTest::newRow("empty array") << QByteArray("[]");
        QTest::newRow("nested") << QByteArray("{\"a\":[1,{\"b\":[[],{}]},\"c\"],\"z\":{\"y\":null}}");
        QTest::newRow("escapes") << QByteArray("{\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\\u00e9\\u4e16\\ud83d\\ude00\"}");
        QTest::newRow("raw utf-8") << QByteArray("{\"h\xc3\xa9\":\"h\xc3\xa9llo \xe4\xb8\x96 \xf0\x9f\x98\x80 \xe2\x80\xa8\"}");
        QTest::newRow("key order") << QByteArray("{\"z\":1,\"a\":2,\"\xc3\xa9\":3,\"A\":4,\"_\":5,\"aa\":6,\"\":7}");
        QTest::newRow("integers") << QByteArray("[0,-1,9007199254740993,-9223372036854775808,9223372036854775807]");
        QTest::newRow("whole doubles") << QByteArray("[1.0,1e2,-0,-0.0,1E18,2.5e1,1e19,1e300,-1e17]");
        QTest::newRow("doubles") << QByteArray("[0.1,-2.5,1e-7,3.141592653589793,1.7976931348623157e308,5e-324,0.30000000000000004]");
        QTest::newRow("beyond int64") << QByteArray("[18446744073709551615,9223372036854775808,123456789012345678901234567890]");
        QTest::newRow("literals") << QByteArray("[true,false,null,{\"n\":null,\"t\":true}]");
        QTest::newRow("long ascii string") << (QByteArray("[\"") + QByteArray(100000, 'x') + "\"]");
        QTest::newRow("deep") << QByteArray(200, '[') + QByteArray(200, ']');
    }
    void parsedDocuments()
    {
        QFETCH(QByteArray, json);
        QJsonParseError error;
        const QJsonDocument d = QJsonDocument::fromJson(json, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        QCOMPARE(CompactJson::write(d), qtCompact(d));
    }

    void builtValues_data()
    {
        QTest::addColumn<QJsonValue>("value");
        const QChar high(char16_t(0xd83d)), low(char16_t(0xde00));
        QTest::newRow("lone high surrogate") << QJsonValue(QString(high) + QStringLiteral("x"));
        QTest::newRow("lone low surrogate") << QJsonValue(QStringLiteral("x") + low);
        QTest::newRow("high at the end") << QJsonValue(QStringLiteral("ab") + high);
        QTest::newRow("reversed pair") << QJsonValue(QString(low) + high);
        QTest::newRow("pair") << QJsonValue(QString(high) + low);
        QTest::newRow("control characters") << QJsonValue(QString::fromUtf16(u"\u0000\u0001\u0008\u000b\u001f\u007f", 6));
        QTest::newRow("nan") << QJsonValue(std::nan(""));
        QTest::newRow("infinity") << QJsonValue(std::numeric_limits<double>::infinity());
        QTest::newRow("minus infinity") << QJsonValue(-std::numeric_limits<double>::infinity());
        QTest::newRow("whole double 1e17") << QJsonValue(1e17);
        QTest::newRow("whole double 3") << QJsonValue(3.0);
        QTest::newRow("minus zero double") << QJsonValue(-0.0);
        QTest::newRow("int64 min") << QJsonValue(std::numeric_limits<qint64>::min());
        QTest::newRow("int") << QJsonValue(-42);
        QTest::newRow("null string") << QJsonValue(QString());
        QTest::newRow("undefined") << QJsonValue(QJsonValue::Undefined);
        QTest::newRow("object with undefined") << QJsonValue(QJsonObject{{"u", QJsonValue(QJsonValue::Undefined)}, {"k", 1}});
        QTest::newRow("key with escapes") << QJsonValue(QJsonObject{{QStringLiteral("a\"b\\c\n"), true}});
    }
    void builtValues()
    {
        QFETCH(QJsonValue, value);
        const QJsonDocument inArray(QJsonArray{value, value});
        QCOMPARE(CompactJson::write(inArray), qtCompact(inArray));
        const QJsonDocument inObject(QJsonObject{{QStringLiteral("v"), value}});
        QCOMPARE(CompactJson::write(inObject), qtCompact(inObject));
        QCOMPARE(CompactJson::write(inObject.object()), qtCompact(inObject));
        QCOMPARE(CompactJson::write(inArray.array()), qtCompact(inArray));
    }

    // Members written as text after an object's own read back as the object with those members, and each value
    // as CompactJson writes it in an object.
    void moreMembers_data()
    {
        QTest::addColumn<QJsonObject>("object");
        QTest::addColumn<QJsonObject>("more"); // what the JsonMembers add, in this (sorted) order
        const QJsonObject values{{QStringLiteral("b"), true}, {QStringLiteral("d"), 2.5}, {QStringLiteral("i"), -7},
                                 {QStringLiteral("n"), QJsonValue()}, {QStringLiteral("s"), QStringLiteral("a\"\n\u00e9")},
                                 {QStringLiteral("o"), QJsonObject{{QStringLiteral("x"), QJsonArray{1, QStringLiteral("y")}}}}};
        QTest::newRow("both empty") << QJsonObject() << QJsonObject();
        QTest::newRow("no more members") << QJsonObject{{QStringLiteral("k"), 1}} << QJsonObject();
        QTest::newRow("only more members") << QJsonObject() << values;
        QTest::newRow("both") << QJsonObject{{QStringLiteral("k"), 1}, {QStringLiteral("z"), QJsonObject()}} << values;
    }
    void moreMembers()
    {
        QFETCH(QJsonObject, object);
        QFETCH(QJsonObject, more);
        JsonMembers members;
        JsonMembers written; // half of them added as text written by another JsonMembers
        int i = 0;
        for (auto it = more.constBegin(); it != more.constEnd(); ++it, ++i) {
            const QByteArray key = it.key().toLatin1();
            JsonMembers &to = i % 2 ? written : members;
            if (it.value().isObject()) // an object written elsewhere
                to.addJson(QLatin1StringView(key), CompactJson::write(it.value().toObject()));
            else
                to.add(QLatin1StringView(key), it.value());
        }
        members.addWritten(written.text());
        QCOMPARE(QJsonDocument::fromJson(members.object()).object(), more);
        const QByteArray text = CompactJson::write(object, members.text());
        QJsonObject expected = object;
        for (auto it = more.constBegin(); it != more.constEnd(); ++it)
            expected.insert(it.key(), it.value());
        QJsonParseError error;
        const QJsonDocument parsed = QJsonDocument::fromJson(text, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, text.constData());
        QCOMPARE(parsed.object(), expected);
        QCOMPARE(text.size(), qtCompact(QJsonDocument(expected)).size()); // no space, nothing written twice
        for (auto it = more.constBegin(); it != more.constEnd(); ++it) {
            const QByteArray one = CompactJson::write(QJsonObject{{it.key(), it.value()}});
            QVERIFY2(text.contains(one.mid(1, one.size() - 2)), one.constData());
        }
    }

    void nullDocumentWritesNothing()
    {
        QCOMPARE(CompactJson::write(QJsonDocument()), qtCompact(QJsonDocument()));
    }

    // Seeded random strings over ASCII, escapes, Latin-1, CJK, surrogates (paired and not) and emoji.
    void randomStrings()
    {
        QRandomGenerator random(20261207);
        const char16_t pool[] = {u'a', u'Z', u' ', u'"', u'\\', u'/', u'\n', u'\t', 0x01, 0x1f, 0x7f, 0x80, 0xe9,
                                 0x7ff, 0x800, 0x4e16, 0xfffd, 0xffff, 0xd800, 0xdbff, 0xdc00, 0xdfff};
        for (int round = 0; round < 4000; ++round) {
            // Half the strings mostly plain ASCII, so that runs of 8 and more (copied 8 units at a time) end at
            // every offset.
            const bool mostlyPlain = round % 2 == 1;
            QString s;
            const int length = int(random.bounded(mostlyPlain ? 120 : 40));
            for (int i = 0; i < length; ++i)
                s += mostlyPlain && random.bounded(12) != 0 ? QChar(u'a' + char16_t(random.bounded(26)))
                                                          : QChar(pool[random.bounded(quint32(std::size(pool)))]);
            const QJsonDocument d(QJsonObject{{s, s}, {QStringLiteral("n"), QJsonArray{s}}});
            QCOMPARE(CompactJson::write(d), qtCompact(d));
        }
    }
};

QTEST_GUILESS_MAIN(TestCompactJson)
#include "tst_compactjson.moc"
