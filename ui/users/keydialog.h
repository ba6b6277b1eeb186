#pragma once

#include <QString>

class QWidget;

namespace RelayDesk::Ui {

// Shows a freshly created API key once, with a Copy button and the warning that only its hint will be
// visible afterwards. `extra` (optional, rich text) goes under the key, e.g. the base URL to use.
void showKeyOnce(QWidget *parent, const QString &title, const QString &plainKey, const QString &hint,
                 const QString &extra = {});

} // namespace RelayDesk::Ui
