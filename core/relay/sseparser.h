#pragma once
// Incremental text/event-stream parser for upstream replies: bytes in (any split), complete events out.
// Only what the relay needs: `data:` lines (joined with '\n'), `event:` names, comments ignored,
// CRLF/LF/CR line ends. Bounded: a single event larger than maxEventBytes is reported as an error.
#include <QtCore/QByteArray>
#include <QtCore/QList>

namespace RelayDesk::Relay {

struct SseEvent
{
    QByteArray event; // empty = "message"
    QByteArray data;
};

class SseParser final
{
public:
    explicit SseParser(qsizetype maxEventBytes = 16 * 1024 * 1024) : m_maxEventBytes(maxEventBytes) {}

    // Appends bytes; returns the events they completed (in order).
    QList<SseEvent> feed(QByteArrayView bytes);
    // True once an event exceeded the limit (the parser then ignores further input).
    bool overflowed() const { return m_overflow; }
    // Bytes of an unfinished event (for "upstream ended mid-event" checks).
    bool hasPartialEvent() const { return !m_line.isEmpty() || m_hasData; }

private:
    void processLine(QByteArrayView line, QList<SseEvent> &out);

    QByteArray m_line;
    SseEvent m_current;
    bool m_hasData = false;
    bool m_lastWasCr = false;
    bool m_overflow = false;
    qsizetype m_maxEventBytes;
};

} // namespace RelayDesk::Relay
