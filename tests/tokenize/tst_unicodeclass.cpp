// The pre-tokenizers' strict UTF-8 decoder (unicodeclass.h): every sequence shape against a plain
// reference decoder written from RFC 3629, and every code point's class against the class table.
#include "tokenize/unicodeclass.h"
#include "utf8encode.h"

#include <QTest>

#include <string>
#include <vector>

using namespace RelayDesk::Tokenize::Detail;

namespace {

// RFC 3629: the code point and length of the sequence at s[0..), or {kInvalid, 1} for a byte that does
// not start a complete, shortest-form, non-surrogate sequence up to U+10FFFF.
std::pair<uint32_t, uint32_t> referenceDecode(const std::string &s)
{
    const auto b = [&](size_t i) { return uint32_t(uint8_t(s[i])); };
    const uint32_t b0 = b(0);
    if (b0 < 0x80)
        return {b0, 1};
    const uint32_t len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
    if (len == 0 || s.size() < len || b0 > 0xF4)
        return {kInvalid, 1};
    uint32_t cp = b0 & (0xFF >> (len + 1));
    for (uint32_t i = 1; i < len; ++i) {
        if ((b(i) & 0xC0) != 0x80)
            return {kInvalid, 1};
        cp = cp << 6 | (b(i) & 0x3F);
    }
    const uint32_t shortest = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (cp < shortest || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return {kInvalid, 1};
    return {cp, len};
}


} // namespace

class TestUnicodeClass final : public QObject {
    Q_OBJECT
private slots:
    void sequences_data();
    void sequences();
    void everyCodePoint();
};

void TestUnicodeClass::sequences_data()
{
    QTest::addColumn<int>("lead");
    QTest::addColumn<int>("length");
    // Each lead byte with every second byte, then the third and fourth byte from the edges of the
    // continuation range and just outside it, and cut short by the end of the text (the decoder may only
    // read [p, end)): overlongs (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF), above U+10FFFF
    // (F4 90.., F5..FF), lone continuation bytes (80..BF).
    for (int lead = 0x80; lead <= 0xFF; ++lead)
        for (int length = 1; length <= 4; ++length)
            QTest::addRow("%02X, %d bytes", lead, length) << lead << length;
}

void TestUnicodeClass::sequences()
{
    QFETCH(int, lead);
    QFETCH(int, length);
    const unsigned char edges[] = {0x00, 0x7F, 0x80, 0x81, 0x8F, 0x90, 0x9F, 0xA0, 0xBE, 0xBF, 0xC0, 0xFF};
    std::vector<std::string> cases;
    for (int second = 0; second < 256; ++second) {
        std::string s{char(lead), char(second)};
        if (length <= 2) {
            cases.push_back(s.substr(0, size_t(length)));
            continue;
        }
        for (unsigned char third : edges) {
            if (length == 3) {
                cases.push_back(s + char(third));
                continue;
            }
            for (unsigned char fourth : edges)
                cases.push_back(s + char(third) + char(fourth));
        }
    }
    for (const std::string &s : cases) {
        // Copied alone, so that reading one byte past the end would be seen by sanitizers.
        const std::vector<unsigned char> bytes(s.begin(), s.end());
        const CodePoint got = decodeAt(bytes.data(), bytes.data() + bytes.size());
        const auto [cp, len] = referenceDecode(s);
        const uint8_t cls = cp == kInvalid ? 0 : classOf(cp);
        if (got.cp != cp || got.len != len || got.cls != cls)
            QFAIL(qPrintable(u"%1: got U+%2 (%3 bytes, class %4), expected U+%5 (%6 bytes, class %7)"_qs
                                 .arg(QString::fromLatin1(QByteArray::fromStdString(s).toHex(' ')))
                                 .arg(got.cp, 0, 16).arg(got.len).arg(got.cls).arg(cp, 0, 16).arg(len).arg(cls)));
    }
}

void TestUnicodeClass::everyCodePoint()
{
    // Every scalar value, encoded and followed by text or at the very end: its code point, length and
    // class, including the first and last code point of each length (U+0080, U+07FF, U+0800, U+D7FF,
    // U+E000, U+FFFF, U+10000, U+10FFFF).
    int checked = 0;
    for (uint32_t cp = 0x80; cp <= 0x10FFFF; ++cp) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        const std::string s = RelayDeskTest::utf8Encode(cp);
        for (const std::string &text : {s, s + "x"}) {
            const std::vector<unsigned char> bytes(text.begin(), text.end());
            const CodePoint got = decodeAt(bytes.data(), bytes.data() + bytes.size());
            if (got.cp != cp || got.len != s.size() || got.cls != classOf(cp))
                QFAIL(qPrintable(u"U+%1: got U+%2, %3 bytes, class %4"_qs.arg(cp, 0, 16).arg(got.cp, 0, 16).arg(got.len).arg(got.cls)));
        }
        ++checked;
    }
    QCOMPARE(checked, 0x110000 - 0x80 - 0x800);
}

QTEST_APPLESS_MAIN(TestUnicodeClass)
#include "tst_unicodeclass.moc"
