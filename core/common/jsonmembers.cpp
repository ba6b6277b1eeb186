#include "jsonmembers.h"

#include "compactjson.h"

namespace RelayDesk {

void JsonMembers::add(QLatin1StringView key, const QJsonValue &value)
{
    addKey(key);
    CompactJson::append(m_text, value);
}

void JsonMembers::addJson(QLatin1StringView key, QByteArrayView json)
{
    addKey(key);
    m_text += json;
}

void JsonMembers::addKey(QLatin1StringView key)
{
    separate();
    m_text += '"';
    m_text += QByteArrayView(key.data(), key.size());
    m_text += "\":";
}

void JsonMembers::separate()
{
    if (!m_text.isEmpty())
        m_text += ',';
}

QByteArray JsonMembers::object() const
{
    return '{' + m_text + '}';
}

void JsonMembers::addWritten(QByteArrayView members)
{
    if (members.isEmpty())
        return;
    separate();
    m_text += members;
}

} // namespace RelayDesk
