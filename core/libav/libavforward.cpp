// Every libav function RelayDesk calls, defined here as a forwarder to the real one in the library loaded on
// first use (libavlibrary.h), so the executables do not list libav among their dynamic dependencies. The
// headers declare each function; a forwarder whose signature differs from libav's does not compile. A
// function newly called elsewhere in core/ fails to link until it is added here.
#include "libav/libavlibrary.h"

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

// Defines `ret name params` to call the real `name` with `args`; the address is looked up on the first call.
#define RELAYDESK_LIBAV_FORWARD(library, ret, name, params, args)                                      \
    extern "C" ret name params                                                                         \
    {                                                                                                  \
        using RelayDesk::Libav::Library;                                                               \
        static const auto real = reinterpret_cast<decltype(&name)>(                                    \
            RelayDesk::Libav::resolve(Library::library, #name));                                       \
        return real args;                                                                              \
    }

// libavutil
RELAYDESK_LIBAV_FORWARD(Util, int, av_channel_layout_copy, (AVChannelLayout *dst, const AVChannelLayout *src),
                        (dst, src))
RELAYDESK_LIBAV_FORWARD(Util, void, av_channel_layout_default, (AVChannelLayout *layout, int channels),
                        (layout, channels))
RELAYDESK_LIBAV_FORWARD(Util, AVDictionaryEntry *, av_dict_get,
                        (const AVDictionary *m, const char *key, const AVDictionaryEntry *prev, int flags),
                        (m, key, prev, flags))
RELAYDESK_LIBAV_FORWARD(Util, AVFrame *, av_frame_alloc, (void), ())
RELAYDESK_LIBAV_FORWARD(Util, void, av_frame_free, (AVFrame **frame), (frame))
RELAYDESK_LIBAV_FORWARD(Util, int, av_frame_get_buffer, (AVFrame *frame, int align), (frame, align))
RELAYDESK_LIBAV_FORWARD(Util, void, av_frame_unref, (AVFrame *frame), (frame))
RELAYDESK_LIBAV_FORWARD(Util, void, av_free, (void *ptr), (ptr))
RELAYDESK_LIBAV_FORWARD(Util, void, av_freep, (void *ptr), (ptr))
RELAYDESK_LIBAV_FORWARD(Util, int, av_log_format_line2,
                        (void *ptr, int level, const char *fmt, va_list vl, char *line, int lineSize, int *printPrefix),
                        (ptr, level, fmt, vl, line, lineSize, printPrefix))
RELAYDESK_LIBAV_FORWARD(Util, int, av_log_get_level, (void), ())
RELAYDESK_LIBAV_FORWARD(Util, void, av_log_set_callback, (void (*callback)(void *, int, const char *, va_list)),
                        (callback))
RELAYDESK_LIBAV_FORWARD(Util, void, av_log_set_level, (int level), (level))
RELAYDESK_LIBAV_FORWARD(Util, void *, av_malloc, (size_t size), (size))
RELAYDESK_LIBAV_FORWARD(Util, int64_t, av_rescale_q_rnd, (int64_t a, AVRational bq, AVRational cq, enum AVRounding rnd),
                        (a, bq, cq, rnd))
RELAYDESK_LIBAV_FORWARD(Util, char *, av_strdup, (const char *s), (s))

// libavcodec
RELAYDESK_LIBAV_FORWARD(Codec, int, av_get_audio_frame_duration2, (AVCodecParameters *par, int frameBytes),
                        (par, frameBytes))
RELAYDESK_LIBAV_FORWARD(Codec, AVPacket *, av_packet_alloc, (void), ())
RELAYDESK_LIBAV_FORWARD(Codec, void, av_packet_free, (AVPacket **pkt), (pkt))
RELAYDESK_LIBAV_FORWARD(Codec, uint8_t *, av_packet_get_side_data,
                        (const AVPacket *pkt, enum AVPacketSideDataType type, size_t *size), (pkt, type, size))
RELAYDESK_LIBAV_FORWARD(Codec, void, av_packet_rescale_ts, (AVPacket *pkt, AVRational src, AVRational dst),
                        (pkt, src, dst))
RELAYDESK_LIBAV_FORWARD(Codec, void, av_packet_unref, (AVPacket *pkt), (pkt))
RELAYDESK_LIBAV_FORWARD(Codec, AVCodecContext *, avcodec_alloc_context3, (const AVCodec *codec), (codec))
RELAYDESK_LIBAV_FORWARD(Codec, const AVCodec *, avcodec_find_encoder_by_name, (const char *name), (name))
RELAYDESK_LIBAV_FORWARD(Codec, void, avcodec_free_context, (AVCodecContext **avctx), (avctx))
RELAYDESK_LIBAV_FORWARD(Codec, int, avcodec_open2, (AVCodecContext *avctx, const AVCodec *codec, AVDictionary **options),
                        (avctx, codec, options))
RELAYDESK_LIBAV_FORWARD(Codec, int, avcodec_parameters_from_context,
                        (AVCodecParameters *par, const AVCodecContext *codec), (par, codec))
RELAYDESK_LIBAV_FORWARD(Codec, int, avcodec_receive_packet, (AVCodecContext *avctx, AVPacket *pkt), (avctx, pkt))
RELAYDESK_LIBAV_FORWARD(Codec, int, avcodec_send_frame, (AVCodecContext *avctx, const AVFrame *frame), (avctx, frame))

// libavformat
RELAYDESK_LIBAV_FORWARD(Format, const AVOutputFormat *, av_guess_format,
                        (const char *shortName, const char *filename, const char *mimeType),
                        (shortName, filename, mimeType))
RELAYDESK_LIBAV_FORWARD(Format, int, av_interleaved_write_frame, (AVFormatContext *s, AVPacket *pkt), (s, pkt))
RELAYDESK_LIBAV_FORWARD(Format, int, av_read_frame, (AVFormatContext *s, AVPacket *pkt), (s, pkt))
RELAYDESK_LIBAV_FORWARD(Format, int, av_write_trailer, (AVFormatContext *s), (s))
RELAYDESK_LIBAV_FORWARD(Format, AVFormatContext *, avformat_alloc_context, (void), ())
RELAYDESK_LIBAV_FORWARD(Format, int, avformat_alloc_output_context2,
                        (AVFormatContext **ctx, const AVOutputFormat *oformat, const char *formatName,
                         const char *filename),
                        (ctx, oformat, formatName, filename))
RELAYDESK_LIBAV_FORWARD(Format, void, avformat_close_input, (AVFormatContext **s), (s))
RELAYDESK_LIBAV_FORWARD(Format, int, avformat_find_stream_info, (AVFormatContext *ic, AVDictionary **options),
                        (ic, options))
RELAYDESK_LIBAV_FORWARD(Format, void, avformat_free_context, (AVFormatContext *s), (s))
RELAYDESK_LIBAV_FORWARD(Format, AVStream *, avformat_new_stream, (AVFormatContext *s, const AVCodec *c), (s, c))
RELAYDESK_LIBAV_FORWARD(Format, int, avformat_open_input,
                        (AVFormatContext **ps, const char *url, const AVInputFormat *fmt, AVDictionary **options),
                        (ps, url, fmt, options))
RELAYDESK_LIBAV_FORWARD(Format, int, avformat_write_header, (AVFormatContext *s, AVDictionary **options), (s, options))
RELAYDESK_LIBAV_FORWARD(Format, AVIOContext *, avio_alloc_context,
                        (unsigned char *buffer, int bufferSize, int writeFlag, void *opaque,
                         int (*readPacket)(void *, uint8_t *, int), int (*writePacket)(void *, uint8_t *, int),
                         int64_t (*seek)(void *, int64_t, int)),
                        (buffer, bufferSize, writeFlag, opaque, readPacket, writePacket, seek))
RELAYDESK_LIBAV_FORWARD(Format, void, avio_context_free, (AVIOContext **s), (s))
