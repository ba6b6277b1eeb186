#include "tokenize/audiotokens.h"

#include <QJsonObject>

#include <mpg123.h>

#include <cstring>
#include <mutex>

namespace RelayDesk::Tokenize {

namespace {

constexpr qint64 msPerToken(AudioDirection d) { return d == AudioDirection::Input ? 100 : 50; }

uint32_t le32(const char *p)
{
    const auto *u = reinterpret_cast<const uchar *>(p);
    return u[0] | (uint32_t(u[1]) << 8) | (uint32_t(u[2]) << 16) | (uint32_t(u[3]) << 24);
}

std::optional<qint64> wavMilliseconds(const QByteArray &data)
{
    if (data.size() < 12 || !data.startsWith("RIFF") || data.mid(8, 4) != "WAVE")
        return std::nullopt;
    qint64 byteRate = 0;
    qsizetype at = 12;
    while (at + 8 <= data.size()) {
        const QByteArray id = data.mid(at, 4);
        const qint64 size = le32(data.constData() + at + 4);
        const qsizetype body = at + 8;
        if (id == "fmt " && size >= 16 && body + 16 <= data.size()) {
            byteRate = le32(data.constData() + body + 8);
        } else if (id == "data") {
            if (byteRate <= 0)
                return std::nullopt;
            // Streaming writers put 0 or 0xFFFFFFFF here; the bytes present are what counts then.
            const qint64 available = data.size() - body;
            const qint64 bytes = (size == 0 || size > available) ? available : size;
            return bytes * 1000 / byteRate;
        }
        at = body + size + (size & 1);
    }
    return std::nullopt;
}

struct MemoryReader {
    const QByteArray *data;
    qint64 pos = 0;
};

mpg123_ssize_t memRead(void *handle, void *buf, size_t count)
{
    auto *r = static_cast<MemoryReader *>(handle);
    const qint64 n = std::min<qint64>(qint64(count), r->data->size() - r->pos);
    if (n <= 0)
        return 0;
    std::memcpy(buf, r->data->constData() + r->pos, size_t(n));
    r->pos += n;
    return mpg123_ssize_t(n);
}

off_t memSeek(void *handle, off_t offset, int whence)
{
    auto *r = static_cast<MemoryReader *>(handle);
    qint64 base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? r->pos : r->data->size();
    const qint64 target = base + qint64(offset);
    if (target < 0 || target > r->data->size())
        return -1;
    r->pos = target;
    return off_t(target);
}

std::optional<qint64> mp3Milliseconds(const QByteArray &data)
{
    static std::once_flag initOnce;
    std::call_once(initOnce, [] { mpg123_init(); });   // a no-op in current libmpg123, required by old ones
    int err = MPG123_OK;
    mpg123_handle *mh = mpg123_new(nullptr, &err);
    if (!mh)
        return std::nullopt;
    std::optional<qint64> result;
    MemoryReader reader{&data};
    mpg123_param(mh, MPG123_ADD_FLAGS, MPG123_QUIET, 0);
    if (mpg123_replace_reader_handle(mh, memRead, memSeek, nullptr) == MPG123_OK && mpg123_open_handle(mh, &reader) == MPG123_OK) {
        long rate = 0;
        int channels = 0, encoding = 0;
        if (mpg123_scan(mh) == MPG123_OK && mpg123_getformat(mh, &rate, &channels, &encoding) == MPG123_OK && rate > 0) {
            const off_t samples = mpg123_length(mh);
            if (samples > 0)
                result = qint64(samples) * 1000 / rate;
        }
        mpg123_close(mh);
    }
    mpg123_delete(mh);
    return result;
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
    if (format.compare(u"wav", Qt::CaseInsensitive) == 0)
        return wavMilliseconds(data);
    if (format.compare(u"mp3", Qt::CaseInsensitive) == 0)
        return mp3Milliseconds(data);
    return std::nullopt;
}

} // namespace RelayDesk::Tokenize
