#pragma once
// The money side of one Realtime session: a rolling reservation of one worst-case response, exact
// cumulative charging after every `response.done`, and exactly one settlement (one consume log row).
//
// Ledger chain per session (Store::ReservationRepository, every call one conditional transaction), run on the
// relay's store lane (Store::StoreLane), never on the relay thread: each write is submitted on the session's
// chain and its outcome comes back on this thread once durable. The writes run one at a time, in order — each
// computes its amount from what the previous one left durable (m_reservation, m_chargedTotal are only ever set
// from a delivered outcome) — so a second response.done arriving while the first charge is in flight waits its
// turn. isWriting() says whether one is queued or in flight (the session holds the client's frames meanwhile).
//   open()        reserve(W)                       hold = W (one worst-case response)
//   addResponse() charge(round(cum) − charged, consumed) then, if the next worst case W' is larger than the
//                 hold, charge(W' − hold, not consumed); a refused charge = "cannot restore" → caller closes 1008
//   finish()      settle(round(cum incl. pending estimate))  refunds the unused hold, writes the log row
//   cancel()      refund()                          the upgrade never completed / nothing reached upstream
// Charging the difference of rounded cumulative totals makes the sum of charges equal the rounded total,
// with no per-response rounding drift; the log quota is the net debit.
//
// Untrusted usage: a response (or transcription) whose reported usage is beyond the model's plausibility
// ceiling (UsageCeilings) is charged at most the hold it ran under, its tokens count as the local meter saw
// them, and the log row carries `disputed` with the reported figures — the ledger never drops by an absurd
// figure on its own.
#include "billing/ledger.h"
#include "billing/pricebook.h"
#include "billing/usage.h"
#include "monitor/sessionregistry.h"
#include "relay/realtime/realtimemeter.h"
#include "relay/realtime/realtimepricing.h"
#include "store/reservationrepository.h"

#include <QJsonArray>
#include <QObject>
#include <QString>

#include <gmpxx.h>

#include <deque>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace RelayDesk::Store {
class Database;
class StoreLane;
}

namespace RelayDesk::Relay {

struct RealtimeAccountParams
{
    qint64 userId = 0;
    qint64 keyId = 0;
    qint64 channelId = 0;
    QString requestId;            // unique per session; the reservation's request id
    QString model;                // requested (priced) name
    QString upstreamModel;
    QString userGroup;
    QString usingGroup;
    Billing::ModelPricing pricing;
    Billing::PriceBookPtr book;   // for the transcription model's price (may be null)
    qint64 defaultMaxOutputTokens = 4096;
    int maxResponseEntries = 200; // per-response entries kept for the log row; beyond, only counted
    // Whether the caller's key may use a model (its model limits), for a transcription model named mid-session;
    // unset: any.
    std::function<bool(const QString &model)> mayUse;
};

class RealtimeAccount final
{
public:
    // Why a switch to a transcription model was refused.
    enum class Refusal { None, ModelNotAllowed, ModelNotPriced, InsufficientQuota };

    // What a ledger write came to, on this thread once it is durable (or refused).
    using Landed = std::function<void(const Store::LedgerOutcome &outcome)>;
    // Whether the writes a call queued all went through (false: a charge or the restored hold was refused).
    using Held = std::function<void(bool ok)>;

    // `lane` outlives the account (and every write it submitted: the relay drains it before it goes).
    RealtimeAccount(std::shared_ptr<Store::Database> db, Store::StoreLane &lane, RealtimeAccountParams params);
    ~RealtimeAccount();
    RealtimeAccount(const RealtimeAccount &) = delete;
    RealtimeAccount &operator=(const RealtimeAccount &) = delete;

