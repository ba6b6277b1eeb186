#pragma once
// The Responses API on the metered-call engine: POST /v1/responses (JSON and SSE), /v1/responses/compact, and
// each response.create of a WebSocket-mode connection. Events are forwarded unchanged and in order; only the
// few that matter are parsed (response.created for the id, output_item.done for tool calls, the terminal
// response.completed | incomplete | failed for usage and output); deltas are kept raw and read only when the
// output has to be counted locally (no usable usage: a failed response, a cut stream, a client gone), so a
// response that reports its usage costs no parse per delta.
#include "relay/calladapter.h"

#include <QtCore/QByteArrayList>
#include <QtCore/QStringList>

namespace RelayDesk::Relay {

class ResponsesAdapter final : public CallAdapter
{
public:
    // Retrieve: GET /v1/responses/{id} of a background response the relay follows to its end (the request is
    // {"id": …}); its reservation is the create call's, held open meanwhile.
    enum class Mode { Create, Compact, WebSocket, Retrieve };

    ResponsesAdapter(Mode mode, QJsonObject request, HoldParameters hold);

    QString requestPath() const override;
    QString reservationKind() const override;
    Monitor::SessionKind sessionKind() const override;
    bool isStream() const override { return m_stream; }
    PromptEstimate estimatePrompt(const QString &model) const override;
    const HoldParameters &hold() const override { return m_hold; }
    QString upstreamPath() const override;
    QByteArray upstreamMethod() const override;
    UpstreamBody upstreamBody(const QString &upstreamModel) const override;
    EventReport onEvent(const SseEvent &event, ClientSink &client) override;
    void writeStreamError(ClientSink &client, const OpenAiError &error) override;
    JsonReport onJson(const QJsonObject &reply) override;
    QByteArray withLocalUsage(QJsonObject reply, const ParsedUsage &usage) const override;
    LocalOutput countOutput(const QString &upstreamModel) override;
    QHash<QString, qint64> toolCalls() const override { return m_toolCalls; }
    void describe(QJsonObject &other) const override;
    QString deferrableId() const override;

    // The response's id (empty until the upstream named it) and the ids of its output items: what later
    // calls may name (previous_response_id, item_reference), so they are routed to this call's channel.
    const QString &responseId() const { return m_responseId; }
    const QStringList &outputItemIds() const { return m_itemIds; }
    bool storesResponse() const;
    bool isBackground() const;
    const QJsonObject &request() const { return m_request; }

    // The Responses usage shape of a usage (for a locally counted reply).
    static QJsonObject usageJson(const ParsedUsage &usage);
    // An event's type: the SSE `event:` name, else the payload's "type".
    static QByteArray eventType(const SseEvent &event);

private:
    void takeResponse(const QJsonObject &response);
    void takeOutputItem(const QJsonObject &item);
    void drainDeltas();
    void collectDelta(const QByteArray &type, const QJsonObject &event);

    static constexpr qsizetype kMaxPendingBytes = 1 << 20;

    Mode m_mode;
    QJsonObject m_request;
    HoldParameters m_hold;
    bool m_stream = false;
    QString m_responseId;
    QString m_status;
    QStringList m_itemIds;
    QHash<QString, qint64> m_toolCalls;     // output item type → calls (function calls and built-in tools)
    QList<std::pair<QByteArray, QByteArray>> m_pending; // (type, data) of deltas not parsed yet
    qsizetype m_pendingBytes = 0;
    QString m_outputText;    // delivered text, refusals, tool-call arguments and reasoning (for a local count)
    QString m_reasoningText;
    QString m_callNames;     // names of streamed function calls (their arguments are deltas)
    QString m_finalText;     // the output of a terminal event or JSON reply (replaces the deltas when present)
    QString m_finalReasoning;
    bool m_haveFinal = false;
    qint64 m_lastSequence = -1;
};

} // namespace RelayDesk::Relay
