#include "tokenize/mediaduration.h"

#include <QLoggingCategory>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/intreadwrite.h>
#include <libavutil/log.h>
#include <libavutil/mathematics.h>
}

#include <algorithm>
#include <cstring>
#include <limits>
#include <mutex>
#include <vector>

Q_LOGGING_CATEGORY(lcMedia, "relaydesk.media", QtInfoMsg)

namespace RelayDesk::Tokenize {

namespace {

// Demuxers allowed to claim the data (libavformat matches any name of a comma-separated demuxer name such
// as "mov,mp4,m4a,3gp,3g2,mj2"). mp3 also covers .mpga/.mpeg uploads that are plain MPEG audio; aac is ADTS,
// what speech returns for response_format "aac".
constexpr char kFormatWhitelist[] = "mp3,wav,flac,ogg,mov,mp4,m4a,matroska,webm,mpeg,aac";
// Decoders avformat_find_stream_info may open to learn a stream's parameters (Opus's 48 kHz clock, FLAC's
// sample rate): the audio codecs of those containers only, so hostile video is never decoded.
constexpr char kDecoderWhitelist[] = "aac,aac_fixed,aac_latm,mp1,mp1float,mp2,mp2float,mp3,mp3float,flac,vorbis,"
                                     "opus,alac,ac3,eac3,pcm_u8,pcm_s16le,pcm_s16be,pcm_s24le,pcm_s32le,pcm_f32le,"
                                     "pcm_f64le,pcm_alaw,pcm_mulaw,adpcm_ima_wav,adpcm_ms,gsm_ms";
// Bytes probed for the container and read by avformat_find_stream_info; streams a file may declare.
constexpr int64_t kProbeBytes = 1 << 20;
constexpr int kMaxStreams = 16;
constexpr int kIoBufferSize = 32 * 1024;
constexpr AVRational kMilliseconds{1, 1000};

// libav prints to stderr by default; route warnings and errors to a debug category instead (hostile
// uploads would otherwise fill the log), and drop the chattier levels early.
void avLogToQt(void *avcl, int level, const char *fmt, va_list vl)
{
    if (level > AV_LOG_WARNING || !lcMedia().isDebugEnabled())
        return;
    char line[1024];
    int printPrefix = 1;
    av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &printPrefix);
    qCDebug(lcMedia).noquote() << QByteArrayView(line).trimmed();
}

void installLogHandler()
{
    static std::once_flag once;
    std::call_once(once, [] { av_log_set_callback(avLogToQt); });
}

// The AVIOContext's view of the caller's bytes: reads and seeks are clamped to [0, size].
struct MemoryReader {
    const uint8_t *data = nullptr;
    int64_t size = 0;
    int64_t pos = 0;
};

int readPacket(void *opaque, uint8_t *buf, int bufSize)
{
    auto *r = static_cast<MemoryReader *>(opaque);
    const int64_t n = std::min<int64_t>(bufSize, r->size - r->pos);
    if (n <= 0)
        return AVERROR_EOF;
    std::memcpy(buf, r->data + r->pos, size_t(n));
    r->pos += n;
    return int(n);
}

int64_t seekTo(void *opaque, int64_t offset, int whence)
{
    auto *r = static_cast<MemoryReader *>(opaque);
    if (whence & AVSEEK_SIZE)
        return r->size;
    whence &= ~AVSEEK_FORCE;
    const int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? r->pos : whence == SEEK_END ? r->size : -1;
    if (base < 0 || offset < -base || offset > r->size - base)
        return AVERROR(EINVAL);
    r->pos = base + offset;
    return r->pos;
}

// Demuxers that open other resources (mov references, playlists) go through io_open: refuse them all.
int refuseOpen(AVFormatContext *, AVIOContext **, const char *, int, AVDictionary **)
{
    return AVERROR(EPERM);
}

// Owns the AVIOContext and the AVFormatContext over one buffer.
class Demuxer final {
public:
    explicit Demuxer(QByteArrayView data)
        : m_reader{reinterpret_cast<const uint8_t *>(data.data()), data.size(), 0}
    {
    }
    ~Demuxer()
    {
        avformat_close_input(&m_format);   // leaves a custom pb alone
        if (m_io)
            av_freep(&m_io->buffer);       // libavformat may have replaced the buffer we gave it
        avio_context_free(&m_io);
    }
    Demuxer(const Demuxer &) = delete;
    Demuxer &operator=(const Demuxer &) = delete;

