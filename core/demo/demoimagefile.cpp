#include "demo/demoimagefile.h"

#include <QtCore/QBuffer>
#include <QtCore/QCryptographicHash>
#include <QtGui/QImage>
#include <QtGui/QImageWriter>

namespace RelayDesk::Relay {

namespace {

constexpr int kMaxSide = 4096;
constexpr int kStripe = 64;

QByteArray writerFormat(const QString &format)
{
    if (format == u"png")
        return "png";
    if (format == u"jpeg" || format == u"jpg")
        return "jpeg";
    if (format == u"webp")
        return "webp";
    return {};
}

} // namespace

bool DemoImageFile::canWrite(const QString &format)
{
    const QByteArray f = writerFormat(format);
    return !f.isEmpty() && QImageWriter::supportedImageFormats().contains(f);
}

std::optional<std::pair<int, int>> DemoImageFile::parseSize(const QString &size)
{
    const QStringList parts = size.split(QLatin1Char('x'));
    bool okW = false;
    bool okH = false;
    if (parts.size() != 2)
        return std::nullopt;
    const int w = parts.at(0).toInt(&okW);
    const int h = parts.at(1).toInt(&okH);
    if (!okW || !okH || w < 1 || h < 1 || w > kMaxSide || h > kMaxSide)
        return std::nullopt;
    return std::pair{w, h};
}

std::optional<QByteArray> DemoImageFile::render(int width, int height, const QByteArray &seed, const QString &format,
                                                bool transparent)
{
    if (!canWrite(format) || width < 1 || height < 1 || width > kMaxSide || height > kMaxSide)
        return std::nullopt;
    const QByteArray digest = QCryptographicHash::hash(seed, QCryptographicHash::Sha256);
    const QColor colour(quint8(digest.at(0)), quint8(digest.at(1)), quint8(digest.at(2)));
    const bool alpha = transparent && format != u"jpeg";
    QImage image(width, height, alpha ? QImage::Format_ARGB32 : QImage::Format_RGB32);
    image.fill(alpha ? Qt::transparent : colour);
    const QRgb plain = colour.rgb();
    const QRgb stripe = colour.darker(130).rgb();
    const int margin = alpha ? std::min(width, height) / 8 : 0;
    for (int y = margin; y < height - margin; ++y) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        const QRgb value = (y / kStripe) % 2 ? stripe : plain;
        std::fill(line + margin, line + width - margin, value);
    }
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, writerFormat(format));
    if (!writer.write(image))
        return std::nullopt;
    return bytes;
}

} // namespace RelayDesk::Relay
