// Exactness against the oracle, npm tiktoken@1.0.22 (reference counts from
// tools/tokenize/reference_counts.mjs, produced by the tokenize_oracle CTest fixture).
#include "tokenize/encoding.h"
#include "utf8encode.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using RelayDesk::Tokenize::Encoding;

namespace {

QString oracleDir() { return qEnvironmentVariable("RELAYDESK_TOKENIZE_ORACLE_DIR"); }

// Must match sweepProbe() in tools/tokenize/reference_counts.mjs.
std::string sweepProbe(uint32_t cp)
{
    const std::string c = RelayDeskTest::utf8Encode(cp);
    return "a" + c + "b " + c + "1" + c + "23 " + c + c + "  " + c + "\t" + c + "\n" + c + "'s'" + c + " " + c + "'T" + c
        + "A" + c + "a" + c + "/" + c + "\r\n" + c + "!";
}

} // namespace

class TestExactness final : public QObject {
    Q_OBJECT
private slots:
    void corpus_data();
    void corpus();
    void sweep_data();
    void sweep();
};

void TestExactness::corpus_data()
{
    QTest::addColumn<QString>("encoding");
    for (const char *e : {"cl100k_base", "o200k_base", "p50k_base", "r50k_base"})
        QTest::newRow(e) << QString::fromLatin1(e);
}

void TestExactness::corpus()
{
    QFETCH(QString, encoding);
    QFile file(oracleDir() + u"/corpus.jsonl");
    if (!file.exists())
        QSKIP("no oracle counts (node/npm not available to run tools/tokenize/reference_counts.mjs)");
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const Encoding *enc = Encoding::byName(encoding.toStdString());
    QVERIFY(enc);
    int documents = 0, mismatches = 0;
    qint64 expectedTotal = 0, gotTotal = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (line.isEmpty())
            continue;
        // Qt's JSON parser silently drops a raw U+FEFF inside strings; the oracle script escapes it.
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        const QByteArray text = o.value(u"text").toString().toUtf8();
        const qint64 expected = o.value(encoding).toInteger(-1);
        QVERIFY(expected >= 0);
        const qint64 got = qint64(enc->count(std::string_view(text.constData(), size_t(text.size()))));
        const qint64 encoded = qint64(enc->encode(std::string_view(text.constData(), size_t(text.size()))).size());
        ++documents;
        expectedTotal += expected;
        gotTotal += got;
        if (got != expected || encoded != expected) {
            if (++mismatches <= 5)
                qWarning("document %d: expected %lld, count %lld, encode %lld: %s", documents, expected, got, encoded,
                         text.left(120).toPercentEncoding(" ").constData());
        }
    }
    qInfo("%s: %d documents, %lld tokens, %d mismatches", qPrintable(encoding), documents, expectedTotal, mismatches);
    QVERIFY(documents > 1000);
    QCOMPARE(mismatches, 0);
    QCOMPARE(gotTotal, expectedTotal);
}

void TestExactness::sweep_data()
{
    QTest::addColumn<QString>("encoding");
    for (const char *e : {"cl100k_base", "o200k_base"})
        QTest::newRow(e) << QString::fromLatin1(e);
}

void TestExactness::sweep()
{
    QFETCH(QString, encoding);
    QFile file(oracleDir() + u"/sweep_" + encoding + u".bin");
    if (!file.exists())
        QSKIP("no oracle sweep (node/npm not available to run tools/tokenize/reference_counts.mjs)");
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray counts = file.readAll();
    QCOMPARE(counts.size(), 0x110000);
    const Encoding *enc = Encoding::byName(encoding.toStdString());
    QVERIFY(enc);
    int probes = 0, mismatches = 0;
    for (uint32_t cp = 0; cp < 0x110000; ++cp) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        ++probes;
        const size_t expected = static_cast<unsigned char>(counts[cp]);
        const size_t got = enc->count(sweepProbe(cp));
        if (got != expected && ++mismatches <= 10)
            qWarning("U+%04X: expected %zu, got %zu", cp, expected, got);
    }
    qInfo("%s: %d code points, %d mismatches", qPrintable(encoding), probes, mismatches);
    QCOMPARE(probes, 0x110000 - 0x800);
    QCOMPARE(mismatches, 0);
}

QTEST_APPLESS_MAIN(TestExactness)
#include "tst_exactness.moc"