    bool open()
    {
        auto *buffer = static_cast<uint8_t *>(av_malloc(kIoBufferSize));
        if (!buffer)
            return false;
        m_io = avio_alloc_context(buffer, kIoBufferSize, 0, &m_reader, readPacket, nullptr, seekTo);
        if (!m_io) {
            av_free(buffer);
            return false;
        }
        m_format = avformat_alloc_context();
        if (!m_format)
            return false;
        m_format->pb = m_io;
        m_format->flags |= AVFMT_FLAG_CUSTOM_IO;
        m_format->format_whitelist = av_strdup(kFormatWhitelist);
        m_format->codec_whitelist = av_strdup(kDecoderWhitelist);
        m_format->io_open = refuseOpen;
        m_format->probesize = kProbeBytes;
        m_format->max_streams = kMaxStreams;
        // On failure avformat_open_input frees the context and nulls the pointer.
        return avformat_open_input(&m_format, nullptr, nullptr, nullptr) == 0;
    }

    // Codec parameters the headers leave out (Opus's real clock, FLAC's rate) are needed for packet
    // durations; a failure here only means some stream stays unknown, so it is not fatal.
    void readStreamInfo() { avformat_find_stream_info(m_format, nullptr); }

    AVFormatContext *format() const { return m_format; }

private:
    MemoryReader m_reader;
    AVIOContext *m_io = nullptr;
    AVFormatContext *m_format = nullptr;
};

int64_t rescale(int64_t value, AVRational from, AVRational to)
{
    return av_rescale_q_rnd(value, from, to, AVRounding(AV_ROUND_DOWN | AV_ROUND_PASS_MINMAX));
}

// The time one audio stream's packets cover, in its time base (see the rule in the header).
class Coverage final {
public:
    Coverage(const AVStream *stream, bool durationsTrimmed)
        : m_stream(stream), m_durationsTrimmed(durationsTrimmed),
          m_maxPacket(rescale(MediaDuration::kMaxPacketMilliseconds, kMilliseconds, stream->time_base))
    {
    }

    void add(const AVPacket *packet)
    {
        ++m_packets;
        if ((packet->flags & AV_PKT_FLAG_DISCARD) || packet->size <= 0)
            return;   // priming the decoder drops (e.g. AAC's first 1024 samples in MP4), or no audio at all
        int64_t begin = packet->pts != AV_NOPTS_VALUE ? packet->pts
                        : packet->dts != AV_NOPTS_VALUE ? packet->dts : m_nextBegin;
        const int64_t length = std::clamp<int64_t>(packetDuration(packet), 0, m_maxPacket);
        if (begin > std::numeric_limits<int64_t>::max() - length || begin < std::numeric_limits<int64_t>::min() / 2)
            return;   // absurd timestamps: the packet covers nothing we can place
        int64_t end = begin + length;
        m_nextBegin = end;
        trimSkipSamples(packet, begin, end);
        begin = std::max<int64_t>(begin, 0);   // negative times are priming, not played
        if (end > begin)
            m_covered += end - begin;
    }

    qint64 packets() const { return m_packets; }
    qint64 coveredMilliseconds() const { return rescale(m_covered, m_stream->time_base, kMilliseconds); }

private:
    int64_t packetDuration(const AVPacket *packet) const
    {
        if (packet->duration > 0)
            return packet->duration;
        // Some muxers leave block durations out; the codec's frame size tells it for most audio codecs.
        const int samples = av_get_audio_frame_duration2(m_stream->codecpar, packet->size);
        const int rate = m_stream->codecpar->sample_rate;
        return samples > 0 && rate > 0 ? rescale(samples, AVRational{1, rate}, m_stream->time_base) : 0;
    }

    // Encoder delay (skip at start, carried over packets until used up) and end padding, as libavformat
    // reports them in AV_PKT_DATA_SKIP_SAMPLES. Ogg's durations already come trimmed from the granules.
    void trimSkipSamples(const AVPacket *packet, int64_t &begin, int64_t &end)
    {
        const int rate = m_stream->codecpar->sample_rate;
        size_t size = 0;
        const uint8_t *side = av_packet_get_side_data(packet, AV_PKT_DATA_SKIP_SAMPLES, &size);
        if (side && size >= 8 && rate > 0) {
            const AVRational samples{1, rate};
            m_pendingSkip += rescale(AV_RL32(side), samples, m_stream->time_base);
            if (!m_durationsTrimmed)
                end -= std::min(rescale(AV_RL32(side + 4), samples, m_stream->time_base), end - begin);
        }
        const int64_t skip = std::min(m_pendingSkip, end - begin);
        begin += skip;
        m_pendingSkip -= skip;
    }

