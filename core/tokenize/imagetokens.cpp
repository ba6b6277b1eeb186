#include "tokenize/imagetokens.h"

#include "imagemodule/imagemodule.h"
#include "tokenize/modelmap.h"

#include <QString>

#include <algorithm>
#include <cmath>

namespace RelayDesk::Tokenize {

namespace {

struct ImageRule {
    bool patch = false;
    double multiplier = 1;   // patch rule
    qint64 base = 85;        // tile rule (also the flat estimate's unit)
    qint64 tile = 170;
};

ImageRule ruleFor(QStringView model)
{
    const QString m = model.toString().toLower();
    ImageRule r;
    if (m.contains(u"gpt-4.1-mini"))
        return {true, 1.62};
    if (m.contains(u"gpt-4.1-nano"))
        return {true, 2.46};
    if (m.startsWith(u"o4-mini"))
        return {true, 1.72};
    if (m.startsWith(u"gpt-5-mini"))
        return {true, 1.62};
    if (m.startsWith(u"gpt-5-nano"))
        return {true, 2.46};
    if (m.startsWith(u"gpt-4o-mini")) {
        r.base = 2833;
        r.tile = 5667;
    } else if (m.startsWith(u"gpt-5-chat-latest") || (m.startsWith(u"gpt-5") && !m.contains(u"mini") && !m.contains(u"nano"))) {
        r.base = 70;
        r.tile = 140;
    } else if (m.startsWith(u"o1") || m.startsWith(u"o3")) {
        r.base = 75;
        r.tile = 150;
    } else if (m.contains(u"computer-use-preview")) {
        r.base = 65;
        r.tile = 129;
    }
    return r;
}

constexpr qint64 kNonOpenAIImageTokens = 520;

uint32_t le16(const uchar *p) { return p[0] | (uint32_t(p[1]) << 8); }
uint32_t le24(const uchar *p) { return p[0] | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16); }

// WebP: RIFF....WEBP then a VP8 (lossy), VP8L (lossless) or VP8X (extended) chunk header.
std::optional<QSize> webpSize(const QByteArray &data)
{
    if (data.size() < 30 || !data.startsWith("RIFF") || data.mid(8, 4) != "WEBP")
        return std::nullopt;
    const auto *p = reinterpret_cast<const uchar *>(data.constData());
    const QByteArray chunk = data.mid(12, 4);
    if (chunk == "VP8 " && p[23] == 0x9d && p[24] == 0x01 && p[25] == 0x2a)
        return QSize(int(le16(p + 26) & 0x3fff), int(le16(p + 28) & 0x3fff));
    if (chunk == "VP8L" && p[20] == 0x2f) {
        const uint32_t bits = p[21] | (uint32_t(p[22]) << 8) | (uint32_t(p[23]) << 16) | (uint32_t(p[24]) << 24);
        return QSize(int(1 + (bits & 0x3fff)), int(1 + ((bits >> 14) & 0x3fff)));
    }
    if (chunk == "VP8X")
        return QSize(int(1 + le24(p + 24)), int(1 + le24(p + 27)));
    return std::nullopt;
}

} // namespace

ImageDetail imageDetailFromString(QStringView detail)
{
    if (detail.compare(u"low", Qt::CaseInsensitive) == 0)
        return ImageDetail::Low;
    if (detail.compare(u"high", Qt::CaseInsensitive) == 0)
        return ImageDetail::High;
    return ImageDetail::Auto;
}

bool usesOpenAIImageRules(QStringView model)
{
    return encodingForModel(model) != nullptr || model.contains(u"computer-use-preview", Qt::CaseInsensitive);
}

qint64 imageTokensForSize(QStringView model, int width, int height, ImageDetail detail)
{
    if (!usesOpenAIImageRules(model))
        return kNonOpenAIImageTokens;
    const ImageRule r = ruleFor(model);
    if (width <= 0 || height <= 0)
        return imageFlatTokens(model, detail);
    const double w = width, h = height;
    if (r.patch) {
        // Same float64 expression order as the reference, so the ceil/round land identically.
        double n = std::ceil(w / 32) * std::ceil(h / 32);
        if (n > 1536) {
            double scale = std::sqrt(32.0 * 32.0 * 1536.0 / (w * h));
            const double sw = w * scale / 32, sh = h * scale / 32;
            scale *= std::min(std::floor(sw) / sw, std::floor(sh) / sh);
            n = std::min(std::ceil(w * scale / 32) * std::ceil(h * scale / 32), 1536.0);
        }
        return qint64(std::round(n * r.multiplier));
    }
    if (detail == ImageDetail::Low)
        return r.base;
    const double s = std::max(w, h) > 2048 ? std::max(w, h) / 2048 : 1;
    const double w1 = std::round(w / s), h1 = std::round(h / s);
    const double shortSide = std::min(w1, h1);
    const double w2 = std::round(w1 * 768 / shortSide), h2 = std::round(h1 * 768 / shortSide);
    const qint64 tiles = qint64(std::ceil(w2 / 512)) * qint64(std::ceil(h2 / 512));
    return tiles * r.tile + r.base;
}

qint64 imageFlatTokens(QStringView model, ImageDetail detail)
{
    if (!usesOpenAIImageRules(model))
        return kNonOpenAIImageTokens;
    const ImageRule r = ruleFor(model);
    if (!r.patch && detail == ImageDetail::Low)
        return r.base;
    return 3 * r.base;
}

std::optional<QSize> imageSizeFromBytes(const QByteArray &data)
{
    if (auto s = webpSize(data))
        return s;
    return ImageModule::headerSize(data);   // QImageReader, header only
}

std::optional<QSize> imageSizeFromDataUrl(QStringView url)
{
    if (!url.startsWith(u"data:", Qt::CaseInsensitive))
        return std::nullopt;
    const qsizetype comma = url.indexOf(u',');
    if (comma < 0 || !url.left(comma).endsWith(u";base64", Qt::CaseInsensitive))
        return std::nullopt;
    const auto decoded = QByteArray::fromBase64Encoding(url.mid(comma + 1).toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return imageSizeFromBytes(*decoded);
}

qint64 imageTokensForUrl(QStringView model, QStringView url, ImageDetail detail, const RemoteImageSizer &remote)
{
    if (!usesOpenAIImageRules(model))
        return kNonOpenAIImageTokens;
    // Low detail on a tile model never needs the size.
    if (detail == ImageDetail::Low && !ruleFor(model).patch)
        return ruleFor(model).base;
    std::optional<QSize> size;
    if (url.startsWith(u"data:", Qt::CaseInsensitive))
        size = imageSizeFromDataUrl(url);
    else if (remote)
        size = remote(url);
    if (size && size->width() > 0 && size->height() > 0)
        return imageTokensForSize(model, size->width(), size->height(), detail);
    return imageFlatTokens(model, detail);
}

} // namespace RelayDesk::Tokenize
