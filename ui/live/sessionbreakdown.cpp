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

} // namespace

QList<SessionBreakdown::Part> SessionBreakdown::inputParts(const Billing::Usage &u, const TokenPrices &p)
{
    // Cached and cache-written text are both parts of the text input (OpenAI semantics); the rest is uncached.
    return {
        {tr("text"), std::max<qint64>(0, u.inputText - u.cachedText - u.cacheWrite), p.textIn, kText},
        {tr("audio"), std::max<qint64>(0, u.inputAudio - u.cachedAudio), p.audioIn, kAudio},
        {tr("image"), std::max<qint64>(0, u.inputImage - u.cachedImage), p.imageIn, kImage},
        {tr("cached text"), u.cachedText, p.cachedTextIn, kCached},
        {tr("cache write"), u.cacheWrite, p.cacheWriteIn, kCacheWrite},
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
