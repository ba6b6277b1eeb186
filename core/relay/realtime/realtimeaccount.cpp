#include "relay/realtime/realtimeaccount.h"

#include "billing/quotamath.h"
#include "relay/realtime/realtimetranscription.h"
#include "relay/usageceilings.h"
#include "store/database.h"
#include "store/storelane.h"

#include <QThread>

#include "tokenize/audiotokens.h"

#include <QDateTime>
#include <QTimer>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace RelayDesk::Relay {

namespace {

QJsonValue exactJson(const mpq_class &value) { return value.get_d(); }

// From the request to the first audio, or to the first text for a turn without audio.
void timeTurn(const MeteredResponse &response, Monitor::SessionTurn &turn)
{
    using LatencyTo = Monitor::SessionTurn::LatencyTo;
    if (response.startedAtMs > 0)
        turn.startedAt = QDateTime::fromMSecsSinceEpoch(response.startedAtMs, Qt::UTC);
    const qint64 first = response.firstAudioAtMs > 0 ? response.firstAudioAtMs : response.firstTextAtMs;
    if (response.startedAtMs <= 0 || first <= 0)
        return;
    turn.latencyMs = std::max<qint64>(0, first - response.startedAtMs);
    turn.latencyTo = response.firstAudioAtMs > 0 ? LatencyTo::Audio : LatencyTo::Text;
}

} // namespace

RealtimeAccount::RealtimeAccount(std::shared_ptr<Store::Database> db, Store::StoreLane &lane,
                                 RealtimeAccountParams params)
    : m_db(std::move(db))
    , m_lane(lane)
    , m_chain(Store::StoreLane::newChain())
    , m_params(std::move(params))
    , m_maxOutputTokens(m_params.defaultMaxOutputTokens)
{
}

RealtimeAccount::~RealtimeAccount() = default;

void RealtimeAccount::enqueue(std::function<void()> step)
{
    m_steps.push_back(std::move(step));
    runSteps();
}

void RealtimeAccount::runSteps()
{
    if (m_inSteps)
        return; // a step finished inside one: the loop below goes on
    m_inSteps = true;
    while (!m_stepRunning && !m_steps.empty()) {
        std::function<void()> step = std::move(m_steps.front());
        m_steps.pop_front();
        m_stepRunning = true;
        step();
    }
    m_inSteps = false;
    if (!isWriting() && m_idle)
        m_idle(); // may queue more (a held frame's audio): a new runSteps()
}

void RealtimeAccount::stepDone()
{
    m_stepRunning = false;
    runSteps();
}

void RealtimeAccount::submit(Write write, Landed landed)
{
    m_lane.submit<Store::LedgerOutcome>(
        [db = m_db, write = std::move(write)] { return write(Billing::Ledger(*db)); },
        [alive = std::weak_ptr<char>(m_alive), landed = std::move(landed), home = m_home](
            const Store::LedgerOutcome &out, bool committed) {
            Store::LedgerOutcome outcome = out;
            if (!committed && out) { // its batch did not commit: nothing of it is durable
                outcome = {};
                outcome.failure = Store::LedgerFailure::Database;
                outcome.message = QStringLiteral("the store lost the write's batch");
            }
            // Whether the account is still there is asked on its own thread, where it is deleted.
            auto land = [alive, landed, outcome] {
                if (!alive.expired())
                    landed(outcome);
            };
            if (home && home->thread() != QThread::currentThread())
                QMetaObject::invokeMethod(home, std::move(land), Qt::QueuedConnection);
            else
                land();
        },
        [](const Store::LedgerOutcome &out) { return out.failure == Store::LedgerFailure::Database; }, m_chain);
}

void RealtimeAccount::setMaxOutputTokens(std::optional<qint64> tokens)
{
    m_maxOutputTokens = tokens && *tokens > 0 ? std::min(*tokens, m_params.defaultMaxOutputTokens)
                                              : m_params.defaultMaxOutputTokens;
}

qint64 RealtimeAccount::worstCaseResponse(const Billing::Usage &conversation) const
{
    return Billing::QuotaMath::reserveWorstCase(m_params.pricing, conversation, m_maxOutputTokens).quota;
}

