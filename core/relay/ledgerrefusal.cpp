#include "relay/ledgerrefusal.h"

namespace RelayDesk::Relay {

OpenAiError keyRefusal(Store::LedgerFailure failure, const QString &keyHint)
{
    using F = Store::LedgerFailure;
    switch (failure) {
    case F::KeyDisabled:
        return OpenAiError::permissionDenied(QStringLiteral("The API key %1 is disabled.").arg(keyHint), "key_disabled");
    case F::KeyExpired:
        return OpenAiError::permissionDenied(QStringLiteral("The API key %1 has expired.").arg(keyHint), "key_expired");
    case F::UserDisabled:
        return OpenAiError::permissionDenied(QStringLiteral("The user of this API key is disabled."), "user_disabled");
    default: // gone, or not this user's
        return OpenAiError::invalidApiKey(QStringLiteral("Incorrect API key provided: %1.").arg(keyHint));
    }
}

OpenAiError ledgerRefusal(const Store::LedgerOutcome &refusal, qint64 amount, const QString &keyHint)
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
    case F::KeyDisabled:
    case F::KeyExpired:
    case F::KeyNotFound:
    case F::KeyNotOwned:
    case F::UserNotFound:
        return keyRefusal(refusal.failure, keyHint);
    case F::Database:
        return OpenAiError::storeUnavailable();
    default:
        return OpenAiError::internal(
            QStringLiteral("The quota ledger refused the call (%1).").arg(Store::ledgerFailureName(refusal.failure)));
    }
}

} // namespace RelayDesk::Relay
