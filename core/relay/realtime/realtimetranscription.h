#pragma once
// The rules of Realtime transcription sessions (`GET /v1/realtime?intent=transcription`, a GA session.update with
// `session.type: "transcription"`, the beta `transcription_session.update`): which model a session is priced by,
// what transcribing some audio may cost at most (the rolling hold), and what one completed item costs. Pure
// arithmetic, no I/O; the meter, the account, the relay and the client-secret endpoint all ask here.
#include "billing/pricebook.h"
#include "relay/realtime/realtimemeter.h"

#include <QJsonObject>
#include <QString>

#include <gmpxx.h>

namespace RelayDesk::Relay {

class RealtimeTranscription final
{
public:
    // The model a transcription session is priced by until a session.update names one (OpenAI's default).
    static constexpr const char *kDefaultModel = "gpt-4o-transcribe";
    static constexpr const char *kIntent = "transcription";
    // The hold covers the uncommitted audio rounded up to whole windows, so that a client streaming 20 ms frames
    // extends its reservation once per window, not once per frame.
    static constexpr qint64 kHoldWindowMs = 30'000;

    // A GA session object of type "transcription".
    static bool isTranscriptionSession(const QJsonObject &session);
    // The transcription model a session object names: GA audio.input.transcription.model, beta
    // input_audio_transcription.model; empty when it names none.
    static QString modelOf(const QJsonObject &session);
    // The model a session opened with `session` (a client secret's bound configuration) is priced by: the
    // transcription model (or the default) for a transcription session, else its `model` (may be empty).
    static QString pricedModel(const QJsonObject &session);
    // `session` with its transcription model set to `model` where the session's shape keeps it (GA or beta).
    static QJsonObject withModel(QJsonObject session, const QString &model);

    // The audio a hold must cover for `uncommittedMs` of appended, not yet committed audio: whole windows, at
    // least one.
    static qint64 heldAudioMs(qint64 uncommittedMs);
    // The most transcribing `audioMs` may cost: its audio tokens (1 per 100 ms) at the audio input price, the
    // transcript held as the HTTP endpoint holds it (TranscriptionAdapter) at the text output price, and the
    // duration at the model's MinutePrice — whichever the model is priced by.
    static mpq_class worstCase(const Billing::ModelPricing &pricing, qint64 audioMs);
    // One completed item: token usage at the token prices; duration usage at the MinutePrice (a model without one:
    // 10 audio tokens per second); the local fallback (no usage) as the HTTP endpoint bills a reply without
    // usage — the committed audio as audio tokens and as duration, plus the transcript's text tokens.
    static mpq_class exactCost(const TranscriptionUsage &usage, const Billing::ModelPricing &pricing);
};

} // namespace RelayDesk::Relay
