// Runs the real `relaydeskd count` binary.
#include "tokenize/encoding.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using RelayDesk::Tokenize::Encoding;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out, err;
};

Run runCount(const QStringList &args, const QByteArray &stdinData = {},
             const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(qEnvironmentVariable("RELAYDESK_BIN_DIR") + u"/relaydeskd", QStringList{u"count"_qs} + args);
    if (!p.waitForStarted(10000))
        return {};
    p.write(stdinData);
    p.closeWriteChannel();
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), p.readAllStandardError()};
}

// What `count --jsonl` printed for one line before it read lines itself: Qt's parser (a raw U+FEFF spelt
// as an escape, a leading one dropped), then the UTF-16 text counted. {exit code, stdout or stderr}.
QPair<int, QByteArray> qtParserResult(const char *encoding, QByteArray line)
{
    static const QByteArray bom("\xEF\xBB\xBF");
    if (line.startsWith(bom))
        line.remove(0, 3);
    line.replace(bom, "\\ufeff");
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        const QString why = error.error != QJsonParseError::NoError ? error.errorString() : u"not an object"_qs;
        return {2, "relaydeskd count: <stdin>:1: invalid JSON line: " + why.toUtf8() + '\n'};
    }
    const QJsonValue text = doc.object().value(u"text");
    if (!text.isString())
        return {2, "relaydeskd count: <stdin>:1: no \"text\" string\n"};
    return {0, QByteArray::number(qulonglong(Encoding::byName(encoding)->count(QStringView(text.toString())))) + '\n'};
}

size_t count(const char *encoding, const QByteArray &text)
{
    return Encoding::byName(encoding)->count(std::string_view(text.constData(), size_t(text.size())));
}

} // namespace

class TestCountCommand final : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void files();
    void standardInput();
    void modelSelectsEncoding_data();
    void modelSelectsEncoding();
    void jsonl();
    void jsonlAgainstOracle();
    void jsonlFileLikeStandardInput_data();
    void jsonlFileLikeStandardInput();
    void emptyFile();
    void startsWithoutLibav();
    void jsonlLikeQtParser_data();
    void jsonlLikeQtParser();
    void errors_data();
    void errors();

private:
    QTemporaryDir m_dir;
    QString m_a, m_b;
};

void TestCountCommand::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(QFile::exists(qEnvironmentVariable("RELAYDESK_BIN_DIR") + u"/relaydeskd"));
    m_a = m_dir.filePath(u"a.txt"_qs);
    m_b = m_dir.filePath(u"b.txt"_qs);
    QFile a(m_a), b(m_b);
    QVERIFY(a.open(QIODevice::WriteOnly) && b.open(QIODevice::WriteOnly));
    a.write("Hello, world! <|endoftext|> 你好，世界\n");
    b.write(QByteArray("The quick brown fox jumps over the lazy dog. ").repeated(1000));
}

void TestCountCommand::files()
{
    const Run r = runCount({u"--encoding"_qs, u"cl100k_base"_qs, m_a, m_b});
    QCOMPARE(r.exitCode, 0);
    QFile a(m_a), b(m_b);
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    const QByteArray expected = QByteArray::number(qulonglong(count("cl100k_base", a.readAll()))) + '\n'
        + QByteArray::number(qulonglong(count("cl100k_base", b.readAll()))) + '\n';
    QCOMPARE(r.out, expected);
    QVERIFY(r.err.isEmpty());
}

void TestCountCommand::standardInput()
{
    // Default encoding o200k_base; special-token text counts as ordinary text.
    const QByteArray text("<|endoftext|>");
    const Run r = runCount({}, text);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray::number(qulonglong(count("o200k_base", text))) + '\n');
    QVERIFY(r.out.trimmed().toInt() > 1);
}

void TestCountCommand::modelSelectsEncoding_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("encoding");
    QTest::newRow("gpt-4o") << u"gpt-4o"_qs << u"o200k_base"_qs;
    QTest::newRow("GPT-4O upper") << u"GPT-4O"_qs << u"o200k_base"_qs;
    QTest::newRow("gpt-4") << u"gpt-4"_qs << u"cl100k_base"_qs;
}

void TestCountCommand::modelSelectsEncoding()
{
    QFETCH(QString, model);
    QFETCH(QString, encoding);
    const QByteArray text("你好，世界 Привет мир");   // differs between the encodings (6+5 vs 3+3)
    const Run r = runCount({u"--model"_qs, model}, text);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray::number(qulonglong(count(encoding.toLatin1().constData(), text))) + '\n');
}

