#include "imagemodule/imagemodule.h"

#include "ondemand/ondemandlibrary.h"

#include <QtCore/QDir>
#include <QtCore/QFileInfo>

// The module's entry, when a program links it in itself (the fuzz targets, built outside the install layout the
// module is looked for in); weak, so it is null everywhere else and the module is loaded.
extern "C" const RelayDeskImageModuleApi *relaydesk_image_module() __attribute__((weak));

namespace RelayDesk::ImageModule {

namespace {

// The running executable's directory: /proc/self/exe, so it works before (or without) a QCoreApplication.
QString executableDir()
{
    return QFileInfo(QFileInfo(QStringLiteral("/proc/self/exe")).symLinkTarget()).absolutePath();
}

const RelayDeskImageModuleApi *load()
{
    if (relaydesk_image_module)
        return relaydesk_image_module();
    const QByteArray path = QFile::encodeName(modulePath());
    const auto entry = reinterpret_cast<RelayDeskImageModuleEntry>(
        OnDemand::resolve(path.constData(), kRelayDeskImageModuleEntry));
    const RelayDeskImageModuleApi *api = entry();
    if (!api || api->version != kRelayDeskImageModuleVersion)
        qFatal("%s is version %d, this program needs %d", path.constData(), api ? api->version : 0,
               kRelayDeskImageModuleVersion);
    return api;
}

const RelayDeskImageModuleApi &api()
{
    static const RelayDeskImageModuleApi *const table = load();   // once, also when threads race to it
    return *table;
}

} // namespace

QString modulePath()
{
    return QDir::cleanPath(executableDir() + QLatin1Char('/') + QStringLiteral(RELAYDESK_IMAGE_MODULE_RELATIVE_PATH));
}

std::optional<QSize> headerSize(const QByteArray &data)
{
    int width = 0;
    int height = 0;
    if (!api().headerSize(&data, &width, &height) || width <= 0 || height <= 0)
        return std::nullopt;
    return QSize(width, height);
}

bool canWrite(const QByteArray &format)
{
    return api().canWrite(format.constData());
}

std::optional<QByteArray> writeStriped(const RelayDeskStripedImage &image, const QByteArray &format)
{
    QByteArray bytes;
    if (!api().writeStriped(&image, format.constData(), &bytes))
        return std::nullopt;
    return bytes;
}

} // namespace RelayDesk::ImageModule
