#pragma once
// QJsonDocument::toJson(QJsonDocument::Compact), byte for byte, at a fraction of the cost.
//
// Qt 6.4's writer turns every string into a QByteArray of its own, one UTF-16 unit at a time, before appending it;
// on the relay's hot paths — the upstream body of every chat call (a 400 KB agent prompt: ~1 ms) and the log row's
// other_json (~40 members, a twelfth of a small request's instructions) — that was the largest cost left after
// parsing. This writer appends into one buffer and copies runs of plain ASCII at once.
//
// Same output as Qt's: members in the object's (sorted) order, no spaces, `"` `\` and control characters escaped
// as Qt does (\b \f \n \r \t, else \u00xx), other text as UTF-8, a lone surrogate as \uxxxx, integers as integers,
// doubles shortest round-trip ('g'), a non-finite double as null.
#include <QtCore/QByteArray>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

namespace RelayDesk {

class CompactJson final
{
public:
    static QByteArray write(const QJsonObject &object);
    // The object with more members after its own, already written as text (`"k":v,…`: JsonMembers::text()).
    static QByteArray write(const QJsonObject &object, QByteArrayView moreMembers);
    static QByteArray write(const QJsonArray &array);
    static QByteArray write(const QJsonDocument &document);
    // One value, appended to `out`.
    static void append(QByteArray &out, const QJsonValue &value);
};

} // namespace RelayDesk
