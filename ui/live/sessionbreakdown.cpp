#include "live/sessionbreakdown.h"
#include "live/unitstext.h"

#include <algorithm>

namespace RelayDesk::Ui {

namespace {

// A palette that reads well on light and dark themes: blues for text, oranges for audio,
// green for images, grey for cached, teal for cache writes and purple for reasoning.
const QColor kText(0x3b, 0x82, 0xc4);
const QColor kAudio(0xe0, 0x8a, 0x2e);
const QColor kImage(0x4c, 0xa8, 0x6b);
const QColor kCached(0x9a, 0xa5, 0xb1);
const QColor kCacheWrite(0x2f, 0xa3, 0x9a);
const QColor kReasoning(0x8e, 0x6b, 0xc9);

// Writes without a TTL split are Anthropic's default, 5 minutes; the 1-hour part is a subset of cacheWrite.
qint64 write5m(const Billing::Usage &u)
{
    return std::max<qint64>(0, u.cacheWrite - u.cacheWrite1h);
}

qint64 uncachedText(const Billing::Usage &u)
{
    return std::max<qint64>(0, u.inputText - u.cachedText - u.cacheWrite);
}

} // namespace

QList<SessionBreakdown::Part> SessionBreakdown::inputParts(const Billing::Usage &u, const TokenPrices &p)
{
    // Cached and cache-written text are both parts of the text input (OpenAI semantics); the rest is uncached.
    return {
        {tr("text"), uncachedText(u), p.textIn, kText},
        {tr("audio"), std::max<qint64>(0, u.inputAudio - u.cachedAudio), p.audioIn, kAudio},
        {tr("image"), std::max<qint64>(0, u.inputImage - u.cachedImage), p.imageIn, kImage},
        {tr("cached text"), u.cachedText, p.cachedTextIn, kCached},
        {tr("5-minute cache write"), write5m(u), p.cacheWriteIn, kCacheWrite},
        {tr("1-hour cache write"), u.cacheWrite1h, p.cacheWrite1hIn, kCacheWrite.darker(125)},
        {tr("cached audio"), u.cachedAudio, p.cachedAudioIn, kCached.darker(120)},
        {tr("cached image"), u.cachedImage, p.cachedImageIn, kCached.lighter(115)},
    };
}

QList<SessionBreakdown::Part> SessionBreakdown::outputParts(const Billing::Usage &u, const TokenPrices &p)
{
    return {
        {tr("text"), std::max<qint64>(0, u.outputText - u.outputReasoning), p.textOut, kText},
        {tr("reasoning"), u.outputReasoning, p.textOut, kReasoning},
        {tr("audio"), u.outputAudio, p.audioOut, kAudio},
    };
}

QList<SessionBreakdown::Part> SessionBreakdown::messagesParts(const Billing::Usage &u, const TokenPrices &p)
{
    return {
        {tr("input"), uncachedText(u), p.textIn, kText},
        {tr("cache reads"), u.cachedText, p.cachedTextIn, kCached},
        {tr("5-minute cache writes"), write5m(u), p.cacheWriteIn, kCacheWrite},
        {tr("1-hour cache writes"), u.cacheWrite1h, p.cacheWrite1hIn, kCacheWrite.darker(125)},
        {tr("output"), u.outputText, p.textOut, kText.darker(115)},
    };
}

QList<SessionBreakdown::UnitPart> SessionBreakdown::unitParts(const Billing::Units &u, const TokenPrices &p)
{
    QList<UnitPart> parts;
    if (u.audioMs > 0)
        parts.append({UnitsText::audio(u.audioMs), p.audioUnitsQuota, kAudio});
    if (u.characters > 0)
        parts.append({UnitsText::characters(u.characters), p.characterUnitsQuota, kText});
    if (u.images > 0)
        parts.append({UnitsText::images(u.images, u.imageSize, u.imageQuality), p.imageUnitsQuota, kImage});
    return parts;
}

} // namespace RelayDesk::Ui