qint64 RealtimeAccount::worstCaseNext() const
{
    if (m_transcriptionOnly)
        return Billing::QuotaMath::ceilToQuota(RealtimeTranscription::worstCase(m_params.pricing, m_heldAudioMs));
    return worstCaseResponse(m_conversation);
}

RealtimeAccount::Refusal RealtimeAccount::useTranscriptionModel(const QString &model, Held held)
{
    if (m_params.mayUse && !m_params.mayUse(model))
        return Refusal::ModelNotAllowed;
    const auto pricing = m_params.book
        ? m_params.book->pricing(model, m_params.userGroup, m_params.usingGroup)
        : Store::Result<Billing::ModelPricing>::failure(QStringLiteral("no price book"));
    if (!pricing)
        return Refusal::ModelNotPriced;
    m_transcriptionOnly = true;
    m_params.model = m_params.upstreamModel = model;
    m_params.pricing = *pricing;
    m_heldAudioMs = RealtimeTranscription::heldAudioMs(0);
    if ((m_open || m_opening) && !m_closing)
        queueRestoreHold([held = std::move(held)](bool ok) {
            if (held)
                held(ok);
        });
    else if (held)
        held(true);
    return Refusal::None;
}

void RealtimeAccount::setUncommittedAudio(qint64 ms, Held held)
{
    const qint64 window = RealtimeTranscription::heldAudioMs(ms);
    if (!m_transcriptionOnly || window == m_heldAudioMs)
        return held(true); // the same window: nothing to price or reserve
    m_heldAudioMs = window;
    if (m_closing || !(m_open || m_opening))
        return held(true);
    queueRestoreHold(std::move(held));
}

void RealtimeAccount::open(Landed landed)
{
    m_opening = true;
    enqueue([this, landed = std::move(landed)] {
        submit(
            [userId = m_params.userId, keyId = m_params.keyId, amount = worstCaseNext(),
             requestId = m_params.requestId, model = m_params.model](const Billing::Ledger &ledger) {
                return ledger.reserve(userId, keyId, amount, requestId, QStringLiteral("realtime"), model);
            },
            [this, landed](const Store::LedgerOutcome &out) {
                m_opening = false;
                if (out) {
                    m_reservation = out.reservation;
                    m_open = true;
                } else {
                    m_lastFailure = Store::ledgerFailureName(out.failure);
                }
                if (landed)
                    landed(out);
                stepDone();
            });
    });
}

void RealtimeAccount::queueChargeAndHold(qint64 target, int entry, Held held)
{
    enqueue([this, target, entry, held = std::move(held)] {
        chargeTo(target, entry, [this, held](bool charged) {
            if (!charged) {
                held(false);
                return stepDone();
            }
            restoreHold([this, held](bool ok) {
                held(ok);
                stepDone();
            });
        });
    });
}

void RealtimeAccount::queueRestoreHold(Held held)
{
    enqueue([this, held = std::move(held)] {
        restoreHold([this, held](bool ok) {
            held(ok);
            stepDone();
        });
    });
}

void RealtimeAccount::chargeTo(qint64 target, int entry, Then then)
{
    // The log entry shows what was charged in all once this response's charge is done (or refused).
    const auto done = [this, entry, then = std::move(then)](bool charged) {
        if (entry >= 0 && entry < m_entries.size()) {
            QJsonObject e = m_entries.at(entry).toObject();
            e.insert(QStringLiteral("charged_total"), m_chargedTotal);
            m_entries.replace(entry, e);
        }
        then(charged);
    };
    if (!m_open || m_closed)
        return done(false);
    const qint64 delta = target - m_chargedTotal;
    if (delta <= 0)
        return done(true);
    submit([id = m_reservation.id, delta](const Billing::Ledger &ledger) { return ledger.charge(id, delta); },
           [this, target, done](const Store::LedgerOutcome &out) {
               if (!out) {
                   // Not charged now; the settlement still bills it (the hold already covers it, or it is overage).
                   m_lastFailure = Store::ledgerFailureName(out.failure);
                   return done(false);
               }
               m_reservation = out.reservation;
               m_chargedTotal = target;
               done(true);
           });
}

