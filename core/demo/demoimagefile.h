#pragma once
// The pictures the demo upstream answers image requests with: real, decodable files of the requested size
// (a flat colour from a seed with darker stripes, so equal requests get equal bytes), rendered with QImage
// and written as PNG, JPEG or WebP (when this Qt has a writer for it) by the image module (core/imagemodule,
// loaded on first use). A transparent background leaves the border transparent (PNG and WebP only).
#include <QtCore/QByteArray>
#include <QtCore/QString>

#include <optional>

namespace RelayDesk::Relay {

class DemoImageFile final
{
public:
    // "png", "jpeg" or "webp"; nullopt for another format, one this Qt cannot write, or a size out of 1..4096.
    static std::optional<QByteArray> render(int width, int height, const QByteArray &seed, const QString &format,
                                            bool transparent = false);
    static bool canWrite(const QString &format);
    // "WxH" → {W, H}; nullopt when malformed.
    static std::optional<std::pair<int, int>> parseSize(const QString &size);
};

} // namespace RelayDesk::Relay
