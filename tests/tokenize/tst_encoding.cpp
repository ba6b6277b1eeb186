// BPE encodings: gpt-tokenizer's TestPlans.txt ids, known counts, special-token ids, long runs,
// decode round trips and run-time .tiktoken loading.
#include "tokenize/encoding.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <random>
#include <thread>
#include <unordered_map>

using RelayDesk::Tokenize::Encoding;

namespace {
std::string_view sv(const QByteArray &b) { return {b.constData(), size_t(b.size())}; }

// An encoding loaded at run time from `tiktoken` (built as RELAYDESK_TIKTOKEN_DIR encodings are), under a
// fresh name: encodings load once per name.
const Encoding *loadTiktoken(const QByteArray &tiktoken)
{
    QTemporaryDir dir;
    if (!dir.isValid())
        return nullptr;
    static int serial = 0;
    const QString name = u"tiny%1_base"_qs.arg(++serial);
    QFile f(dir.filePath(name + u".tiktoken"));
    if (!f.open(QIODevice::WriteOnly))
        return nullptr;
    f.write(tiktoken);
    f.close();
    qputenv("RELAYDESK_TIKTOKEN_DIR", dir.path().toLocal8Bit());
    const Encoding *enc = Encoding::byName(name.toStdString());
    qunsetenv("RELAYDESK_TIKTOKEN_DIR");
    return enc;
}
} // namespace

class TestEncoding final : public QObject {
    Q_OBJECT
private slots:
    void testPlans_data();
    void testPlans();
    void knownCounts_data();
    void knownCounts();
    void specialTokensAreOrdinaryText_data();
    void specialTokensAreOrdinaryText();
    void longRuns_data();
    void longRuns();
    void invalidUtf8();
    void splitPiecesMatchWholeMerge_data();
    void splitPiecesMatchWholeMerge();
    void spanFilterShapes_data();
    void spanFilterShapes();
    void rankLookup_data();
    void rankLookup();
    void tinyTableLookup_data();
    void tinyTableLookup();
    void shortTableLookup_data();
    void shortTableLookup();
    void shortNonTokens_data();
    void shortNonTokens();
    void longMerges_data();
    void longMerges();
    void unknownEncoding();
    void runtimeTiktokenFile();
    void concurrentCounting();
    void runtimeCopyOfOfficialFile();
};

void TestEncoding::testPlans_data()
{
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<QByteArray>("sample");
    QTest::addColumn<QList<uint>>("expected");
    QFile file(qEnvironmentVariable("RELAYDESK_TOKENIZE_DATA_DIR") + u"/TestPlans.txt");
    if (!file.open(QIODevice::ReadOnly))
        QFAIL(qPrintable(u"cannot read "_qs + file.fileName()));
    const QString all = QString::fromUtf8(file.readAll());
    // Blocks: "EncodingName: X\nSample: <text, may span lines>\nEncoded: [ids]"
    static const QRegularExpression re(u"EncodingName: (\\S+)\\nSample: (.*?)\\nEncoded: \\[([0-9, ]*)\\]"_qs,
                                       QRegularExpression::DotMatchesEverythingOption);
    int rows = 0;
    for (auto it = re.globalMatch(all); it.hasNext();) {
        const auto m = it.next();
        QString enc = m.captured(1);
        if (enc == u"p50k_edit")
            enc = u"p50k_base"_qs;   // same mergeable ranks and pattern
        QList<uint> ids;
        for (const QString &s : m.captured(3).split(u',', Qt::SkipEmptyParts))
            ids.append(s.trimmed().toUInt());
        QTest::addRow("%s #%d", qPrintable(m.captured(1)), ++rows) << enc << m.captured(2).toUtf8() << ids;
    }
    QVERIFY(rows >= 300);
}

void TestEncoding::testPlans()
{
    QFETCH(QString, encoding);
    QFETCH(QByteArray, sample);
    QFETCH(QList<uint>, expected);
    const Encoding *enc = Encoding::byName(encoding.toStdString());
    QVERIFY(enc);
    const std::vector<uint32_t> got = enc->encode(sv(sample));
    QCOMPARE(QList<uint>(got.begin(), got.end()), expected);
    QCOMPARE(enc->count(sv(sample)), size_t(expected.size()));
    QCOMPARE(QByteArray::fromStdString(enc->decode(got)), sample);
}

