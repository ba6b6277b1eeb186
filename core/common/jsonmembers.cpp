#include "jsonmembers.h"

#include "compactjson.h"

namespace RelayDesk {

void JsonMembers::add(QLatin1StringView key, const QJsonValue &value)
{
    if (!m_text.isEmpty())
        m_text += ',';
    m_text += '"';
    m_text += QByteArrayView(key.data(), key.size());
    m_text += "\":";
    CompactJson::append(m_text, value);
}

void JsonMembers::addWritten(QByteArrayView members)
{
    if (members.isEmpty())
        return;
    if (!m_text.isEmpty())
        m_text += ',';
    m_text += members;
}

} // namespace RelayDesk
