#pragma once
// A call that is relayed but not metered: the Responses API's retrieve, delete, cancel, input_items and
// input_tokens. The request goes to one channel (the one that owns the object), the answer comes back as it is
// (status and body, minus any piece of the channel key; an event stream is passed through as it arrives), and
// a refused channel key is the relay's problem (502 upstream_auth_failed), not the client's. Deletes itself
// when done; lives on the relay thread.
#include "http/openaierror.h"
#include "relay/upstreamclient.h"
#include "store/records.h"

#include <QtCore/QObject>
#include <QtCore/QPointer>

#include <functional>

namespace RelayDesk::Relay {

class HttpExchange;

class UpstreamForward final : public QObject
{
public:
    // Called with the upstream's status and body once a non-stream answer was relayed (not for streams).
    using Done = std::function<void(int status, const QByteArray &body)>;

    // What is sent, and how the relay's own errors are written, when not OpenAI's way.
    struct Outgoing
    {
        UpstreamBody body;
        QByteArray bearer; // the Authorization: Bearer token (empty: none; the body may carry other headers)
        // Writes an error of the relay's own (unreachable, timeout, refused channel key); empty: OpenAI's shape.
        std::function<void(HttpExchange &exchange, const OpenAiError &error)> writeError;
    };

    // Sends `method` `pathAfterV1`?`query` with `body` to `channel` (Bearer: the channel's secret) and answers
    // `exchange` with the reply.
    static void start(UpstreamClient &client, HttpExchange &exchange, const Store::Channel &channel,
                      QByteArrayView method, const QString &pathAfterV1, const QByteArray &query,
                      const QByteArray &body, Done done = {});
    static void start(UpstreamClient &client, HttpExchange &exchange, const Store::Channel &channel,
                      QByteArrayView method, const QString &pathAfterV1, const QByteArray &query,
                      Outgoing outgoing, Done done = {});

    ~UpstreamForward() override;

private:
    UpstreamForward(HttpExchange &exchange, Store::Channel channel, Done done);
    void respondError(const OpenAiError &error);
    void onReadyRead();
    void onFinished();
    void finish();

    static constexpr qint64 kMaxClientBacklog = 1 << 20;
    QPointer<HttpExchange> m_exchange;
    Store::Channel m_channel;
    Done m_done;
    std::function<void(HttpExchange &exchange, const OpenAiError &error)> m_writeError;
    UpstreamReply *m_reply = nullptr;
    bool m_streaming = false;
    bool m_upstreamFinished = false;
};

} // namespace RelayDesk::Relay