void TestEncoding::knownCounts_data()
{
    // newapi-billing.md §3.6 tokenizer columns.
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("cl100k");
    QTest::addColumn<int>("o200k");
    QTest::newRow("hello-world") << u"Hello, world!"_qs << 4 << 4;
    QTest::newRow("lower") << u"hello world"_qs << 2 << 2;
    QTest::newRow("fox") << u"The quick brown fox jumps over the lazy dog."_qs << 10 << 10;
    QTest::newRow("zh") << u"你好，世界"_qs << 6 << 3;
    QTest::newRow("version") << u"Version 3.5 costs $20/month"_qs << 9 << 9;
    QTest::newRow("email") << u"email me at a@b.com"_qs << 7 << 7;
    QTest::newRow("url") << u"https://example.com/a?b=1&c=2#x"_qs << 15 << 15;
    QTest::newRow("squares") << u"x² + y² = z²"_qs << 8 << 8;
    QTest::newRow("math") << u"∑ ∫ √ ≤"_qs << 7 << 6;
    QTest::newRow("emoji") << u"I ❤ 🍕🍕"_qs << 8 << 6;
    QTest::newRow("newline-tab") << u"line1\nline2\tend"_qs << 6 << 6;
    QTest::newRow("mixed-run") << u"abc123xyz"_qs << 3 << 3;
    QTest::newRow("ru") << u"Привет мир"_qs << 5 << 3;
    QTest::newRow("ja") << u"こんにちは"_qs << 1 << 1;
    QTest::newRow("ko") << u"안녕하세요"_qs << 5 << 2;
    // §3.4: CombineText of the sample request.
    QTest::newRow("combine") << u"system\nYou are a helpful assistant.\nuser\nHello!"_qs << 12 << 12;
    // tokenizer.md §4: where the JS ports differ from tiktoken.
    QTest::newRow("nel") << u" \u0085x"_qs << 4 << -1;
    QTest::newRow("bom-e") << u" \ufeffe"_qs << 2 << -1;
    QTest::newRow("bom-T") << u"\ufeff'T"_qs << 3 << -1;
    QTest::newRow("bom") << u"\ufeff"_qs << 1 << -1;
}

void TestEncoding::knownCounts()
{
    QFETCH(QString, text);
    QFETCH(int, cl100k);
    QFETCH(int, o200k);
    QCOMPARE(int(Encoding::byName("cl100k_base")->count(QStringView(text))), cl100k);
    if (o200k >= 0)
        QCOMPARE(int(Encoding::byName("o200k_base")->count(QStringView(text))), o200k);
}

void TestEncoding::specialTokensAreOrdinaryText_data()
{
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<QString>("special");
    QTest::addColumn<uint>("id");
    QTest::newRow("cl100k eot") << u"cl100k_base"_qs << u"<|endoftext|>"_qs << 100257u;
    QTest::newRow("cl100k eop") << u"cl100k_base"_qs << u"<|endofprompt|>"_qs << 100276u;
    QTest::newRow("o200k eot") << u"o200k_base"_qs << u"<|endoftext|>"_qs << 199999u;
    QTest::newRow("o200k eop") << u"o200k_base"_qs << u"<|endofprompt|>"_qs << 200018u;
    QTest::newRow("r50k eot") << u"r50k_base"_qs << u"<|endoftext|>"_qs << 50256u;
}

void TestEncoding::specialTokensAreOrdinaryText()
{
    QFETCH(QString, encoding);
    QFETCH(QString, special);
    QFETCH(uint, id);
    const Encoding *enc = Encoding::byName(encoding.toStdString());
    QCOMPARE(enc->specialTokenId(special.toStdString()).value_or(0), id);
    const std::vector<uint32_t> tokens = enc->encode(special.toStdString());
    QVERIFY(tokens.size() > 1);   // encode_ordinary: "<|", "endo", ... never the special id
    QVERIFY(std::find(tokens.begin(), tokens.end(), id) == tokens.end());
}

void TestEncoding::longRuns_data()
{
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<QByteArray>("unit");
    QTest::addColumn<int>("repeat");
    for (const char *e : {"cl100k_base", "o200k_base"}) {
        QTest::addRow("%s 1MB a", e) << QString::fromLatin1(e) << QByteArray("a") << (1 << 20);
        QTest::addRow("%s 1MB space", e) << QString::fromLatin1(e) << QByteArray(" ") << (1 << 20);
        QTest::addRow("%s 1MB digits", e) << QString::fromLatin1(e) << QByteArray("7") << (1 << 20);
        QTest::addRow("%s ab", e) << QString::fromLatin1(e) << QByteArray("ab") << 300000;
        QTest::addRow("%s han", e) << QString::fromLatin1(e) << QByteArray("你") << 200000;
    }
}

void TestEncoding::longRuns()
{
    // A megabyte of one letter must not be quadratic (the heap merge); the count must agree with
    // encode() and the tokens must decode back to the input.
    QFETCH(QString, encoding);
    QFETCH(QByteArray, unit);
    QFETCH(int, repeat);
    const Encoding *enc = Encoding::byName(encoding.toStdString());
    const QByteArray text = unit.repeated(repeat);
    const std::vector<uint32_t> tokens = enc->encode(sv(text));
    QCOMPARE(enc->count(sv(text)), tokens.size());
    QVERIFY(tokens.size() < size_t(text.size()));
    QCOMPARE(QByteArray::fromStdString(enc->decode(tokens)), text);
}

