// MultipartForm: multipart/form-data bodies as real clients send them (curl -F, undici FormData as in the
// openai Node SDK, Python httpx: captured once by data/multipart/capture.py), bodies built by RFC 7578 /
// RFC 2046 for the corners, every refusal, and withField's pieces (re-parsed, and the file piece still
// pointing into the original body: nothing copied).
#include "http/multipartform.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTest>

using namespace RelayDesk::Relay;

namespace {

QByteArray dataFile(const QString &name)
{
    QFile file(QFINDTESTDATA(u"data/multipart/"_qs + name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing test data %s", qPrintable(name));
    return file.readAll();
}

bool pointsInto(const char *p, const QByteArray &body)
{
    return p >= body.constData() && p < body.constData() + body.size();
}

QByteArray joined(const QList<QByteArray> &pieces)
{
    QByteArray out;
    for (const QByteArray &piece : pieces)
        out += piece;
    return out;
}

constexpr char kType[] = "multipart/form-data; boundary=XyZ";

// A body with boundary XyZ from "name=value" style parts given as raw part texts (headers CRLF CRLF data).
QByteArray form(const QByteArrayList &parts, const QByteArray &preamble = {}, const QByteArray &epilogue = {})
{
    QByteArray b = preamble;
    for (const QByteArray &p : parts)
        b += "--XyZ\r\n" + p + "\r\n";
    return b + "--XyZ--" + epilogue;
}

QByteArray field(const QByteArray &name, const QByteArray &value)
{
    return "Content-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value;
}

} // namespace

class TestMultipartForm final : public QObject {
    Q_OBJECT

private slots:
    void clients_data();
    void clients();
    void rfc_data();
    void rfc();
    void errors_data();
    void errors();
    void withField_data();
    void withField();
    void withFieldRefusesADelimiter();
    void largeFileIsNotCopied();
    void mutations_data() { clients_data(); }
    void mutations();
};

void TestMultipartForm::clients_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    for (const char *client : {"curl", "undici", "httpx"}) {
        const QString name = QString::fromLatin1(client);
        QTest::newRow(client) << dataFile(name + u".content-type"_qs).trimmed() << dataFile(name + u".body"_qs);
    }
}

void TestMultipartForm::clients()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    const QByteArray payload = dataFile(u"payload.bin"_qs);
    const auto parsed = MultipartForm::parse(contentType, body);
    QVERIFY2(std::holds_alternative<MultipartForm>(parsed),
             std::holds_alternative<OpenAiError>(parsed) ? qPrintable(std::get<OpenAiError>(parsed).message) : "");
    const MultipartForm &f = std::get<MultipartForm>(parsed);
    QCOMPARE(f.boundary(), contentType.sliced(contentType.indexOf("boundary=") + 9));
    QCOMPARE(f.parts().size(), 5);
    QCOMPARE(f.text("model"), u"whisper-1"_qs);
    QCOMPARE(f.text("prompt"), u"Grüße, 你好"_qs);
    QCOMPARE(f.text("absent"), u""_qs);
    const QList<const MultipartPart *> granularities = f.parts("timestamp_granularities[]");
    QCOMPARE(granularities.size(), 2);
    QCOMPARE(f.data(*granularities[0]), "word");
    QCOMPARE(f.data(*granularities[1]), "segment");
    const MultipartPart *file = f.part("file");
    QVERIFY(file);
    QCOMPARE(file->fileName, "speech file.bin");
    QCOMPARE(file->contentType, "application/octet-stream");
    QVERIFY(f.part("model")->fileName.isEmpty());
    QVERIFY(f.part("model")->contentType.isEmpty());
    QCOMPARE(f.data(*file).toByteArray(), payload);
    QVERIFY(pointsInto(f.data(*file).data(), body));   // a view into the caller's body
    QCOMPARE(f.body().constData(), body.constData());  // shared, not copied
    QVERIFY(QByteArrayView(body).sliced(file->headerBegin).startsWith("Content-Disposition: form-data; name=\"file\""));
}

