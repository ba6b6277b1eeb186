#include "relay/ledgerrefusal.h"

namespace RelayDesk::Relay {

OpenAiError ledgerRefusal(const Store::LedgerOutcome &refusal, qint64 amount)
{
    using F = Store::LedgerFailure;
    switch (refusal.failure) {
    case F::UserQuota:
    case F::KeyQuota:
        return OpenAiError::insufficientQuota(
            QStringLiteral("You exceeded your current quota: this request needs %1 quota reserved (%2).")
                .arg(amount)
                .arg(refusal.failure == F::UserQuota ? QStringLiteral("user balance") : QStringLiteral("key quota")));
    case F::UserDisabled:
        return OpenAiError::permissionDenied(QStringLiteral("The user of this API key is disabled."), "user_disabled");
    case F::KeyDisabled:
    case F::KeyExpired:
    case F::KeyNotFound:
    case F::KeyNotOwned:
    case F::UserNotFound:
        return OpenAiError::invalidApiKey(
            QStringLiteral("The API key is not usable (%1).").arg(Store::ledgerFailureName(refusal.failure)));
    case F::Database:
        return OpenAiError::storeUnavailable();
    default:
        return OpenAiError::internal(
            QStringLiteral("The quota ledger refused the call (%1).").arg(Store::ledgerFailureName(refusal.failure)));
    }
}

} // namespace RelayDesk::Relay
