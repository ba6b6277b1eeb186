#pragma once
// A ClientSink with nobody behind it: for calls the relay makes on its own (following a background response to
// its end), whose answer only settles the ledger.
#include "relay/clientsink.h"

namespace RelayDesk::Relay {

class DiscardingSink final : public ClientSink
{
public:
    using ClientSink::ClientSink;
    bool hasStarted() const override { return false; }
    bool isStreaming() const override { return false; }
    bool isGone() const override { return false; }
    void respond(int, const QByteArray &, Retry) override {}
    void respondError(const OpenAiError &, Retry) override {}
    void beginEventStream() override {}
    void writeEvent(QByteArrayView, QByteArrayView) override {}
    void endStream() override {}
    qint64 pendingOutputBytes() const override { return 0; }
};

} // namespace RelayDesk::Relay