void TestEncoding::invalidUtf8()
{
    // Invalid bytes must not crash; each counts like a punctuation character and round-trips.
    const Encoding *enc = Encoding::byName("o200k_base");
    const QByteArray bad("ab\xff\xfe c\xc3 \xe2\x82 \xed\xa0\x80 \xf4\x90\x80\x80 end", 27);
    const std::vector<uint32_t> tokens = enc->encode(sv(bad));
    QCOMPARE(enc->count(sv(bad)), tokens.size());
    QCOMPARE(QByteArray::fromStdString(enc->decode(tokens)), bad);
}

void TestEncoding::splitPiecesMatchWholeMerge_data()
{
    QTest::addColumn<QString>("encoding");
    QTest::addColumn<QByteArray>("text");
    const QList<QPair<const char *, QByteArray>> texts = {
        {"zh sentence", QByteArray("中华人民共和国成立于1949年10月1日。我能吞下玻璃而不伤身体，繁體中文與簡體中文並存。")},
        {"ja kana and kanji", QByteArray("東京スカイツリーは高さ634メートルです。いろはにほへとちりぬるをわかよたれそつねならむカタカナとひらがな")},
        {"ko hangul", QByteArray("키스의고유조건은입술끼리만나야하고특별한기술은필요치않다다람쥐헌쳇바퀴에타고파")},
        {"th no spaces", QByteArray("เป็นมนุษย์สุดประเสริฐเลิศคุณค่ากว่าบรรดาฝูงสัตว์เดรัจฉานจงฝ่าฟันพัฒนาวิชาการ")},
        {"hi with marks", QByteArray("ऋषियोंकोसतानेवालेदुष्टराक्षसोंकेराजारावणकासर्वनाशकरनेवालेविष्णुवतारभगवानश्रीराम")},
        {"ar", QByteArray("نصحكيمله سرقاطعوذوشأنعظيممكتوبعلىثوبأخضرومغلفبجلدأزرق")},
        {"ru long word", QByteArray(" Достопримечательностьвысокопревосходительствоненавистничество")},
        {"every script boundary", QByteArray("abcΑβγабв中文かなカナ한글ไทยहिंदीعربيעברית𝔘𝔫𝔦😀x")},
        {"4-byte emoji and astral letters", QByteArray("😀😃😄😁𝔘𝔫𝔦𝔠𝔬𝔡𝔢🏳️‍🌈👨‍👩‍👧‍👦𠀀𠀁𠀂𪜀")},
        {"invalid utf-8 inside letters", QByteArray("中文\xff文字\xe4\xb8字\xc3中\xed\xa0\x80文", -1)},
        {"lone continuation bytes", QByteArray("ab\x80\x80" "cd\xbf中\x80\x81文\xbf" "ef", -1)},
        {"crlf and mixed", QByteArray("第一行\r\n第二行\r\n\r\n  第三行\tend\r\n")},
        {"long ascii identifiers", QByteArray("getQuantumFluxCapacitorConfigurationFromEnvironmentVariablesOrDefaults_v2")},
        {"base64", QByteArray("H4sIAAAAAAACA7Vaf3PbNhL9P59ip53pWT1TJSlZlnU/5py46aVnN7kkvd7NzU0DkZCEmCRYgLSs")},
        {"very long han run", QByteArray("的一是不了在人有我他这个们中来上大为和国地到以说时要就出也得里后自之").repeated(200)},
        {"very long thai run", QByteArray("ภาษาไทยเป็นภาษาที่มีระดับเสียงของคำแน่นอน").repeated(100)},
        // Pieces and segments of 4 to 10 bytes, around the limit below which segments skip the piece
        // cache (kUncachedSegment = 8), each twice: the second time through the cache.
        // Whole pieces of 3 and 4 bytes that are no token are merged directly (count()), not cached.
        {"3- and 4-byte pieces that are no token", QByteArray("𪜀 𠀁 鱻 龘 䶵 ꙮ 𝔘 ¿¡ «» \xe2\x82 \xed\xa0\x80 \xf4\x90\x80 ", -1).repeated(2)},
        {"segments around the cache limit", QByteArray("ыж ёъщ ьэюя щъыьэ ыжёъщьэюя 𠀀𠀁 𠀀𠀁𠀂 ไทย ไทยไ 中华人 中华人民 ").repeated(2)},
    };
    for (const char *e : {"cl100k_base", "o200k_base", "p50k_base", "r50k_base"})
        for (const auto &[name, text] : texts)
            QTest::addRow("%s %s", e, name) << QString::fromLatin1(e) << text;
}

