#pragma once

#include <QByteArray>
#include <QFile>
#include <QString>

#include <string_view>

namespace RelayDesk::Cli {

// The bytes of a file, or of stdin when the path is "-", held for as long as the object lives. A whole
// regular file is mapped (QFile::map), not read: `relaydeskd count` looks at each byte once, and reading
// 10 MB into a fresh buffer cost a page fault per 4 KiB of it plus the copy (issue 18). As with any
// mapping, a file truncated by someone else while it is counted ends the process with SIGBUS. Stdin,
// pipes, empty and unmappable files are read instead.
class InputFile final
{
public:
    // false with *error "cannot read '<path>': <why>" when it cannot be opened or read. At most `maxBytes`
    // when ≥ 0 (then always read, never mapped).
    bool open(const QString &path, QString *error, qint64 maxBytes = -1);
    std::string_view bytes() const { return m_bytes; }

private:
    bool fail(const QString &path, QString *error) const;

    QFile m_file;
    QByteArray m_read; // what was read, when not mapped
    std::string_view m_bytes;
};

} // namespace RelayDesk::Cli
