// MediaDuration: the duration of a whole audio file through libavformat, one real short file per accepted
// container (tests/tokenize/data, made by tools/make_audio_fixtures.sh: a 1.5 s tone each) and hostile input.
//
// Every fixture holds exactly 1.5 s of audio (24 000 samples at 16 kHz, 12 000 at 8 kHz for WAV). Where the
// container or libavformat tells the encoder delay and padding (WAV/FLAC sample counts, LAME tag, MP4 edit
// list, Ogg granules) the answer is exactly 1500 ms. Where nothing does, the answer may include padding up to
// the codec's frame and no more; each row's bound says which:
//   - mp3 without a Xing/LAME header: LAME's delay (576 + 529 samples) plus the last frame's padding, whole
//     576-sample frames at 16 kHz (36 ms): 44 frames = 1584 ms, so [1500, 1500 + 69 + 36].
//   - Opus in WebM: 20 ms frames, timestamps in 1 ms, delay 312 samples (6.5 ms): [1500, 1520].
//   - MP2 in MPEG-PS: whole 1152-sample frames at 16 kHz (72 ms) and no padding info: [1500, 1572].
#include "tokenize/mediaduration.h"

#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QTest>

using namespace RelayDesk::Tokenize;

namespace {

QByteArray fixture(const QString &name)
{
    QFile file(QFINDTESTDATA(u"data/"_qs + name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s (run tools/make_audio_fixtures.sh)", qPrintable(name));
    return file.readAll();
}

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QByteArray b(size, Qt::Uninitialized);
    QRandomGenerator rng(seed);
    for (qsizetype i = 0; i < size; ++i)
        b[i] = char(rng.bounded(256));
    return b;
}

void putBe32(QByteArray &b, qsizetype at, quint32 v)
{
    for (int i = 0; i < 4; ++i)
        b[at + i] = char((v >> (24 - 8 * i)) & 0xff);
}

void putLe32(QByteArray &b, qsizetype at, quint32 v)
{
    for (int i = 0; i < 4; ++i)
        b[at + i] = char((v >> (8 * i)) & 0xff);
}

// The mp3 fixture with its Xing header claiming `frames` frames (about 36 ms each): a huge stated duration
// over 44 real frames.
QByteArray lyingXing(quint32 frames)
{
    QByteArray b = fixture(u"tone.mp3"_qs);
    qsizetype at = b.indexOf("Xing");
    if (at < 0)
        at = b.indexOf("Info");
    if (at < 0 || !(quint8(b[at + 7]) & 1))
        qFatal("tone.mp3 has no Xing frame count");
    putBe32(b, at + 8, frames);
    return b;
}

// The WAV fixture with its data chunk (and RIFF size) claiming `bytes`.
QByteArray lyingWav(quint32 bytes)
{
    QByteArray b = fixture(u"tone.wav"_qs);
    const qsizetype data = b.indexOf("data");
    putLe32(b, data + 4, bytes);
    putLe32(b, 4, bytes + quint32(data) + 8 - 8);
    return b;
}

// An mp3 of `copies` times the Xing-less fixture's frames back to back: a long file to scan.
QByteArray longMp3(int copies)
{
    const QByteArray one = fixture(u"tone.mpga"_qs);
    QByteArray b;
    b.reserve(one.size() * copies);
    for (int i = 0; i < copies; ++i)
        b += one;
    return b;
}

} // namespace

class TestMediaDuration final : public QObject {
    Q_OBJECT

private slots:
    void formats_data();
    void formats();
    void hostile_data();
    void hostile();
    void mutations_data();
    void mutations();
    void viewNeverReadsOutside();
    void longFileIsScannedQuickly();
};

void TestMediaDuration::formats_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("format");
    QTest::addColumn<qint64>("low");
    QTest::addColumn<qint64>("high");
    const auto row = [](const char *name, const QString &file, const QString &format, qint64 low, qint64 high) {
        QTest::newRow(name) << fixture(file) << format << low << high;
    };
    row("wav pcm_s16le 8 kHz", u"tone.wav"_qs, u"wav"_qs, 1500, 1500);
    row("flac", u"tone.flac"_qs, u"flac"_qs, 1500, 1500);
    row("mp3 with LAME tag (gapless)", u"tone.mp3"_qs, u"mp3"_qs, 1500, 1500);
    row("mpga: mp3 without Xing", u"tone.mpga"_qs, u"mp3"_qs, 1500, 1500 + 69 + 36);
    row("m4a aac", u"tone.m4a"_qs, u"m4a"_qs, 1500, 1500);
    row("mp4 aac + mpeg4 video", u"tone.mp4"_qs, u"mp4"_qs, 1500, 1500);
    row("ogg vorbis", u"tone.ogg"_qs, u"ogg"_qs, 1500, 1500);
    row("ogg opus", u"tone.opus"_qs, u"ogg"_qs, 1500, 1500);
    row("webm opus (seekable, Duration stated)", u"tone.webm"_qs, u"webm"_qs, 1500, 1520);
    row("webm opus (piped like MediaRecorder)", u"tone-live.webm"_qs, u"webm"_qs, 1500, 1520);
    row("mpeg-ps mp2", u"tone.mpeg"_qs, u"mpeg"_qs, 1500, 1572);
    // ADTS AAC: what speech returns for response_format "aac"; no duration header, up to one 1024-sample
    // frame of padding at 8 kHz (128 ms) plus the encoder's priming frame.
    row("adts aac (speech output)", u"tone.aac"_qs, u"aac"_qs, 1500, 1500 + 128 + 128);
}

