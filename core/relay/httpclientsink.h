#pragma once
// ClientSink on one HTTP exchange: JSON bodies and errors as responses, events as SSE.
#include "http/httpresponse.h"
#include "relay/clientsink.h"

#include <QtCore/QPointer>

namespace RelayDesk::Relay {

class HttpExchange;

class HttpClientSink final : public ClientSink
{
    Q_OBJECT

public:
    HttpClientSink(HttpExchange &exchange, QObject *parent);

    bool hasStarted() const override;
    bool isStreaming() const override;
    bool isGone() const override;
    void addResponseHeader(const QByteArray &name, const QByteArray &value) override;
    void respond(int status, const QByteArray &body, Retry retry = Retry::Allowed) override;
    void respondError(const OpenAiError &error, Retry retry = Retry::Allowed) override;
    // A whole answer with its own headers (an error in another API's shape that carries Retry-After).
    void respond(HttpResponse response, Retry retry);
    void beginEventStream() override;
    void writeEvent(QByteArrayView name, QByteArrayView data) override;
    void endStream() override;
    void beginRawStream(const QByteArray &contentType) override;
    void writeRaw(QByteArrayView data) override;
    void abortRawStream() override;
    qint64 pendingOutputBytes() const override;

private:
    HttpResponse complete(HttpResponse response, Retry retry);

    QPointer<HttpExchange> m_exchange;
    HttpHeaders m_headers; // addResponseHeader's, for the complete answer
};

} // namespace RelayDesk::Relay
