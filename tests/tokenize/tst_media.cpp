// Image and audio token rules (newapi-billing.md §4.1, §4.3 with OpenAI's documented audio rates).
#include "tokenize/audiotokens.h"
#include "tokenize/imagetokens.h"

#include <QBuffer>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace RelayDesk::Tokenize;

namespace {

QByteArray encodeImage(int w, int h, const char *format)
{
    QImage img(w, h, QImage::Format_RGB32);
    img.fill(Qt::darkCyan);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!img.save(&buffer, format))
        return {};
    return bytes;
}

void putLe(QByteArray &b, qsizetype at, quint32 v, int n)
{
    for (int i = 0; i < n; ++i)
        b[at + i] = char((v >> (8 * i)) & 0xff);
}

QByteArray webp(const char *chunk, int w, int h)
{
    QByteArray b(40, '\0');
    b.replace(0, 4, "RIFF");
    b.replace(8, 4, "WEBP");
    b.replace(12, 4, chunk);
    if (qstrcmp(chunk, "VP8 ") == 0) {
        b[23] = char(0x9d);
        b[24] = char(0x01);
        b[25] = char(0x2a);
        putLe(b, 26, quint32(w), 2);
        putLe(b, 28, quint32(h), 2);
    } else if (qstrcmp(chunk, "VP8L") == 0) {
        b[20] = char(0x2f);
        putLe(b, 21, quint32(w - 1) | (quint32(h - 1) << 14), 4);
    } else {
        putLe(b, 24, quint32(w - 1), 3);
        putLe(b, 27, quint32(h - 1), 3);
    }
    return b;
}

// Minimal GIF: header, logical screen, 2-colour table, one image of the same size, trailer.
QByteArray gif(int w, int h)
{
    QByteArray b("GIF89a");
    QByteArray lsd(7, '\0');
    putLe(lsd, 0, quint32(w), 2);
    putLe(lsd, 2, quint32(h), 2);
    lsd[4] = char(0x80);
    b += lsd + QByteArray("\0\0\0\xff\xff\xff", 6);
    QByteArray desc(10, '\0');
    desc[0] = 0x2c;
    putLe(desc, 5, quint32(w), 2);
    putLe(desc, 7, quint32(h), 2);
    b += desc + QByteArray("\x02\x02\x44\x01\x00\x3b", 6);
    return b;
}

QByteArray wav(int sampleRate, int channels, int bitsPerSample, int milliseconds, bool streamingSize = false)
{
    const quint32 byteRate = quint32(sampleRate * channels * bitsPerSample / 8);
    const quint32 dataBytes = byteRate * quint32(milliseconds) / 1000;
    QByteArray b(44, '\0');
    b.replace(0, 4, "RIFF");
    putLe(b, 4, 36 + dataBytes, 4);
    b.replace(8, 8, "WAVEfmt ");
    putLe(b, 16, 16, 4);
    putLe(b, 20, 1, 2);
    putLe(b, 22, quint32(channels), 2);
    putLe(b, 24, quint32(sampleRate), 4);
    putLe(b, 28, byteRate, 4);
    putLe(b, 32, quint32(channels * bitsPerSample / 8), 2);
    putLe(b, 34, quint32(bitsPerSample), 2);
    b.replace(36, 4, "data");
    putLe(b, 40, streamingSize ? 0xFFFFFFFFu : dataBytes, 4);
    return b + QByteArray(qsizetype(dataBytes), '\0');
}

// MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding: 417-byte frames of silence (zero side info),
// 1152 samples each.
QByteArray mp3Frames(int frames)
{
    QByteArray frame(417, '\0');
    frame[0] = char(0xFF);
    frame[1] = char(0xFB);
    frame[2] = char(0x90);
    frame[3] = char(0x44);
    return frame.repeated(frames);
}

} // namespace

class TestMedia final : public QObject {
    Q_OBJECT
private slots:
    void imageVectors_data();
    void imageVectors();
    void imageHeaders_data();
    void imageHeaders();
    void imageUrls_data();
    void imageUrls();
    void audioFormats_data();
    void audioFormats();
    void audioVectors_data();
    void audioVectors();
    void accumulatorIsCumulative();
    void accumulatorBase64();
    void audioFiles_data();
    void audioFiles();
};