void TestMediaDuration::formats()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, format);
    QFETCH(qint64, low);
    QFETCH(qint64, high);
    const std::optional<MediaInfo> info = MediaDuration::probe(data);
    QVERIFY(info);
    QCOMPARE(info->format, format);
    QVERIFY2(info->milliseconds >= low && info->milliseconds <= high,
             qPrintable(u"%1 ms, expected [%2, %3]"_qs.arg(info->milliseconds).arg(low).arg(high)));
}

void TestMediaDuration::hostile_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<qint64>("low");    // -1: unreadable (nullopt)
    QTest::addColumn<qint64>("high");
    const QByteArray wav = fixture(u"tone.wav"_qs);
    const QByteArray wavHeader = wav.left(wav.indexOf("data") + 8);
    const QByteArray flac = fixture(u"tone.flac"_qs);
    const QByteArray mp3 = fixture(u"tone.mp3"_qs);

    QTest::newRow("empty") << QByteArray() << qint64(-1) << qint64(-1);
    QTest::newRow("one byte") << QByteArray("\xff", 1) << qint64(-1) << qint64(-1);
    QTest::newRow("random 1 KiB") << randomBytes(1024, 1) << qint64(-1) << qint64(-1);
    QTest::newRow("random 64 KiB") << randomBytes(64 * 1024, 2) << qint64(-1) << qint64(-1);
    QTest::newRow("random 2 MiB") << randomBytes(2 * 1024 * 1024, 3) << qint64(-1) << qint64(-1);
    QTest::newRow("text") << QByteArray("Hello, this is a plain text file.\nNot audio at all.\n").repeated(50)
                          << qint64(-1) << qint64(-1);
    QTest::newRow("json") << QByteArray(R"({"model":"whisper-1","file":"speech.mp3"})") << qint64(-1) << qint64(-1);
    // Demuxers that open other resources are not on the whitelist (nothing is opened, no file is read).
    QTest::newRow("hls playlist") << QByteArray("#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n/etc/passwd\n"
                                                "#EXT-X-ENDLIST\n") << qint64(-1) << qint64(-1);
    QTest::newRow("ffconcat") << QByteArray("ffconcat version 1.0\nfile /etc/passwd\n") << qint64(-1) << qint64(-1);
    QTest::newRow("wav header, no samples") << wavHeader << qint64(-1) << qint64(-1);
    QTest::newRow("OggS then garbage") << (QByteArray("OggS") + randomBytes(4000, 4)) << qint64(-1) << qint64(-1);
    QTest::newRow("ID3 then garbage") << (QByteArray("ID3\x03\x00\x00\x00\x00\x00\x10", 10) + randomBytes(4000, 5))
                                      << qint64(-1) << qint64(-1);
    QTest::newRow("mp4 cut before its moov") << fixture(u"tone.m4a"_qs).left(3000) << qint64(-1) << qint64(-1);
    // Truncated files count the audio present, not what their header states (12 000 of 24 000 data bytes).
    QTest::newRow("wav cut at 750 ms") << wav.left(wavHeader.size() + 12000) << qint64(750) << qint64(750);
    // ffmpeg's FLAC starts its frames after 8 KiB of PADDING; 12 000 bytes keep 8 or 9 of the 21 frames
    // (1152 samples = 72 ms each; the partial one is not counted), against 1500 ms in STREAMINFO.
    QTest::newRow("flac cut at 12 000 of 17 021 bytes") << flac.left(12000) << qint64(8 * 72) << qint64(9 * 72);
    // Half of the mp3's 45 frames, less the 69 ms of encoder delay.
    QTest::newRow("mp3 cut at half") << mp3.left(mp3.size() / 2) << qint64(700) << qint64(800);
    // Lying headers: a stated duration far beyond the packets counts what the packets hold. The lying frame
    // count also moves LAME's end padding out of reach, so the last frame's padding (≤ 36 ms) counts.
    QTest::newRow("mp3 Xing claims 10^7 frames (100 h)") << lyingXing(10'000'000) << qint64(1500) << qint64(1536);
    QTest::newRow("mp3 Xing claims 2^32-1 frames") << lyingXing(0xffffffffu) << qint64(1500) << qint64(1536);
    QTest::newRow("wav data chunk claims 2 GiB") << lyingWav(0x7fffff00u) << qint64(1500) << qint64(1500);
    // Bytes after the file's end are not audio.
    QTest::newRow("wav + random tail") << (wav + randomBytes(3000, 6)) << qint64(1500) << qint64(1500);
}