    // Worst case of one response over `conversation` as input plus max output tokens at the dearer output
    // price (Billing::QuotaMath::reserveWorstCase).
    qint64 worstCaseResponse(const Billing::Usage &conversation) const;
    // The client's max output tokens per response (session.update / response.create); nullopt or "inf" = the
    // configured default. Shapes the hold restored after the next response.
    void setMaxOutputTokens(std::optional<qint64> tokens);
    // The session moved to another channel before anything was answered (a failed first dial).
    void setChannel(qint64 channelId, const QString &upstreamModel);
    // The session is a WebRTC call metered over its sideband: the log row names the call and its route.
    void setCallId(const QString &callId) { m_callId = callId; }
    qint64 maxOutputTokens() const { return m_maxOutputTokens; }
    // Reserves one worst-case response for an empty conversation; `landed` once that is durable or refused.
    void open(Landed landed);
    // One finished response (authoritative usage or the meter's estimate): its charge and the restored hold are
    // queued. `held(false)` when either was refused: the caller tells the client and closes before another response.
    // Either way the response becomes one of the session's turns (takeTurns) at once.
    void addResponse(const MeteredResponse &response, Held held);
    // Input transcription, billed at the transcription model's price (RealtimeTranscription::exactCost); the hold
    // is restored after it. held(false) when refused (as above). A priced transcription becomes a turn too.
    void addTranscription(const TranscriptionUsage &usage, const QString &transcriptionModel, Held held);
    // The turns charged since the last call, in order: what each counted and charged, and when it was asked for and
    // first answered — for the live session's per-turn view (SessionRegistry::addTurn). Bounded: the oldest are
    // dropped when nobody takes them.
    std::vector<Monitor::SessionTurn> takeTurns() { return std::exchange(m_turns, {}); }

    // Charges what `meter` finished since the last call: its completed responses, then its input transcriptions
    // (at the meter's transcription model). held(false), once they landed, when a charge or the restored hold was
    // refused: the caller lets nothing more through (a WebSocket session closes 1008, a WebRTC call is hung up).
    // held(true) when all went through (at once when there was nothing to charge).
    void chargeFinished(RealtimeMeter &meter, Held held);
    // Shows the live session what the account now stands at: its new turns and its held and charged quota.
    void publish(Monitor::SessionRegistry *registry, quint64 registryId);

    // Transcription sessions. From now on the session only transcribes, priced by `model` (the key must be allowed
    // it and it must have a price); the hold becomes the worst case of the next committed audio and, once open,
    // is extended to it. Call before open() for a session admitted as one. Refusal::None: accepted, and the
    // extended hold (if open) is queued — `held(false)` once it was refused for quota (Refusal::InsufficientQuota).
    Refusal useTranscriptionModel(const QString &model, Held held = {});
    bool isTranscription() const { return m_transcriptionOnly; }
    QString model() const { return m_params.model; }
    // The audio appended and not yet committed: the hold covers it (in whole windows). held(false) when the hold
    // could not be extended.
    void setUncommittedAudio(qint64 ms, Held held);
    // Charges the pending estimate (what happened after the last response.done) and settles once, after every
    // write queued before it.
    void finish(const Billing::Usage &pending, const QString &endReason, qint64 useMs, Landed landed);
    // Returns the whole hold without a log row (the session never reached the upstream), after the writes queued
    // before it (the open among them). Nothing to return (never opened): landed gets ReservationNotFound.
    void cancel(Landed landed = {});
    // Gives the hold back (cancel()) and deletes the account once that landed — never inside one of its own
    // callbacks, where it may be discarded.
    static void cancelAndDelete(std::unique_ptr<RealtimeAccount> account);
    // A ledger write is queued or in flight.
    bool isWriting() const { return m_stepRunning || !m_steps.empty(); }
    // Called each time the queued writes are all done (the session then lets the client's frames through).
    void setIdleHandler(std::function<void()> idle) { m_idle = std::move(idle); }
    // The account moved with its session to another event loop: outcomes (delivered on the lane's thread) are
    // posted to `home`, an object of that loop which outlives the account, and land there. Null: on the lane's.
    void setHome(QObject *home) { m_home = home; }

