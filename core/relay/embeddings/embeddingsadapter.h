#pragma once
// POST /v1/embeddings on the metered-call engine: the prompt is the `input` (counted by the endpoint with the
// model's tokenizer), there is no output, so the hold is the prompt alone and the settlement is
// usage.prompt_tokens. `encoding_format`, `dimensions` and `user` go through untouched; only `model` is
// replaced (the channel's mapping). A reply without usage is settled on the local count, and the client gets
// that count as the reply's `usage` ({prompt_tokens, total_tokens}, OpenAI's embeddings shape).
#include "relay/calladapter.h"

namespace RelayDesk::Relay {

class EmbeddingsAdapter final : public CallAdapter
{
public:
    // `promptTokens`: the input's tokens for the request's model; `inputs`: how many inputs (for the log).
    EmbeddingsAdapter(QJsonObject request, qint64 promptTokens, qsizetype inputs);

    QString requestPath() const override { return QStringLiteral("/v1/embeddings"); }
    QString reservationKind() const override { return QStringLiteral("embeddings"); }
    Monitor::SessionKind sessionKind() const override { return Monitor::SessionKind::Embeddings; }
    bool isStream() const override { return false; }
    PromptEstimate estimatePrompt(const QString &model) const override;
    const HoldParameters &hold() const override { return m_hold; }
    QString upstreamPath() const override { return QStringLiteral("embeddings"); }
    UpstreamBody upstreamBody(const QString &upstreamModel) const override;
    EventReport onEvent(const SseEvent &event, ClientSink &client) override;
    JsonReport onJson(const QJsonObject &reply) override;
    QByteArray withLocalUsage(QJsonObject reply, const ParsedUsage &usage) const override;
    LocalOutput countOutput(const QString &upstreamModel) override;
    void describe(QJsonObject &other) const override;

private:
    QJsonObject m_request;
    HoldParameters m_hold = HoldParameters::promptOnly();
    qint64 m_promptTokens = 0;
    qsizetype m_inputs = 0;
    qsizetype m_vectors = -1; // embeddings in the reply (-1: no reply yet)
};

} // namespace RelayDesk::Relay
