#include "demo/demomedia.h"

#include "tokenize/mediaduration.h"

#include <QtCore/QtEndian>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <numbers>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/mathematics.h>
}

namespace RelayDesk::Relay {

namespace {

// An in-memory file for libavformat: read (probe) or write with seeks (muxers that patch their header).
struct MemoryFile
{
    QByteArray bytes;
    const char *data = nullptr; // reading: the caller's bytes
    qint64 size = 0;
    qint64 pos = 0;
};

int readPacket(void *opaque, uint8_t *buf, int size)
{
    auto *m = static_cast<MemoryFile *>(opaque);
    const qint64 left = m->size - m->pos;
    if (left <= 0)
        return AVERROR_EOF;
    const int n = int(std::min<qint64>(size, left));
    std::memcpy(buf, m->data + m->pos, size_t(n));
    m->pos += n;
    return n;
}

// FFmpeg 6.1 made the write callback's buffer const; Debian 12 ships 5.1.
#if LIBAVFORMAT_VERSION_MAJOR >= 61
using WriteBuffer = const uint8_t *;
#else
using WriteBuffer = uint8_t *;
#endif

int writePacket(void *opaque, WriteBuffer buf, int size)
{
    auto *m = static_cast<MemoryFile *>(opaque);
    if (m->pos + size > m->bytes.size())
        m->bytes.resize(m->pos + size);
    std::memcpy(m->bytes.data() + m->pos, buf, size_t(size));
    m->pos += size;
    m->size = m->bytes.size();
    return size;
}

int64_t seekFile(void *opaque, int64_t offset, int whence)
{
    auto *m = static_cast<MemoryFile *>(opaque);
    if (whence & AVSEEK_SIZE)
        return m->size;
    whence &= ~AVSEEK_FORCE;
    const qint64 target = whence == SEEK_SET ? offset
                          : whence == SEEK_CUR ? m->pos + offset
                          : whence == SEEK_END ? m->size + offset
                                               : -1;
    if (target < 0)
        return AVERROR(EINVAL);
    m->pos = target;
    return target;
}

AVIOContext *openIo(MemoryFile &file, bool write)
{
    constexpr int kBuffer = 32 * 1024;
    auto *buffer = static_cast<unsigned char *>(av_malloc(kBuffer));
    return avio_alloc_context(buffer, kBuffer, write ? 1 : 0, &file, write ? nullptr : readPacket,
                              write ? writePacket : nullptr, seekFile);
}

void closeIo(AVIOContext *&io)
{
    if (!io)
        return;
    av_freep(&io->buffer);
    avio_context_free(&io);
}

struct EncoderSpec
{
    const char *muxer;
    QList<const char *> encoders; // by preference
    int bitRate;
};

std::optional<EncoderSpec> specFor(const QString &format)
{
    if (format == u"mp3")
        return EncoderSpec{"mp3", {"libmp3lame", "libshine"}, 64'000};
    if (format == u"opus")
        return EncoderSpec{"ogg", {"libopus"}, 48'000};
    if (format == u"aac")
        return EncoderSpec{"adts", {"aac"}, 64'000};
    if (format == u"flac")
        return EncoderSpec{"flac", {"flac"}, 0};
    return std::nullopt;
}

const AVCodec *encoderFor(const EncoderSpec &spec)
{
    for (const char *name : spec.encoders)
        if (const AVCodec *c = avcodec_find_encoder_by_name(name))
            return c;
    return nullptr;
}

// A sample format the encoder takes that we can fill from s16 mono (planar = packed for one channel).
AVSampleFormat pickSampleFormat(const AVCodec *codec)
{
    for (const AVSampleFormat *f = codec->sample_fmts; f && *f != AV_SAMPLE_FMT_NONE; ++f)
        if (*f == AV_SAMPLE_FMT_S16 || *f == AV_SAMPLE_FMT_S16P || *f == AV_SAMPLE_FMT_FLT
            || *f == AV_SAMPLE_FMT_FLTP)
            return *f;
    return AV_SAMPLE_FMT_NONE;
}

void fillFrame(AVFrame *frame, const qint16 *samples, int count)
{
    const bool isFloat = frame->format == AV_SAMPLE_FMT_FLT || frame->format == AV_SAMPLE_FMT_FLTP;
    for (int i = 0; i < frame->nb_samples; ++i) {
        const qint16 s = i < count ? qFromLittleEndian(samples[i]) : 0;
        if (isFloat)
            reinterpret_cast<float *>(frame->data[0])[i] = float(s) / 32768.0f;
        else
            reinterpret_cast<qint16 *>(frame->data[0])[i] = s;
    }
}

// Sends one frame (nullptr flushes) and writes every packet the encoder has ready.
bool pump(AVCodecContext *ctx, AVFormatContext *out, AVStream *stream, AVFrame *frame, AVPacket *packet)
{
    if (avcodec_send_frame(ctx, frame) < 0)
        return false;
    while (true) {
        const int rc = avcodec_receive_packet(ctx, packet);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            return true;
        if (rc < 0)
            return false;
        av_packet_rescale_ts(packet, ctx->time_base, stream->time_base);
        packet->stream_index = stream->index;
        if (av_interleaved_write_frame(out, packet) < 0)
            return false;
    }
}

// Owns the libav objects of one encode.
struct Encoding
{
    AVCodecContext *ctx = nullptr;
    AVFormatContext *out = nullptr;
    AVIOContext *io = nullptr;
    AVFrame *frame = nullptr;
    AVPacket *packet = nullptr;
    MemoryFile file;

    ~Encoding()
    {
        av_packet_free(&packet);
        av_frame_free(&frame);
        avcodec_free_context(&ctx);
        if (out)
            avformat_free_context(out);
        closeIo(io);
    }

    bool open(const AVCodec *codec, const EncoderSpec &spec)
    {
        ctx = avcodec_alloc_context3(codec);
        if (!ctx || avformat_alloc_output_context2(&out, nullptr, spec.muxer, nullptr) < 0 || !out)
            return false;
        ctx->sample_rate = DemoMedia::kSampleRate;
        av_channel_layout_default(&ctx->ch_layout, 1);
        ctx->sample_fmt = pickSampleFormat(codec);
        ctx->time_base = AVRational{1, DemoMedia::kSampleRate};
        if (spec.bitRate > 0)
            ctx->bit_rate = spec.bitRate;
        if (out->oformat->flags & AVFMT_GLOBALHEADER)
            ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        if (ctx->sample_fmt == AV_SAMPLE_FMT_NONE || avcodec_open2(ctx, codec, nullptr) < 0)
            return false;
        AVStream *stream = avformat_new_stream(out, nullptr);
        if (!stream || avcodec_parameters_from_context(stream->codecpar, ctx) < 0)
            return false;
        stream->time_base = ctx->time_base;
        io = openIo(file, true);
        out->pb = io;
        out->flags |= AVFMT_FLAG_CUSTOM_IO;
        frame = av_frame_alloc();
        packet = av_packet_alloc();
        return io && frame && packet && avformat_write_header(out, nullptr) >= 0;
    }

    bool run(const QByteArray &pcm)
    {
        AVStream *stream = out->streams[0];
        const auto *samples = reinterpret_cast<const qint16 *>(pcm.constData());
        const qint64 total = pcm.size() / 2;
        const bool variable = ctx->codec->capabilities & AV_CODEC_CAP_VARIABLE_FRAME_SIZE;
        const bool smallLast = ctx->codec->capabilities & AV_CODEC_CAP_SMALL_LAST_FRAME;
        const int frameSize = (variable || ctx->frame_size <= 0) ? 1024 : ctx->frame_size;
        for (qint64 offset = 0; offset < total; offset += frameSize) {
            const int count = int(std::min<qint64>(frameSize, total - offset));
            av_frame_unref(frame);
            frame->format = ctx->sample_fmt;
            frame->sample_rate = ctx->sample_rate;
            av_channel_layout_copy(&frame->ch_layout, &ctx->ch_layout);
            frame->nb_samples = (count < frameSize && !variable && !smallLast) ? frameSize : count;
            if (av_frame_get_buffer(frame, 0) < 0)
                return false;
            fillFrame(frame, samples + offset, count);
            frame->pts = offset;
            if (!pump(ctx, out, stream, frame, packet))
                return false;
        }
        return pump(ctx, out, stream, nullptr, packet) && av_write_trailer(out) >= 0;
    }
};

// libav logs every encoder statistic and duration guess on stderr at its default level (info); the demo only
// wants errors. Left alone when the process already chose a level.
void quietLibav()
{
    static std::once_flag once;
    std::call_once(once, [] {
        if (av_log_get_level() == AV_LOG_INFO)
            av_log_set_level(AV_LOG_ERROR);
    });
}

} // namespace

std::optional<qint64> DemoMedia::probeMilliseconds(QByteArrayView data)
{
    const auto media = Tokenize::MediaDuration::probe(data); // the relay's own rule: both measure alike
    return media ? std::optional<qint64>(media->milliseconds) : std::nullopt;
}

QByteArray DemoMedia::tone(qint64 milliseconds)
{
    const qint64 samples = std::max<qint64>(0, milliseconds) * kSampleRate / 1000;
    QByteArray pcm(samples * 2, Qt::Uninitialized);
    for (qint64 i = 0; i < samples; ++i) {
        const double v = 0.3 * std::sin(2 * std::numbers::pi * 440.0 * double(i) / kSampleRate);
        qToLittleEndian<qint16>(qint16(std::lround(v * 32767)), pcm.data() + 2 * i);
    }
    return pcm;
}

QByteArray DemoMedia::wav(const QByteArray &pcm)
{
    QByteArray out(44, Qt::Uninitialized);
    char *h = out.data();
    const quint32 dataSize = quint32(pcm.size());
    std::memcpy(h, "RIFF", 4);
    qToLittleEndian<quint32>(36 + dataSize, h + 4);
    std::memcpy(h + 8, "WAVEfmt ", 8);
    qToLittleEndian<quint32>(16, h + 16);                  // fmt chunk size
    qToLittleEndian<quint16>(1, h + 20);                   // PCM
    qToLittleEndian<quint16>(1, h + 22);                   // mono
    qToLittleEndian<quint32>(kSampleRate, h + 24);
    qToLittleEndian<quint32>(kSampleRate * 2, h + 28);     // bytes per second
    qToLittleEndian<quint16>(2, h + 32);                   // block align
    qToLittleEndian<quint16>(16, h + 34);                  // bits per sample
    std::memcpy(h + 36, "data", 4);
    qToLittleEndian<quint32>(dataSize, h + 40);
    return out + pcm;
}

std::optional<QByteArray> DemoMedia::encode(const QByteArray &pcm, const QString &format)
{
    if (format == u"pcm")
        return pcm;
    if (format == u"wav")
        return wav(pcm);
    quietLibav();
    const auto spec = specFor(format);
    const AVCodec *codec = spec ? encoderFor(*spec) : nullptr;
    if (!codec)
        return std::nullopt;
    Encoding encoding;
    if (!encoding.open(codec, *spec) || !encoding.run(pcm))
        return std::nullopt;
    closeIo(encoding.io); // flushes nothing more: av_write_trailer flushed the AVIO buffer
    return encoding.file.bytes;
}

bool DemoMedia::canEncode(const QString &format)
{
    if (format == u"pcm" || format == u"wav")
        return true;
    const auto spec = specFor(format);
    return spec && encoderFor(*spec) && av_guess_format(spec->muxer, nullptr, nullptr);
}

QByteArray DemoMedia::contentType(const QString &format)
{
    if (format == u"mp3")
        return "audio/mpeg";
    if (format == u"opus")
        return "audio/opus";
    if (format == u"aac")
        return "audio/aac";
    if (format == u"flac")
        return "audio/flac";
    if (format == u"wav")
        return "audio/wav";
    return "audio/pcm";
}

} // namespace RelayDesk::Relay
