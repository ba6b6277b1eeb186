#pragma once
// What one endpoint family adds to the metered-call engine (MeteredCall): how to read its request (the
// prompt estimate and the hold), what to send upstream, how to forward and read its replies (JSON body or
// event stream: what the client sees, where the usage is, when the stream is over), and how to count its
// output locally when the upstream reports no usage. One adapter object per call; it keeps that call's
// endpoint-specific state (streamed text, ids, tool calls). Everything else — auth, channel choice, retries,
// reserve/settle/refund, the log row, the live view — is the engine's, the same for every endpoint.
#include "billing/usage.h"
#include "http/openaierror.h"
#include "monitor/sessionregistry.h"
#include "relay/chat/chatrelaytokens.h"
#include "relay/holdparameters.h"
#include "relay/sseparser.h"
#include "relay/upstreamclient.h"
#include "relay/usageparser.h"
#include "store/channeltype.h"
#include "store/records.h"

#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QString>

#include <optional>

namespace RelayDesk::Relay {

class ClientSink;

// What the adapter made of one upstream event.
struct EventReport
{
    QJsonValue usage;        // a usage value the event carried (undefined = none); the engine reads it strictly
    bool terminal = false;   // the stream's logical end ([DONE], response.completed|incomplete|failed)
    QString liveType;        // the event's type for the live view
};

// What the adapter made of a complete JSON reply.
struct JsonReport
{
    QJsonValue usage;        // the reply's usage value (undefined/null = none)
    // The reply is not final (a background response still queued or in progress): the engine answers the
    // client and defers the settlement (CallContext::defer).
    bool pending = false;
};

// The output counted locally (the upstream reported no usable usage).
struct LocalOutput
{
    qint64 completionTokens = 0; // text
    qint64 reasoningTokens = 0;  // part of completionTokens
    qint64 audioTokens = 0;      // audio output (speech), besides completionTokens
    // What was delivered by unit (images produced); nullopt: what the request asked for (PromptEstimate::units:
    // the uploaded audio's length, the characters to speak).
    std::optional<Billing::Units> units;
};

class CallAdapter
{
public:
    virtual ~CallAdapter() = default;

    // --- the request ---
    virtual QString requestPath() const = 0;          // for the log row: "/v1/chat/completions"
    virtual QString reservationKind() const = 0;      // the ledger's kind of hold: "chat", "responses"
    virtual Monitor::SessionKind sessionKind() const = 0;
    virtual bool isStream() const = 0;
    virtual PromptEstimate estimatePrompt(const QString &model) const = 0;
    virtual const HoldParameters &hold() const = 0;

    // --- the upstream request ---
    virtual QString upstreamPath() const = 0;         // under the channel's /v1: "chat/completions"
    virtual QByteArray upstreamMethod() const { return QByteArrayLiteral("POST"); }
    virtual UpstreamBody upstreamBody(const QString &upstreamModel) const = 0;
    // The wire the upstream body speaks: only channels of that wire serve the call (ChannelType).
    virtual Store::ChannelWire channelWire() const { return Store::ChannelWire::OpenAi; }
    // The channel's credentials on the upstream request: returns the bearer token to send (empty: none) and
    // may add headers to `body`. OpenAI's wire: Authorization: Bearer <the channel's secret>.
    virtual QByteArray upstreamAuth(const Store::Channel &channel, UpstreamBody &body) const
    {
        Q_UNUSED(body)
        return channel.secret.toUtf8();
    }

    // --- the reply ---
    // One upstream event of a stream: write what the client should see to `client` (in order, unchanged
    // unless the endpoint has a reason), and report usage and the end.
    virtual EventReport onEvent(const SseEvent &event, ClientSink &client) = 0;
    // An error the relay adds as the stream's last event (the upstream failed mid-stream, the relay stops):
    // OpenAI's, a `data:` event holding {"error":{…}}, unless the endpoint's stream has its own shape.
    virtual void writeStreamError(ClientSink &client, const OpenAiError &error);
    // A complete JSON reply (status 200): collect what a local count needs and report its usage.
    virtual JsonReport onJson(const QJsonObject &reply) = 0;
    // A 200 reply that is neither JSON nor events (speech audio, a text transcript) is passed through as bytes:
    // the engine forwards it as it arrives, shows each piece to onRawData, and asks onRawEnd for its usage.
    virtual bool passesOtherBodiesThrough() const { return false; }
    virtual void onRawData(QByteArrayView data) { Q_UNUSED(data) }
    virtual JsonReport onRawEnd() { return {}; }
    // Reads a usage value the adapter reported (strictly, as UsageParser::read does for chat and Responses
    // names); endpoints with their own shape (transcription's tokens|duration) override it.
    virtual UsageReading readUsage(const QJsonValue &usage) const { return UsageParser::read(usage); }
    // The JSON reply as the client gets it when the relay counted the usage itself (so the client sees what
    // it is billed for); by default the reply unchanged (the endpoint has no place for it).
    virtual QByteArray withLocalUsage(QJsonObject reply, const ParsedUsage &usage) const;
    // The JSON reply as the client gets it when the upstream reported the usage (`usage`, as read): the
    // upstream's body unchanged, unless the endpoint answers in another API's shape than its upstream's.
    virtual QByteArray clientReply(const QByteArray &body, const QJsonObject &reply, const ParsedUsage &usage) const
    {
        Q_UNUSED(reply)
        Q_UNUSED(usage)
        return body;
    }
    // An upstream's error body (a JSON object holding an `error` object) as the client gets it: unchanged,
    // unless the endpoint answers in another API's shape than its upstream's.
    virtual QByteArray clientErrorBody(const QByteArray &body) const { return body; }
    // The delivered output counted with the tokenizer of `upstreamModel`.
    virtual LocalOutput countOutput(const QString &upstreamModel) = 0;
    // Calls of built-in tools billed per call, by tool ("web_search_call" → 2), seen in the output.
    virtual QHash<QString, qint64> toolCalls() const { return {}; }
    // The upstream goes on without the client (a background response): a client that leaves, or a reply that is
    // not final, defers the settlement instead of ending the call. The id to follow it by (empty: not so).
    virtual QString deferrableId() const { return {}; }
    // Endpoint facts for the log row's `other` (response id, …).
    virtual void describe(QJsonObject &other) const { Q_UNUSED(other) }
};

} // namespace RelayDesk::Relay