void TestMultipartForm::rfc_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArrayList>("names");
    QTest::addColumn<QByteArrayList>("fileNames");
    QTest::addColumn<QByteArrayList>("values");
    const QByteArray binary = QByteArray("\r\n--XyZX\r\n--XyZ-\r\n\r\n--XyZ\t-\r\n-- XyZ\r\n", 40) + QByteArray(3, '\0');

    QTest::newRow("one field") << form({field("a", "1")}) << QByteArrayList{"a"} << QByteArrayList{""} << QByteArrayList{"1"};
    QTest::newRow("preamble and epilogue ignored")
        << form({field("a", "1")}, "This is a preamble.\r\n--XyZ is not here\r\n", "\r\nepilogue --XyZ\r\n--XyZ\r\nx")
        << QByteArrayList{"a"} << QByteArrayList{""} << QByteArrayList{"1"};
    QTest::newRow("transport padding after delimiters")
        << QByteArray("--XyZ \t\r\n" + field("a", "1") + "\r\n--XyZ  \r\n" + field("b", "2") + "\r\n--XyZ--\r\n")
        << QByteArrayList{"a", "b"} << QByteArrayList{"", ""} << QByteArrayList{"1", "2"};
    QTest::newRow("binary with CRLF, dashes and near-delimiters")
        << form({"Content-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                 + binary})
        << QByteArrayList{"f"} << QByteArrayList{"x.bin"} << QByteArrayList{binary};
    QTest::newRow("empty values, repeated names")
        << form({field("a", ""), field("a", "2"), field("b", "")}) << QByteArrayList{"a", "a", "b"}
        << QByteArrayList{"", "", ""} << QByteArrayList{"", "2", ""};
    QTest::newRow("empty form (close delimiter only)") << QByteArray("--XyZ--\r\n") << QByteArrayList{}
                                                       << QByteArrayList{} << QByteArrayList{};
    QTest::newRow("token names, case-insensitive headers, extra headers")
        << form({"content-disposition: FORM-DATA; name=model\r\nX-Other: 1\r\n\r\ngpt-4o-transcribe",
                 "CONTENT-TYPE: text/plain; charset=utf-8\r\nContent-Disposition: form-data;name=t;filename=a.txt\r\n\r\nhi"})
        << QByteArrayList{"model", "t"} << QByteArrayList{"", "a.txt"} << QByteArrayList{"gpt-4o-transcribe", "hi"};
    QTest::newRow("quoted-pair escapes and WHATWG %22 kept")
        << form({"Content-Disposition: form-data; name=\"a\\\"b;c\"; filename=\"say \\\"hi\\\".txt\"\r\n\r\nx",
                 "Content-Disposition: form-data; name=\"q%22\"; filename=\"%22.txt\"\r\n\r\ny"})
        << QByteArrayList{"a\"b;c", "q%22"} << QByteArrayList{"say \"hi\".txt", "%22.txt"} << QByteArrayList{"x", "y"};
    QTest::newRow("filename* UTF-8 wins over filename")
        << form({"Content-Disposition: form-data; name=\"file\"; filename=\"fallback.mp3\"; "
                 "filename*=UTF-8''%E2%82%AC%20rates.mp3\r\n\r\nID3"})
        << QByteArrayList{"file"} << QByteArrayList{"\xe2\x82\xac rates.mp3"} << QByteArrayList{"ID3"};
    QTest::newRow("filename* ISO-8859-1 and name*")
        << form({"Content-Disposition: form-data; name*=utf-8'en'caf%C3%A9; filename*=iso-8859-1''na%EFve.wav\r\n\r\nRIFF"})
        << QByteArrayList{"caf\xc3\xa9"} << QByteArrayList{"na\xc3\xafve.wav"} << QByteArrayList{"RIFF"};
    QTest::newRow("filename* of an unknown charset falls back")
        << form({"Content-Disposition: form-data; name=\"file\"; filename=\"plain.ogg\"; filename*=koi8-r''%C1\r\n\r\nOggS"})
        << QByteArrayList{"file"} << QByteArrayList{"plain.ogg"} << QByteArrayList{"OggS"};
    QTest::newRow("folded header line")
        << form({"Content-Disposition: form-data;\r\n name=\"folded\"\r\n\r\nv"})
        << QByteArrayList{"folded"} << QByteArrayList{""} << QByteArrayList{"v"};
    QTest::newRow("blank line's CRLF as the delimiter's: an empty part (RFC 2046)")
        << QByteArray("--XyZ\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n--XyZ\r\n" + field("b", "2") + "\r\n--XyZ--")
        << QByteArrayList{"e", "b"} << QByteArrayList{"", ""} << QByteArrayList{"", "2"};
}

void TestMultipartForm::rfc()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArrayList, names);
    QFETCH(QByteArrayList, fileNames);
    QFETCH(QByteArrayList, values);
    const auto parsed = MultipartForm::parse(kType, body);
    QVERIFY2(std::holds_alternative<MultipartForm>(parsed),
             std::holds_alternative<OpenAiError>(parsed) ? qPrintable(std::get<OpenAiError>(parsed).message) : "");
    const MultipartForm &f = std::get<MultipartForm>(parsed);
    QCOMPARE(f.parts().size(), names.size());
    for (qsizetype i = 0; i < names.size(); ++i) {
        const MultipartPart &p = f.parts()[i];
        QCOMPARE(p.name, names[i]);
        QCOMPARE(p.fileName, fileNames[i]);
        QCOMPARE(f.data(p).toByteArray(), values[i]);
    }
}