void TestEncoding::splitPiecesMatchWholeMerge()
{
    // count() cuts long pieces where no token can span (spanfilter.h) and merges the segments;
    // encode() still merges whole pieces. Both must give the same number of tokens.
    QFETCH(QString, encoding);
    QFETCH(QByteArray, text);
    const Encoding *enc = Encoding::byName(encoding.toStdString());
    QCOMPARE(enc->count(sv(text)), enc->encode(sv(text)).size());
}

void TestEncoding::spanFilterShapes_data()
{
    QTest::addColumn<QByteArrayList>("merges");
    QTest::addColumn<QByteArray>("text");
    // Small encodings (all 256 bytes, then these tokens in rank order, each the merge of two before it,
    // as in a real vocabulary) where a token spans a boundary whose pair is no token, in each shape the
    // span filter knows (spanfilter.h): the pair must be marked as inside a token and the window found,
    // or count() cuts the token apart. "zz", "yx" and the like are in no token: there it cuts. Pieces of
    // 5 bytes or more, as shorter ones are not cut.
    QTest::newRow("no merges") << QByteArrayList{} << QByteArray("abcdefgh zyxwvu");
    QTest::newRow("inner 4 bytes") << QByteArrayList{"xa", "by", "xaby"} << QByteArray("xabyxaby zxabyq");
    QTest::newRow("prefix 3 bytes") << QByteArrayList{"bc", "abc"} << QByteArray("zzabczabc");
    QTest::newRow("suffix 3 bytes") << QByteArrayList{"ab", "abc"} << QByteArray("abczzabcz");
    QTest::newRow("pair token and window")
        << QByteArrayList{"xa", "by", "xaby", "ab", "abc"} << QByteArray("xabyabcxaby");
    QTest::newRow("2-byte letters, exact 4") << QByteArrayList{"é", "ü", "éü"} << QByteArray("éüéüxéüéü");
    QTest::newRow("2-byte letters, prefix 5 and inner 6")
        << QByteArrayList{"é", "ü", "ö", "üö", "éüö", "xé"} << QByteArray("éüöéüöxéüöé");
    QTest::newRow("2-byte letters, suffix 5")
        << QByteArrayList{"é", "ü", "ö", "éü", "öé", "éüöé"} << QByteArray("ééüöéüöééüö");
    QTest::newRow("3-byte letters, inner 6")
        << QByteArrayList{"\xe4\xb8", "中", "\xe6\x96", "文", "中文"} << QByteArray("中文中文字中文");
}

void TestEncoding::spanFilterShapes()
{
    QFETCH(QByteArrayList, merges);
    QFETCH(QByteArray, text);
    QByteArray tiktoken;
    for (int b = 0; b < 256; ++b)
        tiktoken += QByteArray(1, char(b)).toBase64() + ' ' + QByteArray::number(b) + '\n';
    for (qsizetype i = 0; i < merges.size(); ++i)
        tiktoken += merges[i].toBase64() + ' ' + QByteArray::number(256 + i) + '\n';
    const Encoding *enc = loadTiktoken(tiktoken);
    QVERIFY(enc);
    QCOMPARE(enc->count(sv(text)), enc->encode(sv(text)).size());
}

void TestEncoding::rankLookup_data()
{
    QTest::addColumn<QString>("encoding");
    for (const char *e : {"cl100k_base", "o200k_base", "p50k_base", "r50k_base"})
        QTest::newRow(e) << QString::fromLatin1(e);
}

void TestEncoding::rankLookup()
{
    // The rank table is probed 16 tags at a time (ranktable.h), groups wrapping around the end. Every
    // token must be found with its rank, and strings one byte off a token must be answered as the
    // reference map says: that covers home slots all over the table, the last group and misses.
    QFETCH(QString, encoding);
    const Encoding *enc = Encoding::byName(encoding.toStdString());
    std::unordered_map<std::string, uint32_t> reference;
    for (uint32_t r = 0; r < enc->rankCount(); ++r) {
        const std::string bytes = enc->decode({r});
        if (!bytes.empty())
            reference.emplace(bytes, r);
    }
    QVERIFY(reference.size() > 50000);
    size_t found = 0, misses = 0;
    for (const auto &[bytes, rank] : reference) {
        if (enc->rankOf(bytes) != std::optional<uint32_t>(rank))
            QFAIL(qPrintable(u"token %1 not found"_qs.arg(rank)));
        for (const std::string &other : {bytes + 'q', bytes.substr(0, bytes.size() - 1) + char(bytes.back() ^ 1)}) {
            const auto it = reference.find(other);
            const std::optional<uint32_t> expected = it == reference.end() ? std::nullopt : std::optional<uint32_t>(it->second);
            if (enc->rankOf(other) != expected)
                QFAIL(qPrintable(u"wrong answer for a variant of token %1"_qs.arg(rank)));
            ++(expected ? found : misses);
        }
    }
    QVERIFY(misses > reference.size());   // most variants are no token: the probes that end at an empty tag
    QVERIFY(found > 1000);
}