void TestMedia::imageVectors_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("w");
    QTest::addColumn<int>("h");
    QTest::addColumn<QString>("detail");
    QTest::addColumn<qint64>("tokens");
    QTest::newRow("4o 1024") << u"gpt-4o"_qs << 1024 << 1024 << u"high"_qs << qint64(765);
    QTest::newRow("4o 2048x4096") << u"gpt-4o"_qs << 2048 << 4096 << u"auto"_qs << qint64(1105);
    QTest::newRow("4o 512 upscaled") << u"gpt-4o"_qs << 512 << 512 << QString() << qint64(765);
    QTest::newRow("4o 1920x1080") << u"gpt-4o"_qs << 1920 << 1080 << u"high"_qs << qint64(1105);
    QTest::newRow("4o low") << u"gpt-4o"_qs << 4000 << 3000 << u"low"_qs << qint64(85);
    QTest::newRow("4o-mini 1024") << u"gpt-4o-mini"_qs << 1024 << 1024 << u"high"_qs << qint64(25501);
    QTest::newRow("gpt-5 1024") << u"gpt-5"_qs << 1024 << 1024 << u"high"_qs << qint64(630);
    QTest::newRow("o1 1024") << u"o1"_qs << 1024 << 1024 << u"high"_qs << qint64(675);
    QTest::newRow("cua 1024") << u"computer-use-preview"_qs << 1024 << 1024 << u"high"_qs << qint64(581);
    QTest::newRow("4.1-mini 1024") << u"gpt-4.1-mini"_qs << 1024 << 1024 << u"high"_qs << qint64(1659);
    QTest::newRow("4.1-mini 1800x2400") << u"gpt-4.1-mini"_qs << 1800 << 2400 << u"high"_qs << qint64(2352);
    QTest::newRow("4.1-nano 1024") << u"gpt-4.1-nano"_qs << 1024 << 1024 << u"high"_qs << qint64(2519);
    QTest::newRow("o4-mini 1024") << u"o4-mini"_qs << 1024 << 1024 << u"low"_qs << qint64(1761);   // patch: detail ignored
    QTest::newRow("GPT-4O upper") << u"GPT-4O"_qs << 1024 << 1024 << u"high"_qs << qint64(765);
    QTest::newRow("claude flat") << u"claude-3-5-sonnet"_qs << 1024 << 1024 << u"high"_qs << qint64(520);
}

void TestMedia::imageVectors()
{
    QFETCH(QString, model);
    QFETCH(int, w);
    QFETCH(int, h);
    QFETCH(QString, detail);
    QFETCH(qint64, tokens);
    QCOMPARE(imageTokensForSize(model, w, h, imageDetailFromString(detail)), tokens);
}

void TestMedia::imageHeaders_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QSize>("size");
    QTest::newRow("png") << encodeImage(640, 480, "PNG") << QSize(640, 480);
    QTest::newRow("jpeg") << encodeImage(300, 700, "JPEG") << QSize(300, 700);
    QTest::newRow("gif") << gif(320, 200) << QSize(320, 200);
    QTest::newRow("webp lossy") << webp("VP8 ", 1920, 1080) << QSize(1920, 1080);
    QTest::newRow("webp lossless") << webp("VP8L", 2048, 4096) << QSize(2048, 4096);
    QTest::newRow("webp extended") << webp("VP8X", 5000, 3) << QSize(5000, 3);
}

void TestMedia::imageHeaders()
{
    QFETCH(QByteArray, data);
    QFETCH(QSize, size);
    QVERIFY(!data.isEmpty());
    QCOMPARE(imageSizeFromBytes(data).value_or(QSize()), size);
    // A header alone is enough for GIF and WebP (PNG and JPEG readers want more than the header).
    if (data.startsWith("GIF") || data.startsWith("RIFF"))
        QCOMPARE(imageSizeFromBytes(data.left(40)).value_or(QSize()), size);
}

