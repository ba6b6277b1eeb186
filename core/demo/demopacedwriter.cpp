#include "demo/demopacedwriter.h"

#include "http/httpexchange.h"

namespace RelayDesk::Relay {

void DemoPacedWriter::events(HttpExchange &exchange, QList<Piece> pieces, Pacing pacing)
{
    exchange.beginEventStream();
    new DemoPacedWriter(exchange, std::move(pieces), pacing, false);
}

void DemoPacedWriter::chunks(HttpExchange &exchange, const QByteArray &contentType, QList<QByteArray> chunks,
                             Pacing pacing)
{
    HttpHeaders headers;
    headers.add("Content-Type", contentType);
    exchange.beginStream(200, headers);
    QList<Piece> pieces;
    pieces.reserve(chunks.size());
    for (QByteArray &c : chunks)
        pieces.append({{}, std::move(c)});
    new DemoPacedWriter(exchange, std::move(pieces), pacing, true);
}

DemoPacedWriter::DemoPacedWriter(HttpExchange &exchange, QList<Piece> pieces, Pacing pacing, bool raw)
    : QObject(&exchange)
    , m_exchange(exchange)
    , m_pieces(std::move(pieces))
    , m_pacing(pacing)
    , m_raw(raw)
{
    connect(&exchange, &HttpExchange::clientDisconnected, this, [this] { m_timer.stop(); });
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] { step(); });
    if (m_pacing.firstDelayMs <= 0)
        step();
    else
        m_timer.start(m_pacing.firstDelayMs);
}

void DemoPacedWriter::step()
{
    while (!m_done && !m_exchange.isClientGone()) {
        if (m_pacing.resetAfterFirst && m_sent == 1) { // the "network" fails after the first piece
            m_done = true;
            m_exchange.abortConnection();
            return;
        }
        if (m_sent >= m_pieces.size()) {
            m_done = true;
            m_exchange.endStream();
            return;
        }
        const Piece &piece = m_pieces.at(m_sent++);
        if (m_raw)
            m_exchange.writeChunk(piece.data);
        else if (piece.event.isEmpty())
            m_exchange.writeEvent(piece.data);
        else
            m_exchange.writeEvent(piece.event, piece.data);
        if (m_pacing.delayMs > 0) {
            m_timer.start(m_pacing.delayMs);
            return;
        }
    }
}

} // namespace RelayDesk::Relay
