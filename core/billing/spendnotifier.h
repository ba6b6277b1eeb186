#pragma once
// Announces who spent: emitted by the Ledger after each settlement and each consumed charge, from whatever thread
// made it, for listeners that react to spending (spend alerts). Connect queued: the emitting thread is the relay's,
// and the write may still sit in the relay's group commit (it lands at the end of that event-loop pass), so a
// listener reads the store a moment later rather than in the slot's call.
#include <QtCore/QObject>

namespace RelayDesk::Billing {

class SpendNotifier final : public QObject
{
    Q_OBJECT

public:
    static SpendNotifier &global();

Q_SIGNALS:
    void spent(qint64 userId, qint64 keyId);

private:
    SpendNotifier() = default;
};

} // namespace RelayDesk::Billing
