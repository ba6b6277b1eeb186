#pragma once
// The demo upstream's audio files: the duration of an uploaded file (transcriptions, translations), read by the
// relay's own rule (Tokenize::MediaDuration) so both sides measure a file alike, and the speech it synthesises —
// a deterministic tone, 24 kHz 16-bit mono PCM like OpenAI's TTS, wrapped as WAV or encoded through Debian's
// FFmpeg libraries as MP3 (libmp3lame), Opus in Ogg (libopus), AAC in ADTS (aac) or FLAC (flac).
#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QString>

#include <optional>

namespace RelayDesk::Relay {

class DemoMedia final
{
public:
    static constexpr int kSampleRate = 24'000; // Hz, mono, signed 16-bit little-endian

    // Duration of a media file's audio in milliseconds (Tokenize::MediaDuration); nullopt when it is not audio.
    static std::optional<qint64> probeMilliseconds(QByteArrayView data);

    // `milliseconds` of a 440 Hz tone as raw PCM (kSampleRate, s16le, mono).
    static QByteArray tone(qint64 milliseconds);
    // PCM → a 44-byte-header RIFF WAVE file.
    static QByteArray wav(const QByteArray &pcm);
    // PCM → "mp3", "opus", "aac" or "flac"; "wav" and "pcm" need no encoder. nullopt when the encoder or muxer
    // is missing from this FFmpeg build, or it fails.
    static std::optional<QByteArray> encode(const QByteArray &pcm, const QString &format);
    // True when encode() can produce `format` here (wav and pcm always).
    static bool canEncode(const QString &format);
    // The Content-Type OpenAI answers a speech request with, per response_format.
    static QByteArray contentType(const QString &format);
};

} // namespace RelayDesk::Relay
