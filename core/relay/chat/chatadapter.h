#pragma once
// Chat Completions on the metered-call engine: the prompt estimate and hold of a `messages` request, usage
// always asked for upstream (stream_options.include_usage) and hidden again from clients that did not ask,
// and the streamed text kept for a local count when the upstream reports no usage.
#include "relay/calladapter.h"

#include <QtCore/QByteArrayList>

namespace RelayDesk::Relay {

class ChatAdapter final : public CallAdapter
{
public:
    ChatAdapter(QJsonObject request, HoldParameters hold);

    QString requestPath() const override { return QStringLiteral("/v1/chat/completions"); }
    QString reservationKind() const override { return QStringLiteral("chat"); }
    Monitor::SessionKind sessionKind() const override { return Monitor::SessionKind::Http; }
    bool isStream() const override { return m_stream; }
    PromptEstimate estimatePrompt(const QString &model) const override;
    const HoldParameters &hold() const override { return m_hold; }
    QString upstreamPath() const override { return QStringLiteral("chat/completions"); }
    QByteArray upstreamBody(const QString &upstreamModel) const override;
    EventReport onEvent(const SseEvent &event, ClientSink &client) override;
    void writeStreamError(ClientSink &client, const OpenAiError &error) override;
    JsonReport onJson(const QJsonObject &reply) override;
    QByteArray withLocalUsage(QJsonObject reply, const ParsedUsage &usage) const override;
    LocalOutput countOutput(const QString &upstreamModel) override;

    // `"usage"` followed by an object (not the null every chunk carries under include_usage).
    static bool carriesUsageObject(QByteArrayView data);

private:
    void collectChoices(const QJsonArray &choices);
    // Streamed text the client received: content, reasoning and tool-call names/arguments.
    void collectDelta(const QJsonObject &delta);
    // Reads the kept chunks into the streamed text (they are then dropped).
    void drainPending();

    static constexpr qsizetype kMaxPendingBytes = 1 << 20;
    // The member forced include_usage appends to every chunk, with the closing brace of the chunk.
    static constexpr QByteArrayView kNullUsageMember{",\"usage\":null}"};

    QJsonObject m_request;
    HoldParameters m_hold;
    bool m_stream = false;
    bool m_clientWantsUsage = false;
    QByteArrayList m_pending; // chunks not parsed yet (see onEvent)
    qsizetype m_pendingBytes = 0;
    QString m_completionText;
    QString m_reasoningText;
};

} // namespace RelayDesk::Relay
