#include "ledger.h"

#include "spendnotifier.h"

#include "metrics/relaymetrics.h"
#include "store/database.h"

#include <algorithm>

namespace RelayDesk::Billing {

namespace {

// Settled tokens by direction and modality, disjoint so that each direction's modalities add up to its total:
// cached and cache-write tokens are taken out of their modality's input, reasoning out of text output.
QList<Metrics::RelayMetrics::Tokens> tokenSeries(const Usage &u)
{
    const auto rest = [](qint64 whole, qint64 part) { return std::max<qint64>(0, whole - part); };
    return {{"input", "text", rest(u.inputText, u.cachedText + u.cacheWrite)},
            {"input", "cached_text", u.cachedText},
            {"input", "cache_write", u.cacheWrite},
            {"input", "audio", rest(u.inputAudio, u.cachedAudio)},
            {"input", "cached_audio", u.cachedAudio},
            {"input", "image", rest(u.inputImage, u.cachedImage)},
            {"input", "cached_image", u.cachedImage},
            {"output", "text", rest(u.outputText, u.outputReasoning)},
            {"output", "reasoning", u.outputReasoning},
            {"output", "audio", u.outputAudio}};
}

} // namespace

Ledger::Ledger(const Store::Database &db, Store::ReservationRepository::Clock clock) : m_repo(db, std::move(clock)) {}

LedgerOutcome Ledger::reserve(qint64 userId, qint64 keyId, qint64 amount, const QString &requestId,
                              const QString &kind, const QString &model, qint64 tokens) const
{
    return m_repo.reserve(userId, keyId, amount, requestId, kind, model, tokens);
}

LedgerOutcome Ledger::charge(qint64 reservationId, qint64 amount) const
{
    LedgerOutcome out = m_repo.charge(reservationId, amount, true);
    if (out && amount > 0)
        SpendNotifier::global().record(out.reservation.userId, out.reservation.keyId);
    return out;
}

LedgerOutcome Ledger::extend(qint64 reservationId, qint64 amount) const
{
    return m_repo.charge(reservationId, amount, false);
}

Store::Staged<LedgerOutcome> Ledger::stageReserve(qint64 userId, qint64 keyId, qint64 amount,
                                                  const QString &requestId, const QString &kind, const QString &model,
                                                  qint64 tokens) const
{
    return m_repo.stageReserve(userId, keyId, amount, requestId, kind, model, tokens);
}

LedgerOutcome Ledger::settle(qint64 reservationId, qint64 finalQuota, Store::LogRecord log) const
{
    const Usage usage = Usage::fromJson(log.other.value(QLatin1StringView("usage")).toObject());
    return stageSettle(reservationId, finalQuota, std::move(log), usage).finish(std::nullopt);
}

Store::Staged<LedgerOutcome> Ledger::stageSettle(qint64 reservationId, qint64 finalQuota, Store::LogRecord log,
                                                 const Usage &usage) const
{
    // Every settlement passes here, whoever makes it (a call, a Realtime session, a closing retry): the
    // metrics count what the consume row says, once — a repeated settle changes nothing and counts nothing.
    const QString model = log.model;
    Store::Staged<LedgerOutcome> staged = m_repo.stageSettle(reservationId, finalQuota, std::move(log));
    staged.finish = [settle = std::move(staged.finish), model, usage,
                     finalQuota](std::optional<Store::ServerAnswer> answer) {
        LedgerOutcome out = settle(std::move(answer));
        if (out && !out.alreadyApplied) {
            Metrics::RelayMetrics::global().settled(out.reservation.userId,
                                                    model.isEmpty() ? out.reservation.model : model, finalQuota,
                                                    tokenSeries(usage));
            SpendNotifier::global().record(out.reservation.userId, out.reservation.keyId);
        }
        return out;
    };
    return staged;
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
    return settle(reservationId, quote.quota, std::move(log));
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