void TestEncoding::tinyTableLookup_data()
{
    QTest::addColumn<QByteArray>("tiktoken");
    QTest::addColumn<QByteArray>("probe");
    QTest::addColumn<int>("rank");
    // Tables smaller than one group of 16 tags (the group reads the tags again from the start), and
    // two tokens, which used to fill both slots of a 2-slot table so that a miss never ended.
    QTest::newRow("one token, hit") << QByteArray("YWJjZGU= 0\n") << QByteArray("abcde") << 0;
    QTest::newRow("one token, miss") << QByteArray("YWJjZGU= 0\n") << QByteArray("abcdf") << -1;
    QTest::newRow("two tokens, hit") << QByteArray("YQ== 0\nYWFhYWE= 1\n") << QByteArray("aaaaa") << 1;
    QTest::newRow("two tokens, miss") << QByteArray("YQ== 0\nYWFhYWE= 1\n") << QByteArray("bbbbb") << -1;
    QTest::newRow("nine bytes, hit") << QByteArray("YWJjZGVmZ2hp 0\nYQ== 1\nYg== 2\n") << QByteArray("abcdefghi") << 0;
    QTest::newRow("nine bytes, miss") << QByteArray("YWJjZGVmZ2hp 0\nYQ== 1\nYg== 2\n") << QByteArray("abcdefghj") << -1;
}

void TestEncoding::tinyTableLookup()
{
    QFETCH(QByteArray, tiktoken);
    QFETCH(QByteArray, probe);
    QFETCH(int, rank);
    const Encoding *enc = loadTiktoken(tiktoken);
    QVERIFY(enc);
    const std::optional<uint32_t> got = enc->rankOf(sv(probe));
    QCOMPARE(got.has_value() ? int(*got) : -1, rank);
}

void TestEncoding::shortTableLookup_data()
{
    QTest::addColumn<int>("threes");
    QTest::addColumn<int>("fours");
    QTest::addColumn<QByteArray>("alphabet");
    QTest::addColumn<int>("seed");
    // Random 3- and 4-byte tokens over a small alphabet, so that probing every 3- and 4-byte string over it
    // asks for every token and for all its near misses. The short tables (shorttable.h, linear probing)
    // have 16 slots up to 12 tokens (load 3/4), 32 from 13; many seeds of the smallest tables put
    // clusters across the end. The zero byte makes the token whose key is 0. The real encodings' tokens
    // are rankLookup's.
    const QByteArray small("ab\0c", 4), wide("abcdxyz\xff", 8);
    QTest::newRow("no short tokens") << 0 << 0 << small << 1;
    QTest::newRow("one 3-byte token") << 1 << 0 << small << 2;
    QTest::newRow("one 4-byte token") << 0 << 1 << small << 3;
    for (int seed = 0; seed < 16; ++seed) {
        QTest::addRow("12 + 12, full groups, seed %d", seed) << 12 << 12 << small << 100 + seed;
        QTest::addRow("13 + 13, seed %d", seed) << 13 << 13 << small << 200 + seed;
    }
    QTest::newRow("48 + 48") << 48 << 48 << small << 4;
    QTest::newRow("49 + 49") << 49 << 49 << small << 5;
    QTest::newRow("300 + 2000") << 300 << 2000 << wide << 6;
    QTest::newRow("512 + 4096, every string a token") << 512 << 4096 << wide << 7;
}

void TestEncoding::shortTableLookup()
{
    QFETCH(int, threes);
    QFETCH(int, fours);
    QFETCH(QByteArray, alphabet);
    QFETCH(int, seed);
    // All strings of 3 and 4 bytes over the alphabet; the tokens are a random choice of them.
    std::vector<std::string> all[2];
    for (size_t n = 3; n <= 4; ++n) {
        size_t count = 1;
        for (size_t i = 0; i < n; ++i)
            count *= size_t(alphabet.size());
        for (size_t c = 0; c < count; ++c) {
            std::string s;
            for (size_t i = 0, v = c; i < n; ++i, v /= size_t(alphabet.size()))
                s += alphabet[qsizetype(v % size_t(alphabet.size()))];
            all[n - 3].push_back(s);
        }
    }
    std::mt19937 random{uint32_t(seed)};
    std::shuffle(all[0].begin(), all[0].end(), random);
    std::shuffle(all[1].begin(), all[1].end(), random);
    QVERIFY(size_t(threes) <= all[0].size() && size_t(fours) <= all[1].size());
    QByteArray tiktoken("YQ== 0\n");   // a file without tokens is refused
    std::map<std::string, uint32_t> reference;
    uint32_t rank = 1;
    for (size_t t = 0; t < 2; ++t) {
        for (int i = 0; i < (t == 0 ? threes : fours); ++i, ++rank) {
            const std::string &s = all[t][size_t(i)];
            tiktoken += QByteArray(s.data(), qsizetype(s.size())).toBase64() + ' ' + QByteArray::number(rank) + '\n';
            reference.emplace(s, rank);
        }
    }
    const Encoding *enc = loadTiktoken(tiktoken);
    QVERIFY(enc);
    size_t hits = 0;
    for (const auto &strings : all) {
        for (const std::string &s : strings) {
            const auto it = reference.find(s);
            const std::optional<uint32_t> expected = it == reference.end() ? std::nullopt : std::optional<uint32_t>(it->second);
            if (enc->rankOf(s) != expected)
                QFAIL(qPrintable(u"wrong answer for a string of %1 bytes (expected %2)"_qs.arg(s.size()).arg(expected ? int(*expected) : -1)));
            hits += expected.has_value();
        }
    }
    QCOMPARE(hits, size_t(threes + fours));
}

