#include "relay/sseparser.h"

namespace RelayDesk::Relay {

QList<SseEvent> SseParser::feed(QByteArrayView bytes)
{
    QList<SseEvent> out;
    if (m_overflow)
        return out;
    qsizetype start = 0;
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (c != '\n' && c != '\r')
            continue;
        // "\r\n": the '\n' closes nothing new.
        if (c == '\n' && m_lastWasCr && i == start) {
            m_lastWasCr = false;
            start = i + 1;
            continue;
        }
        m_line.append(bytes.sliced(start, i - start));
        processLine(m_line, out);
        if (m_overflow)
            return {};
        m_line.clear();
        m_lastWasCr = (c == '\r');
        start = i + 1;
    }
    if (start < bytes.size()) {
        m_lastWasCr = false;
        m_line.append(bytes.sliced(start));
    }
    if (m_line.size() + m_current.data.size() > m_maxEventBytes)
        m_overflow = true;
    return out;
}

void SseParser::processLine(QByteArrayView line, QList<SseEvent> &out)
{
    if (line.isEmpty()) { // blank line: dispatch
        if (m_hasData)
            out.append(std::move(m_current));
        m_current = {};
        m_hasData = false;
        return;
    }
    if (line.front() == ':')
        return; // comment (keep-alive)
    const qsizetype colon = line.indexOf(':');
    QByteArrayView field = colon < 0 ? line : line.first(colon);
    QByteArrayView value = colon < 0 ? QByteArrayView() : line.sliced(colon + 1);
    if (!value.isEmpty() && value.front() == ' ')
        value = value.sliced(1);
    if (field == "data") {
        if (m_hasData)
            m_current.data.append('\n');
        m_current.data.append(value);
        m_hasData = true;
        if (m_current.data.size() > m_maxEventBytes)
            m_overflow = true;
    } else if (field == "event") {
        m_current.event = value.toByteArray();
    }
}

} // namespace RelayDesk::Relay
