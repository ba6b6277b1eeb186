#include "relay/completions/completionsadapter.h"

#include "common/compactjson.h"
#include "relay/clientsink.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

CompletionsAdapter::CompletionsAdapter(QJsonObject request, PromptInput prompt, qint64 promptTokens,
                                       HoldParameters hold)
    : m_request(std::move(request))
    , m_prompt(std::move(prompt))
    , m_promptTokens(promptTokens)
    , m_hold(hold)
    , m_chunks(m_request, QStringLiteral("text_completion"),
               [this](const QJsonArray &choices) { collectChoices(choices); })
{
    m_echo = m_request.value(QLatin1StringView("echo")).toBool();
    m_n = std::max<qint64>(1, m_request.value(QLatin1StringView("n")).toInteger(1)); // checked by the endpoint
}

PromptEstimate CompletionsAdapter::estimatePrompt(const QString &model) const
{
    Q_UNUSED(model) // counted by the endpoint with this model's tokenizer
    return PromptEstimate{m_promptTokens, 0, 0};
}

UpstreamBody CompletionsAdapter::upstreamBody(const QString &upstreamModel) const
{
    QJsonObject body = m_request;
    body.insert(QStringLiteral("model"), upstreamModel);
    m_chunks.requestUsage(body); // hidden again from clients that did not ask (ChunkStream::onEvent)
    return CompactJson::write(body);
}

EventReport CompletionsAdapter::onEvent(const SseEvent &event, ClientSink &client)
{
    return m_chunks.onEvent(event, client);
}

JsonReport CompletionsAdapter::onJson(const QJsonObject &reply)
{
    collectChoices(reply.value(QLatin1StringView("choices")).toArray());
    return JsonReport{reply.value(QLatin1StringView("usage"))};
}

QByteArray CompletionsAdapter::withLocalUsage(QJsonObject reply, const ParsedUsage &usage) const
{
    reply.insert(QStringLiteral("usage"), UsageParser::toJson(usage));
    return CompactJson::write(reply);
}

LocalOutput CompletionsAdapter::countOutput(const QString &upstreamModel)
{
    m_chunks.drain();
    qint64 tokens = 0;
    for (auto it = m_texts.cbegin(); it != m_texts.cend(); ++it) {
        QStringView text = it.value();
        // echo: the choice starts with its prompt (choices are n per prompt, in prompt order).
        const qsizetype promptIndex = it.key() / m_n;
        if (m_echo && promptIndex < m_prompt.items.size()) {
            const PromptInput::Item &item = m_prompt.items.at(promptIndex);
            if (!item.isTokens() && text.startsWith(item.text))
                text = text.sliced(item.text.size());
        }
        tokens += ChatRelayTokens::countText(text, upstreamModel);
    }
    return LocalOutput{tokens, 0};
}

void CompletionsAdapter::describe(QJsonObject &other) const
{
    other.insert(QStringLiteral("prompts"), qint64(m_prompt.items.size()));
    if (m_echo)
        other.insert(QStringLiteral("echo"), true);
}

void CompletionsAdapter::collectChoices(const QJsonArray &choices)
{
    for (const QJsonValue &cv : choices) {
        const QJsonObject choice = cv.toObject();
        m_texts[choice.value(QLatin1StringView("index")).toInteger(0)] +=
            choice.value(QLatin1StringView("text")).toString();
    }
}

} // namespace RelayDesk::Relay
