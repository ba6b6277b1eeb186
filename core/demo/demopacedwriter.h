#pragma once
// Writes one streamed reply of the demo's audio and image routes piece by piece: SSE events (with or without an
// `event:` line, as each OpenAI endpoint does) or raw body chunks (speech audio), paced by the demo's delays,
// optionally cut (connection reset) after the first piece — the `reset` scenario. A child of the exchange, so it
// dies with it (client gone, connection closed).
#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QTimer>

namespace RelayDesk::Relay {

class HttpExchange;

class DemoPacedWriter final : public QObject
{
public:
    struct Piece
    {
        QByteArray event; // SSE event name (empty: a data-only event); unused for raw chunks
        QByteArray data;
    };
    struct Pacing
    {
        int firstDelayMs = 0;
        int delayMs = 0;
        bool resetAfterFirst = false;
    };

    // An SSE reply (200 text/event-stream).
    static void events(HttpExchange &exchange, QList<Piece> pieces, Pacing pacing);
    // A raw chunked reply with `contentType`.
    static void chunks(HttpExchange &exchange, const QByteArray &contentType, QList<QByteArray> chunks,
                       Pacing pacing);

private:
    DemoPacedWriter(HttpExchange &exchange, QList<Piece> pieces, Pacing pacing, bool raw);
    void step();

    HttpExchange &m_exchange;
    QList<Piece> m_pieces;
    Pacing m_pacing;
    QTimer m_timer;
    qsizetype m_sent = 0;
    bool m_raw;
    bool m_done = false;
};

} // namespace RelayDesk::Relay
