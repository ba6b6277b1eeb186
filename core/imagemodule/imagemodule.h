#pragma once
// The core's image work that needs Qt Gui — reading an image's size from its header (tokenize's image
// tokens) and drawing the demo upstream's pictures — lives in a module, librelaydesk_image, that this loads
// on first use. Qt Gui and the ~27 libraries it brings are then no start-up cost of relaydeskd, whose
// commands (count, admin, most of serve) never touch an image (issue 18).
//
// The module is found relative to the running executable, at the path the install rules put it
// (<bindir>/../lib/relaydesk in the package; the build tree mirrors it); a missing module is fatal, as a
// missing library was for the dynamic loader when Qt Gui was linked directly. Thread-safe.
#include "imagemodule/imagemoduleapi.h"

#include <QtCore/QByteArray>
#include <QtCore/QSize>
#include <QtCore/QString>

#include <optional>

namespace RelayDesk::ImageModule {

// Size from the header of encoded image data, in any format QImageReader knows; nullopt when unknown or empty.
std::optional<QSize> headerSize(const QByteArray &data);
// True when `format` ("png", "jpeg", "webp") can be written.
bool canWrite(const QByteArray &format);
// The striped picture encoded as `format`; nullopt when it cannot be written.
std::optional<QByteArray> writeStriped(const RelayDeskStripedImage &image, const QByteArray &format);

// Where the module is looked for (for error messages and tests).
QString modulePath();

} // namespace RelayDesk::ImageModule
