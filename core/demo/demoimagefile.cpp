#include "demo/demoimagefile.h"

#include "imagemodule/imagemodule.h"

#include <QtCore/QCryptographicHash>

namespace RelayDesk::Relay {

namespace {

constexpr int kMaxSide = 4096;

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
    return !f.isEmpty() && ImageModule::canWrite(f);
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
    const auto byte = [&digest](int i) { return uint(quint8(digest.at(i))); };
    const uint rgb = (byte(0) << 16) | (byte(1) << 8) | byte(2);
    const bool transparentBorder = transparent && format != u"jpeg";
    return ImageModule::writeStriped({width, height, rgb, transparentBorder}, writerFormat(format));
}

} // namespace RelayDesk::Relay
