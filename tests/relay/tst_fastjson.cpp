// FastJson: the same document as QJsonDocument::fromJson — the same values, types, key order, repeated keys and
// errors — for well-formed bodies, every kind of number and string, and text Qt refuses; checked row by row and
// over seeded random mutations of an agent-style body.
#include "common/fastjson.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QRandomGenerator>
#include <QtTest/QtTest>

using namespace RelayDesk;

namespace {

// What the relay sees of a document: its compact text and each number's stored kind (integer or double).
QByteArray fingerprint(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Object: {
        QByteArray out = "{";
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            out += it.key().toUtf8() + ':' + fingerprint(it.value()) + ',';
        return out + '}';
    }
    case QJsonValue::Array: {
        QByteArray out = "[";
        for (const QJsonValue &e : v.toArray())
            out += fingerprint(e) + ',';
        return out + ']';
    }
    case QJsonValue::Double:
        return QByteArray(v.toVariant().typeName()) + '=' + QByteArray::number(v.toDouble(), 'g', 17);
    default: return QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
    }
}

QByteArray fingerprint(const QJsonDocument &d)
{
    if (d.isNull())
        return "null-document";
    return fingerprint(d.isObject() ? QJsonValue(d.object()) : QJsonValue(d.array()));
}

void compareWithQt(const QByteArray &json)
{
    QJsonParseError qtError, fastError;
    const QJsonDocument qt = QJsonDocument::fromJson(json, &qtError);
    const QJsonDocument fast = FastJson::parseWithSimdjson(json, &fastError);
    QCOMPARE(fastError.error, qtError.error);
    QCOMPARE(fastError.offset, qtError.offset);
    QCOMPARE(fingerprint(fast), fingerprint(qt));
    QCOMPARE(fast.toJson(QJsonDocument::Compact), qt.toJson(QJsonDocument::Compact));
}

QByteArray agentBody()
{
    QJsonArray messages{QJsonObject{{"role", "system"}, {"content", "You are a coding agent.\nBe brief."}}};
    for (int i = 0; i < 12; ++i)
        messages.append(QJsonObject{
            {"role", i % 2 ? "assistant" : "user"},
            {"content", QStringLiteral("Step %1:\n```cpp\nint f() { return \"\\t%1\"; }\n```\nпривет 世界 😀 \"quoted\"").arg(i)}});
    return QJsonDocument(QJsonObject{{"model", "gpt-4o-mini"}, {"messages", messages}, {"max_tokens", 512},
                                     {"temperature", 0.2}, {"stream", true},
                                     {"tools", QJsonArray{QJsonObject{{"type", "function"}}}}})
        .toJson(QJsonDocument::Compact);
}

} // namespace

