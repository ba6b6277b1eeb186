#pragma once
// Anthropic's Messages answers in Chat Completions' shape, for a chat request converted by ChatToMessages:
// the JSON reply, the stream's events as chat.completion.chunk events, an error body.
//
//   text blocks → content; tool_use blocks → tool_calls (input as the arguments' JSON); thinking → reasoning_content
//   stop_reason end_turn | stop_sequence | pause_turn → "stop", max_tokens | model_context_window_exceeded →
//   "length", tool_use → "tool_calls", refusal → "content_filter"
//   usage → the relay's usage in OpenAI's shape (prompt_tokens counts cache reads and writes; cached_tokens the
//   reads), passed in by the caller, who read it by Anthropic's additive rule.
#include "relay/typedevent.h"

#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QJsonObject>

#include <functional>

namespace RelayDesk::Relay {

class ClientSink;

class MessagesToChat final
{
public:
    static QString finishReason(const QString &stopReason);
    // A Messages reply as a chat.completion object with `usage` (OpenAI's shape).
    static QJsonObject reply(const QJsonObject &message, const QJsonObject &usage);
    // Anthropic's error body {"type":"error","error":{"type","message"}} as OpenAI's
    // {"error":{"message","type","param","code"}} (code: Anthropic's type); other bodies unchanged.
    static QByteArray errorBody(const QByteArray &body);
};

// One stream's events turned into chat chunks, in order: message_start → the role chunk; text, tool_use input and
// thinking deltas → content, tool_calls and reasoning_content chunks; message_delta → the finish_reason chunk;
// message_stop → the usage chunk (when the client asked, stream_options.include_usage) and [DONE]; an error event
// → OpenAI's error event. ping and block ends write nothing.
class MessagesToChatStream final
{
public:
    using UsageSoFar = std::function<QJsonObject()>; // the usage in OpenAI's shape, asked for at the end only

    explicit MessagesToChatStream(bool includeUsage) : m_includeUsage(includeUsage) {}

    void write(const TypedEvent &event, ClientSink &client, const UsageSoFar &usage);

private:
    void chunk(ClientSink &client, const QJsonObject &delta, const QJsonValue &finishReason = QJsonValue::Null);
    void blockStart(const QJsonObject &event, ClientSink &client);
    void blockDelta(const QJsonObject &event, ClientSink &client);

    bool m_includeUsage;
    QString m_id;
    QString m_model;
    qint64 m_created = 0;
    QHash<qint64, qint64> m_toolIndex; // a tool_use block's index → its index among the tool calls
};

} // namespace RelayDesk::Relay