void TestCountCommand::jsonl()
{
    const QByteArray input = "{\"text\":\"hello world\"}\n{\"text\":\"\"}\n\n{\"text\":\"\xEF\xBB\xBF'T\",\"id\":3}\n";
    const Run r = runCount({u"--encoding"_qs, u"cl100k_base"_qs, u"--jsonl"_qs}, input);
    QCOMPARE(r.exitCode, 0);
    // U+FEFF is kept (Qt's JSON parser alone would drop it): "\ufeff'T" is 3 cl100k tokens.
    QCOMPARE(r.out, QByteArray("2\n0\n3\n"));
}

void TestCountCommand::jsonlAgainstOracle()
{
    const QString corpus = qEnvironmentVariable("RELAYDESK_TOKENIZE_ORACLE_DIR") + u"/corpus.jsonl";
    if (!QFile::exists(corpus))
        QSKIP("no oracle corpus (node/npm not available)");
    QFile f(corpus);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QList<QByteArray> expected;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        if (!line.isEmpty())
            expected.append(QByteArray::number(QJsonDocument::fromJson(line).object().value(u"o200k_base").toInteger()));
    }
    const Run r = runCount({u"--encoding"_qs, u"o200k_base"_qs, u"--jsonl"_qs, corpus});
    QCOMPARE(r.exitCode, 0);
    const QList<QByteArray> got = r.out.trimmed().split('\n');
    QCOMPARE(got.size(), expected.size());
    QCOMPARE(got, expected);
}

// A file is mapped and its lines parsed in place, stdin is read into a buffer: the same counts and errors,
// also for the last lines, which end less than simdjson's padding before the end of the file.
void TestCountCommand::jsonlFileLikeStandardInput_data()
{
    QTest::addColumn<QByteArray>("input");
    const QByteArray record = "{\"text\":\"caf\\u00e9 \\\"quoted\\\" \xE4\xBD\xA0\xE5\xA5\xBD\",\"n\":[1,2.5,{\"a\":null}]}";
    const QByteArray line = record + '\n';
    QTest::newRow("one line, no newline") << record;
    QTest::newRow("one line") << line;
    QTest::newRow("short last line") << line.repeated(50) + "{\"text\":\"x\"}";
    QTest::newRow("blank lines at the end") << line.repeated(3) + "\n  \n";
    QTest::newRow("long lines") << QByteArray("{\"text\":\"" + QByteArray("word ").repeated(5000) + "\"}\n").repeated(4);
    QTest::newRow("invalid last line") << line.repeated(2) + "{\"text\":\"x\"";
    QTest::newRow("no text in last line") << line.repeated(2) + "{\"id\":1}";
}

void TestCountCommand::jsonlFileLikeStandardInput()
{
    QFETCH(QByteArray, input);
    const QString path = m_dir.filePath(u"input.jsonl"_qs);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(input);
    file.close();
    const QStringList args{u"--encoding"_qs, u"o200k_base"_qs, u"--jsonl"_qs};
    const Run fromStdin = runCount(args, input);
    const Run fromFile = runCount(args + QStringList{path});
    QCOMPARE(fromFile.exitCode, fromStdin.exitCode);
    QCOMPARE(fromFile.out, fromStdin.out);
    QCOMPARE(fromFile.err, QByteArray(fromStdin.err).replace("<stdin>", path.toUtf8()));
}

void TestCountCommand::emptyFile()
{
    const QString path = m_dir.filePath(u"empty.txt"_qs);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    const Run r = runCount({path, u"--jsonl"_qs});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.isEmpty());
    const Run plain = runCount({path});
    QCOMPARE(plain.exitCode, 0);
    QCOMPARE(plain.out, QByteArray("0\n"));
}

// libav and its codec libraries are half of relaydeskd's shared libraries; only audio needs them, so they
// are loaded on first use (core/libav), not by the dynamic loader at start-up (issue 18).
void TestCountCommand::startsWithoutLibav()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"LD_DEBUG"_qs, u"libs"_qs);
    const Run r = runCount({u"--encoding"_qs, u"cl100k_base"_qs}, "hello", env);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("1\n"));
    QVERIFY2(r.err.contains("libQt6Core"), "LD_DEBUG=libs lists the libraries loaded");
    for (const char *library : {"libavformat", "libavcodec", "libavutil"})
        QVERIFY2(!r.err.contains(library), library);
}

