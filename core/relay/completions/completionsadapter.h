#pragma once
// The legacy POST /v1/completions on the metered-call engine: the prompt (string, strings, token ids; counted by
// the endpoint) and the suffix are the input; the hold is max_tokens (16 when not given, OpenAI's default) for
// each of max(n, best_of) choices of each prompt. JSON and SSE like Chat Completions — the chunk stream is
// ChunkStream's (usage forced upstream, hidden again from a client that did not ask) — and `echo`, `logprobs`,
// `suffix` go through untouched. Without upstream usage the output is counted locally from `choices[].text`
// (with `echo`, the echoed prompt string at the head of a choice is not output and is not counted twice).
#include "relay/calladapter.h"
#include "relay/chunkstream.h"
#include "relay/promptinput.h"

#include <QtCore/QMap>

namespace RelayDesk::Relay {

class CompletionsAdapter final : public CallAdapter
{
public:
    // `promptTokens`: prompt + suffix tokens for the request's model.
    CompletionsAdapter(QJsonObject request, PromptInput prompt, qint64 promptTokens, HoldParameters hold);

    QString requestPath() const override { return QStringLiteral("/v1/completions"); }
    QString reservationKind() const override { return QStringLiteral("completions"); }
    Monitor::SessionKind sessionKind() const override { return Monitor::SessionKind::Completion; }
    bool isStream() const override { return m_chunks.isStream(); }
    PromptEstimate estimatePrompt(const QString &model) const override;
    const HoldParameters &hold() const override { return m_hold; }
    QString upstreamPath() const override { return QStringLiteral("completions"); }
    UpstreamBody upstreamBody(const QString &upstreamModel) const override;
    EventReport onEvent(const SseEvent &event, ClientSink &client) override;
    JsonReport onJson(const QJsonObject &reply) override;
    QByteArray withLocalUsage(QJsonObject reply, const ParsedUsage &usage) const override;
    LocalOutput countOutput(const QString &upstreamModel) override;
    void describe(QJsonObject &other) const override;

private:
    void collectChoices(const QJsonArray &choices);

    QJsonObject m_request;
    PromptInput m_prompt;
    qint64 m_promptTokens = 0;
    HoldParameters m_hold;
    ChunkStream m_chunks;
    bool m_echo = false;
    qint64 m_n = 1;                 // choices returned per prompt
    QMap<qint64, QString> m_texts;  // choice index → text delivered
};

} // namespace RelayDesk::Relay
