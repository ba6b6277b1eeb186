#pragma once
// Output tokens of one image from a GPT image model (gpt-image-1 family), by size and quality, as OpenAI
// documents them ("Cost and latency" of the image generation guide): what a generation's hold covers before
// the upstream reports usage, and the local count when it reports none. "auto" (or an unknown size or quality)
// is counted as the dearest the model can choose; every partial image of a stream adds kPartialImageTokens.
#include <QtCore/QString>

namespace RelayDesk::Relay {

class ImageOutputTokens final
{
public:
    static constexpr qint64 kPartialImageTokens = 100;

    static qint64 perImage(const QString &size, const QString &quality);
};

} // namespace RelayDesk::Relay
