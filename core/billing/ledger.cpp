#include "ledger.h"

#include "store/database.h"

namespace RelayDesk::Billing {

Ledger::Ledger(const Store::Database &db, Store::ReservationRepository::Clock clock) : m_repo(db, std::move(clock)) {}

LedgerOutcome Ledger::reserve(qint64 userId, qint64 keyId, qint64 amount, const QString &requestId,
                              const QString &kind, const QString &model) const
{
    return m_repo.reserve(userId, keyId, amount, requestId, kind, model);
}

LedgerOutcome Ledger::charge(qint64 reservationId, qint64 amount) const
{
    return m_repo.charge(reservationId, amount, true);
}

LedgerOutcome Ledger::extend(qint64 reservationId, qint64 amount) const
{
    return m_repo.charge(reservationId, amount, false);
}

LedgerOutcome Ledger::settle(qint64 reservationId, qint64 finalQuota, Store::LogRecord log) const
{
    return m_repo.settle(reservationId, finalQuota, std::move(log));
}

LedgerOutcome Ledger::settle(qint64 reservationId, const ModelPricing &pricing, const Usage &usage,
                             Store::LogRecord log) const
{
    if (!usage.isValid()) {
        LedgerOutcome bad;
        bad.failure = LedgerFailure::InvalidAmount;
        bad.message = QStringLiteral("usage has negative token counts");
        return bad;
    }
    const Quote quote = QuotaMath::settle(pricing, usage);
    if (log.model.isEmpty())
        log.model = pricing.model;
    log.promptTokens = usage.inputTotal();
    log.completionTokens = usage.outputTotal();
    log.priceSnapshotId = pricing.snapshotId;
    const QJsonObject ratios = pricing.toJson();
    for (auto it = ratios.begin(); it != ratios.end(); ++it)
        log.other.insert(it.key(), it.value());
    log.other.insert(QStringLiteral("usage"), usage.toJson());
    log.other.insert(QStringLiteral("exact_quota"), quote.exactText());
    if (quote.minimumApplied)
        log.other.insert(QStringLiteral("minimum_charge"), true);
    return m_repo.settle(reservationId, quote.quota, std::move(log));
}

LedgerOutcome Ledger::refund(qint64 reservationId) const
{
    return m_repo.refund(reservationId);
}

Store::Result<int> Ledger::recoverOrphans(const QString &selfInstanceId, qint64 leaseMs) const
{
    return m_repo.recoverOrphans(selfInstanceId, Store::nowMs(), leaseMs);
}

std::optional<Store::Reservation> Ledger::reservation(qint64 id) const
{
    return m_repo.byId(id);
}

} // namespace RelayDesk::Billing
