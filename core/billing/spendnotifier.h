#pragma once
// Announces who spent: the Ledger records the owner after each settlement and each consumed charge, from whatever
// thread made it, for the listener that reacts to spending (spend alerts). The owners collect in a set; the first
// record after the listener took them emits spending(), later ones only join the set — a busy relay wakes the
// listener's thread once per take(), not once per call. Connect queued: the write may still sit in the relay's
// group commit (it lands at the end of that event-loop pass), so a listener reads the store a moment later rather
// than in the slot's call.
#include <QtCore/QMutex>
#include <QtCore/QObject>
#include <QtCore/QSet>

#include <utility>

namespace RelayDesk::Billing {

class SpendNotifier final : public QObject
{
    Q_OBJECT

public:
    using Owner = std::pair<qint64, qint64>; // (user id, key id)

    static SpendNotifier &global();

    // Any thread.
    void record(qint64 userId, qint64 keyId);
    // The owners recorded since the last take(), each once (for the one listener).
    QSet<Owner> take();

Q_SIGNALS:
    void spending(); // the first record() after a take()

private:
    SpendNotifier() = default;

    QMutex m_mutex;
    QSet<Owner> m_pending;
};

} // namespace RelayDesk::Billing