void TestMultipartForm::errors_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("maxParts");
    QTest::addColumn<qsizetype>("maxFieldBytes");
    QTest::addColumn<QString>("message");   // a fragment of the error message
    const QByteArray ok = form({field("a", "1")});
    const MultipartForm::Limits d;
    const auto row = [&](const char *name, const QByteArray &type, const QByteArray &body, const QString &message) {
        QTest::newRow(name) << type << body << d.maxParts << d.maxFieldBytes << message;
    };
    row("not multipart", "application/json", ok, u"multipart/form-data with a boundary"_qs);
    row("multipart/mixed", "multipart/mixed; boundary=XyZ", ok, u"multipart/form-data with a boundary"_qs);
    row("no boundary", "multipart/form-data", ok, u"with a boundary"_qs);
    row("empty boundary", "multipart/form-data; boundary=\"\"", ok, u"with a boundary"_qs);
    row("boundary over 70", "multipart/form-data; boundary=" + QByteArray(71, 'b'), ok, u"1 to 70 characters"_qs);
    row("no delimiter in body", kType, "just some bytes\r\n", u"no boundary delimiter (\"--XyZ\")"_qs);
    row("another boundary in body", "multipart/form-data; boundary=Other", ok, u"no boundary delimiter"_qs);
    row("LF line ends", kType, QByteArray(ok).replace("\r\n", "\n"), u"no boundary delimiter"_qs);
    row("missing final boundary", kType, "--XyZ\r\n" + field("a", "1") + "\r\n", u"missing final boundary"_qs);
    row("body cut inside a file", kType, form({field("a", "1")}).chopped(9), u"part 1: missing final boundary"_qs);
    row("part without a name", kType, form({"Content-Disposition: form-data; filename=\"a.mp3\"\r\n\r\nx"}),
        u"part 1: a part without a name"_qs);
    row("part with an empty name", kType, form({field("a", "1"), field("", "2")}), u"part 2: a part without a name"_qs);
    row("part without headers", kType, form({"\r\nx"}), u"a part without a name"_qs);
    row("no Content-Disposition", kType, form({"Content-Type: text/plain\r\n\r\nx"}), u"a part without a name"_qs);
    row("Content-Disposition attachment", kType, form({"Content-Disposition: attachment; name=\"a\"\r\n\r\nx"}),
        u"must be form-data, not \"attachment\""_qs);
    row("unterminated quote", kType, form({"Content-Disposition: form-data; name=\"a\r\n\r\nx"}),
        u"unterminated quoted string"_qs);
    row("header line without colon", kType, form({"Content-Disposition form-data\r\n\r\nx"}), u"bad header line"_qs);
    row("bare LF in headers", kType, form({"Content-Disposition: form-data; name=a\nX: y\r\n\r\nx"}),
        u"header lines must end with CRLF"_qs);
    row("headers not terminated", kType, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n", u"headers not terminated"_qs);
    row("headers over 8 KiB", kType,
        form({"Content-Disposition: form-data; name=a\r\nX-Pad: " + QByteArray(9000, 'p') + "\r\n\r\nx"}),
        u"headers larger than 8192 bytes"_qs);
    QTest::newRow("too many parts") << QByteArray(kType) << form({field("a", "1"), field("b", "2"), field("c", "3")}) << 2
                                    << d.maxFieldBytes << u"more than 2 parts"_qs;
    QTest::newRow("field too large") << QByteArray(kType) << form({field("prompt", QByteArray(101, 'x'))}) << d.maxParts
                                     << qsizetype(100) << u"part 1: field \"prompt\" is larger than 100 bytes"_qs;
}