void TestEncoding::shortNonTokens_data()
{
    QTest::addColumn<int>("pairs");
    QTest::addColumn<int>("threes");
    QTest::addColumn<int>("fours");
    QTest::addColumn<int>("seed");
    // A string of 3 or 4 bytes that is no token (a whole piece, or a segment of a cut one) is counted by
    // countShortNonToken, the merge's steps written out: which pair merges first (leftmost on equal
    // ranks, "abab" with "ab"), and whether a second merge follows. Random vocabularies over "abcd" with
    // the pairs, threes and fours in random rank order, so every case and rank order occurs.
    QTest::newRow("single bytes only") << 0 << 0 << 0 << 1;
    QTest::newRow("one pair") << 1 << 0 << 0 << 2;
    for (int seed = 0; seed < 8; ++seed) {
        QTest::addRow("3 pairs, seed %d", seed) << 3 << 0 << 0 << 10 + seed;
        QTest::addRow("4 pairs + 4 threes, seed %d", seed) << 4 << 4 << 0 << 20 + seed;
        QTest::addRow("8 pairs + 12 threes + 8 fours, seed %d", seed) << 8 << 12 << 8 << 30 + seed;
        QTest::addRow("12 pairs + 30 threes + 30 fours, seed %d", seed) << 12 << 30 << 30 << 40 + seed;
    }
    QTest::newRow("every pair") << 16 << 40 << 60 << 3;
}

namespace {
// tiktoken's byte-pair merge, written plainly: the lowest-ranked adjacent pair first, leftmost on ties.
size_t referenceMerge(const std::string &piece, const std::map<std::string, uint32_t> &ranks, bool wholeLookup = true)
{
    if (wholeLookup && ranks.count(piece))
        return 1;
    std::vector<std::string> parts;
    for (char c : piece)
        parts.emplace_back(1, c);
    for (;;) {
        size_t at = parts.size();
        uint32_t best = UINT32_MAX;
        for (size_t i = 0; i + 1 < parts.size(); ++i) {
            const auto it = ranks.find(parts[i] + parts[i + 1]);
            if (it != ranks.end() && it->second < best) {
                best = it->second;
                at = i;
            }
        }
        if (at == parts.size())
            return parts.size();
        parts[at] += parts[at + 1];
        parts.erase(parts.begin() + qsizetype(at) + 1);
    }
}

// The .tiktoken text of a vocabulary.
QByteArray tiktokenText(const std::map<std::string, uint32_t> &ranks)
{
    std::vector<std::pair<uint32_t, std::string>> byRank;
    for (const auto &[bytes, rank] : ranks)
        byRank.emplace_back(rank, bytes);
    std::sort(byRank.begin(), byRank.end());
    QByteArray tiktoken;
    for (const auto &[rank, bytes] : byRank)
        tiktoken += QByteArray::fromStdString(bytes).toBase64() + ' ' + QByteArray::number(rank) + '\n';
    return tiktoken;
}
} // namespace

