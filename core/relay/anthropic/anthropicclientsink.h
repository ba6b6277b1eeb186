#pragma once
// The ClientSink of the Messages routes: an HttpClientSink whose errors are written in Anthropic's shape
// (AnthropicError) — a JSON error before anything was sent, an `event: error` once the event stream has begun.
#include "relay/clientsink.h"

namespace RelayDesk::Relay {

class HttpClientSink;
class HttpExchange;

class AnthropicClientSink final : public ClientSink
{
    Q_OBJECT

public:
    AnthropicClientSink(HttpExchange &exchange, QObject *parent);

    // An error as the stream's last event: `event: error` with Anthropic's error body.
    static void writeStreamError(ClientSink &client, const OpenAiError &error);

    bool hasStarted() const override;
    bool isStreaming() const override;
    bool isGone() const override;
    void respond(int status, const QByteArray &body, Retry retry = Retry::Allowed) override;
    void respondError(const OpenAiError &error, Retry retry = Retry::Allowed) override;
    void addResponseHeader(const QByteArray &name, const QByteArray &value) override;
    void beginEventStream() override;
    void writeEvent(QByteArrayView name, QByteArrayView data) override;
    void endStream() override;
    qint64 pendingOutputBytes() const override;

private:
    HttpClientSink *m_http; // a child
};

} // namespace RelayDesk::Relay
