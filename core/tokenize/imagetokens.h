#pragma once
// Image input tokens for OpenAI vision models (newapi-billing.md §4.1): the tile rule (base + tiles x
// tile, after fitting into 2048 and scaling the short side to 768) and the patch rule (32 px patches,
// capped at 1536, times a per-model multiplier). Non-OpenAI models get the flat 520 of §4.2.
//
// Image size is read from the header only (PNG, JPEG, GIF through QImageReader in the image module loaded on
// first use, core/imagemodule; WebP parsed here, its header being three fixed layouts) for inline `data:`
// URLs. Remote URLs are not fetched by default: they get the documented flat estimate, 3 x base (255 for gpt-4o), which is also what the reference
// peer charges by default for every image; so do undecodable images. The option: a caller that wants
// remote images measured passes a RemoteImageSizer (e.g. the relay fetching the first kilobytes with a
// Range request and calling imageSizeFromBytes); this library itself never does network I/O.
#include <QByteArray>
#include <QSize>
#include <QStringView>

#include <functional>
#include <optional>

namespace RelayDesk::Tokenize {

enum class ImageDetail { Auto, Low, High };   // Auto and empty behave as High

ImageDetail imageDetailFromString(QStringView detail);

// True when the model gets the OpenAI image rules (else the flat 520).
bool usesOpenAIImageRules(QStringView model);

// Tokens for an image of known size.
qint64 imageTokensForSize(QStringView model, int width, int height, ImageDetail detail);
// Tokens when the size is unknown (remote URL, undecodable data): 3 x base, or 520 for non-OpenAI models.
qint64 imageFlatTokens(QStringView model, ImageDetail detail);
// Size of a remote image, or nullopt when unknown (then the flat estimate applies).
using RemoteImageSizer = std::function<std::optional<QSize>(QStringView url)>;

// Tokens for an image_url part: data: URLs are measured; other URLs by `remote` when given, else (or
// when it returns nullopt) the flat estimate.
qint64 imageTokensForUrl(QStringView model, QStringView url, ImageDetail detail, const RemoteImageSizer &remote = {});

// Header-only size of encoded image data (PNG, JPEG, GIF, WebP, and other formats QImageReader knows).
std::optional<QSize> imageSizeFromBytes(const QByteArray &data);
// Size from a `data:<mime>;base64,<payload>` URL.
std::optional<QSize> imageSizeFromDataUrl(QStringView url);

} // namespace RelayDesk::Tokenize
