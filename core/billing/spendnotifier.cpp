#include "spendnotifier.h"

namespace RelayDesk::Billing {

SpendNotifier &SpendNotifier::global()
{
    static SpendNotifier notifier;
    return notifier;
}

} // namespace RelayDesk::Billing