void RealtimeAccount::restoreHold(Then then)
{
    if (!m_open || m_closed)
        return then(true); // nothing held to restore (not open yet: open() reserves the worst case itself)
    // The next response may see the whole conversation so far as input.
    const qint64 wanted = worstCaseNext();
    const qint64 hold = m_reservation.reserved - m_reservation.charged;
    if (hold >= wanted)
        return then(true);
    submit([id = m_reservation.id, more = wanted - hold](const Billing::Ledger &ledger) { return ledger.extend(id, more); },
           [this, then = std::move(then)](const Store::LedgerOutcome &out) {
               if (!out) {
                   m_lastFailure = Store::ledgerFailureName(out.failure);
                   return then(false);
               }
               m_reservation = out.reservation;
               then(true);
           });
}

mpq_class RealtimeAccount::capDisputed(const mpq_class &exact, const QString &id, const Billing::Usage &reported,
                                       const QJsonObject &ceiling)
{
    // The hold this answer ran under: what is reserved beyond what was already charged.
    const mpq_class hold(long(std::max<qint64>(0, m_reservation.reserved - m_reservation.charged)));
    const mpq_class capped = exact < hold ? exact : hold;
    m_disputedClaimed += exact;
    m_disputedCapped += capped;
    m_disputed.append(QJsonObject{{QStringLiteral("id"), id},
                                  {QStringLiteral("usage"), reported.toJson()},
                                  {QStringLiteral("ceiling"), ceiling},
                                  {QStringLiteral("claimed_quota"), exactJson(exact)},
                                  {QStringLiteral("capped_at"), exactJson(capped)}});
    return capped;
}

void RealtimeAccount::setChannel(qint64 channelId, const QString &upstreamModel)
{
    m_params.channelId = channelId;
    m_params.upstreamModel = upstreamModel;
}

void RealtimeAccount::addTurn(Monitor::SessionTurn turn, const mpq_class &exactBefore)
{
    // The step of the rounded cumulative total this turn caused: the steps add up to what the ledger is charged
    // (and settled) however the exact costs round, and a refused charge is still this turn's (the settlement bills it).
    turn.quota = roundQuota(m_exact) - roundQuota(exactBefore);
    if (m_turns.size() >= size_t(Monitor::SessionRegistry::kTurnsPerSession))
        m_turns.erase(m_turns.begin());
    m_turns.push_back(std::move(turn));
}

void RealtimeAccount::addResponse(const MeteredResponse &response, Held held)
{
    if (!m_open || m_closing)
        return held(false);
    if (!response.usageProblem.isEmpty()) {
        ++m_rejectedUsage;
        if (m_rejectedProblem.isEmpty())
            m_rejectedProblem = response.usageProblem;
    }
    const Billing::Usage reported = consistentUsage(response.usage);
    const UsageCeilings::Ceiling ceiling = UsageCeilings::current().forModel(m_params.upstreamModel);
    const bool disputed = response.fromUpstream && !ceiling.admits(reported.inputTotal(), reported.outputTotal());
    // A disputed response counts (and feeds the next hold) as the meter saw it; its charge is capped below.
    const Billing::Usage usage = disputed ? consistentUsage(response.estimate) : reported;
    m_total += usage;
    ++m_responses;
    // The whole conversation so far is the next response's input; its output joins it.
    m_conversation = usage;
    m_conversation.outputText = m_conversation.outputAudio = m_conversation.outputReasoning = 0;
    m_conversation.inputText += usage.outputText;
    m_conversation.inputAudio += usage.outputAudio;
    if (!response.fromUpstream)
        ++m_estimatedResponses;
    mpq_class exact = realtimeExactQuota(usage, m_params.pricing);
    if (disputed)
        exact = capDisputed(realtimeExactQuota(reported, m_params.pricing), response.responseId, reported,
                            ceiling.toJson());
    const mpq_class exactBefore = m_exact;
    m_exact += exact;
    const qint64 target = roundQuota(m_exact);
    Monitor::SessionTurn turn;
    turn.id = response.responseId;
    turn.status = response.status;
    turn.usage = usage;
    turn.estimated = disputed || !response.fromUpstream;
    timeTurn(response, turn);
    addTurn(std::move(turn), exactBefore);
    int entryIndex = -1;
    if (m_entries.size() < m_params.maxResponseEntries) {
        QJsonObject entry = usage.toJson();
        entry.insert(QStringLiteral("id"), response.responseId);
        entry.insert(QStringLiteral("status"), response.status);
        entry.insert(QStringLiteral("source"), disputed ? QStringLiteral("disputed")
                                               : response.fromUpstream ? QStringLiteral("upstream")
                                                                       : QStringLiteral("estimate"));
        entry.insert(QStringLiteral("quota"), exactJson(exact));
        entry.insert(QStringLiteral("charged_total"), m_chargedTotal); // filled in once the charge lands
        m_entries.append(entry);
        entryIndex = int(m_entries.size()) - 1;
    } else {
        ++m_omittedEntries;
    }
    queueChargeAndHold(target, entryIndex, std::move(held));
}

