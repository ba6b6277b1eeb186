#pragma once
// The chunk streams of Chat Completions and the legacy Completions (`data: {…chunk…}` events ending with
// `data: [DONE]`), shared by both adapters: usage is always asked for upstream (stream_options.include_usage)
// and hidden again from a client that did not ask — the usage-only chunk is dropped and the `"usage":null`
// member forced include_usage appends to every chunk is stripped — and chunks are parsed lazily: only those
// carrying a usage object are parsed as they pass; the others are kept (shared, not copied) and handed to the
// adapter's collector in order only when it needs them (a local count), so relaying costs no JSON parse.
#include "relay/calladapter.h"

#include <QtCore/QByteArrayList>
#include <QtCore/QJsonArray>

#include <functional>

namespace RelayDesk::Relay {

class ChunkStream final
{
public:
    // Receives the `choices` of every chunk, in stream order (the adapter collects its output text from them).
    using Collector = std::function<void(const QJsonArray &choices)>;

    ChunkStream(const QJsonObject &request, QString liveType, Collector collect);

    bool isStream() const { return m_stream; }
    bool clientWantsUsage() const { return m_clientWantsUsage; }
    // The upstream body asks for usage when the call streams (other stream_options members are kept).
    void requestUsage(QJsonObject &upstreamBody) const;
    // One upstream event: forwarded to `client` as the client asked, its usage and the end reported.
    EventReport onEvent(const SseEvent &event, ClientSink &client);
    // Hands every kept chunk to the collector (call before reading what it collected).
    void drain();

    // `"usage"` followed by an object (not the null every chunk carries under include_usage).
    static bool carriesUsageObject(QByteArrayView data);

private:
    static constexpr qsizetype kMaxPendingBytes = 1 << 20;
    // The member forced include_usage appends to every chunk, with the closing brace of the chunk.
    static constexpr QByteArrayView kNullUsageMember{",\"usage\":null}"};

    QString m_liveType;
    Collector m_collect;
    bool m_stream = false;
    bool m_clientWantsUsage = false;
    QByteArrayList m_pending; // chunks not parsed yet
    qsizetype m_pendingBytes = 0;
};

} // namespace RelayDesk::Relay