void TestCountCommand::jsonlLikeQtParser_data()
{
    // count --jsonl reads plain records from the bytes (jsonl_text.h) and leaves the rest to Qt's parser;
    // every row must print exactly what the Qt-only path printed.
    QTest::addColumn<QByteArray>("line");
    const QByteArray deep = QByteArray("{\"a\":") + QByteArray("[").repeated(100) + QByteArray("]").repeated(100) + ",\"text\":\"deep\"}";
    const QList<QPair<const char *, QByteArray>> rows = {
        {"ascii", R"({"text":"Hello, world! It's 2024."})"},
        {"simple escapes", R"({"text":"a\nb\t\"q\" \\ \/ \b\f\r end"})"},
        {"unicode escapes and a pair", R"({"text":"caf\u00e9 \u4E2D\u6587 \ud83d\ude00!"})"},
        {"lone high surrogate", R"({"text":"x\ud83d y"})"},
        {"lone low surrogate", R"({"text":"x\ude00"})"},
        {"high surrogate then non-surrogate", R"({"text":"\ud83d\u0041"})"},
        {"escaped nul", R"({"text":"a\u0000b"})"},
        {"bad escape", R"({"text":"a\x41"})"},
        {"short unicode escape", R"({"text":"a\u12"})"},
        {"raw cjk and emoji", "{\"text\":\"中文かな한글 😀👨‍👩‍👧 ไทย हिंदी\"}"},
        {"raw invalid byte", "{\"text\":\"a\xff b\"}"},
        {"raw overlong", "{\"text\":\"a\xc0\xaf\"}"},
        {"raw surrogate", "{\"text\":\"a\xed\xa0\x80\"}"},
        {"raw truncated sequence", "{\"text\":\"a\xe4\xb8\"}"},
        {"raw noncharacter fffe", "{\"text\":\"a\xef\xbf\xbe\"}"},
        {"raw noncharacter fdd0", "{\"text\":\"a\xef\xb7\x90\"}"},
        // Valid lines are skipped 8 bytes at a time, so a stop can fall inside a character.
        {"escape after a multi-byte run", "{\"text\":\"\\u000b\xe3\x80\x80\xe2\x80\xa9\xe2\x80\xaf\\n\xe4\xb8\xad\"}"},
        {"noncharacter after a multi-byte run", "{\"text\":\"\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xef\xbf\xbf\"}"},
        {"noncharacter fdef after cyrillic", "{\"text\":\"\xd0\x9f\xd1\x80\xd0\xb8\xef\xb7\xaf\"}"},
        {"plane 1 noncharacter", "{\"text\":\"abcdefg\xf0\x9f\xbf\xbe\"}"},
        // ... and 32 bytes at a time where no byte may lead a noncharacter: a noncharacter in the second block,
        // one straddling two blocks, and fullwidth forms (lead byte 0xEF, no noncharacter) before one.
        {"noncharacter after 40 ascii bytes", "{\"text\":\"0123456789012345678901234567890123456789\xef\xbf\xbe\"}"},
        {"noncharacter across a block end", "{\"text\":\"0123456789012345678901\xef\xb7\x90 tail\"}"},
        {"fullwidth block then noncharacter", "{\"text\":\"\xef\xbc\x81\xef\xbc\x81\xef\xbc\x81\xef\xbc\x81\xef\xbc\x81\xef\xbc\x81"
                                             "\xef\xbc\x81\xef\xbc\x81\xef\xbc\x81\xef\xbc\x81\xef\xbc\x81\xf0\x9f\xbf\xbf\"}"},
        {"fullwidth blocks, no noncharacter", "{\"text\":\"\xef\xbc\x81\xef\xbc\x81\xef\xbc\x81\xef\xbc\x81\xef\xbc\x81\xef\xbc\x81"
                                              "\xef\xbc\x81\xef\xbc\x81\xef\xbc\x81\xef\xbc\x81\xef\xbc\x81 0123456789abcdef\"}"},
        {"emoji and fullwidth after escapes", "{\"text\":\"\\t\xf0\x9f\x98\x80\xef\xbc\x81\xf0\x9f\x98\x80\\\"x\"}"},
        {"raw control character", "{\"text\":\"a\x01b\"}"},
        {"raw tab", "{\"text\":\"a\tb\"}"},
        {"leading bom", "\xEF\xBB\xBF{\"text\":\"bom\"}"},
        {"bom in text", "{\"text\":\"\xEF\xBB\xBF'T\"}"},
        {"bom between tokens", "{\"text\":\"a\"\xEF\xBB\xBF}"},
        {"two leading boms", "\xEF\xBB\xBF\xEF\xBB\xBF{\"text\":\"a\"}"},
        {"nested values", R"({"meta":{"a":[1,-2.5,0,true,false,null,{"b":"c\u0041"}],"s":"\ud83d\ude00"},"text":"x","n":-0})"},
        {"deep nesting", deep},
        {"exponent", R"({"n":1e5,"text":"e"})"},
        {"huge exponent", R"({"n":1E+400,"text":"e"})"},
        {"leading zero", R"({"n":01,"text":"z"})"},
        {"bare dot", R"({"n":1.,"text":"z"})"},
        {"leading dot", R"({"n":.5,"text":"z"})"},
        {"long number", R"({"n":12345678901234567890,"text":"z"})"},
        {"duplicate text", R"({"text":"a","text":"bb cc"})"},
        {"escaped key", R"({"te\u0078t":"escaped key"})"},
        {"text null", R"({"text":null})"},
        {"text number", R"({"text":5})"},
        {"no text", R"({"id":1})"},
        {"empty object", "{}"},
        {"array", R"(["text"])"},
        {"string", R"("text")"},
        {"garbage after", R"({"text":"a"} x)"},
        {"trailing comma", R"({"text":"a",})"},
        {"missing colon", R"({"text" "a"})"},
        {"unterminated", R"({"text":"a)"},
        {"crlf", "{\"text\":\"line\"}\r"},
        {"whitespace everywhere", " \t{ \"id\" : [ 1 , 2 ] , \"text\" : \"w s\" } \t"},
        {"vertical tab before", "\v{\"text\":\"a\"}"},
        {"true false null words", R"({"a":tru,"text":"x"})"},
        // Lines simdjson parses (jsonl_text.cpp) where it and Qt could disagree.
        {"tiny exponent", R"({"n":1e-400,"text":"tiny"})"},
        {"tiny exponent nested", R"({"a":[{"b":[2.5e-320,1e-400]}],"text":"tiny"})"},
        {"fractional zero", R"({"n":0.0,"m":-0.0,"text":"zero"})"},
        {"large integer", R"({"n":18446744073709551615,"m":-9223372036854775808,"text":"big"})"},
        {"integer beyond 64 bits", R"({"n":184467440737095516150,"text":"bigger"})"},
        {"escaped duplicate of text", R"({"text":"a","text":"b c"})"},
        {"escaped noncharacter in text", R"({"text":"a￾ b﷐"})"},
        {"raw noncharacter in another value", "{\"a\":\"\xef\xbf\xbe\",\"text\":\"x\"}"},
        {"nested text member", R"({"meta":{"text":"inner"},"text":"outer"})"},
        {"depth 63", QByteArray("{\"a\":") + QByteArray("[").repeated(62) + QByteArray("]").repeated(62) + ",\"text\":\"d\"}"},
        {"depth 64", QByteArray("{\"a\":") + QByteArray("[").repeated(63) + QByteArray("]").repeated(63) + ",\"text\":\"d\"}"},
        {"depth 65", QByteArray("{\"a\":") + QByteArray("[").repeated(64) + QByteArray("]").repeated(64) + ",\"text\":\"d\"}"},
        {"deep nesting 2000", QByteArray("{\"a\":") + QByteArray("[").repeated(2000) + QByteArray("]").repeated(2000) + ",\"text\":\"d\"}"},
    };
    for (const auto &[name, line] : rows)
        QTest::addRow("%s", name) << line;
}

