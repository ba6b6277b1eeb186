#include "tokenize/modelmap.h"

#include "tokenize/encoding.h"

#include <QString>

namespace RelayDesk::Tokenize {

const Encoding *encodingForModel(QStringView model)
{
    QString name = model.trimmed().toString().toLower();
    if (name.startsWith(u"ft:"))
        name = name.mid(3).section(u':', 0, 0);   // ft:gpt-4o-mini-2024-07-18:org::id -> gpt-4o-mini-2024-07-18
    if (name.isEmpty())
        return nullptr;

    static constexpr QStringView o200kPrefixes[] = {u"gpt-4o", u"gpt-4.1", u"gpt-4.5", u"gpt-5", u"o1", u"o3", u"o4",
                                                     u"chatgpt-4o", u"gpt-realtime", u"gpt-image-1"};
    for (QStringView p : o200kPrefixes)
        if (name.startsWith(p))
            return Encoding::byName("o200k_base");

    static constexpr QStringView cl100kPrefixes[] = {u"gpt-3.5", u"gpt-35-turbo", u"text-embedding-3"};
    for (QStringView p : cl100kPrefixes)
        if (name.startsWith(p))
            return Encoding::byName("cl100k_base");
    if (name == u"gpt-4" || name.startsWith(u"gpt-4-") || name == u"text-embedding-ada-002" || name == u"davinci-002"
        || name == u"babbage-002")
        return Encoding::byName("cl100k_base");
    return nullptr;
}

} // namespace RelayDesk::Tokenize
