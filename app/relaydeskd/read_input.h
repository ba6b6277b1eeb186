#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace RelayDesk::Cli {

// A file's bytes, or stdin's when `path` is "-"; at most `maxBytes` when ≥ 0. nullopt with *error "cannot read
// '<path>': <why>" when it cannot be opened or read.
std::optional<QByteArray> readInput(const QString &path, QString *error, qint64 maxBytes = -1);

} // namespace RelayDesk::Cli