void TestMedia::imageUrls_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("detail");
    QTest::addColumn<qint64>("tokens");
    const QString png = u"data:image/png;base64,"_qs + QString::fromLatin1(encodeImage(1920, 1080, "PNG").toBase64());
    const QString webpUrl = u"data:image/webp;base64,"_qs + QString::fromLatin1(webp("VP8X", 1800, 2400).toBase64());
    QTest::newRow("png data url") << u"gpt-4o"_qs << png << QString() << qint64(1105);
    QTest::newRow("png low") << u"gpt-4o"_qs << png << u"low"_qs << qint64(85);
    QTest::newRow("webp patch") << u"gpt-4.1-mini"_qs << webpUrl << QString() << qint64(2352);
    QTest::newRow("remote url flat") << u"gpt-4o"_qs << u"https://example.com/cat.png"_qs << QString() << qint64(255);
    QTest::newRow("remote gpt-5 flat") << u"gpt-5"_qs << u"https://example.com/cat.png"_qs << u"high"_qs << qint64(210);
    QTest::newRow("broken data url") << u"gpt-4o"_qs << u"data:image/png;base64,!!!"_qs << QString() << qint64(255);
    QTest::newRow("not an image") << u"gpt-4o"_qs << u"data:image/png;base64,aGVsbG8="_qs << QString() << qint64(255);
    QTest::newRow("non-openai") << u"gemini-2.0-flash"_qs << png << QString() << qint64(520);
}

void TestMedia::imageUrls()
{
    QFETCH(QString, model);
    QFETCH(QString, url);
    QFETCH(QString, detail);
    QFETCH(qint64, tokens);
    QCOMPARE(imageTokensForUrl(model, url, imageDetailFromString(detail)), tokens);
}

void TestMedia::audioFormats_data()
{
    QTest::addColumn<QByteArray>("json");   // the value of "format"
    QTest::addColumn<qint64>("bytesPerSecond");   // 0: rejected
    QTest::newRow("pcm16") << QByteArray("\"pcm16\"") << qint64(48000);
    QTest::newRow("ulaw") << QByteArray("\"g711_ulaw\"") << qint64(8000);
    QTest::newRow("alaw") << QByteArray("\"g711_alaw\"") << qint64(8000);
    QTest::newRow("GA pcm 24k") << QByteArray("{\"type\":\"audio/pcm\",\"rate\":24000}") << qint64(48000);
    QTest::newRow("GA pcm default rate") << QByteArray("{\"type\":\"audio/pcm\"}") << qint64(48000);
    QTest::newRow("GA pcm 16k") << QByteArray("{\"type\":\"audio/pcm\",\"rate\":16000}") << qint64(32000);
    QTest::newRow("GA pcmu") << QByteArray("{\"type\":\"audio/pcmu\"}") << qint64(8000);
    QTest::newRow("GA pcma") << QByteArray("{\"type\":\"audio/pcma\"}") << qint64(8000);
    QTest::newRow("unknown string") << QByteArray("\"pcm\"") << qint64(0);
    QTest::newRow("bad rate") << QByteArray("{\"type\":\"audio/pcm\",\"rate\":-1}") << qint64(0);
    QTest::newRow("number") << QByteArray("42") << qint64(0);
}

void TestMedia::audioFormats()
{
    QFETCH(QByteArray, json);
    QFETCH(qint64, bytesPerSecond);
    const QJsonValue v = QJsonDocument::fromJson("{\"f\":" + json + "}").object().value(u"f");
    const auto f = AudioFormat::fromJson(v);
    QCOMPARE(f ? f->bytesPerSecond : 0, bytesPerSecond);
}

void TestMedia::audioVectors_data()
{
    // §4.3 payloads with OpenAI's documented rates (user 1 / 100 ms, assistant 1 / 50 ms).
    QTest::addColumn<QString>("format");
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<qint64>("input");
    QTest::addColumn<qint64>("output");
    QTest::newRow("pcm16 1 s") << u"pcm16"_qs << qint64(48000) << qint64(10) << qint64(20);
    QTest::newRow("pcm16 0.1 s") << u"pcm16"_qs << qint64(4800) << qint64(1) << qint64(2);
    QTest::newRow("pcm16 20 ms") << u"pcm16"_qs << qint64(960) << qint64(0) << qint64(0);
    QTest::newRow("pcm16 10 s") << u"pcm16"_qs << qint64(480000) << qint64(100) << qint64(200);
    QTest::newRow("ulaw 1 s") << u"g711_ulaw"_qs << qint64(8000) << qint64(10) << qint64(20);
    QTest::newRow("alaw 0.55 s") << u"g711_alaw"_qs << qint64(4400) << qint64(5) << qint64(11);
}

