#include "read_input.h"

#include "input_file.h"

namespace RelayDesk::Cli {

std::optional<QByteArray> readInput(const QString &path, QString *error, qint64 maxBytes)
{
    InputFile file;
    if (!file.open(path, error, maxBytes))
        return std::nullopt;
    return QByteArray(file.bytes().data(), qsizetype(file.bytes().size()));
}

} // namespace RelayDesk::Cli
