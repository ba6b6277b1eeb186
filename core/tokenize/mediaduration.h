#pragma once
// The duration of a whole audio (or audio+video) file held in memory, read with libavformat: one place for
// the rule, used for chat `input_audio` parts (audioFileMilliseconds), transcription uploads billed without
// usage, and speech output priced by its length.
//
// The rule. The packets of the file's audio stream are demuxed, not decoded (beyond the few frames
// avformat_find_stream_info decodes to learn the real clock, e.g. Opus's 48 kHz), and the time they cover is
// summed, empty packets aside: each packet's [pts, pts + duration) clipped to t >= 0 (negative times are
// codec priming), minus the encoder delay and padding libavformat reports as skip samples (mp3 LAME tag,
// Opus in WebM). Ogg's packet durations already come trimmed from the granule positions, so Ogg's skip data
// is not subtracted twice. When the container states a duration (WAV data size, FLAC STREAMINFO, mp3 Xing
// frames, MP4 track, Ogg last granule, WebM Segment Info), the result is min(stated, covered): a header may
// lower the figure (gapless trimming) but never raise it above what the packets hold, so a truncated file or
// a lying Xing or WAV header is billed for the audio present. With no stated duration (MediaRecorder WebM,
// mp3 without Xing, MPEG-PS) it is the covered time. Where nothing tells the encoder's delay and padding,
// they count as audio: mp3 without a LAME tag (LAME's 1105 samples plus the last frame's padding), MP2 (up to
// one 1152-sample frame), Opus in WebM (up to one 20 ms frame, timestamps in 1 ms).
//
// Bounds. Reads only inside `data` (a custom AVIOContext; libavformat never opens a file or URL: io_open is
// refused, only the accepted demuxers may claim the data and only their audio decoders may be opened); at most
// kMaxPackets packets and one packet counts at most kMaxPacketMilliseconds, so a hostile file costs bounded
// work and yields a bounded figure (packets that claim long durations cannot be disproved without decoding:
// callers still apply their own request limits). A file holding no audio packet is nullopt. libav's log
// goes to the "relaydesk.media" category at debug level (off by default). Thread-safe.
#include <QByteArrayView>
#include <QString>

#include <optional>

namespace RelayDesk::Tokenize {

struct MediaInfo {
    qint64 milliseconds = 0;
    // The container: "mp3", "wav", "flac", "ogg", "mp4", "m4a", "webm", "matroska" or "mpeg" (MPEG-PS).
    QString format;
};

class MediaDuration final {
public:
    // Demuxed packets beyond this make the file unreadable (nullopt): ~9 h of 20 ms Opus frames.
    static constexpr qint64 kMaxPackets = 2'000'000;
    // A longer packet counts this long (no accepted codec has frames near it; PCM packets are < 1 s).
    static constexpr qint64 kMaxPacketMilliseconds = 10'000;

    // The duration of a whole audio (or audio+video) file held in memory; nullopt when it is not a
    // readable media file of an accepted container, or has no audio stream. Never reads outside `data`,
    // never opens a file or a URL (custom AVIOContext over the buffer; format whitelist), bounded work.
    static std::optional<MediaInfo> probe(QByteArrayView data);
};

} // namespace RelayDesk::Tokenize
