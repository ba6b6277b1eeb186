#pragma once
// One turn of a session: a Realtime `response.done` (or a transcription session's completed item), as counted and
// charged. The registry keeps the last SessionRegistry::Limits::turnsPerSession of them per session so the console
// can show which turn cost what.
#include "billing/usage.h"

#include <QDateTime>
#include <QString>

namespace RelayDesk::Monitor {

struct SessionTurn
{
    enum class Kind { Response, Transcription };
    // What the latency was measured to: the first audio delta, or — for a turn that produced no audio — the first
    // text delta; None when neither came (a tool call, a cancelled response) or the start was not seen.
    enum class LatencyTo { None, Audio, Text };

    qint64 number = 0;        // 1-based ordinal within the session, assigned by the registry
    Kind kind = Kind::Response;
    QString id;               // the response id, or the transcribed item id
    QString status;           // the response's status (completed, cancelled, incomplete, failed); empty for items
    QDateTime startedAt;      // response.create or speech stop (else response.created); the item's completion
    Billing::Usage usage;     // as counted for billing (the upstream's figures, or the meter's when it had none)
    bool estimated = false;   // usage is the relay's own count
    qint64 quota = 0;         // this turn's share of the session's charge: the step of the rounded cumulative total
    qint64 latencyMs = -1;
    LatencyTo latencyTo = LatencyTo::None;

    qint64 cachedTokens() const { return usage.cachedText + usage.cachedAudio + usage.cachedImage; }
    // Cached input as a share of the input, 0..1 (0 without input).
    double cachedShare() const
    {
        const qint64 input = usage.inputTotal();
        return input > 0 ? double(cachedTokens()) / double(input) : 0.0;
    }
};

} // namespace RelayDesk::Monitor
