#pragma once

#include <QString>

namespace RelayDesk {

// The one mask for a secret shown to a person (console, CLI, audit rows): "sk-ab••••••c9", enough to tell
// secrets apart, never enough to use one. Short secrets show no character at all; empty stays empty.
QString maskSecret(const QString &secret);

} // namespace RelayDesk
