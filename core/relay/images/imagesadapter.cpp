#include "relay/images/imagesadapter.h"

#include "common/compactjson.h"
#include "relay/clientsink.h"
#include "relay/typedevent.h"
#include "relay/images/imageoutputtokens.h"
#include "relay/jsoncount.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

namespace {

HoldParameters holdFor(const ImagesAdapter::Ask &ask)
{
    const qint64 perImage = ImageOutputTokens::perImage(ask.size, ask.quality) +
                            ask.partialImages * ImageOutputTokens::kPartialImageTokens;
    return HoldParameters().withDefaultMaxTokens(perImage * ask.images);
}

} // namespace

ImagesAdapter::ImagesAdapter(QJsonObject request, Ask ask)
    : m_kind(Kind::Generation)
    , m_request(std::move(request))
    , m_ask(std::move(ask))
    , m_hold(holdFor(m_ask))
    , m_size(m_ask.size)
    , m_quality(m_ask.quality)
{
}

ImagesAdapter::ImagesAdapter(Kind kind, MultipartForm form, QByteArray contentType, Ask ask)
    : m_kind(kind)
    , m_form(std::move(form))
    , m_contentType(std::move(contentType))
    , m_ask(std::move(ask))
    , m_hold(holdFor(m_ask))
    , m_size(m_ask.size)
    , m_quality(m_ask.quality)
{
}

QString ImagesAdapter::requestPath() const
{
    return QStringLiteral("/v1/") + upstreamPath();
}

QString ImagesAdapter::upstreamPath() const
{
    switch (m_kind) {
    case Kind::Generation: return QStringLiteral("images/generations");
    case Kind::Edit: return QStringLiteral("images/edits");
    case Kind::Variation: return QStringLiteral("images/variations");
    }
    return {};
}

PromptEstimate ImagesAdapter::estimatePrompt(const QString &model) const
{
    Q_UNUSED(model) // counted by the endpoint
    PromptEstimate estimate;
    estimate.textTokens = m_ask.promptTokens;
    estimate.units.images = m_ask.images;
    estimate.units.imageSize = m_ask.size;
    estimate.units.imageQuality = m_ask.quality;
    return estimate;
}

UpstreamBody ImagesAdapter::upstreamBody(const QString &upstreamModel) const
{
    if (m_form)
        return UpstreamBody(m_contentType, m_form->withField("model", upstreamModel.toUtf8()), m_form->body());
    QJsonObject body = m_request;
    body.insert(QStringLiteral("model"), upstreamModel);
    return CompactJson::write(body);
}

EventReport ImagesAdapter::onEvent(const SseEvent &event, ClientSink &client)
{
    const auto [payload, type, liveType] = TypedEvent::forward(event, client);
    EventReport report;
    report.liveType = liveType;
    if (type.endsWith(QLatin1StringView(".partial_image"))) {
        ++m_partials;
    } else if (type.endsWith(QLatin1StringView(".completed"))) {
        ++m_delivered;
        noteSizeAndQuality(payload);
        report.usage = addUsage(payload.value(QLatin1StringView("usage")));
        report.terminal = m_delivered >= m_ask.images;
    }
    return report;
}

namespace {

// a + b for every count of `b`; anything that is not a count replaces a's value as it is.
QJsonObject sumCounts(QJsonObject a, const QJsonObject &b)
{
    for (auto it = b.begin(); it != b.end(); ++it) {
        const QJsonValue mine = a.value(it.key());
        if (it.value().isObject() && (mine.isObject() || mine.isUndefined())) {
            a.insert(it.key(), sumCounts(mine.toObject(), it.value().toObject()));
            continue;
        }
        const auto x = jsonCount(it.value());
        const auto y = mine.isUndefined() ? std::optional<qint64>(0) : jsonCount(mine);
        if (!y)
            continue; // a bad count seen before stays
        a.insert(it.key(), x ? QJsonValue(*x + *y) : it.value());
    }
    return a;
}

} // namespace

QJsonValue ImagesAdapter::addUsage(const QJsonValue &usage)
{
    if (!usage.isObject())
        return m_usageSum.isEmpty() ? usage : QJsonValue(m_usageSum);
    m_usageSum = sumCounts(m_usageSum, usage.toObject());
    return m_usageSum;
}

void ImagesAdapter::writeStreamError(ClientSink &client, const OpenAiError &error)
{
    client.writeEvent("error", error.toJson());
}

JsonReport ImagesAdapter::onJson(const QJsonObject &reply)
{
    m_delivered = reply.value(QLatin1StringView("data")).toArray().size();
    noteSizeAndQuality(reply);
    return JsonReport{reply.value(QLatin1StringView("usage"))};
}

void ImagesAdapter::noteSizeAndQuality(const QJsonObject &reply)
{
    // GPT image models say what "auto" became; DALL·E replies do not, and the request's values stand.
    if (const QString size = reply.value(QLatin1StringView("size")).toString(); !size.isEmpty())
        m_size = size;
    if (const QString quality = reply.value(QLatin1StringView("quality")).toString(); !quality.isEmpty())
        m_quality = quality;
}

Billing::Units ImagesAdapter::deliveredUnits() const
{
    Billing::Units units;
    units.images = m_delivered;
    units.imageSize = m_size;
    units.imageQuality = m_quality;
    return units;
}

LocalOutput ImagesAdapter::countOutput(const QString &upstreamModel)
{
    Q_UNUSED(upstreamModel)
    LocalOutput out;
    if (!m_ask.perImage) // a GPT image model's output is tokens; a DALL·E image is the unit itself
        out.completionTokens = m_delivered * ImageOutputTokens::perImage(m_size, m_quality) +
                               m_partials * ImageOutputTokens::kPartialImageTokens;
    out.units = deliveredUnits();
    return out;
}

UsageReading ImagesAdapter::readUsage(const QJsonValue &value) const
{
    UsageReading reading = UsageParser::read(value);
    if (reading.usage)
        reading.usage->units = deliveredUnits(); // a model priced by the image pays for those delivered
    return reading;
}

void ImagesAdapter::describe(QJsonObject &other) const
{
    other.insert(QStringLiteral("images_requested"), m_ask.images);
    other.insert(QStringLiteral("images_delivered"), m_delivered);
    if (m_partials > 0)
        other.insert(QStringLiteral("partial_images"), m_partials);
    if (!m_size.isEmpty())
        other.insert(QStringLiteral("size"), m_size);
    if (!m_quality.isEmpty())
        other.insert(QStringLiteral("quality"), m_quality);
}

} // namespace RelayDesk::Relay