void TestMediaDuration::hostile()
{
    QFETCH(QByteArray, data);
    QFETCH(qint64, low);
    QFETCH(qint64, high);
    const std::optional<MediaInfo> info = MediaDuration::probe(data);
    if (low < 0) {
        QVERIFY2(!info, info ? qPrintable(u"read as %1, %2 ms"_qs.arg(info->format).arg(info->milliseconds)) : "");
        return;
    }
    QVERIFY(info);
    QVERIFY2(info->milliseconds >= low && info->milliseconds <= high,
             qPrintable(u"%1 ms, expected [%2, %3]"_qs.arg(info->milliseconds).arg(low).arg(high)));
}

void TestMediaDuration::mutations_data()
{
    QTest::addColumn<QString>("file");
    for (const char *name : {"tone.wav", "tone.flac", "tone.mp3", "tone.mpga", "tone.m4a", "tone.mp4", "tone.ogg",
                             "tone.opus", "tone.webm", "tone-live.webm", "tone.mpeg"})
        QTest::newRow(name) << QString::fromLatin1(name);
}

void TestMediaDuration::mutations()
{
    // 200 damaged copies per fixture (bytes overwritten, cut, a block repeated), deterministic seeds: the
    // probe returns (ASan/UBSan builds check the rest) with nullopt or a figure within the packet bound.
    QFETCH(QString, file);
    const QByteArray original = fixture(file);
    QRandomGenerator rng(qHash(file));
    for (int round = 0; round < 200; ++round) {
        QByteArray data = original;
        const int edits = 1 + int(rng.bounded(8));
        for (int e = 0; e < edits; ++e) {
            const qsizetype at = qsizetype(rng.bounded(quint32(data.size())));
            switch (rng.bounded(3)) {
            case 0:
                data[at] = char(rng.bounded(256));
                break;
            case 1:
                data.truncate(std::max<qsizetype>(at, 1));
                break;
            default:
                data.insert(at, data.mid(at, qsizetype(rng.bounded(64))));
                break;
            }
        }
        const std::optional<MediaInfo> info = MediaDuration::probe(data);
        if (info) {
            QVERIFY(info->milliseconds >= 0);
            QVERIFY(info->milliseconds <= qint64(data.size()) * MediaDuration::kMaxPacketMilliseconds);
        }
    }
}

void TestMediaDuration::viewNeverReadsOutside()
{
    // A view over the middle of a larger buffer: the bytes after the view hold a second copy of the file,
    // which must not be counted (the reader is clamped to the view, seeks included).
    const QByteArray wav = fixture(u"tone.wav"_qs);
    const QByteArray buffer = QByteArray("junk") + wav + wav;
    const QByteArrayView view(buffer.constData() + 4, wav.size());
    const std::optional<MediaInfo> info = MediaDuration::probe(view);
    QVERIFY(info);
    QCOMPARE(info->milliseconds, qint64(1500));
    // A view cut inside the data counts only what it covers (the header claims 24 000 bytes).
    const std::optional<MediaInfo> cut = MediaDuration::probe(QByteArrayView(buffer.constData() + 4, wav.size() - 8000));
    QVERIFY(cut);
    QCOMPARE(cut->milliseconds, qint64(1000));
}

void TestMediaDuration::longFileIsScannedQuickly()
{
    // 25 MB-class upload of plain mp3 frames (no stated duration: every packet is demuxed). 3 000 copies of
    // the 1.584 s Xing-less fixture: 6 356 B each, ~19 MB, 4752 s. Each copy repeats LAME's delay and padding,
    // which the scan counts like any audio.
    const QByteArray data = longMp3(3000);
    QElapsedTimer timer;
    timer.start();
    const std::optional<MediaInfo> info = MediaDuration::probe(data);
    const qint64 elapsed = timer.elapsed();
    QVERIFY(info);
    QCOMPARE(info->format, u"mp3"_qs);
    QCOMPARE(info->milliseconds, qint64(3000) * 1584);
    qInfo("scanned %lld bytes in %lld ms", qlonglong(data.size()), qlonglong(elapsed));
}

QTEST_GUILESS_MAIN(TestMediaDuration)
#include "tst_mediaduration.moc"
