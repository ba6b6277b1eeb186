#pragma once
// Members of a JSON object written straight to compact text — `"key":value` pairs joined by commas, no braces —
// for a hot path that would otherwise build a QJsonObject only to write it out (the log row's other_json of every
// metered call: ~40 members, QJsonObject inserts cost ~2 k instructions each). Values are written as CompactJson
// writes them; CompactJson::write(object, members) puts them after an object's own members.
//
// Keys are plain ASCII names (written without escaping). A key must not repeat, here or in the object the
// members join: JSON readers keep one of two equal keys, and which is not defined.
#include <QtCore/QByteArray>
#include <QtCore/QJsonValue>
#include <QtCore/QLatin1StringView>

namespace RelayDesk {

class JsonMembers final
{
public:
    void add(QLatin1StringView key, const QJsonValue &value);
    // A value already written as compact JSON (an object(), Usage::toJsonText()).
    void addJson(QLatin1StringView key, QByteArrayView json);
    // Members written elsewhere (another JsonMembers' text).
    void addWritten(QByteArrayView members);

    // These members as an object: `{…}`.
    QByteArray object() const;

    const QByteArray &text() const { return m_text; }
    QByteArray take() { return std::move(m_text); }

private:
    void addKey(QLatin1StringView key);
    void separate(); // the comma before a member that follows another

    QByteArray m_text;
};

} // namespace RelayDesk
