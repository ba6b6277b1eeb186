#include "read_input.h"

#include <QFile>

#include <cstdio>

namespace RelayDesk::Cli {

std::optional<QByteArray> readInput(const QString &path, QString *error, qint64 maxBytes)
{
    QFile file;
    const bool ok = path == u"-" ? file.open(stdin, QIODevice::ReadOnly)
                                 : (file.setFileName(path), file.open(QIODevice::ReadOnly));
    if (!ok) {
        *error = QStringLiteral("cannot read '%1': %2").arg(path, file.errorString());
        return std::nullopt;
    }
    QByteArray data = maxBytes >= 0 ? file.read(maxBytes) : file.readAll();
    if (file.error() != QFileDevice::NoError) {
        *error = QStringLiteral("cannot read '%1': %2").arg(path, file.errorString());
        return std::nullopt;
    }
    return data;
}

} // namespace RelayDesk::Cli