void RealtimeAccount::chargeFinished(RealtimeMeter &meter, Held held)
{
    // Every finished response and transcription is counted now; their writes land in order, and `held` hears
    // once all of them did (a refusal does not stop the later ones: the settlement bills what is not charged).
    auto ok = std::make_shared<bool>(true);
    const Held each = [ok](bool charged) { *ok = *ok && charged; };
    for (const MeteredResponse &response : meter.takeCompletedResponses())
        addResponse(response, each);
    for (const TranscriptionUsage &usage : meter.takeTranscriptions())
        addTranscription(usage, meter.transcriptionModel(), each);
    enqueue([this, ok, held = std::move(held)] {
        held(*ok);
        stepDone();
    });
}

void RealtimeAccount::publish(Monitor::SessionRegistry *registry, quint64 registryId)
{
    std::vector<Monitor::SessionTurn> turns = takeTurns();
    if (!registry)
        return;
    for (Monitor::SessionTurn &turn : turns)
        registry->addTurn(registryId, std::move(turn));
    registry->setQuota(registryId, held(), chargedTotal());
}

void RealtimeAccount::addTranscription(const TranscriptionUsage &usage, const QString &transcriptionModel, Held held)
{
    if (!m_open || m_closing)
        return held(false);
    // A transcription session is priced by its own model; a conversation's transcription by the one it names.
    const QString model = m_transcriptionOnly ? m_params.model : transcriptionModel;
    if (model.isEmpty() || (!m_transcriptionOnly && !m_params.book))
        return held(true);
    const auto pricing = m_transcriptionOnly
        ? Store::Result<Billing::ModelPricing>(m_params.pricing)
        : m_params.book->pricing(model, m_params.userGroup, m_params.usingGroup);
    if (!pricing)
        return held(true); // unpriced transcription model: nothing to bill, the log row says so via usage only
    const Billing::Usage billed = transcriptionUsage(usage);
    mpq_class exact = RealtimeTranscription::exactCost(usage, *pricing);
    const UsageCeilings::Ceiling ceiling = UsageCeilings::current().forModel(model);
    Billing::Usage counted = billed;
    if (!usage.estimated && !ceiling.admits(billed.inputTotal(), billed.outputTotal())) {
        exact = capDisputed(exact, QStringLiteral("transcription:") + usage.itemId, billed, ceiling.toJson());
    } else {
        if (usage.estimated)
            counted.inputAudio = Tokenize::audioTokensForMilliseconds(usage.audioMs, Tokenize::AudioDirection::Input);
        m_transcriptionUsage += counted;
        if (m_transcriptionOnly)
            m_total += counted;
        if (usage.duration)
            m_durationMs += qint64(std::ceil(std::min(usage.seconds, 1e9) * 1000.0));
    }
    ++m_transcriptions;
    if (usage.estimated)
        ++m_estimatedTranscriptions;
    m_transcriptionModel = model;
    m_transcriptionExact += exact;
    const mpq_class exactBefore = m_exact;
    m_exact += exact;
    const qint64 target = roundQuota(m_exact);
    Monitor::SessionTurn turn;
    turn.kind = Monitor::SessionTurn::Kind::Transcription;
    turn.id = usage.itemId;
    turn.startedAt = QDateTime::currentDateTimeUtc();
    turn.usage = counted;
    turn.estimated = usage.estimated;
    addTurn(std::move(turn), exactBefore);
    queueChargeAndHold(target, -1, std::move(held));
}

