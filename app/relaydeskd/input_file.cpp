#include "input_file.h"

#include <cstdio>

namespace RelayDesk::Cli {

bool InputFile::open(const QString &path, QString *error, qint64 maxBytes)
{
    const bool standardInput = path == u"-";
    const bool opened = standardInput ? m_file.open(stdin, QIODevice::ReadOnly)
                                      : (m_file.setFileName(path), m_file.open(QIODevice::ReadOnly));
    if (!opened)
        return fail(path, error);
    if (!standardInput && maxBytes < 0 && !m_file.isSequential() && m_file.size() > 0) {
        if (const uchar *mapped = m_file.map(0, m_file.size())) {
            m_bytes = {reinterpret_cast<const char *>(mapped), size_t(m_file.size())};
            return true;
        }
    }
    m_read = maxBytes >= 0 ? m_file.read(maxBytes) : m_file.readAll();
    if (m_file.error() != QFileDevice::NoError)
        return fail(path, error);
    m_bytes = {m_read.constData(), size_t(m_read.size())};
    return true;
}

bool InputFile::fail(const QString &path, QString *error) const
{
    *error = QStringLiteral("cannot read '%1': %2").arg(path, m_file.errorString());
    return false;
}

} // namespace RelayDesk::Cli
