#include "relay/ledgerrefusal.h"

#include "common/budgetwindow.h"

#include <QtCore/QDateTime>

namespace RelayDesk::Relay {

namespace {

// "Budget exceeded: the API key sk-ab…yz has a daily budget of US$5.00 (2500000 quota) …"
OpenAiError budgetRefusal(const Store::BudgetRefusal &b)
{
    const QString owner = b.ownerKind == u"key" ? QStringLiteral("the API key %1").arg(b.ownerName)
                                                : QStringLiteral("the user '%1'").arg(b.ownerName);
    const auto window = BudgetWindow::parse(b.window);
    const QString resets = QDateTime::fromSecsSinceEpoch(b.resetAt, Qt::UTC).toString(Qt::ISODate);
    return OpenAiError::budgetExceeded(
        QStringLiteral("Budget exceeded: %1 has a %2 budget of US$%3 (%4 quota), %5 spent in this period; this "
                       "request needs %6 quota reserved. The budget resets at %7.")
            .arg(owner, window ? window->adjective() : b.window, QString::number(double(b.cap) / 500000.0, 'f', 2))
            .arg(b.cap)
            .arg(b.spent)
            .arg(b.amount)
            .arg(resets),
        b.retryAfterSecs);
}

} // namespace

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
    case F::BudgetExceeded:
        if (refusal.budget)
            return budgetRefusal(*refusal.budget);
        break;
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
        break;
    }
    return OpenAiError::internal(
        QStringLiteral("The quota ledger refused the call (%1).").arg(Store::ledgerFailureName(refusal.failure)));
}

} // namespace RelayDesk::Relay
