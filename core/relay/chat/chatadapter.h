#pragma once
// Chat Completions on the metered-call engine: the prompt estimate and hold of a `messages` request, the chunk
// stream (ChunkStream: usage always asked for upstream and hidden again from clients that did not ask), and the
// streamed text kept for a local count when the upstream reports no usage.
#include "relay/calladapter.h"
#include "relay/chunkstream.h"

namespace RelayDesk::Relay {

class ChatAdapter final : public CallAdapter
{
public:
    ChatAdapter(QJsonObject request, HoldParameters hold);

    QString requestPath() const override { return QStringLiteral("/v1/chat/completions"); }
    QString reservationKind() const override { return QStringLiteral("chat"); }
    Monitor::SessionKind sessionKind() const override { return Monitor::SessionKind::Http; }
    bool isStream() const override { return m_chunks.isStream(); }
    PromptEstimate estimatePrompt(const QString &model) const override;
    const HoldParameters &hold() const override { return m_hold; }
    QString upstreamPath() const override { return QStringLiteral("chat/completions"); }
    UpstreamBody upstreamBody(const QString &upstreamModel) const override;
    EventReport onEvent(const SseEvent &event, ClientSink &client) override;
    JsonReport onJson(const QJsonObject &reply) override;
    QByteArray withLocalUsage(QJsonObject reply, const ParsedUsage &usage) const override;
    LocalOutput countOutput(const QString &upstreamModel) override;

private:
    void collectChoices(const QJsonArray &choices);
    // Streamed text the client received: content, reasoning and tool-call names/arguments.
    void collectDelta(const QJsonObject &delta);

    QJsonObject m_request;
    HoldParameters m_hold;
    ChunkStream m_chunks;
    QString m_completionText;
    QString m_reasoningText;
};

} // namespace RelayDesk::Relay
