#include "spendnotifier.h"

namespace RelayDesk::Billing {

SpendNotifier &SpendNotifier::global()
{
    static SpendNotifier notifier;
    return notifier;
}

void SpendNotifier::record(qint64 userId, qint64 keyId)
{
    bool first = false;
    {
        QMutexLocker lock(&m_mutex);
        first = m_pending.isEmpty();
        m_pending.insert({userId, keyId});
    }
    if (first)
        Q_EMIT spending();
}

QSet<SpendNotifier::Owner> SpendNotifier::take()
{
    QMutexLocker lock(&m_mutex);
    return std::exchange(m_pending, {});
}

} // namespace RelayDesk::Billing
