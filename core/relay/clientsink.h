#pragma once
// Where a metered call's answer goes: an HTTP exchange (a JSON body or an SSE stream) or one response on a
// WebSocket that carries many (the Responses API's WebSocket mode). MeteredCall writes through this and never
// knows which; each kind maps "an error", "an event" and "the end" to its own wire.
#include "http/openaierror.h"

#include <QtCore/QByteArray>
#include <QtCore/QObject>

namespace RelayDesk::Relay {

class ClientSink : public QObject
{
    Q_OBJECT

public:
    // Whether an error may be retried by the client: after the upstream may have billed a call, an SDK retry
    // would pay twice, so such errors say so (`x-should-retry: false` on HTTP).
    enum class Retry { Allowed, Never };

    using QObject::QObject;

    // Something of this answer reached the client: from now on no plain error and no retry elsewhere.
    virtual bool hasStarted() const = 0;
    virtual bool isStreaming() const = 0;
    virtual bool isGone() const = 0;

    // A header for the complete answer still to come (respond/respondError), e.g. what the call was charged;
    // a sink without headers of its own ignores it. Nothing once the answer has begun.
    virtual void addResponseHeader(const QByteArray &name, const QByteArray &value)
    {
        Q_UNUSED(name)
        Q_UNUSED(value)
    }
    // A complete JSON answer.
    virtual void respond(int status, const QByteArray &body, Retry retry = Retry::Allowed) = 0;
    virtual void respondError(const OpenAiError &error, Retry retry = Retry::Allowed) = 0;

    // A stream of events: begin once, then events (an empty name = a plain `data:` event), then end.
    virtual void beginEventStream() = 0;
    virtual void writeEvent(QByteArrayView name, QByteArrayView data) = 0;
    virtual void endStream() = 0;
    // A body that is neither JSON nor events (speech audio, a plain-text transcript), passed through as it
    // arrives: begin once with the upstream's content type, write, then endStream(). Only an HTTP client has a
    // place for one; other sinks drop it.
    virtual void beginRawStream(const QByteArray &contentType) { Q_UNUSED(contentType) }
    virtual void writeRaw(QByteArrayView data) { Q_UNUSED(data) }
    // A passed-through body that cannot be completed (the upstream failed mid-way): the client must see it
    // cut, not a clean end of a shorter file.
    virtual void abortRawStream() { endStream(); }
    // Written but not yet accepted by the kernel: the call pauses its upstream while this is large.
    virtual qint64 pendingOutputBytes() const = 0;

Q_SIGNALS:
    // The client went away before the answer was complete (at most once).
    void gone();
    // While streaming: everything written so far has left the socket's buffer.
    void drained();
};

} // namespace RelayDesk::Relay
