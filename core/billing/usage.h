#pragma once

#include "common/jsonmembers.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QtGlobal>

#include <array>

namespace RelayDesk::Billing {

// Token usage of one request or session, in OpenAI semantics:
//  - input* are disjoint by modality (text, audio, image);
//  - cached* are subsets of their modality's input; cacheWrite is a subset of inputText
//    (uncached text = inputText − cachedText − cacheWrite, never below 0), and cacheWrite1h the part of
//    cacheWrite written for one hour (Anthropic's ephemeral_1h_input_tokens, priced at CreateCacheRatio1h);
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
    qint64 cacheWrite1h = 0;
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
        cacheWrite1h += o.cacheWrite1h;
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
               cachedImage >= 0 && cacheWrite >= 0 && cacheWrite1h >= 0 && outputText >= 0 && outputAudio >= 0 && outputReasoning >= 0;
    }

    // The log's names of the counts (`other.usage`), in one place for toJson, toJsonText and fromJson.
    // cache_write_1h is written only where there are such writes: older rows and readers keep their shape.
    struct Field
    {
        const char *name;
        qint64 Usage::*count;
    };
    static constexpr std::array<Field, 11> kFields{{{"text_input", &Usage::inputText},
                                                    {"audio_input", &Usage::inputAudio},
                                                    {"image_input", &Usage::inputImage},
                                                    {"cached_text", &Usage::cachedText},
                                                    {"cached_audio", &Usage::cachedAudio},
                                                    {"cached_image", &Usage::cachedImage},
                                                    {"cache_write", &Usage::cacheWrite},
                                                    {"cache_write_1h", &Usage::cacheWrite1h},
                                                    {"text_output", &Usage::outputText},
                                                    {"audio_output", &Usage::outputAudio},
                                                    {"reasoning_output", &Usage::outputReasoning}}};
    static bool written(const Field &f, const Usage &u) { return f.count != &Usage::cacheWrite1h || u.cacheWrite1h > 0; }

    // For log `other` JSON.
    QJsonObject toJson() const
    {
        QJsonObject o;
        for (const Field &f : kFields)
            if (written(f, *this))
                o.insert(QLatin1StringView(f.name), this->*f.count);
        return o;
    }

    // toJson() as compact JSON text, written directly (a metered call's log row: see JsonMembers).
    QByteArray toJsonText() const
    {
        JsonMembers members;
        for (const Field &f : kFields)
            if (written(f, *this))
                members.add(QLatin1StringView(f.name), this->*f.count);
        return members.object();
    }

    // Back from a log row's `other.usage` (toJson); absent keys are 0.
    static Usage fromJson(const QJsonObject &o)
    {
        Usage u;
        for (const Field &f : kFields)
            u.*f.count = o.value(QLatin1StringView(f.name)).toInteger();
        return u;
    }
};

// What a call is billed for besides tokens (audio by the minute, text by the character, images by the piece),
// priced by the model's MinutePrice, CharacterPrice and ImagePrice (QuotaMath::unitsCost). Zero = none.
struct Units
{
    qint64 audioMs = 0;     // audio duration in milliseconds; MinutePrice is prorated per millisecond
    qint64 characters = 0;  // input characters (tts-1); CharacterPrice is USD per 1M characters
    qint64 images = 0;      // images produced; ImagePrice is USD per image by size and quality
    QString imageSize;      // "1024x1024" (empty: the price table's default for the model)
    QString imageQuality;   // "standard", "hd", "low", "medium", "high" (empty: default)

    bool isEmpty() const { return audioMs == 0 && characters == 0 && images == 0; }
    bool isValid() const { return audioMs >= 0 && characters >= 0 && images >= 0; }
    friend bool operator==(const Units &, const Units &) = default;

    // For log `other` JSON: only the quantities present (an empty object for none).
    QJsonObject toJson() const
    {
        QJsonObject o;
        if (audioMs > 0)
            o.insert(QStringLiteral("audio_seconds"), double(audioMs) / 1000.0);
        if (characters > 0)
            o.insert(QStringLiteral("characters"), characters);
        if (images > 0) {
            o.insert(QStringLiteral("images"), images);
            if (!imageSize.isEmpty())
                o.insert(QStringLiteral("image_size"), imageSize);
            if (!imageQuality.isEmpty())
                o.insert(QStringLiteral("image_quality"), imageQuality);
        }
        return o;
    }
};

} // namespace RelayDesk::Billing