void TestCountCommand::jsonlLikeQtParser()
{
    QFETCH(QByteArray, line);
    const auto [exitCode, expected] = qtParserResult("o200k_base", line);
    const Run r = runCount({u"--encoding"_qs, u"o200k_base"_qs, u"--jsonl"_qs}, line + '\n');
    QCOMPARE(r.exitCode, exitCode);
    QCOMPARE(exitCode == 0 ? r.out : r.err, expected);
}

void TestCountCommand::errors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("unknown encoding") << QStringList{u"--encoding"_qs, u"x99k_base"_qs} << QByteArray("a") << QByteArray("unknown encoding");
    QTest::newRow("unknown model") << QStringList{u"--model"_qs, u"llama-3"_qs} << QByteArray("a") << QByteArray("unknown model");
    QTest::newRow("missing file") << QStringList{u"/nonexistent/file.txt"_qs} << QByteArray() << QByteArray("cannot read");
    QTest::newRow("invalid json") << QStringList{u"--jsonl"_qs} << QByteArray("{\"text\":\"a\"}\n{oops\n") << QByteArray("2: invalid JSON");
    QTest::newRow("no text") << QStringList{u"--jsonl"_qs} << QByteArray("{\"text\":1}\n") << QByteArray("no \"text\"");
    QTest::newRow("both") << QStringList{u"--model"_qs, u"gpt-4o"_qs, u"--encoding"_qs, u"o200k_base"_qs} << QByteArray() << QByteArray("either");
    QTest::newRow("bad option") << QStringList{u"--fast"_qs} << QByteArray() << QByteArray("unknown option");
}

void TestCountCommand::errors()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, message);
    const Run r = runCount(args, input);
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.contains(message), r.err.constData());
}

QTEST_GUILESS_MAIN(TestCountCommand)
#include "tst_countcommand.moc"