namespace {

Store::LedgerOutcome notOpen()
{
    Store::LedgerOutcome none;
    none.failure = Store::LedgerFailure::ReservationNotFound;
    none.message = QStringLiteral("no open hold (never opened, or already closed)");
    return none;
}

} // namespace

void RealtimeAccount::finish(const Billing::Usage &pending, const QString &endReason, qint64 useMs, Landed landed)
{
    if (m_closing || !(m_open || m_opening)) {
        if (landed)
            landed(notOpen());
        return;
    }
    m_closing = true;
    // A transcription session bills transcriptions only: audio never committed was never transcribed.
    if (!pending.isEmpty() && !m_transcriptionOnly) {
        m_total += pending;
        m_exact += realtimeExactQuota(pending, m_params.pricing, false);
    }
    // After every charge queued before it: the log row describes what they left.
    enqueue([this, pending, endReason, useMs, landed = std::move(landed)] {
        if (!m_open) {
            if (landed)
                landed(notOpen());
            return stepDone();
        }
        const qint64 finalQuota = roundQuota(m_exact);
        submit([id = m_reservation.id, finalQuota, log = logRow(pending, endReason, useMs, finalQuota)](
                   const Billing::Ledger &ledger) { return ledger.settle(id, finalQuota, log); },
               [this, finalQuota, landed](const Store::LedgerOutcome &out) {
                   if (out) {
                       m_closed = true;
                       m_reservation = out.reservation;
                       m_chargedTotal = finalQuota;
                   } else {
                       m_lastFailure = Store::ledgerFailureName(out.failure);
                   }
                   if (landed)
                       landed(out);
                   stepDone();
               });
    });
}

void RealtimeAccount::cancelAndDelete(std::unique_ptr<RealtimeAccount> account)
{
    if (!account)
        return;
    RealtimeAccount *raw = account.release();
    raw->cancel([raw](const Store::LedgerOutcome &) {
        // From the event loop: the step that delivered this still finishes on the account.
        QTimer::singleShot(0, [raw] { delete raw; });
    });
}

void RealtimeAccount::cancel(Landed landed)
{
    if (m_closing || !(m_open || m_opening)) {
        if (landed)
            landed(notOpen());
        return;
    }
    m_closing = true;
    enqueue([this, landed = std::move(landed)] {
        if (!m_open) { // the hold was refused: nothing to give back
            if (landed)
                landed(notOpen());
            return stepDone();
        }
        submit([id = m_reservation.id](const Billing::Ledger &ledger) { return ledger.refund(id); },
               [this, landed](const Store::LedgerOutcome &out) {
                   if (out)
                       m_closed = true;
                   else
                       m_lastFailure = Store::ledgerFailureName(out.failure);
                   if (landed)
                       landed(out);
                   stepDone();
               });
    });
}

