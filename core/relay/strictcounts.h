#pragma once
// Reads the counts of one untrusted usage object (an upstream's chat `usage`, a Realtime `response.done` usage)
// strictly, remembering the first field that is malformed. The caller rejects the whole usage when problem()
// is set (and counts locally instead): a single bad figure makes every figure of that report suspect.
#include "relay/jsoncount.h"

#include <QtCore/QJsonObject>
#include <QtCore/QString>

namespace RelayDesk::Relay {

class StrictCounts final
{
public:
    // A count (jsonCount: a non-negative integer ≤ 2^53); absent or null is 0.
    template <typename Key>
    qint64 count(const QJsonObject &object, Key key)
    {
        const QJsonValue value = object.value(key);
        if (value.isUndefined() || value.isNull())
            return 0;
        if (const auto n = jsonCount(value))
            return *n;
        fail(QStringLiteral("'%1' is not a non-negative integer ≤ 2^53").arg(key));
        return 0;
    }
    // A details object: an object, or absent/null (= empty); anything else is malformed.
    template <typename Key>
    QJsonObject object(const QJsonObject &parent, Key key)
    {
        const QJsonValue value = parent.value(key);
        if (!value.isObject() && !value.isUndefined() && !value.isNull())
            fail(QStringLiteral("'%1' is not an object").arg(key));
        return value.toObject();
    }
    // Why the usage is malformed (the first problem seen); empty when every field read was well-formed.
    const QString &problem() const { return m_problem; }

private:
    void fail(const QString &problem)
    {
        if (m_problem.isEmpty())
            m_problem = problem;
    }
    QString m_problem;
};

} // namespace RelayDesk::Relay