    qint64 reservationId() const { return m_reservation.id; }
    qint64 held() const { return m_reservation.reserved; }
    // The hold the next response needs: one worst-case response over the conversation so far (what open() reserves).
    qint64 worstCaseNext() const;
    qint64 charged() const { return m_reservation.charged; }
    qint64 chargedTotal() const { return m_chargedTotal; } // round(cumulative) so far
    const Billing::Usage &total() const { return m_total; }
    bool isClosed() const { return m_closed; }
    QString lastFailure() const { return m_lastFailure; }
    qint64 responseCount() const { return m_responses; }

private:
    using Write = std::function<Store::LedgerOutcome(const Billing::Ledger &ledger)>;
    using Then = std::function<void(bool ok)>;
    // Queues a step: it runs on this thread once the steps before it are done, and ends with stepDone() — at
    // once, or after the writes it submitted landed. A step tells its caller before its stepDone(), so a refusal
    // ends the session before the idle handler could let a held frame through.
    void enqueue(std::function<void()> step);
    void runSteps();
    void stepDone();
    // Submits `write` to the lane on this session's chain; landed(outcome) on this thread once durable or refused
    // (a lost batch counts as a store failure). Dropped when the account is gone by then (the write still lands).
    void submit(Write write, Landed landed);
    // Queues the charge up to `target` (the rounded cumulative total) and then the restored hold; `entry`: the
    // log entry whose charged_total the charge fills in (-1: none).
    void queueChargeAndHold(qint64 target, int entry, Held held);
    void queueRestoreHold(Held held);
    // Within a step: charge up to `target`; restore the hold to the worst case of the next response (computed now,
    // from what is durable). then(false): refused.
    void chargeTo(qint64 target, int entry, Then then);
    void restoreHold(Then then);
    void addTurn(Monitor::SessionTurn turn, const mpq_class &exactBefore);
    // Caps `exact` at the current hold and records the dispute; returns the capped cost.
    mpq_class capDisputed(const mpq_class &exact, const QString &id, const Billing::Usage &reported,
                          const QJsonObject &ceiling);
    Store::LogRecord logRow(const Billing::Usage &pending, const QString &endReason, qint64 useMs,
                            qint64 finalQuota) const;

    std::shared_ptr<Store::Database> m_db;
    Store::StoreLane &m_lane;
    QObject *m_home = nullptr; // setHome()
    quint64 m_chain;                        // Store::StoreLane::Chain of this session's writes
    std::shared_ptr<char> m_alive = std::make_shared<char>(); // outcomes delivered after the account is gone drop
    std::deque<std::function<void()>> m_steps;
    bool m_stepRunning = false;
    bool m_inSteps = false;
    std::function<void()> m_idle;
    RealtimeAccountParams m_params;
    Store::Reservation m_reservation;
    Billing::Usage m_total;                 // every response (+ pending at the end)
    Billing::Usage m_conversation;          // what the next response sees as input (last input + last output)
    mpq_class m_exact{0};                   // exact cumulative quota incl. transcriptions
    qint64 m_chargedTotal = 0;              // what the ledger has durably charged (round(m_exact) once caught up)
    qint64 m_responses = 0;
    qint64 m_estimatedResponses = 0;
    mpq_class m_transcriptionExact{0};
    QString m_transcriptionModel;
    Billing::Usage m_transcriptionUsage;
    bool m_transcriptionOnly = false;
    qint64 m_transcriptions = 0;
    qint64 m_estimatedTranscriptions = 0;
    qint64 m_durationMs = 0;                // duration-billed (MinutePrice) audio
    qint64 m_heldAudioMs = 0;               // what the hold of a transcription session covers
    QJsonArray m_entries;
    std::vector<Monitor::SessionTurn> m_turns; // not yet taken
    QJsonArray m_disputed;                  // one entry per disputed response / transcription
    mpq_class m_disputedClaimed{0};
    mpq_class m_disputedCapped{0};
    qint64 m_rejectedUsage = 0;             // responses whose usage was malformed (billed from the meter)
    QString m_rejectedProblem;
    qint64 m_omittedEntries = 0;
    qint64 m_maxOutputTokens = 0;
    bool m_open = false;     // the hold is durable
    bool m_opening = false;  // open() queued, not landed yet
    bool m_closing = false;  // finish() or cancel() queued: exactly one settlement
    bool m_closed = false;
    QString m_lastFailure;
    QString m_callId;
};

} // namespace RelayDesk::Relay