Store::LogRecord RealtimeAccount::logRow(const Billing::Usage &pending, const QString &endReason, qint64 useMs,
                                         qint64 finalQuota) const
{
    const Billing::ModelPricing &p = m_params.pricing;
    Store::LogRecord log;
    log.channelId = m_params.channelId;
    log.model = m_params.model;
    log.upstreamModel = m_params.upstreamModel;
    log.promptTokens = m_total.inputTotal();
    log.completionTokens = m_total.outputTotal();
    log.useMs = useMs;
    log.isStream = true;
    log.priceSnapshotId = p.snapshotId;
    log.content = m_transcriptionOnly
        ? QStringLiteral("realtime transcription session: %1 transcriptions, ended: %2").arg(m_transcriptions).arg(endReason)
        : QStringLiteral("realtime session: %1 responses, ended: %2").arg(m_responses).arg(endReason);

    QJsonObject other = p.toJson();
    other.insert(QStringLiteral("ws"), true);
    other.insert(QStringLiteral("model_ratio"), p.modelRatio.toJson());
    other.insert(QStringLiteral("completion_ratio"), p.completionRatio.toJson());
    other.insert(QStringLiteral("cache_ratio"), p.cacheRatio.toJson());
    other.insert(QStringLiteral("audio_ratio"), p.audioRatio.toJson());
    other.insert(QStringLiteral("audio_completion_ratio"), p.audioCompletionRatio.toJson());
    other.insert(QStringLiteral("audio_cache_ratio"), p.audioCacheRatio.toJson());
    other.insert(QStringLiteral("image_ratio"), p.imageRatio.toJson());
    other.insert(QStringLiteral("group_ratio"), p.groupRatio.toJson());
    other.insert(QStringLiteral("text_input"), m_total.inputText);
    other.insert(QStringLiteral("text_output"), m_total.outputText);
    other.insert(QStringLiteral("audio_input"), m_total.inputAudio);
    other.insert(QStringLiteral("audio_output"), m_total.outputAudio);
    other.insert(QStringLiteral("image_input"), m_total.inputImage);
    other.insert(QStringLiteral("cache_tokens"), m_total.cachedText + m_total.cachedAudio + m_total.cachedImage);
    other.insert(QStringLiteral("cached_text"), m_total.cachedText);
    other.insert(QStringLiteral("cached_audio"), m_total.cachedAudio);
    other.insert(QStringLiteral("cached_image"), m_total.cachedImage);
    other.insert(QStringLiteral("reasoning_output"), m_total.outputReasoning);
    // The breakdown every consume row carries (Usage::toJson), which the ledger's metrics read.
    other.insert(QStringLiteral("usage"), m_total.toJson());
    other.insert(QStringLiteral("responses"), m_entries);
    other.insert(QStringLiteral("response_count"), m_responses);
    if (m_omittedEntries > 0)
        other.insert(QStringLiteral("responses_omitted"), m_omittedEntries);
    if (m_estimatedResponses > 0)
        other.insert(QStringLiteral("estimated_responses"), m_estimatedResponses);
    if (m_rejectedUsage > 0)
        other.insert(QStringLiteral("upstream_usage_rejected"),
                     QJsonObject{{QStringLiteral("responses"), m_rejectedUsage},
                                 {QStringLiteral("problem"), m_rejectedProblem}});
    if (!m_disputed.isEmpty()) {
        other.insert(QStringLiteral("disputed"),
                     QJsonObject{{QStringLiteral("entries"), m_disputed},
                                 {QStringLiteral("claimed_quota"), exactJson(m_disputedClaimed)},
                                 {QStringLiteral("capped_at"), roundQuota(m_disputedCapped)}});
        log.content += QStringLiteral("; disputed: implausible upstream usage charged at most the hold");
    }
    if (!pending.isEmpty()) {
        QJsonObject after = pending.toJson();
        after.insert(QStringLiteral("source"), QStringLiteral("estimate"));
        other.insert(QStringLiteral("after_last_response"), after);
    }
    other.insert(QStringLiteral("session_type"), m_transcriptionOnly ? QStringLiteral("transcription")
                                                                     : QStringLiteral("realtime"));
    if (m_transcriptions > 0) {
        QJsonObject transcription = m_transcriptionUsage.toJson();
        transcription.insert(QStringLiteral("quota"), exactJson(m_transcriptionExact));
        transcription.insert(QStringLiteral("model"), m_transcriptionModel);
        transcription.insert(QStringLiteral("count"), m_transcriptions);
        if (m_estimatedTranscriptions > 0)
            transcription.insert(QStringLiteral("estimated"), m_estimatedTranscriptions);
        if (m_durationMs > 0)
            transcription.insert(QStringLiteral("audio_seconds"), double(m_durationMs) / 1000.0);
        other.insert(QStringLiteral("transcription"), transcription);
    }
    other.insert(QStringLiteral("end_reason"), endReason);
    other.insert(QStringLiteral("reservation_id"), m_reservation.id);
    other.insert(QStringLiteral("price_snapshot_id"), p.snapshotId);
    other.insert(QStringLiteral("quota_exact"), exactJson(m_exact));
    other.insert(QStringLiteral("final_quota"), finalQuota);
    if (m_params.upstreamModel != m_params.model) {
        other.insert(QStringLiteral("is_model_mapped"), true);
        other.insert(QStringLiteral("upstream_model_name"), m_params.upstreamModel);
    }
    other.insert(QStringLiteral("request_path"), m_callId.isEmpty() ? QStringLiteral("/v1/realtime")
                                                                     : QStringLiteral("/v1/realtime/calls"));
    if (!m_callId.isEmpty())
        other.insert(QStringLiteral("webrtc_call_id"), m_callId);
    log.other = other;
    return log;
}

} // namespace RelayDesk::Relay
