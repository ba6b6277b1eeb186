#include "relay/embeddings/embeddingsadapter.h"

#include "common/compactjson.h"
#include "relay/clientsink.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

EmbeddingsAdapter::EmbeddingsAdapter(QJsonObject request, qint64 promptTokens, qsizetype inputs)
    : m_request(std::move(request))
    , m_promptTokens(promptTokens)
    , m_inputs(inputs)
{
}

PromptEstimate EmbeddingsAdapter::estimatePrompt(const QString &model) const
{
    Q_UNUSED(model) // counted by the endpoint with this model's tokenizer (it checks the bounds on the counts)
    return PromptEstimate{m_promptTokens, 0, 0};
}

UpstreamBody EmbeddingsAdapter::upstreamBody(const QString &upstreamModel) const
{
    QJsonObject body = m_request;
    body.insert(QStringLiteral("model"), upstreamModel);
    return CompactJson::write(body);
}

EventReport EmbeddingsAdapter::onEvent(const SseEvent &event, ClientSink &client)
{
    client.writeEvent(event.event, event.data); // never asked for (not a stream); relayed as is
    return {};
}

JsonReport EmbeddingsAdapter::onJson(const QJsonObject &reply)
{
    m_vectors = reply.value(QLatin1StringView("data")).toArray().size();
    return JsonReport{reply.value(QLatin1StringView("usage"))};
}

QByteArray EmbeddingsAdapter::withLocalUsage(QJsonObject reply, const ParsedUsage &usage) const
{
    reply.insert(QStringLiteral("usage"), QJsonObject{{QStringLiteral("prompt_tokens"), usage.promptTokens},
                                                      {QStringLiteral("total_tokens"), usage.promptTokens}});
    return CompactJson::write(reply);
}

LocalOutput EmbeddingsAdapter::countOutput(const QString &upstreamModel)
{
    Q_UNUSED(upstreamModel)
    return {}; // vectors are not tokens
}

void EmbeddingsAdapter::describe(QJsonObject &other) const
{
    other.insert(QStringLiteral("embedding_inputs"), qint64(m_inputs));
    if (m_vectors >= 0)
        other.insert(QStringLiteral("embedding_vectors"), qint64(m_vectors));
    if (const QJsonValue dimensions = m_request.value(QLatin1StringView("dimensions")); dimensions.isDouble())
        other.insert(QStringLiteral("dimensions"), dimensions);
}

} // namespace RelayDesk::Relay