void TestEncoding::shortNonTokens()
{
    QFETCH(int, pairs);
    QFETCH(int, threes);
    QFETCH(int, fours);
    QFETCH(int, seed);
    const std::string alphabet = "abcd";
    std::vector<std::string> all[3];   // every string of 2, 3 and 4 letters
    for (size_t n = 2; n <= 4; ++n) {
        size_t count = 1;
        for (size_t i = 0; i < n; ++i)
            count *= alphabet.size();
        for (size_t c = 0; c < count; ++c) {
            std::string s;
            for (size_t i = 0, v = c; i < n; ++i, v /= alphabet.size())
                s += alphabet[v % alphabet.size()];
            all[n - 2].push_back(s);
        }
    }
    // Ranks in a random order of lengths, each longer token reachable by merging (its bytes merge into two
    // parts with the tokens before it), as in a real vocabulary: count() takes a segment that is a token
    // as one token.
    std::mt19937 random{uint32_t(seed)};
    std::vector<std::string> candidates;
    for (size_t t = 0; t < 3; ++t)
        candidates.insert(candidates.end(), all[t].begin(), all[t].end());
    std::shuffle(candidates.begin(), candidates.end(), random);
    std::map<std::string, uint32_t> ranks;
    for (int b = 0; b < 256; ++b)
        ranks.emplace(std::string(1, char(b)), uint32_t(b));
    int wanted[3] = {pairs, threes, fours};
    for (int round = 0; round < 8; ++round) {
        for (const std::string &c : candidates) {
            int &left = wanted[c.size() - 2];
            if (left > 0 && !ranks.count(c) && (c.size() == 2 || referenceMerge(c, ranks, false) == 2)) {
                ranks.emplace(c, uint32_t(ranks.size()));
                --left;
            }
        }
    }
    const Encoding *enc = loadTiktoken(tiktokenText(ranks));
    QVERIFY(enc);
    size_t checked = 0, nonTokens = 0;
    for (size_t t = 1; t < 3; ++t) {
        for (const std::string &s : all[t]) {
            // Alone (a whole piece), then as segments: "z" is in no token, so count() cuts around it.
            nonTokens += !ranks.count(s);
            for (const std::string &text : {s, s + "z" + s + "z" + s}) {
                const size_t expected = referenceMerge(text, ranks);
                if (enc->count(text) != expected || enc->encode(text).size() != expected)
                    QFAIL(qPrintable(u"count %1, encode %2, expected %3 tokens for \"%4\""_qs.arg(enc->count(text))
                                         .arg(enc->encode(text).size()).arg(expected).arg(QString::fromStdString(text))));
            }
            ++checked;
        }
    }
    QCOMPARE(checked, size_t(64 + 256));
    QVERIFY(nonTokens > 0);
}

void TestEncoding::longMerges_data()
{
    QTest::addColumn<QByteArray>("alphabet");
    QTest::addColumn<int>("tokens");
    QTest::addColumn<int>("seed");
    // Pieces of 5 to 63 bytes are merged by mergeLinear (its vector scan for the first lowest rank, its
    // block moves), longer ones by mergeHeap. Random vocabularies over a few letters, every pair a token
    // (so no piece is cut), then `tokens` more of up to 8 bytes, each the merge of two earlier ones and
    // reachable by merging its bytes; random strings and periodic ones (equal ranks: leftmost first).
    for (int seed = 0; seed < 6; ++seed) {
        QTest::addRow("ab + 12, seed %d", seed) << QByteArray("ab") << 12 << seed;
        QTest::addRow("abc + 30, seed %d", seed) << QByteArray("abc") << 30 << 100 + seed;
        QTest::addRow("abcd + 80, seed %d", seed) << QByteArray("abcd") << 80 << 200 + seed;
        QTest::addRow("abcdef + 200, seed %d", seed) << QByteArray("abcdef") << 200 << 300 + seed;
    }
}

void TestEncoding::longMerges()
{
    QFETCH(QByteArray, alphabet);
    QFETCH(int, tokens);
    QFETCH(int, seed);
    std::mt19937 random{uint32_t(seed)};
    std::map<std::string, uint32_t> ranks;
    for (int b = 0; b < 256; ++b)
        ranks.emplace(std::string(1, char(b)), uint32_t(b));
    std::vector<std::string> pairs;
    for (char x : alphabet)
        for (char y : alphabet)
            pairs.push_back({x, y});
    std::shuffle(pairs.begin(), pairs.end(), random);
    std::vector<std::string> merged(pairs.begin(), pairs.end());
    for (const std::string &pair : pairs)
        ranks.emplace(pair, uint32_t(ranks.size()));
    for (int attempt = 0; attempt < 50 * tokens && merged.size() < pairs.size() + size_t(tokens); ++attempt) {
        const std::string c = merged[random() % merged.size()] + merged[random() % merged.size()];
        if (c.size() <= 8 && !ranks.count(c) && referenceMerge(c, ranks, false) == 2) {
            ranks.emplace(c, uint32_t(ranks.size()));
            merged.push_back(c);
        }
    }
    QCOMPARE(merged.size(), pairs.size() + size_t(tokens));
    const Encoding *enc = loadTiktoken(tiktokenText(ranks));
    QVERIFY(enc);
    std::vector<std::string> texts;
    for (size_t n : {5, 6, 7, 8, 9, 12, 16, 17, 24, 31, 33, 47, 48, 49, 62, 63, 64, 65, 80, 100}) {
        for (int i = 0; i < 4; ++i) {
            std::string s;
            while (s.size() < n)
                s += alphabet[qsizetype(random() % size_t(alphabet.size()))];
            texts.push_back(s);
        }
        for (size_t unit = 1; unit <= 3; ++unit) {
            const std::string u = texts.back().substr(0, unit);
            std::string s;
            while (s.size() < n)
                s += u[s.size() % unit];
            texts.push_back(s);
        }
    }
    for (const std::string &text : texts) {
        const size_t expected = referenceMerge(text, ranks);
        if (enc->count(text) != expected || enc->encode(text).size() != expected)
            QFAIL(qPrintable(u"count %1, encode %2, expected %3 tokens for \"%4\""_qs.arg(enc->count(text))
                                 .arg(enc->encode(text).size()).arg(expected).arg(QString::fromStdString(text))));
    }
}