void TestMedia::audioVectors()
{
    QFETCH(QString, format);
    QFETCH(qint64, bytes);
    QFETCH(qint64, input);
    QFETCH(qint64, output);
    const auto f = AudioFormat::fromJson(format);
    QVERIFY(f);
    QCOMPARE(audioTokensForBytes(bytes, *f, AudioDirection::Input), input);
    QCOMPARE(audioTokensForBytes(bytes, *f, AudioDirection::Output), output);
}

void TestMedia::accumulatorIsCumulative()
{
    // 50 frames of 20 ms pcm16 = 1 s: 10 input tokens in total, not 50 x 0.
    AudioTokenAccumulator acc(*AudioFormat::fromJson(u"pcm16"_qs), AudioDirection::Input);
    qint64 earned = 0;
    for (int i = 0; i < 50; ++i) {
        const qint64 e = acc.addBytes(960);
        QVERIFY(e == 0 || e == 1);
        earned += e;
    }
    QCOMPARE(earned, qint64(10));
    QCOMPARE(acc.tokens(), qint64(10));
    QCOMPARE(acc.milliseconds(), qint64(1000));
    QCOMPARE(acc.addBytes(-5), qint64(0));
    AudioTokenAccumulator out(*AudioFormat::fromJson(u"g711_ulaw"_qs), AudioDirection::Output);
    for (int i = 0; i < 7; ++i)
        out.addBytes(160);   // 7 x 20 ms = 140 ms -> 2 output tokens
    QCOMPARE(out.tokens(), qint64(2));
}

void TestMedia::accumulatorBase64()
{
    AudioTokenAccumulator acc(*AudioFormat::fromJson(u"pcm16"_qs), AudioDirection::Output);
    const QByteArray chunk = QByteArray(1200, '\x01').toBase64();   // 600 samples = 25 ms
    QCOMPARE(acc.addBase64(chunk).value_or(-1), qint64(0));
    QCOMPARE(acc.addBase64(chunk).value_or(-1), qint64(1));
    QCOMPARE(acc.bytes(), qint64(2400));
    QVERIFY(!acc.addBase64("not base64!"));
    QCOMPARE(acc.bytes(), qint64(2400));
    QCOMPARE(base64DecodedLength("QQ==").value_or(-1), qint64(1));
    QCOMPARE(base64DecodedLength("QUI").value_or(-1), qint64(2));
    QCOMPARE(base64DecodedLength("").value_or(-1), qint64(0));
    QVERIFY(!base64DecodedLength("Q"));
}

void TestMedia::audioFiles_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("format");
    QTest::addColumn<qint64>("milliseconds");   // -1: unreadable
    QTest::newRow("wav 16k mono 2.5 s") << wav(16000, 1, 16, 2500) << u"wav"_qs << qint64(2500);
    QTest::newRow("wav 44.1k stereo 1.2 s") << wav(44100, 2, 16, 1200) << u"wav"_qs << qint64(1200);
    QTest::newRow("wav streaming size") << wav(8000, 1, 8, 700, true) << u"WAV"_qs << qint64(700);
    QTest::newRow("mp3 100 frames") << mp3Frames(100) << u"mp3"_qs << qint64(100 * 1152 * 1000 / 44100);
    QTest::newRow("not wav") << QByteArray("hello world, not audio") << u"wav"_qs << qint64(-1);
    QTest::newRow("not mp3") << QByteArray(5000, 'x') << u"mp3"_qs << qint64(-1);
    QTest::newRow("unknown format") << wav(16000, 1, 16, 100) << u"flac"_qs << qint64(-1);
}

void TestMedia::audioFiles()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, format);
    QFETCH(qint64, milliseconds);
    QCOMPARE(audioFileMilliseconds(data, format).value_or(-1), milliseconds);
}

QTEST_GUILESS_MAIN(TestMedia)
#include "tst_media.moc"