    const AVStream *m_stream;
    const bool m_durationsTrimmed;
    const int64_t m_maxPacket;
    int64_t m_covered = 0;
    int64_t m_pendingSkip = 0;
    int64_t m_nextBegin = 0;
    qint64 m_packets = 0;
};

bool isWebmCodec(AVCodecID id)
{
    return id == AV_CODEC_ID_OPUS || id == AV_CODEC_ID_VORBIS || id == AV_CODEC_ID_VP8 || id == AV_CODEC_ID_VP9
           || id == AV_CODEC_ID_AV1;
}

QString containerName(const AVFormatContext *format)
{
    const QByteArrayView name(format->iformat->name);
    if (name.startsWith("mov,")) {
        const AVDictionaryEntry *brand = av_dict_get(format->metadata, "major_brand", nullptr, 0);
        return brand && QByteArrayView(brand->value).startsWith("M4A") ? u"m4a"_qs : u"mp4"_qs;
    }
    if (name.startsWith("matroska")) {
        for (unsigned i = 0; i < format->nb_streams; ++i) {
            if (!isWebmCodec(format->streams[i]->codecpar->codec_id))
                return u"matroska"_qs;
        }
        return u"webm"_qs;
    }
    return QString::fromLatin1(name.data(), name.size());
}

// What the headers state for `stream`, in milliseconds, read before any packet (so never an estimate
// from the bit rate or from timestamps).
struct Stated {
    std::vector<int64_t> streamMilliseconds;   // -1 when a stream states nothing
    int64_t formatMilliseconds = -1;
};

Stated statedDurations(const AVFormatContext *format)
{
    Stated stated;
    for (unsigned i = 0; i < format->nb_streams; ++i) {
        const AVStream *s = format->streams[i];
        stated.streamMilliseconds.push_back(
            s->duration > 0 && s->duration != AV_NOPTS_VALUE ? rescale(s->duration, s->time_base, kMilliseconds) : -1);
    }
    if (format->duration > 0 && format->duration != AV_NOPTS_VALUE)
        stated.formatMilliseconds = rescale(format->duration, AV_TIME_BASE_Q, kMilliseconds);
    return stated;
}

} // namespace

std::optional<MediaInfo> MediaDuration::probe(QByteArrayView data)
{
    if (data.isEmpty())
        return std::nullopt;
    installLogHandler();
    Demuxer demuxer(data);
    if (!demuxer.open())
        return std::nullopt;
    AVFormatContext *format = demuxer.format();
    const Stated stated = statedDurations(format);   // before find_stream_info adds its estimates
    demuxer.readStreamInfo();
    const bool oggTrimmed = QByteArrayView(format->iformat->name) == "ogg";

    // Streams can appear while reading (MPEG-PS), so coverages are made on first sight of a packet.
    std::vector<std::optional<Coverage>> coverage;
    AVPacket *packet = av_packet_alloc();
    if (!packet)
        return std::nullopt;
    qint64 packets = 0;
    bool bounded = true;
    while (av_read_frame(format, packet) >= 0) {
        const int index = packet->stream_index;
        if (index >= 0 && unsigned(index) < format->nb_streams
            && format->streams[index]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) {
            if (coverage.size() <= size_t(index))
                coverage.resize(size_t(index) + 1);
            if (!coverage[size_t(index)])
                coverage[size_t(index)].emplace(format->streams[index], oggTrimmed);
            coverage[size_t(index)]->add(packet);
        }
        av_packet_unref(packet);
        if (++packets > kMaxPackets) {
            bounded = false;
            break;
        }
    }
    av_packet_free(&packet);
    if (!bounded)
        return std::nullopt;

    // The audio stream covering the longest time is the one to bill.
    std::optional<qint64> best;
    size_t bestIndex = 0;
    for (size_t i = 0; i < coverage.size(); ++i) {
        if (coverage[i] && coverage[i]->packets() > 0 && (!best || coverage[i]->coveredMilliseconds() > *best)) {
            best = coverage[i]->coveredMilliseconds();
            bestIndex = i;
        }
    }
    if (!best)
        return std::nullopt;
    const int64_t statedMs = bestIndex < stated.streamMilliseconds.size() && stated.streamMilliseconds[bestIndex] >= 0
                                 ? stated.streamMilliseconds[bestIndex]
                                 : stated.formatMilliseconds;
    const qint64 ms = statedMs >= 0 ? std::min<qint64>(statedMs, *best) : *best;
    return MediaInfo{ms, containerName(format)};
}

} // namespace RelayDesk::Tokenize
