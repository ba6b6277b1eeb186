#pragma once

#include <QString>

namespace RelayDesk {

// Where RelayDesk keeps its database, TLS material and settings.
// An explicit directory (from --data) wins; otherwise the platform's per-user app data location.
QString resolveDataDir(const QString &explicitDir = {});

// Creates the directory (and parents) when missing. Returns false with a message on failure.
bool ensureDataDir(const QString &dir, QString *error);

} // namespace RelayDesk
