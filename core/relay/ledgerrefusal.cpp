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

// OpenAI's wording: "Rate limit reached for the API key sk-ab…yz on tokens per min (TPM): Limit 1000, Used 900,
// Requested 200. Please try again in 12s." — type "tokens" for tpm, "requests" for the others.
OpenAiError rateRefusal(const Store::RateRefusal &r)
{
    const QString owner = r.ownerKind == u"key" ? QStringLiteral("the API key %1").arg(r.ownerName)
                                                : QStringLiteral("the user '%1'").arg(r.ownerName);
    const bool tokens = r.kind == u"tpm";
    QString what;
    if (r.kind == u"rpm")
        what = QStringLiteral("requests per min (RPM)");
    else if (r.kind == u"rpd")
        what = QStringLiteral("requests per day (RPD)");
    else if (tokens)
        what = QStringLiteral("tokens per min (TPM)");
    else
        what = QStringLiteral("concurrent requests");
    const QString head = tokens && r.requested > r.cap ? QStringLiteral("Request too large for %1 on %2: Limit %3, "
                                                                        "Requested %4. The input or output tokens "
                                                                        "must be reduced in order to run successfully.")
                                                             .arg(owner, what)
                                                             .arg(r.cap)
                                                             .arg(r.requested)
                                                       : QStringLiteral("Rate limit reached for %1 on %2: Limit %3, "
                                                                        "Used %4, Requested %5. Please try again in %6s.")
                                                             .arg(owner, what)
                                                             .arg(r.cap)
                                                             .arg(r.used)
                                                             .arg(r.requested)
                                                             .arg(r.retryAfterSecs);
    return OpenAiError::rateLimited(head, tokens ? QByteArrayLiteral("tokens") : QByteArrayLiteral("requests"),
                                    r.retryAfterSecs);
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
    case F::RateLimited:
        if (refusal.rate)
            return rateRefusal(*refusal.rate);
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