void TestMultipartForm::errors()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(int, maxParts);
    QFETCH(qsizetype, maxFieldBytes);
    QFETCH(QString, message);
    const auto parsed = MultipartForm::parse(contentType, body, {maxParts, maxFieldBytes});
    QVERIFY(std::holds_alternative<OpenAiError>(parsed));
    const OpenAiError &e = std::get<OpenAiError>(parsed);
    QCOMPARE(e.httpStatus, 400);
    QCOMPARE(e.type, "invalid_request_error");
    QVERIFY2(e.message.contains(message), qPrintable(e.message));
}

void TestMultipartForm::withField_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("value");
    for (const char *client : {"curl", "undici", "httpx"}) {
        const QString c = QString::fromLatin1(client);
        const QByteArray type = dataFile(c + u".content-type"_qs).trimmed();
        const QByteArray body = dataFile(c + u".body"_qs);
        QTest::addRow("%s: replace model", client) << type << body << QByteArray("model") << QByteArray("whisper-large-v3");
        QTest::addRow("%s: replace with empty", client) << type << body << QByteArray("prompt") << QByteArray();
        QTest::addRow("%s: append absent field", client) << type << body << QByteArray("response_format")
                                                         << QByteArray("verbose_json");
    }
    QTest::newRow("append to an empty form") << QByteArray(kType) << QByteArray("preamble\r\n--XyZ--\r\n")
                                             << QByteArray("model") << QByteArray("m");
    QTest::newRow("append a name to escape") << QByteArray(kType) << form({field("a", "1")}) << QByteArray("we\"ird\r\n")
                                             << QByteArray("v");
    QTest::newRow("replace the empty part written without its blank line") << QByteArray(kType)
        << QByteArray("--XyZ\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n--XyZ--") << QByteArray("model")
        << QByteArray("gpt-4o-mini-transcribe");
}

void TestMultipartForm::withField()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, value);
    const MultipartForm f = std::get<MultipartForm>(MultipartForm::parse(contentType, body));
    const QList<QByteArray> pieces = f.withField(name, value);
    QVERIFY(!pieces.isEmpty());

    // The reassembled body parses to the same form with the field changed (or added last).
    const auto again = MultipartForm::parse(contentType, joined(pieces));
    QVERIFY2(std::holds_alternative<MultipartForm>(again),
             std::holds_alternative<OpenAiError>(again) ? qPrintable(std::get<OpenAiError>(again).message) : "");
    const MultipartForm &g = std::get<MultipartForm>(again);
    const bool present = f.part(name) != nullptr;
    QCOMPARE(g.parts().size(), f.parts().size() + (present ? 0 : 1));
    const QByteArray expectedName = present ? name : QByteArray(name).replace("\"", "%22").replace("\r", "%0D").replace("\n", "%0A");
    QVERIFY(g.part(expectedName));
    QCOMPARE(g.data(*g.part(expectedName)).toByteArray(), value);
    if (!present)
        QCOMPARE(g.parts().last().name, expectedName);
    for (qsizetype i = 0; i < f.parts().size(); ++i) {
        const MultipartPart &before = f.parts()[i];
        const MultipartPart &after = g.parts()[i];
        QCOMPARE(after.name, before.name);
        QCOMPARE(after.fileName, before.fileName);
        QCOMPARE(after.contentType, before.contentType);
        if (&before != f.part(name))
            QCOMPARE(g.data(after), f.data(before));
    }

    // Every unchanged piece is a view into the original body; the file's bytes lie inside one of them.
    const MultipartPart *file = f.part("file");
    bool fileInAView = file == nullptr;
    for (const QByteArray &piece : pieces) {
        if (pointsInto(piece.constData(), body)) {
            QVERIFY(pointsInto(piece.constData() + piece.size() - 1, body));
            if (file && piece.constData() <= body.constData() + file->dataBegin
                && piece.constData() + piece.size() >= body.constData() + file->dataBegin + file->dataSize)
                fileInAView = true;
        }
    }
    QVERIFY(fileInAView);
}

