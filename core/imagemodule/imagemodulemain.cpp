// librelaydesk_image: the core's image work on Qt Gui (imagemodule.h), behind one C entry point. Only this
// file links Qt Gui; it is loaded by the executables on first use.
#include "imagemodule/imagemoduleapi.h"

#include <QtCore/QBuffer>
#include <QtGui/QColor>
#include <QtGui/QImage>
#include <QtGui/QImageReader>
#include <QtGui/QImageWriter>

#include <algorithm>

namespace {

constexpr int kStripe = 64;   // height of each plain and each darker band

bool headerSize(const QByteArray *data, int *width, int *height)
{
    QBuffer buffer;
    buffer.setData(*data);
    if (!buffer.open(QIODevice::ReadOnly))
        return false;
    QImageReader reader(&buffer);
    reader.setAutoTransform(false);
    const QSize size = reader.size();   // header only, no pixel decoding
    if (!size.isValid() || size.isEmpty())
        return false;
    *width = size.width();
    *height = size.height();
    return true;
}

bool canWrite(const char *format)
{
    return QImageWriter::supportedImageFormats().contains(QByteArray(format));
}

bool writeStriped(const RelayDeskStripedImage *spec, const char *format, QByteArray *out)
{
    const QColor colour = QColor::fromRgb(spec->rgb);
    const int width = spec->width;
    const int height = spec->height;
    QImage image(width, height, spec->transparent ? QImage::Format_ARGB32 : QImage::Format_RGB32);
    image.fill(spec->transparent ? QColor(Qt::transparent) : colour);
    const QRgb plain = colour.rgb();
    const QRgb stripe = colour.darker(130).rgb();
    const int margin = spec->transparent ? std::min(width, height) / 8 : 0;
    for (int y = margin; y < height - margin; ++y) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        const QRgb value = (y / kStripe) % 2 ? stripe : plain;
        std::fill(line + margin, line + width - margin, value);
    }
    QBuffer buffer(out);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, format);
    return writer.write(image);
}

constexpr RelayDeskImageModuleApi kApi{kRelayDeskImageModuleVersion, headerSize, canWrite, writeStriped};

} // namespace

extern "C" Q_DECL_EXPORT const RelayDeskImageModuleApi *relaydesk_image_module()
{
    return &kApi;
}
