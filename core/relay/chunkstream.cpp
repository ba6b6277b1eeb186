#include "relay/chunkstream.h"

#include "relay/clientsink.h"

#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

ChunkStream::ChunkStream(const QJsonObject &request, QString liveType, Collector collect)
    : m_liveType(std::move(liveType))
    , m_collect(std::move(collect))
{
    m_stream = request.value(QLatin1StringView("stream")).toBool();
    m_clientWantsUsage = request.value(QLatin1StringView("stream_options"))
                             .toObject()
                             .value(QLatin1StringView("include_usage"))
                             .toBool();
}

void ChunkStream::requestUsage(QJsonObject &upstreamBody) const
{
    if (!m_stream)
        return;
    QJsonObject options = upstreamBody.value(QLatin1StringView("stream_options")).toObject();
    options.insert(QStringLiteral("include_usage"), true);
    upstreamBody.insert(QStringLiteral("stream_options"), options);
}

EventReport ChunkStream::onEvent(const SseEvent &event, ClientSink &client)
{
    const QByteArray &data = event.data;
    EventReport report;
    report.liveType = m_liveType;
    if (data == "[DONE]") {
        report.terminal = true;
        client.writeEvent({}, data);
        return report;
    }
    bool forward = true;
    // Parsing every chunk costs more than relaying it, so only chunks that carry a usage object are parsed
    // now; the others are kept and read only if the output has to be counted locally (no upstream usage), in
    // order, so the count sees the text exactly as streamed.
    if (carriesUsageObject(data)) {
        drain();
        const QJsonDocument doc = QJsonDocument::fromJson(data);
        if (doc.isObject()) {
            const QJsonObject chunk = doc.object();
            report.usage = chunk.value(QLatin1StringView("usage"));
            const QJsonArray choices = chunk.value(QLatin1StringView("choices")).toArray();
            m_collect(choices);
            // The usage-only chunk (empty choices) exists because we forced include_usage.
            if (report.usage.isObject() && choices.isEmpty() && !m_clientWantsUsage)
                forward = false;
        }
    } else {
        m_pending.append(data);
        m_pendingBytes += data.size();
        if (m_pendingBytes > kMaxPendingBytes)
            drain();
    }
    if (forward && !m_clientWantsUsage && data.endsWith(kNullUsageMember)) {
        // Forced include_usage adds "usage":null to every chunk (last member, from OpenAI and the demo); a
        // client that did not ask sees chunks exactly as without it. The chunk ends with the member and the
        // object's closing brace, unescaped (so not inside a string): dropping the member keeps the JSON valid
        // without parsing a chunk that otherwise needs no parsing.
        client.writeEvent({}, QByteArray(data.first(data.size() - kNullUsageMember.size()) + '}'));
        forward = false;
    }
    if (forward)
        client.writeEvent({}, data);
    return report;
}

void ChunkStream::drain()
{
    for (const QByteArray &payload : std::as_const(m_pending)) {
        const QJsonDocument doc = QJsonDocument::fromJson(payload);
        if (doc.isObject())
            m_collect(doc.object().value(QLatin1StringView("choices")).toArray());
    }
    m_pending.clear();
    m_pendingBytes = 0;
}

bool ChunkStream::carriesUsageObject(QByteArrayView data)
{
    qsizetype at = data.indexOf("\"usage\"");
    while (at >= 0) {
        qsizetype i = at + 7;
        while (i < data.size() && (data[i] == ' ' || data[i] == ':' || data[i] == '\t'))
            ++i;
        if (i < data.size() && data[i] == '{')
            return true;
        at = data.indexOf("\"usage\"", at + 7);
    }
    return false;
}

} // namespace RelayDesk::Relay
