#include "relay/images/imagesendpoint.h"

#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/callengine.h"
#include "relay/chat/chatrelaytokens.h"
#include "relay/images/imagesadapter.h"
#include "relay/jsoncount.h"

#include <QtCore/QRegularExpression>

namespace RelayDesk::Relay {

namespace {

OpenAiError invalid(const QString &message, const QByteArray &param)
{
    return OpenAiError::invalidRequest(message, "invalid_value", param);
}

// A count field within [min, max] — a JSON number, or text in a form — `fallback` when absent.
std::variant<qint64, OpenAiError> countField(const QJsonValue &value, QLatin1StringView name, qint64 min, qint64 max,
                                             qint64 fallback, bool formText = false)
{
    if (value.isUndefined() || value.isNull() || (formText && value.toString().trimmed().isEmpty()))
        return fallback;
    std::optional<qint64> n;
    if (formText) {
        bool ok = false;
        const QString text = value.toString().trimmed();
        const qint64 parsed = text.size() <= 6 ? text.toLongLong(&ok) : 0;
        if (ok)
            n = parsed;
    } else {
        n = jsonCount(value);
    }
    if (!n || *n < min || *n > max)
        return invalid(QStringLiteral("Invalid '%1': expected an integer from %2 to %3.").arg(name).arg(min).arg(max),
                       QByteArray(name.data(), name.size()));
    return *n;
}

// size: "auto" or WxH; quality: a word. Empty = not given.
std::optional<OpenAiError> checkSizeAndQuality(const QString &size, const QString &quality)
{
    static const QRegularExpression kSize(QStringLiteral("^(auto|[0-9]{2,5}x[0-9]{2,5})$"));
    static const QRegularExpression kQuality(QStringLiteral("^[a-z]{1,16}$"));
    if (!size.isEmpty() && !kSize.match(size).hasMatch())
        return invalid(QStringLiteral("Invalid 'size': expected WIDTHxHEIGHT (e.g. 1024x1024) or auto."), "size");
    if (!quality.isEmpty() && !kQuality.match(quality).hasMatch())
        return invalid(QStringLiteral("Invalid 'quality': expected a word such as standard, hd, low, medium, high "
                                      "or auto."), "quality");
    return std::nullopt;
}

// A model priced by the image must have a price for this size and quality (its defaults: 1024x1024, standard):
// an image is never served unpriced. Fills in the defaults the price is looked up with.
std::optional<OpenAiError> checkImagePrice(const Billing::ModelPricing &pricing, ImagesAdapter::Ask &ask)
{
    if (pricing.imagePrices.isEmpty() || pricing.fixedPrice)
        return std::nullopt;
    ask.perImage = true;
    if (ask.size.isEmpty() || ask.size == QLatin1StringView("auto"))
        ask.size = QStringLiteral("1024x1024");
    if (ask.quality.isEmpty() || ask.quality == QLatin1StringView("auto"))
        ask.quality = QStringLiteral("standard");
    if (pricing.imagePrice(ask.size, ask.quality))
        return std::nullopt;
    return invalid(QStringLiteral("No image price is configured for %1 at size %2, quality %3.")
                       .arg(pricing.model, ask.size, ask.quality),
                   "size");
}

} // namespace

void ImagesEndpoint::install(Router &router)
{
    router.addRoute("POST", "/v1/images/generations", [this](HttpExchange &e) { generate(e); });
    router.addRoute("POST", "/v1/images/edits", [this](HttpExchange &e) { editOrVary(e, true); });
    router.addRoute("POST", "/v1/images/variations", [this](HttpExchange &e) { editOrVary(e, false); });
}

void ImagesEndpoint::generate(HttpExchange &exchange)
{
    auto call = readJsonCall(exchange, Model::Optional);
    if (!call)
        return;
    if (call->model.isEmpty()) { // OpenAI's default, named upstream too so every channel draws with the same model
        call->model = kDefaultModel;
        call->request.insert(QStringLiteral("model"), call->model);
    }
    const QJsonObject &request = call->request;
    const QJsonValue prompt = request.value(QLatin1StringView("prompt"));
    if (!prompt.isString() || prompt.toString().isEmpty())
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("'prompt' is a required property: a non-empty string."), "missing_required_parameter",
            "prompt"));
    if (prompt.toString().size() > kMaxPromptCharacters)
        return exchange.respondError(invalid(
            QStringLiteral("Invalid 'prompt': at most %1 characters.").arg(kMaxPromptCharacters), "prompt"));
    ImagesAdapter::Ask ask;
    const auto n = countField(request.value(QLatin1StringView("n")), QLatin1StringView("n"), 1, kMaxImages, 1);
    if (const auto *error = std::get_if<OpenAiError>(&n))
        return exchange.respondError(*error);
    const auto partials = countField(request.value(QLatin1StringView("partial_images")),
                                     QLatin1StringView("partial_images"), 0, kMaxPartialImages, 0);
    if (const auto *error = std::get_if<OpenAiError>(&partials))
        return exchange.respondError(*error);
    const QJsonValue stream = request.value(QLatin1StringView("stream"));
    if (!stream.isUndefined() && !stream.isNull() && !stream.isBool())
        return exchange.respondError(invalid(QStringLiteral("Invalid 'stream': expected a boolean."), "stream"));
    ask.images = std::get<qint64>(n);
    ask.partialImages = std::get<qint64>(partials);
    ask.stream = stream.toBool();
    ask.size = request.value(QLatin1StringView("size")).toString();
    ask.quality = request.value(QLatin1StringView("quality")).toString();
    if (auto error = checkSizeAndQuality(ask.size, ask.quality))
        return exchange.respondError(*error);
    auto pricing = admit(exchange, call->auth, call->model);
    if (!pricing)
        return;
    if (auto error = checkImagePrice(*pricing, ask))
        return exchange.respondError(*error);
    ask.promptTokens = ChatRelayTokens::countText(prompt.toString(), call->model);
    start(exchange, std::make_unique<ImagesAdapter>(std::move(call->request), std::move(ask)), call->auth,
          std::move(*pricing), call->model);
}

