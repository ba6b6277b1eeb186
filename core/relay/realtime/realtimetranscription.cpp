#include "relay/realtime/realtimetranscription.h"

#include "billing/quotamath.h"
#include "relay/audio/transcriptionadapter.h"
#include "relay/realtime/realtimepricing.h"
#include "tokenize/audiotokens.h"

#include <algorithm>
#include <cmath>

namespace RelayDesk::Relay {

bool RealtimeTranscription::isTranscriptionSession(const QJsonObject &session)
{
    return session.value(QLatin1StringView("type")).toString() == QLatin1StringView(kIntent);
}

QString RealtimeTranscription::modelOf(const QJsonObject &session)
{
    const QJsonObject transcription = session.contains(QLatin1StringView("input_audio_transcription"))
        ? session.value(QLatin1StringView("input_audio_transcription")).toObject()
        : session.value(QLatin1StringView("audio")).toObject().value(QLatin1StringView("input")).toObject()
              .value(QLatin1StringView("transcription")).toObject();
    return transcription.value(QLatin1StringView("model")).toString();
}

QString RealtimeTranscription::pricedModel(const QJsonObject &session)
{
    if (!isTranscriptionSession(session))
        return session.value(QLatin1StringView("model")).toString();
    const QString model = modelOf(session);
    return model.isEmpty() ? QString::fromLatin1(kDefaultModel) : model;
}

QJsonObject RealtimeTranscription::withModel(QJsonObject session, const QString &model)
{
    if (session.contains(QLatin1StringView("input_audio_transcription"))) {
        QJsonObject transcription = session.value(QLatin1StringView("input_audio_transcription")).toObject();
        transcription.insert(QStringLiteral("model"), model);
        session.insert(QStringLiteral("input_audio_transcription"), transcription);
        return session;
    }
    QJsonObject audio = session.value(QLatin1StringView("audio")).toObject();
    QJsonObject input = audio.value(QLatin1StringView("input")).toObject();
    QJsonObject transcription = input.value(QLatin1StringView("transcription")).toObject();
    transcription.insert(QStringLiteral("model"), model);
    input.insert(QStringLiteral("transcription"), transcription);
    audio.insert(QStringLiteral("input"), input);
    session.insert(QStringLiteral("audio"), audio);
    return session;
}

qint64 RealtimeTranscription::heldAudioMs(qint64 uncommittedMs)
{
    const qint64 windows = std::max<qint64>(1, (std::max<qint64>(0, uncommittedMs) + kHoldWindowMs) / kHoldWindowMs);
    return windows * kHoldWindowMs;
}

mpq_class RealtimeTranscription::worstCase(const Billing::ModelPricing &pricing, qint64 audioMs)
{
    Billing::Usage usage;
    usage.inputAudio = Tokenize::audioTokensForMilliseconds(audioMs, Tokenize::AudioDirection::Input);
    usage.outputText = std::max(TranscriptionAdapter::kMinHeldTokens,
                                (audioMs * TranscriptionAdapter::kHeldTokensPerMinute + 59'999) / 60'000);
    Billing::Units units;
    units.audioMs = audioMs;
    return realtimeExactQuota(usage, pricing) + Billing::QuotaMath::unitsCost(pricing, units);
}

mpq_class RealtimeTranscription::exactCost(const TranscriptionUsage &usage, const Billing::ModelPricing &pricing)
{
    Billing::Units units;
    if (usage.estimated) {
        Billing::Usage tokens;
        tokens.inputAudio = Tokenize::audioTokensForMilliseconds(usage.audioMs, Tokenize::AudioDirection::Input);
        tokens.outputText = usage.outputTextTokens;
        units.audioMs = usage.audioMs;
        return realtimeExactQuota(tokens, pricing) + Billing::QuotaMath::unitsCost(pricing, units);
    }
    if (usage.duration && pricing.minutePrice) {
        units.audioMs = qint64(std::ceil(std::min(usage.seconds, 1e9) * 1000.0));
        return Billing::QuotaMath::unitsCost(pricing, units);
    }
    return realtimeExactQuota(transcriptionUsage(usage), pricing);
}

} // namespace RelayDesk::Relay
