#pragma once
// POST /v1/images/generations (JSON), /v1/images/edits and /v1/images/variations (multipart): checks the request
// (a prompt where one is needed, 1…10 images, the image parts of an edit or a variation within
// CallConfig::maxUploadBytes, partial_images 0…3), the model (dall-e-2 when absent, as OpenAI) admitted — and,
// for a model priced by the image, a price for the asked size and quality, so that no image is ever served
// unpriced — and starts an ImagesAdapter call on the engine.
#include "relay/meteredendpoint.h"

namespace RelayDesk::Relay {

class ImagesEndpoint final : public MeteredEndpoint
{
public:
    static constexpr qint64 kMaxImages = 10;
    static constexpr qint64 kMaxPartialImages = 3;
    static constexpr qint64 kMaxPromptCharacters = 32000;
    static inline const QString kDefaultModel = QStringLiteral("dall-e-2");

    using MeteredEndpoint::MeteredEndpoint;
    void install(Router &router) override;

private:
    void generate(HttpExchange &exchange);
    void editOrVary(HttpExchange &exchange, bool edit);
};

} // namespace RelayDesk::Relay