void ImagesEndpoint::editOrVary(HttpExchange &exchange, bool edit)
{
    auto call = readFormCall(exchange, Model::Optional);
    if (!call)
        return;
    const MultipartForm &form = call->form;
    QList<const MultipartPart *> images = form.parts("image");
    images += form.parts("image[]");
    if (images.isEmpty())
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("'image' is a required property: the image to %1, as a file part.")
                .arg(edit ? QStringLiteral("edit") : QStringLiteral("vary")),
            "missing_required_parameter", "image"));
    const qint64 limit = m_engine.config().maxUploadBytes;
    for (const MultipartPart *image : std::as_const(images)) {
        if (image->dataSize > limit) {
            OpenAiError error = OpenAiError::payloadTooLarge(limit);
            error.param = "image";
            return exchange.respondError(error);
        }
    }
    const QString prompt = form.text("prompt");
    if (edit && prompt.isEmpty())
        return exchange.respondError(OpenAiError::invalidRequest(
            QStringLiteral("'prompt' is a required property: a non-empty string."), "missing_required_parameter",
            "prompt"));
    if (prompt.size() > kMaxPromptCharacters)
        return exchange.respondError(invalid(
            QStringLiteral("Invalid 'prompt': at most %1 characters.").arg(kMaxPromptCharacters), "prompt"));
    ImagesAdapter::Ask ask;
    const auto n = countField(QJsonValue(form.text("n")), QLatin1StringView("n"), 1, kMaxImages, 1, true);
    if (const auto *error = std::get_if<OpenAiError>(&n))
        return exchange.respondError(*error);
    const auto partials = countField(QJsonValue(form.text("partial_images")), QLatin1StringView("partial_images"), 0,
                                     kMaxPartialImages, 0, true);
    if (const auto *error = std::get_if<OpenAiError>(&partials))
        return exchange.respondError(*error);
    const QString stream = form.text("stream").trimmed().toLower();
    ask.images = std::get<qint64>(n);
    ask.partialImages = std::get<qint64>(partials);
    ask.stream = edit && (stream == QLatin1StringView("true") || stream == QLatin1StringView("1"));
    ask.size = form.text("size").trimmed();
    ask.quality = form.text("quality").trimmed();
    if (auto error = checkSizeAndQuality(ask.size, ask.quality))
        return exchange.respondError(*error);
    QString model = call->model.isEmpty() ? kDefaultModel : call->model;
    auto pricing = admit(exchange, call->auth, model);
    if (!pricing)
        return;
    if (auto error = checkImagePrice(*pricing, ask))
        return exchange.respondError(*error);
    ask.promptTokens = ChatRelayTokens::countText(prompt, model);
    const auto kind = edit ? ImagesAdapter::Kind::Edit : ImagesAdapter::Kind::Variation;
    start(exchange,
          std::make_unique<ImagesAdapter>(kind, std::move(call->form), std::move(call->contentType), std::move(ask)),
          call->auth, std::move(*pricing), model);
}

} // namespace RelayDesk::Relay
