#pragma once

#include <QJsonObject>
#include <QtGlobal>

namespace RelayDesk::Billing {

// Token usage of one request or session, in OpenAI semantics:
//  - input* are disjoint by modality (text, audio, image);
//  - cached* are subsets of their modality's input; cacheWrite is a subset of inputText
//    (uncached text = inputText − cachedText − cacheWrite, never below 0);
//  - outputReasoning is a subset of outputText (reasoning is billed as completion text).
struct Usage
{
    qint64 inputText = 0;
    qint64 inputAudio = 0;
    qint64 inputImage = 0;
    qint64 cachedText = 0;
    qint64 cachedAudio = 0;
    qint64 cachedImage = 0;
    qint64 cacheWrite = 0;
    qint64 outputText = 0;
    qint64 outputAudio = 0;
    qint64 outputReasoning = 0;

    qint64 inputTotal() const { return inputText + inputAudio + inputImage; }
    qint64 outputTotal() const { return outputText + outputAudio; }
    qint64 total() const { return inputTotal() + outputTotal(); }
    bool isEmpty() const { return total() == 0; }

    Usage &operator+=(const Usage &o)
    {
        inputText += o.inputText;
        inputAudio += o.inputAudio;
        inputImage += o.inputImage;
        cachedText += o.cachedText;
        cachedAudio += o.cachedAudio;
        cachedImage += o.cachedImage;
        cacheWrite += o.cacheWrite;
        outputText += o.outputText;
        outputAudio += o.outputAudio;
        outputReasoning += o.outputReasoning;
        return *this;
    }
    friend Usage operator+(Usage a, const Usage &b) { return a += b; }
    friend bool operator==(const Usage &, const Usage &) = default;

    // Any negative count makes the usage invalid (bad upstream data); callers reject it.
    bool isValid() const
    {
        return inputText >= 0 && inputAudio >= 0 && inputImage >= 0 && cachedText >= 0 && cachedAudio >= 0 &&
               cachedImage >= 0 && cacheWrite >= 0 && outputText >= 0 && outputAudio >= 0 && outputReasoning >= 0;
    }

    // For log `other` JSON.
    QJsonObject toJson() const
    {
        return {{QStringLiteral("text_input"), inputText},     {QStringLiteral("audio_input"), inputAudio},
                {QStringLiteral("image_input"), inputImage},   {QStringLiteral("cached_text"), cachedText},
                {QStringLiteral("cached_audio"), cachedAudio}, {QStringLiteral("cached_image"), cachedImage},
                {QStringLiteral("cache_write"), cacheWrite},   {QStringLiteral("text_output"), outputText},
                {QStringLiteral("audio_output"), outputAudio}, {QStringLiteral("reasoning_output"), outputReasoning}};
    }
};

} // namespace RelayDesk::Billing
