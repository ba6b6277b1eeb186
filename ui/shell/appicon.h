#pragma once

#include <QIcon>

namespace RelayDesk::Ui {

// The RelayDesk icon (window, tray), drawn at every size rather than shipped as pixmaps.
QIcon appIcon();

} // namespace RelayDesk::Ui
