// Every libav function RelayDesk calls, defined here as a forwarder to the real one in the library loaded on
// first use (ondemand/ondemandlibrary.h, by the soname the headers were built against), so the executables do
// not list libav among their dynamic dependencies. The headers declare each function; a forwarder whose
// signature differs from libav's does not compile. A function newly called elsewhere in core/ fails to link
// until it is added here.
#include "ondemand/ondemandlibrary.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/dict.h>
#include <libavutil/frame.h>
#include <libavutil/log.h>
#include <libavutil/mathematics.h>
#include <libavutil/mem.h>
}

namespace {

#define RELAYDESK_LIBAV_SONAME(name, major) "lib" name ".so." AV_STRINGIFY(major)
constexpr const char *kUtil = RELAYDESK_LIBAV_SONAME("avutil", LIBAVUTIL_VERSION_MAJOR);
constexpr const char *kCodec = RELAYDESK_LIBAV_SONAME("avcodec", LIBAVCODEC_VERSION_MAJOR);
constexpr const char *kFormat = RELAYDESK_LIBAV_SONAME("avformat", LIBAVFORMAT_VERSION_MAJOR);

} // namespace

// libavutil
RELAYDESK_ONDEMAND_FORWARD(kUtil, int, av_channel_layout_copy, (AVChannelLayout *dst, const AVChannelLayout *src),
                        (dst, src))
RELAYDESK_ONDEMAND_FORWARD(kUtil, void, av_channel_layout_default, (AVChannelLayout *layout, int channels),
                        (layout, channels))
RELAYDESK_ONDEMAND_FORWARD(kUtil, AVDictionaryEntry *, av_dict_get,
                        (const AVDictionary *m, const char *key, const AVDictionaryEntry *prev, int flags),
                        (m, key, prev, flags))
RELAYDESK_ONDEMAND_FORWARD(kUtil, AVFrame *, av_frame_alloc, (void), ())
RELAYDESK_ONDEMAND_FORWARD(kUtil, void, av_frame_free, (AVFrame **frame), (frame))
RELAYDESK_ONDEMAND_FORWARD(kUtil, int, av_frame_get_buffer, (AVFrame *frame, int align), (frame, align))
RELAYDESK_ONDEMAND_FORWARD(kUtil, void, av_frame_unref, (AVFrame *frame), (frame))
RELAYDESK_ONDEMAND_FORWARD(kUtil, void, av_free, (void *ptr), (ptr))
RELAYDESK_ONDEMAND_FORWARD(kUtil, void, av_freep, (void *ptr), (ptr))
RELAYDESK_ONDEMAND_FORWARD(kUtil, int, av_log_format_line2,
                        (void *ptr, int level, const char *fmt, va_list vl, char *line, int lineSize, int *printPrefix),
                        (ptr, level, fmt, vl, line, lineSize, printPrefix))
RELAYDESK_ONDEMAND_FORWARD(kUtil, int, av_log_get_level, (void), ())
RELAYDESK_ONDEMAND_FORWARD(kUtil, void, av_log_set_callback, (void (*callback)(void *, int, const char *, va_list)),
                        (callback))
RELAYDESK_ONDEMAND_FORWARD(kUtil, void, av_log_set_level, (int level), (level))
RELAYDESK_ONDEMAND_FORWARD(kUtil, void *, av_malloc, (size_t size), (size))
RELAYDESK_ONDEMAND_FORWARD(kUtil, int64_t, av_rescale_q_rnd, (int64_t a, AVRational bq, AVRational cq, enum AVRounding rnd),
                        (a, bq, cq, rnd))
RELAYDESK_ONDEMAND_FORWARD(kUtil, char *, av_strdup, (const char *s), (s))

// libavcodec
RELAYDESK_ONDEMAND_FORWARD(kCodec, int, av_get_audio_frame_duration2, (AVCodecParameters *par, int frameBytes),
                        (par, frameBytes))
RELAYDESK_ONDEMAND_FORWARD(kCodec, AVPacket *, av_packet_alloc, (void), ())
RELAYDESK_ONDEMAND_FORWARD(kCodec, void, av_packet_free, (AVPacket **pkt), (pkt))
RELAYDESK_ONDEMAND_FORWARD(kCodec, uint8_t *, av_packet_get_side_data,
                        (const AVPacket *pkt, enum AVPacketSideDataType type, size_t *size), (pkt, type, size))