void TestEncoding::unknownEncoding()
{
    QVERIFY(!Encoding::byName("no_such_encoding"));
    QVERIFY(!Encoding::byName("../etc/passwd"));
    QVERIFY(!Encoding::byName(""));
}

void TestEncoding::runtimeTiktokenFile()
{
    // A tiny encoding: bytes a, b, c and merges "ab", "abc".
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile f(dir.filePath(u"tiny_base.tiktoken"_qs));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("YQ== 0\nYg== 1\nYw== 2\nIA== 3\nYWI= 4\nYWJj 5\n");
    f.close();
    QFile broken(dir.filePath(u"broken.tiktoken"_qs));
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("not base64! x\n");
    broken.close();
    qputenv("RELAYDESK_TIKTOKEN_DIR", dir.path().toLocal8Bit());
    const Encoding *enc = Encoding::byName("tiny_base");
    QVERIFY(enc);
    QCOMPARE(enc, Encoding::byName("tiny_base"));   // loaded once
    QCOMPARE(enc->rankCount(), 6u);
    const std::vector<uint32_t> tokens = enc->encode("abc ab cab");
    QCOMPARE(QList<uint32_t>(tokens.begin(), tokens.end()), (QList<uint32_t>{5, 3, 4, 3, 2, 4}));
    QCOMPARE(enc->count("abc ab cab"), size_t(6));
    QVERIFY(!Encoding::byName("broken"));
    qunsetenv("RELAYDESK_TIKTOKEN_DIR");
}

void TestEncoding::concurrentCounting()
{
    // Encodings are shared and immutable; the piece cache and merge buffers are per thread. Four threads
    // counting different mixes at once must agree with a single-threaded count.
    QList<QByteArray> texts;
    for (int t = 0; t < 4; ++t) {
        QByteArray s;
        for (int i = 0; i < 400; ++i)
            s += QByteArray::number(i * (t + 7)) + " Übermäßig 你好世界 " + QByteArray("don't").repeated(t + 1)
                + " 🍕 \t\n " + QByteArray(qsizetype(i % 97 + 20), char('a' + t)) + ' ';
        texts.append(s);
    }
    for (const char *name : {"cl100k_base", "o200k_base"}) {
        const Encoding *enc = Encoding::byName(name);
        QList<size_t> expected;
        for (const QByteArray &t : texts)
            expected.append(enc->count(sv(t)));
        QList<size_t> got(texts.size(), 0);
        std::vector<std::thread> threads;
        for (qsizetype t = 0; t < texts.size(); ++t)
            threads.emplace_back([&, t] {
                for (int round = 0; round < 20; ++round)
                    got[t] = enc->count(sv(texts[t]));
            });
        for (std::thread &th : threads)
            th.join();
        QCOMPARE(got, expected);
    }
}

void TestEncoding::runtimeCopyOfOfficialFile()
{
    // The official o200k file loaded at run time under another name (o200k family by name) must count
    // exactly like the embedded table.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString src = qEnvironmentVariable("RELAYDESK_TOKENIZE_DATA_DIR") + u"/o200k_base.tiktoken";
    QVERIFY2(QFile::copy(src, dir.filePath(u"o200k_copy.tiktoken"_qs)), qPrintable(src));
    qputenv("RELAYDESK_TIKTOKEN_DIR", dir.path().toLocal8Bit());
    const Encoding *copy = Encoding::byName("o200k_copy");
    qunsetenv("RELAYDESK_TIKTOKEN_DIR");
    QVERIFY(copy);
    const Encoding *builtin = Encoding::byName("o200k_base");
    QCOMPARE(copy->rankCount(), builtin->rankCount());
    const QByteArray text("The quick brown fox: 你好，世界! Привет мир 12345 'Re ſ \u0085 <|endoftext|>\n\n  x");
    QCOMPARE(copy->encode(sv(text)), builtin->encode(sv(text)));
    QCOMPARE(copy->count(sv(text)), builtin->count(sv(text)));
}

QTEST_APPLESS_MAIN(TestEncoding)
#include "tst_encoding.moc"
