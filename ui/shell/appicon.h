#pragma once

#include <QIcon>
#include <QImage>

namespace RelayDesk::Ui {

// The RelayDesk icon (window, tray), drawn at every size rather than shipped as pixmaps.
QIcon appIcon();

// One size of it as an image (no display needed): the build renders the packaged hicolor PNGs from this.
QImage appIconImage(int size);

} // namespace RelayDesk::Ui
