#pragma once
// Test-side HTTP/1.1 client over a raw QTcpSocket: the test controls every byte sent, and responses are parsed
// by hand (status line, headers, Content-Length / chunked / until-close bodies) so the server is checked
// against the wire format, not against a library that forgives mistakes. Waiting spins the event loop, so the
// server may live on the same thread.
#include <QtCore/QCoreApplication>
#include <QtCore/QDeadlineTimer>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtNetwork/QTcpSocket>

#include <functional>
#include <optional>

namespace RelayDeskTest {

struct RawResponse
{
    int status = 0;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QList<QByteArray> chunks; // chunk payloads when Transfer-Encoding: chunked

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &h : headers) {
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        }
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QJsonObject error() const { return json().value(QStringLiteral("error")).toObject(); }
};

// Spins the event loop until `done()` or the (generous, failure-only) deadline.
inline bool spinUntil(const std::function<bool()> &done, int timeoutMs = 10000)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    }
    return true;
}

class RawClient
{
public:
    // `from` picks the client's source address: any 127.x.y.z is loopback on Linux, so tests can play several
    // client hosts (e.g. for the per-address connection cap).
    // `to`: the server's address (the IPv6 loopback for a relay listening there).
    bool connectTo(quint16 port, const QHostAddress &from = {}, const QHostAddress &to = QHostAddress(QHostAddress::LocalHost))
    {
        QObject::connect(&m_socket, &QTcpSocket::readyRead, [this] { m_buffer += m_socket.readAll(); });
        QObject::connect(&m_socket, &QTcpSocket::connected, [this] { m_connected = true; });
        if (!from.isNull() && !m_socket.bind(from, 0))
            return false;
        m_socket.connectToHost(to, port);
        // The server may answer and close at once (503), so "was connected" is what counts.
        return spinUntil([this] { return m_connected; });
    }
    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes.data(), bytes.size());
        m_socket.flush();
    }
    bool isOpen() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    // True once the server has closed (we see EOF); Qt then reports the socket unconnected.
    bool waitClosed(int timeoutMs = 10000)
    {
        return spinUntil([this] { return m_socket.state() == QAbstractSocket::UnconnectedState; }, timeoutMs);
    }
    // Waits until at least `n` buffered bytes or `marker` is buffered.
    bool waitFor(QByteArrayView marker, int timeoutMs = 10000)
    {
        return spinUntil([&] { return m_buffer.contains(marker); }, timeoutMs);
    }
    QByteArray &buffer() { return m_buffer; }
    QTcpSocket &socket() { return m_socket; }
    void close() { m_socket.abort(); }

    // Reads one response; `headRequest` means no body follows the headers whatever they say.
    std::optional<RawResponse> readResponse(bool headRequest = false, int timeoutMs = 10000)
    {
        std::optional<RawResponse> out;
        spinUntil(
            [&] {
                out = tryParse(headRequest);
                return out.has_value() || m_socket.state() == QAbstractSocket::UnconnectedState;
            },
            timeoutMs);
        if (!out)
            out = tryParse(headRequest, /*eof=*/m_socket.state() == QAbstractSocket::UnconnectedState);
        return out;
    }

private:
    std::optional<RawResponse> tryParse(bool headRequest, bool eof = false)
    {
        const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return std::nullopt;
        RawResponse r;
        const QList<QByteArray> lines = m_buffer.first(headEnd).split('\n');
        const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
        if (statusLine.size() < 2 || !statusLine[0].startsWith("HTTP/1."))
            return std::nullopt;
        r.status = statusLine[1].toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                r.headers.append({line.first(colon).trimmed(), line.sliced(colon + 1).trimmed()});
        }
        qsizetype pos = headEnd + 4;
        const bool noBody = headRequest || r.status < 200 || r.status == 204 || r.status == 304;
        if (noBody) {
        } else if (r.header("Transfer-Encoding").compare("chunked", Qt::CaseInsensitive) == 0) {
            while (true) {
                const qsizetype lineEnd = m_buffer.indexOf("\r\n", pos);
                if (lineEnd < 0)
                    return std::nullopt;
                bool ok = false;
                const qsizetype size = m_buffer.sliced(pos, lineEnd - pos).toLongLong(&ok, 16);
                if (!ok)
                    return std::nullopt;
                if (size == 0) {
                    if (m_buffer.size() < lineEnd + 4)
                        return std::nullopt;
                    pos = lineEnd + 4;
                    break;
                }
                if (m_buffer.size() < lineEnd + 2 + size + 2)
                    return std::nullopt;
                const QByteArray chunk = m_buffer.sliced(lineEnd + 2, size);
                r.chunks.append(chunk);
                r.body += chunk;
                pos = lineEnd + 2 + size + 2;
            }
        } else if (!r.header("Content-Length").isNull()) {
            const qsizetype length = r.header("Content-Length").toLongLong();
            if (m_buffer.size() < pos + length)
                return std::nullopt;
            r.body = m_buffer.sliced(pos, length);
            pos += length;
        } else {
            if (!eof)
                return std::nullopt;
            r.body = m_buffer.sliced(pos);
            pos = m_buffer.size();
        }
        m_buffer.remove(0, pos);
        return r;
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
    bool m_connected = false;
};

} // namespace RelayDeskTest