void TestMultipartForm::withFieldRefusesADelimiter()
{
    const MultipartForm f = std::get<MultipartForm>(MultipartForm::parse(kType, form({field("model", "a")})));
    QVERIFY(f.withField("model", "x\r\n--XyZ--\r\n").isEmpty());
    QVERIFY(f.withField("model", "--XyZ\r\n").isEmpty());   // after the headers' CRLF it starts a delimiter line
    QVERIFY(f.withField("model", "ok\r\n--XyZX").isEmpty());   // refused too: a line starting like a delimiter
    const QList<QByteArray> fine = f.withField("other", "ok --XyZ\r\n-XyZ");   // not at a line start: data
    QVERIFY(!fine.isEmpty());
    const auto again = MultipartForm::parse(kType, joined(fine));
    QVERIFY(std::holds_alternative<MultipartForm>(again));
    QCOMPARE(std::get<MultipartForm>(again).text("other"), u"ok --XyZ\r\n-XyZ"_qs);
}

void TestMultipartForm::largeFileIsNotCopied()
{
    // A 25 MB upload: parsed in place, the file part a view into the same buffer, its pieces too.
    QByteArray audio(25 * 1000 * 1000, '\0');
    for (qsizetype i = 0; i < audio.size(); i += 4096)
        audio[i] = char('-' + (i % 3));   // sprinkle dashes and others so the matcher has work
    const QByteArray body = form({field("model", "whisper-1"),
                                  "Content-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                                  "Content-Type: audio/wav\r\n\r\n" + audio});
    const char *const original = body.constData();
    const auto parsed = MultipartForm::parse(kType, body);
    QVERIFY(std::holds_alternative<MultipartForm>(parsed));
    const MultipartForm &f = std::get<MultipartForm>(parsed);
    QCOMPARE(f.body().constData(), original);
    QCOMPARE(f.data(*f.part("file")).data(), original + f.part("file")->dataBegin);
    QCOMPARE(f.data(*f.part("file")).size(), audio.size());
    const QList<QByteArray> pieces = f.withField("model", "whisper-large-v3");
    QCOMPARE(pieces.size(), 3);
    QCOMPARE(pieces[2].constData(), original + f.part("model")->dataBegin + f.part("model")->dataSize);
    // A field past its limit is refused without reading it as text.
    const auto tooLarge = MultipartForm::parse(kType, form({field("prompt", audio)}));
    QVERIFY(std::holds_alternative<OpenAiError>(tooLarge));
}

void TestMultipartForm::mutations()
{
    // 2000 damaged copies per client body (bytes overwritten with framing characters, cut, a block repeated;
    // deterministic seeds): each parses to in-bounds parts or a 400, never anything else.
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    static const char alphabet[] = "\r\n-\" ;=:*'%";
    QRandomGenerator rng(qHash(body));
    int parsed = 0;
    for (int round = 0; round < 2000; ++round) {
        QByteArray data = body;
        const int edits = 1 + int(rng.bounded(6));
        for (int e = 0; e < edits && !data.isEmpty(); ++e) {
            const qsizetype at = qsizetype(rng.bounded(quint32(data.size())));
            switch (rng.bounded(3)) {
            case 0:
                data[at] = alphabet[rng.bounded(quint32(sizeof alphabet - 1))];
                break;
            case 1:
                data.truncate(at);
                break;
            default:
                data.insert(at, data.mid(at, qsizetype(rng.bounded(80))));
                break;
            }
        }
        const auto result = MultipartForm::parse(contentType, data, {8, 64});
        if (const OpenAiError *e = std::get_if<OpenAiError>(&result)) {
            QCOMPARE(e->httpStatus, 400);
            continue;
        }
        ++parsed;
        const MultipartForm &f = std::get<MultipartForm>(result);
        QVERIFY(f.parts().size() <= 8);
        for (const MultipartPart &p : f.parts()) {
            QVERIFY(!p.name.isEmpty());
            QVERIFY(p.headerBegin >= 0 && p.headerBegin <= p.dataBegin);
            QVERIFY(p.dataSize >= 0 && p.dataBegin + p.dataSize <= data.size());
            QVERIFY(!p.fileName.isEmpty() || p.dataSize <= 64);
        }
        const QList<QByteArray> pieces = f.withField("model", "m");
        if (!pieces.isEmpty())
            QVERIFY(std::holds_alternative<MultipartForm>(MultipartForm::parse(contentType, joined(pieces), {9, 64})));
    }
    QVERIFY(parsed > 0);   // some damage leaves a valid form (a changed byte inside a file, say)
}

QTEST_GUILESS_MAIN(TestMultipartForm)
#include "tst_multipartform.moc"
