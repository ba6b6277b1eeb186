#include "tokenize/audiotokens.h"
#include "tokenize/mediaduration.h"

#include <QJsonObject>

namespace RelayDesk::Tokenize {

namespace {

constexpr qint64 msPerToken(AudioDirection d) { return d == AudioDirection::Input ? 100 : 50; }

// Declared file formats (chat input_audio "format", upload extensions) and the containers they may hold.
bool formatMatches(QStringView declared, QStringView container)
{
    const auto is = [&](QStringView name) { return declared.compare(name, Qt::CaseInsensitive) == 0; };
    if (is(u"mp3") || is(u"mpga"))
        return container == u"mp3";
    if (is(u"mpeg"))
        return container == u"mp3" || container == u"mpeg";
    if (is(u"mp4") || is(u"m4a"))
        return container == u"mp4" || container == u"m4a";
    if (is(u"ogg") || is(u"oga") || is(u"opus"))
        return container == u"ogg";
    if (is(u"webm"))
        return container == u"webm";
    return is(u"wav") || is(u"flac") ? declared.compare(container, Qt::CaseInsensitive) == 0 : false;
}

} // namespace

std::optional<AudioFormat> AudioFormat::fromJson(const QJsonValue &format)
{
    if (format.isString()) {
        const QString s = format.toString().toLower();
        if (s == u"pcm16")
            return AudioFormat{s, 48000};
        if (s == u"g711_ulaw" || s == u"g711_alaw")
            return AudioFormat{s, 8000};
        return std::nullopt;
    }
    if (!format.isObject())
        return std::nullopt;
    const QJsonObject o = format.toObject();
    const QString type = o.value(u"type").toString().toLower();
    if (type == u"audio/pcmu")
        return AudioFormat{u"g711_ulaw"_qs, 8000};
    if (type == u"audio/pcma")
        return AudioFormat{u"g711_alaw"_qs, 8000};
    if (type == u"audio/pcm") {
        const qint64 rate = o.contains(u"rate") ? o.value(u"rate").toInteger(-1) : 24000;
        if (rate <= 0 || rate > 384000)
            return std::nullopt;
        return AudioFormat{rate == 24000 ? u"pcm16"_qs : u"pcm@%1"_qs.arg(rate), rate * 2};
    }
    return std::nullopt;
}

qint64 audioTokensForMilliseconds(qint64 milliseconds, AudioDirection direction)
{
    return milliseconds > 0 ? milliseconds / msPerToken(direction) : 0;
}

qint64 audioTokensForBytes(qint64 bytes, const AudioFormat &format, AudioDirection direction)
{
    if (bytes <= 0 || format.bytesPerSecond <= 0)
        return 0;
    // bytes / bps seconds = bytes * 1000 / bps ms; tokens = that / msPerToken. One division keeps it exact.
    return bytes * 1000 / (format.bytesPerSecond * msPerToken(direction));
}

std::optional<qint64> base64DecodedLength(QByteArrayView b64)
{
    qsizetype n = b64.size();
    qsizetype padding = 0;
    while (n > 0 && b64[n - 1] == '=' && padding < 2) {
        --n;
        ++padding;
    }
    for (qsizetype i = 0; i < n; ++i) {
        const char c = b64[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'))
            return std::nullopt;
    }
    if ((n + padding) % 4 != 0 && padding != 0)
        return std::nullopt;
    if (n % 4 == 1)
        return std::nullopt;
    return qint64(n) * 3 / 4;
}

AudioTokenAccumulator::AudioTokenAccumulator(AudioFormat format, AudioDirection direction)
    : m_format(std::move(format)), m_direction(direction)
{
}

qint64 AudioTokenAccumulator::addBytes(qint64 bytes)
{
    if (bytes <= 0)
        return 0;
    m_bytes += bytes;
    const qint64 total = audioTokensForBytes(m_bytes, m_format, m_direction);
    const qint64 earned = total - m_tokens;
    m_tokens = total;
    return earned;
}

std::optional<qint64> AudioTokenAccumulator::addBase64(QByteArrayView base64)
{
    const std::optional<qint64> n = base64DecodedLength(base64);
    if (!n)
        return std::nullopt;
    return addBytes(*n);
}

qint64 AudioTokenAccumulator::milliseconds() const
{
    return m_format.bytesPerSecond > 0 ? m_bytes * 1000 / m_format.bytesPerSecond : 0;
}

std::optional<qint64> audioFileMilliseconds(const QByteArray &data, QStringView format)
{
    // One rule for every file duration (MediaDuration); a file that is not what it is declared to be
    // (e.g. WAV bytes sent as "flac") is refused rather than guessed.
    const std::optional<MediaInfo> info = MediaDuration::probe(data);
    if (!info || !formatMatches(format, info->format))
        return std::nullopt;
    return info->milliseconds;
}

} // namespace RelayDesk::Tokenize
