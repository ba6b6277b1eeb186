#pragma once
// Audio input/output tokens by duration, at OpenAI's documented rates: user (input) audio is 1 token per
// 100 ms, assistant (output) audio 1 token per 50 ms. Counts are computed on the cumulative byte count
// of a stream, never truncated per chunk (20 ms frames do add up; the reference peer counts each as 0).
//
// Realtime formats: beta strings "pcm16" (24 kHz, 16-bit mono: 48 000 B/s), "g711_ulaw" / "g711_alaw"
// (8 kHz, 8 000 B/s); GA objects {"type":"audio/pcm","rate":24000} (2 bytes per sample at `rate`),
// {"type":"audio/pcmu"}, {"type":"audio/pcma"}. Unknown formats are rejected (nullopt) instead of being
// guessed, so the caller can fall back knowingly.
//
// Chat `input_audio` parts carry whole files: their duration comes from MediaDuration (libavformat; the
// packets present, capped by what the header states), the one rule for every audio file.
#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QString>

#include <optional>

namespace RelayDesk::Tokenize {

enum class AudioDirection {
    Input,    // user audio: 1 token per 100 ms
    Output,   // assistant audio: 1 token per 50 ms
};

struct AudioFormat {
    QString name;              // normalised: "pcm16", "g711_ulaw", "g711_alaw" or "pcm@<rate>"
    qint64 bytesPerSecond = 0;

    // Beta string or GA object; nullopt when unknown or malformed.
    static std::optional<AudioFormat> fromJson(const QJsonValue &format);
};

// floor(milliseconds / 100) for input, floor(milliseconds / 50) for output.
qint64 audioTokensForMilliseconds(qint64 milliseconds, AudioDirection direction);
// Tokens for `bytes` of raw audio in `format` (exact integer arithmetic).
qint64 audioTokensForBytes(qint64 bytes, const AudioFormat &format, AudioDirection direction);

// Decoded length of standard base64 text without decoding it; nullopt if it is not valid base64.
std::optional<qint64> base64DecodedLength(QByteArrayView base64);

// Feeds chunks of one audio stream (e.g. input_audio_buffer.append or response.audio.delta events) and
// reports the tokens earned so far. Not thread-safe; one per stream and direction.
class AudioTokenAccumulator final {
public:
    AudioTokenAccumulator(AudioFormat format, AudioDirection direction);

    // Adds raw bytes; returns the tokens newly earned by this chunk (>= 0).
    qint64 addBytes(qint64 bytes);
    // Adds a base64 chunk; nullopt (and nothing added) if it is not valid base64.
    std::optional<qint64> addBase64(QByteArrayView base64);

    qint64 bytes() const { return m_bytes; }
    qint64 tokens() const { return m_tokens; }
    qint64 milliseconds() const;
    const AudioFormat &format() const { return m_format; }

private:
    AudioFormat m_format;
    AudioDirection m_direction;
    qint64 m_bytes = 0;
    qint64 m_tokens = 0;
};

// Duration of a whole audio file declared as `format` ("wav", "mp3", and the upload types "flac", "mp4",
// "m4a", "mpeg", "mpga", "ogg", "opus", "webm"); nullopt if the format is unknown, the data unreadable, or
// the data is another container than declared.
std::optional<qint64> audioFileMilliseconds(const QByteArray &data, QStringView format);

} // namespace RelayDesk::Tokenize