class TestFastJson final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameDocumentAsQt_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("empty object") << QByteArray("{}");
        QTest::newRow("empty array") << QByteArray("[]");
        QTest::newRow("agent body") << agentBody();
        QTest::newRow("whitespace") << QByteArray(" \n\t{ \"a\" : [ 1 , 2 ] }\r\n ");
        QTest::newRow("escapes") << QByteArray("{\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0001\\u00e9\\u4e16\\ud83d\\ude00\"}");
        QTest::newRow("raw utf-8") << QByteArray("{\"s\":\"h\xc3\xa9llo \xe4\xb8\x96 \xf0\x9f\x98\x80\"}");
        QTest::newRow("repeated key, last wins") << QByteArray("{\"a\":1,\"b\":2,\"a\":3,\"a\":{\"x\":4}}");
        QTest::newRow("empty key") << QByteArray("{\"\":1,\"a\":\"\"}");
        QTest::newRow("key order") << QByteArray("{\"z\":1,\"a\":2,\"é\":3,\"A\":4,\"_\":5,\"aa\":6}");
        QTest::newRow("integers") << QByteArray("[0,-1,9007199254740993,-9223372036854775808,9223372036854775807]");
        QTest::newRow("whole doubles become integers") << QByteArray("[1.0,1e2,-0,-0.0,1E18,2.5e1]");
        QTest::newRow("doubles") << QByteArray("[0.1,-2.5,1e-7,3.141592653589793,1.7976931348623157e308]");
        QTest::newRow("beyond int64") << QByteArray("[18446744073709551615,9223372036854775808,1e19]");
        QTest::newRow("huge integer") << QByteArray("[123456789012345678901234567890]");
        QTest::newRow("literals") << QByteArray("[true,false,null,{\"n\":null}]");
        QTest::newRow("deep") << QByteArray(200, '[') + QByteArray(200, ']');
        QTest::newRow("a scalar") << QByteArray("42");
        QTest::newRow("a string") << QByteArray("\"x\"");
        QTest::newRow("trailing garbage") << QByteArray("{} x");
        QTest::newRow("two documents") << QByteArray("{}{}");
        QTest::newRow("unterminated") << QByteArray("{\"a\":\"b");
        QTest::newRow("trailing comma") << QByteArray("{\"a\":1,}");
        QTest::newRow("single quotes") << QByteArray("{'a':1}");
        QTest::newRow("lone surrogate") << QByteArray("[\"\\ud800\"]");
        QTest::newRow("bad escape") << QByteArray("[\"\\x\"]");
        QTest::newRow("control character") << QByteArray("[\"a\x01b\"]");
        QTest::newRow("invalid utf-8") << QByteArray("[\"\xff\xfe\"]");
        QTest::newRow("overlong utf-8") << QByteArray("[\"\xc0\xaf\"]");
        QTest::newRow("number out of range") << QByteArray("[1e400]");
        QTest::newRow("number too small") << QByteArray("[1e-400]");
        QTest::newRow("long fraction of zeros") << QByteArray("[0." + QByteArray(400, '0') + "1]");
        QTest::newRow("fractional zeros") << QByteArray("{\"t\":0.0,\"u\":-0e5}");
        QTest::newRow("leading zero") << QByteArray("[01]");
        QTest::newRow("byte order mark") << QByteArray("\xef\xbb\xbf{\"a\":1}");
        QTest::newRow("nothing") << QByteArray();
        QTest::newRow("nul inside") << QByteArray("{\"a\":1}\0", 8);
    }
    void sameDocumentAsQt()
    {
        QFETCH(QByteArray, json);
        compareWithQt(json);
    }

    // Seeded random byte edits of a real body: whatever Qt makes of each (a document or an error), FastJson
    // makes the same.
    void mutatedBodies()
    {
        const QByteArray body = agentBody();
        QRandomGenerator random(20261207);
        const char alphabet[] = "{}[]\",:\\0123456789.eE+-tfnul \n\xc3\xa9\xff";
        for (int round = 0; round < 3000; ++round) {
            QByteArray m = body;
            const int edits = 1 + int(random.bounded(3));
            for (int e = 0; e < edits; ++e) {
                const int at = int(random.bounded(quint32(m.size())));
                switch (random.bounded(3)) {
                case 0: m[at] = alphabet[random.bounded(quint32(sizeof alphabet - 1))]; break;
                case 1: m.remove(at, 1 + int(random.bounded(4u))); break;
                default: m.insert(at, alphabet[random.bounded(quint32(sizeof alphabet - 1))]);
                }
            }
            compareWithQt(m);
            if (QTest::currentTestFailed())
                QFAIL(qPrintable(QStringLiteral("round %1: %2").arg(round).arg(QString::fromUtf8(m.left(300)))));
        }
    }

    // A wide object with repeated keys: every key once, the last value of each.
    void parseGivesQtsDocumentOnEitherSideOfTheThreshold()
    {
        // parse() picks Qt's parser for small documents and simdjson for large ones: the same document either way,
        // and a broken document gets Qt's error on both sides.
        const QByteArray small = "{\"model\":\"gpt-4o\",\"n\":1}";
        QVERIFY(small.size() < FastJson::kSimdjsonFromBytes);
        const QByteArray large = agentBody();
        QVERIFY(large.size() >= FastJson::kSimdjsonFromBytes);
        for (const QByteArray &json : {small, large, QByteArray(large).replace("\"role\"", "\"role\" 1")}) {
            QJsonParseError qtError, fastError;
            const QJsonDocument qt = QJsonDocument::fromJson(json, &qtError);
            QCOMPARE(FastJson::parse(json, &fastError), qt);
            QCOMPARE(fastError.error, qtError.error);
            QCOMPARE(fastError.offset, qtError.offset);
        }
    }

    void wideObjectKeepsTheLastOfEachKey()
    {
        QByteArray json = "{";
        const int keys = 20000;
        for (int i = 0; i < keys * 2; ++i)
            json += "\"k" + QByteArray::number((i * 7919) % keys) + "\":" + QByteArray::number(i) + ',';
        json.chop(1);
        json += '}';
        compareWithQt(json);
        const QJsonObject o = FastJson::parseWithSimdjson(json).object();
        QCOMPARE(o.size(), keys);
    }
};

QTEST_GUILESS_MAIN(TestFastJson)
#include "tst_fastjson.moc"
