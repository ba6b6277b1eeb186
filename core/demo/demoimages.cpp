#include "demo/demoimages.h"

#include "demo/demoformrequest.h"
#include "demo/demoimagefile.h"
#include "demo/demopacedwriter.h"
#include "demo/demorequest.h"
#include "demo/demoscenario.h"
#include "http/httpexchange.h"
#include "http/router.h"
#include "relay/chat/chatrelaytokens.h"
#include "tokenize/imagetokens.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

namespace RelayDesk::Relay {

namespace {

constexpr int kMaxImages = 10;
constexpr int kMaxInputImages = 16;
constexpr int kMaxPartialImages = 3;
const QByteArray kUrlPrefix = "/demo/images/";

enum class Family { GptImage, DallE2, DallE3, Unknown };
enum class Kind { Generation, Edit, Variation };

Family familyOf(const QString &model)
{
    if (model.startsWith(QLatin1StringView("gpt-image")))
        return Family::GptImage;
    if (model == u"dall-e-2")
        return Family::DallE2;
    if (model == u"dall-e-3")
        return Family::DallE3;
    return Family::Unknown;
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// One image request, its parameters read from JSON or a form and checked.
struct Job
{
    Kind kind = Kind::Generation;
    QString model;
    QString scenario;
    Family family = Family::Unknown;
    QString prompt;
    int n = 1;
    QString size;
    QString quality;
    QString responseFormat; // dall-e: url | b64_json
    QString outputFormat;   // png | jpeg | webp
    QString background;     // gpt: opaque | transparent
    bool stream = false;
    int partialImages = 0;
    qint64 inputImageTokens = 0;
    QByteArray host;        // for url replies
    bool has(const char *name) const { return DemoScenario::has(scenario, QLatin1StringView(name)); }
};

OpenAiError invalid(const QByteArray &param, const QString &value, const QStringList &allowed)
{
    QStringList quoted;
    for (const QString &a : allowed)
        quoted << QLatin1Char('\'') + a + QLatin1Char('\'');
    return OpenAiError::invalidRequest(QStringLiteral("Invalid value: '%1'. Supported values are: %2.")
                                           .arg(value, quoted.join(QStringLiteral(", "))),
                                       "invalid_value", param);
}

QString stringOf(const QJsonObject &params, const char *name, const QString &fallback = {})
{
    const QJsonValue v = params.value(QLatin1StringView(name));
    return v.isString() && !v.toString().isEmpty() ? v.toString() : fallback;
}

// The size, quality, n and format rules of one model family; nullopt when the job is valid.
std::optional<OpenAiError> checkParameters(Job &job, const QJsonObject &params)
{
    const QJsonValue n = params.value(QLatin1StringView("n"));
    job.n = n.isUndefined() || n.isNull() ? 1 : n.toInt(-1);
    if (job.n < 1 || job.n > kMaxImages)
        return OpenAiError::invalidRequest(QStringLiteral("Invalid 'n': expected a number from 1 to 10."),
                                           "invalid_value", "n");
    if (job.family == Family::DallE3 && job.n != 1)
        return OpenAiError::invalidRequest(QStringLiteral("You must provide n=1 for this model."), "invalid_value", "n");
    QStringList sizes;
    QStringList qualities;
    QString defaultQuality;
    switch (job.family) {
    case Family::GptImage:
        sizes = {QStringLiteral("auto"), QStringLiteral("1024x1024"), QStringLiteral("1536x1024"), QStringLiteral("1024x1536")};
        qualities = {QStringLiteral("auto"), QStringLiteral("low"), QStringLiteral("medium"), QStringLiteral("high")};
        defaultQuality = QStringLiteral("high");
        break;
    case Family::DallE3:
        sizes = {QStringLiteral("1024x1024"), QStringLiteral("1792x1024"), QStringLiteral("1024x1792")};
        qualities = {QStringLiteral("standard"), QStringLiteral("hd"), QStringLiteral("auto")};
        defaultQuality = QStringLiteral("standard");
        break;
    default:
        sizes = {QStringLiteral("256x256"), QStringLiteral("512x512"), QStringLiteral("1024x1024")};
        qualities = {QStringLiteral("standard"), QStringLiteral("auto")};
        defaultQuality = QStringLiteral("standard");
    }
    job.size = stringOf(params, "size", job.family == Family::GptImage ? QStringLiteral("auto") : QStringLiteral("1024x1024"));
    if (!sizes.contains(job.size))
        return invalid("size", job.size, sizes);
    if (job.size == u"auto")
        job.size = QStringLiteral("1024x1024");
    job.quality = stringOf(params, "quality", QStringLiteral("auto"));
    if (!qualities.contains(job.quality))
        return invalid("quality", job.quality, qualities);
    if (job.quality == u"auto")
        job.quality = defaultQuality;
    const bool gpt = job.family == Family::GptImage;
    if (gpt && params.contains(QLatin1StringView("response_format")))
        return OpenAiError::invalidRequest(QStringLiteral("Unknown parameter: 'response_format'."),
                                           "unknown_parameter", "response_format");
    job.responseFormat = stringOf(params, "response_format", QStringLiteral("url"));
    if (!gpt && job.responseFormat != u"url" && job.responseFormat != u"b64_json")
        return invalid("response_format", job.responseFormat, {QStringLiteral("url"), QStringLiteral("b64_json")});
    job.outputFormat = gpt ? stringOf(params, "output_format", QStringLiteral("png")) : QStringLiteral("png");
    static const QStringList outputFormats{QStringLiteral("png"), QStringLiteral("jpeg"), QStringLiteral("webp")};
    if (!outputFormats.contains(job.outputFormat))
        return invalid("output_format", job.outputFormat, outputFormats);
    if (!DemoImageFile::canWrite(job.outputFormat))
        return OpenAiError::invalidRequest(
            QStringLiteral("The demo upstream cannot write output_format '%1' (no image writer in this Qt).")
                .arg(job.outputFormat), "unsupported_value", "output_format");
    const QString background = stringOf(params, "background", QStringLiteral("auto"));
    if (background != u"auto" && background != u"opaque" && background != u"transparent")
        return invalid("background", background,
                       {QStringLiteral("transparent"), QStringLiteral("opaque"), QStringLiteral("auto")});
    if (background == u"transparent" && job.outputFormat == u"jpeg")
        return OpenAiError::invalidRequest(
            QStringLiteral("Transparent background is not supported for output_format 'jpeg'."), "unsupported_value",
            "background");
    job.background = background == u"transparent" ? background : QStringLiteral("opaque");
    const QJsonValue stream = params.value(QLatin1StringView("stream"));
    job.stream = stream.toBool() || stream.toString() == u"true";
    if (job.stream && !gpt)
        return OpenAiError::invalidRequest(QStringLiteral("Streaming is only supported for the GPT image models."),
                                           "unsupported_value", "stream");
    const QJsonValue partial = params.value(QLatin1StringView("partial_images"));
    job.partialImages = partial.isUndefined() || partial.isNull() ? 0 : partial.toInt(-1);
    if (job.partialImages < 0 || job.partialImages > kMaxPartialImages)
        return OpenAiError::invalidRequest(QStringLiteral("Invalid 'partial_images': expected a number from 0 to 3."),
                                           "invalid_value", "partial_images");
    return std::nullopt;
}

std::optional<OpenAiError> checkPrompt(Job &job, const QJsonObject &params)
{
    job.prompt = params.value(QLatin1StringView("prompt")).toString();
    if (job.prompt.isEmpty())
        return OpenAiError::invalidRequest(QStringLiteral("Missing required parameter: 'prompt'."),
                                           "missing_required_parameter", "prompt");
    const qsizetype limit = job.family == Family::GptImage ? 32000 : job.family == Family::DallE3 ? 4000 : 1000;
    if (job.prompt.size() > limit)
        return OpenAiError::invalidRequest(
            QStringLiteral("Invalid 'prompt': string too long. Expected a string with maximum length %1, but got a "
                           "string with length %2 instead.").arg(limit).arg(job.prompt.size()),
            "string_above_max_length", "prompt");
    return std::nullopt;
}

QJsonObject usageJson(const Job &job, qint64 textTokens, qint64 imageTokens, qint64 outputTokens)
{
    const qint64 sign = job.has("bad_usage") ? -1 : 1;
    const qint64 input = sign * (textTokens + imageTokens);
    const qint64 output = sign * outputTokens;
    return QJsonObject{{QStringLiteral("total_tokens"), input + output},
                       {QStringLiteral("input_tokens"), input},
                       {QStringLiteral("output_tokens"), output},
                       {QStringLiteral("input_tokens_details"),
                        QJsonObject{{QStringLiteral("text_tokens"), sign * textTokens},
                                    {QStringLiteral("image_tokens"), sign * imageTokens}}}};
}

qint64 perImageOutput(const Job &job)
{
    return DemoImages::outputTokens(job.size, job.quality) + (job.stream ? job.partialImages * DemoImages::kPartialImageTokens : 0);
}

QByteArray seedOf(const Job &job, int index)
{
    return (job.model + QLatin1Char('|') + job.prompt + QLatin1Char('|') + QString::number(index)).toUtf8();
}

std::optional<QByteArray> picture(const Job &job, int index)
{
    const auto size = DemoImageFile::parseSize(job.size);
    return DemoImageFile::render(size->first, size->second, seedOf(job, index), job.outputFormat,
                                 job.background == u"transparent");
}

QJsonObject gptFields(const Job &job)
{
    return QJsonObject{{QStringLiteral("size"), job.size},
                       {QStringLiteral("quality"), job.quality},
                       {QStringLiteral("background"), job.background},
                       {QStringLiteral("output_format"), job.outputFormat}};
}

void respondStream(HttpExchange &exchange, const Job &job, const DemoUpstreamOptions &options)
{
    const QByteArray prefix = job.kind == Kind::Edit ? "image_edit." : "image_generation.";
    const qint64 created = QDateTime::currentSecsSinceEpoch();
    const qint64 textTokens = ChatRelayTokens::countText(job.prompt, job.model);
    QList<DemoPacedWriter::Piece> pieces;
    for (int i = 0; i < job.n; ++i) {
        const std::optional<QByteArray> bytes = picture(job, i);
        if (!bytes)
            return exchange.respondError(OpenAiError::internal(QStringLiteral("The demo upstream failed to render an image.")));
        const QString b64 = QString::fromLatin1(bytes->toBase64());
        for (int p = 0; p < job.partialImages; ++p) {
            QJsonObject event = gptFields(job);
            event.insert(QStringLiteral("type"), QString::fromLatin1(prefix + "partial_image"));
            event.insert(QStringLiteral("b64_json"), b64);
            event.insert(QStringLiteral("created_at"), created);
            event.insert(QStringLiteral("partial_image_index"), p);
            pieces.append({prefix + "partial_image", compact(event)});
        }
        QJsonObject event = gptFields(job);
        event.insert(QStringLiteral("type"), QString::fromLatin1(prefix + "completed"));
        event.insert(QStringLiteral("b64_json"), b64);
        event.insert(QStringLiteral("created_at"), created);
        if (!job.has("no_usage"))
            event.insert(QStringLiteral("usage"), usageJson(job, i == 0 ? textTokens : 0,
                                                            i == 0 ? job.inputImageTokens : 0, perImageOutput(job)));
        pieces.append({prefix + "completed", compact(event)});
    }
    const bool slow = job.has("slow");
    DemoPacedWriter::events(exchange, std::move(pieces),
                            {slow ? std::max(50, options.firstChunkDelayMs) : options.firstChunkDelayMs,
                             slow ? std::max(50, options.chunkDelayMs * 10) : options.chunkDelayMs, job.has("reset")});
}

QString urlFor(const Job &job, int index)
{
    const QByteArray seed = QCryptographicHash::hash(seedOf(job, index), QCryptographicHash::Sha256).toHex().left(24);
    return QStringLiteral("http://%1%2%3/%4.png")
        .arg(QString::fromUtf8(job.host), QString::fromUtf8(kUrlPrefix), job.size, QString::fromLatin1(seed));
}

void respondJson(HttpExchange &exchange, const Job &job)
{
    QJsonArray data;
    for (int i = 0; i < job.n; ++i) {
        QJsonObject item;
        if (job.family != Family::GptImage && job.responseFormat == u"url") {
            item.insert(QStringLiteral("url"), urlFor(job, i));
        } else {
            const std::optional<QByteArray> bytes = picture(job, i);
            if (!bytes)
                return exchange.respondError(OpenAiError::internal(QStringLiteral("The demo upstream failed to render an image.")));
            item.insert(QStringLiteral("b64_json"), QString::fromLatin1(bytes->toBase64()));
        }
        if (job.family == Family::DallE3)
            item.insert(QStringLiteral("revised_prompt"), QString(QStringLiteral("A RelayDesk demo rendering of: ") + job.prompt));
        data.append(item);
    }
    QJsonObject reply{{QStringLiteral("created"), QDateTime::currentSecsSinceEpoch()}, {QStringLiteral("data"), data}};
    if (job.family == Family::GptImage) {
        const QJsonObject fields = gptFields(job);
        for (auto it = fields.begin(); it != fields.end(); ++it)
            reply.insert(it.key(), it.value());
        if (!job.has("no_usage"))
            reply.insert(QStringLiteral("usage"), usageJson(job, ChatRelayTokens::countText(job.prompt, job.model),
                                                            job.inputImageTokens, job.n * perImageOutput(job)));
    }
    exchange.respond(200, compact(reply));
}

void answer(HttpExchange &exchange, const Job &job, const DemoUpstreamOptions &options)
{
    if (job.has("hang"))
        return;
    if (job.stream)
        return respondStream(exchange, job, options);
    if (job.has("reset"))
        return exchange.abortConnection();
    respondJson(exchange, job);
}

std::optional<OpenAiError> checkModel(const Job &job)
{
    const bool allowed = job.kind == Kind::Generation ? job.family != Family::Unknown
                         : job.kind == Kind::Edit     ? job.family == Family::GptImage || job.family == Family::DallE2
                                                      : job.family == Family::DallE2;
    if (allowed)
        return std::nullopt;
    return OpenAiError::invalidRequest(QStringLiteral("Invalid value for 'model': '%1' is not supported by this endpoint.")
                                           .arg(job.model), "invalid_value", "model");
}

void handleGeneration(HttpExchange &exchange, const DemoUpstreamOptions &options)
{
    const auto request = DemoRequest::read(exchange, options, QLatin1StringView("prompt"), QStringLiteral("dall-e-2"));
    if (!request)
        return;
    Job job;
    job.model = request->model;
    job.scenario = request->scenario;
    job.family = familyOf(job.model);
    job.host = exchange.request().header("Host");
    if (auto e = checkModel(job); e)
        return exchange.respondError(*e);
    if (auto e = checkPrompt(job, request->body); e)
        return exchange.respondError(*e);
    if (auto e = checkParameters(job, request->body); e)
        return exchange.respondError(*e);
    answer(exchange, job, options);
}

// The form's text fields as JSON parameters (n and partial_images as numbers, when they are numbers).
QJsonObject paramsOf(const DemoMultipart &form)
{
    QJsonObject params;
    for (const DemoMultipart::Part &p : form.parts()) {
        if (p.isFile())
            continue;
        const QString value = QString::fromUtf8(p.data);
        bool ok = false;
        const int number = value.toInt(&ok);
        params.insert(p.name, (p.name == u"n" || p.name == u"partial_images") && ok ? QJsonValue(number) : QJsonValue(value));
    }
    return params;
}

// Checks the uploaded images and counts their tokens; nullopt when they are acceptable.
std::optional<OpenAiError> checkInputImages(Job &job, const DemoMultipart &form)
{
    const QList<const DemoMultipart::Part *> images = form.all({QStringLiteral("image"), QStringLiteral("image[]")});
    if (images.isEmpty())
        return OpenAiError::invalidRequest(QStringLiteral("Missing required parameter: 'image'."),
                                           "missing_required_parameter", "image");
    const int limit = job.family == Family::GptImage ? kMaxInputImages : 1;
    if (images.size() > limit)
        return OpenAiError::invalidRequest(QStringLiteral("Invalid 'image': expected at most %1 images, got %2.")
                                               .arg(limit).arg(images.size()), "invalid_value", "image");
    for (qsizetype i = 0; i < images.size(); ++i) {
        const QByteArray &data = images.at(i)->data;
        const std::optional<QSize> size = Tokenize::imageSizeFromBytes(data);
        const bool png = data.startsWith("\x89PNG");
        if (!size || !size->isValid())
            return OpenAiError::invalidRequest(
                QStringLiteral("Invalid image file or mode for image %1, please check your image file.").arg(i + 1),
                "invalid_image_file", "image");
        if (job.family != Family::GptImage && (!png || size->width() != size->height()))
            return OpenAiError::invalidRequest(
                QStringLiteral("Invalid input image - image must be a square PNG file."), "invalid_image_format", "image");
        if (job.family == Family::GptImage)
            job.inputImageTokens += Tokenize::imageTokensForSize(job.model, size->width(), size->height(),
                                                                 Tokenize::ImageDetail::High);
    }
    if (const DemoMultipart::Part *mask = form.part(u"mask"); mask && !mask->data.startsWith("\x89PNG"))
        return OpenAiError::invalidRequest(QStringLiteral("Invalid mask: it must be a PNG file."),
                                           "invalid_image_format", "mask");
    return std::nullopt;
}

void handleForm(HttpExchange &exchange, const DemoUpstreamOptions &options, Kind kind)
{
    const auto request = DemoFormRequest::read(exchange, options, QLatin1StringView("prompt"), QStringLiteral("dall-e-2"));
    if (!request)
        return;
    Job job;
    job.kind = kind;
    job.model = request->model;
    job.scenario = request->scenario;
    job.family = familyOf(job.model);
    job.host = exchange.request().header("Host");
    const QJsonObject params = paramsOf(request->form);
    if (auto e = checkModel(job); e)
        return exchange.respondError(*e);
    if (kind == Kind::Edit) {
        if (auto e = checkPrompt(job, params); e)
            return exchange.respondError(*e);
    }
    if (auto e = checkParameters(job, params); e)
        return exchange.respondError(*e);
    if (auto e = checkInputImages(job, request->form); e)
        return exchange.respondError(*e);
    answer(exchange, job, options);
}

// GET /demo/images/<W>x<H>/<seed>.png: the picture a url reply names.
void handleFile(HttpExchange &exchange)
{
    const QList<QByteArray> parts = exchange.request().path.mid(kUrlPrefix.size()).split('/');
    const auto size = parts.size() == 2 ? DemoImageFile::parseSize(QString::fromLatin1(parts.at(0))) : std::nullopt;
    const std::optional<QByteArray> bytes =
        size && parts.at(1).endsWith(".png") ? DemoImageFile::render(size->first, size->second, parts.at(1), QStringLiteral("png"))
                                             : std::nullopt;
    if (!bytes)
        return exchange.respondError(OpenAiError::notFound(QStringLiteral("No such demo image.")));
    exchange.respond(200, *bytes, "image/png");
}

} // namespace

qint64 DemoImages::outputTokens(const QString &size, const QString &quality)
{
    const bool square = size == u"1024x1024";
    const bool oblong = size == u"1024x1536" || size == u"1536x1024";
    if (!square && !oblong)
        return 0;
    if (quality == u"low")
        return square ? 272 : 408;
    if (quality == u"medium")
        return square ? 1056 : 1584;
    if (quality == u"high")
        return square ? 4160 : 6240;
    return 0;
}

void DemoImages::install(HttpServer &server, const DemoUpstreamOptions &options)
{
    server.router().addRoute("POST", "/v1/images/generations",
                             [options](HttpExchange &e) { handleGeneration(e, options); }, Router::Access::Public);
    server.router().addRoute("POST", "/v1/images/edits",
                             [options](HttpExchange &e) { handleForm(e, options, Kind::Edit); }, Router::Access::Public);
    server.router().addRoute("POST", "/v1/images/variations",
                             [options](HttpExchange &e) { handleForm(e, options, Kind::Variation); },
                             Router::Access::Public);
    server.router().addPrefixRoute("GET", kUrlPrefix, [](HttpExchange &e) { handleFile(e); }, Router::Access::Public);
}

} // namespace RelayDesk::Relay
