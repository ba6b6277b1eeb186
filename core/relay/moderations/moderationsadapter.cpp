#include "relay/moderations/moderationsadapter.h"

#include "common/compactjson.h"
#include "relay/clientsink.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

ModerationsAdapter::ModerationsAdapter(QJsonObject request)
    : m_request(std::move(request))
{
}

PromptEstimate ModerationsAdapter::estimatePrompt(const QString &model) const
{
    // The text of the input (strings, or the text parts of a multi-modal input); images are not counted (free).
    const QJsonValue input = m_request.value(QLatin1StringView("input"));
    const QJsonArray items = input.isArray() ? input.toArray() : QJsonArray{input};
    qint64 tokens = 0;
    for (const QJsonValue &item : items) {
        const QString text = item.isString() ? item.toString()
                                             : item.toObject().value(QLatin1StringView("text")).toString();
        tokens += ChatRelayTokens::countText(text, model);
    }
    return PromptEstimate{tokens, 0, 0};
}

UpstreamBody ModerationsAdapter::upstreamBody(const QString &upstreamModel) const
{
    QJsonObject body = m_request;
    body.insert(QStringLiteral("model"), upstreamModel);
    return CompactJson::write(body);
}

EventReport ModerationsAdapter::onEvent(const SseEvent &event, ClientSink &client)
{
    client.writeEvent(event.event, event.data); // never asked for (not a stream); relayed as is
    return {};
}

JsonReport ModerationsAdapter::onJson(const QJsonObject &reply)
{
    const QJsonArray results = reply.value(QLatin1StringView("results")).toArray();
    m_results = results.size();
    for (const QJsonValue &r : results)
        m_flagged += r.toObject().value(QLatin1StringView("flagged")).toBool() ? 1 : 0;
    return JsonReport{reply.value(QLatin1StringView("usage"))};
}

LocalOutput ModerationsAdapter::countOutput(const QString &upstreamModel)
{
    Q_UNUSED(upstreamModel)
    return {};
}

void ModerationsAdapter::describe(QJsonObject &other) const
{
    if (m_results >= 0) {
        other.insert(QStringLiteral("moderation_results"), m_results);
        other.insert(QStringLiteral("moderation_flagged"), m_flagged);
    }
}

} // namespace RelayDesk::Relay