RELAYDESK_ONDEMAND_FORWARD(kCodec, void, av_packet_rescale_ts, (AVPacket *pkt, AVRational src, AVRational dst),
                        (pkt, src, dst))
RELAYDESK_ONDEMAND_FORWARD(kCodec, void, av_packet_unref, (AVPacket *pkt), (pkt))
RELAYDESK_ONDEMAND_FORWARD(kCodec, AVCodecContext *, avcodec_alloc_context3, (const AVCodec *codec), (codec))
RELAYDESK_ONDEMAND_FORWARD(kCodec, const AVCodec *, avcodec_find_encoder_by_name, (const char *name), (name))
RELAYDESK_ONDEMAND_FORWARD(kCodec, void, avcodec_free_context, (AVCodecContext **avctx), (avctx))
RELAYDESK_ONDEMAND_FORWARD(kCodec, int, avcodec_open2, (AVCodecContext *avctx, const AVCodec *codec, AVDictionary **options),
                        (avctx, codec, options))
RELAYDESK_ONDEMAND_FORWARD(kCodec, int, avcodec_parameters_from_context,
                        (AVCodecParameters *par, const AVCodecContext *codec), (par, codec))
RELAYDESK_ONDEMAND_FORWARD(kCodec, int, avcodec_receive_packet, (AVCodecContext *avctx, AVPacket *pkt), (avctx, pkt))
RELAYDESK_ONDEMAND_FORWARD(kCodec, int, avcodec_send_frame, (AVCodecContext *avctx, const AVFrame *frame), (avctx, frame))

// libavformat
RELAYDESK_ONDEMAND_FORWARD(kFormat, const AVOutputFormat *, av_guess_format,
                        (const char *shortName, const char *filename, const char *mimeType),
                        (shortName, filename, mimeType))
RELAYDESK_ONDEMAND_FORWARD(kFormat, int, av_interleaved_write_frame, (AVFormatContext *s, AVPacket *pkt), (s, pkt))
RELAYDESK_ONDEMAND_FORWARD(kFormat, int, av_read_frame, (AVFormatContext *s, AVPacket *pkt), (s, pkt))
RELAYDESK_ONDEMAND_FORWARD(kFormat, int, av_write_trailer, (AVFormatContext *s), (s))
RELAYDESK_ONDEMAND_FORWARD(kFormat, AVFormatContext *, avformat_alloc_context, (void), ())
RELAYDESK_ONDEMAND_FORWARD(kFormat, int, avformat_alloc_output_context2,
                        (AVFormatContext **ctx, const AVOutputFormat *oformat, const char *formatName,
                         const char *filename),
                        (ctx, oformat, formatName, filename))
RELAYDESK_ONDEMAND_FORWARD(kFormat, void, avformat_close_input, (AVFormatContext **s), (s))
RELAYDESK_ONDEMAND_FORWARD(kFormat, int, avformat_find_stream_info, (AVFormatContext *ic, AVDictionary **options),
                        (ic, options))
RELAYDESK_ONDEMAND_FORWARD(kFormat, void, avformat_free_context, (AVFormatContext *s), (s))
RELAYDESK_ONDEMAND_FORWARD(kFormat, AVStream *, avformat_new_stream, (AVFormatContext *s, const AVCodec *c), (s, c))
RELAYDESK_ONDEMAND_FORWARD(kFormat, int, avformat_open_input,
                        (AVFormatContext **ps, const char *url, const AVInputFormat *fmt, AVDictionary **options),
                        (ps, url, fmt, options))
RELAYDESK_ONDEMAND_FORWARD(kFormat, int, avformat_write_header, (AVFormatContext *s, AVDictionary **options), (s, options))
RELAYDESK_ONDEMAND_FORWARD(kFormat, AVIOContext *, avio_alloc_context,
                        (unsigned char *buffer, int bufferSize, int writeFlag, void *opaque,
                         int (*readPacket)(void *, uint8_t *, int), int (*writePacket)(void *, uint8_t *, int),
                         int64_t (*seek)(void *, int64_t, int)),
                        (buffer, bufferSize, writeFlag, opaque, readPacket, writePacket, seek))
RELAYDESK_ONDEMAND_FORWARD(kFormat, void, avio_context_free, (AVIOContext **s), (s))
