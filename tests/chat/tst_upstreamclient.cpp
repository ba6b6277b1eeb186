// UpstreamClient (libcurl multi on the Qt event loop) against a scripted HTTP server on a loopback socket:
// request shape, keep-alive reuse, streaming, connect errors, the idle timeout, backpressure and teardown.
#include "relay/upstreamclient.h"

#include <QtCore/QPointer>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

#include <functional>
#include <memory>

using RelayDesk::Relay::UpstreamClient;
using RelayDesk::Relay::UpstreamReply;

namespace {

// Reads one request (head + Content-Length body) per connection at a time and hands it to the script.
class ScriptedServer final : public QObject
{
public:
    using Script = std::function<void(QTcpSocket *socket, const QByteArray &request)>;

    explicit ScriptedServer(Script script)
        : m_script(std::move(script))
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++m_connections;
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onData(socket); });
                connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                    ++m_disconnects;
                    socket->deleteLater();
                });
            }
        });
        m_server.listen(QHostAddress::LocalHost);
    }

    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/v1/chat/completions").arg(m_server.serverPort())); }
    int connections() const { return m_connections; }
    int disconnects() const { return m_disconnects; }
    const QList<QByteArray> &requests() const { return m_requests; }

private:
    void onData(QTcpSocket *socket)
    {
        QByteArray &pending = m_pending[socket];
        pending += socket->readAll();
        for (;;) {
            const qsizetype headEnd = pending.indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            qsizetype length = 0;
            for (const QByteArray &line : pending.left(headEnd).split('\n')) {
                if (line.toLower().startsWith("content-length:"))
                    length = line.mid(15).trimmed().toLongLong();
            }
            const qsizetype total = headEnd + 4 + length;
            if (pending.size() < total)
                return;
            const QByteArray request = pending.left(total);
            pending.remove(0, total);
            m_requests.append(request);
            m_script(socket, request);
        }
    }

    QTcpServer m_server;
    Script m_script;
    QHash<QTcpSocket *, QByteArray> m_pending;
    QList<QByteArray> m_requests;
    int m_connections = 0;
    int m_disconnects = 0;
};

QByteArray jsonResponse(const QByteArray &body)
{
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
           QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

QByteArray chunk(const QByteArray &data)
{
    return QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n";
}

// Runs the reply to its end, collecting every byte.
struct Collected
{
    QByteArray data;
    int readyReads = 0;
    int finished = 0;
};

std::shared_ptr<Collected> collect(UpstreamReply *reply)
{
    auto out = std::make_shared<Collected>();
    QObject::connect(reply, &UpstreamReply::readyRead, reply, [out, reply] {
        ++out->readyReads;
        out->data += reply->readAll();
    });
    QObject::connect(reply, &UpstreamReply::finished, reply, [out, reply] {
        ++out->finished;
        out->data += reply->readAll();
    });
    return out;
}

} // namespace

class TestUpstreamClient final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void postsJsonAndReadsTheReply()
    {
        ScriptedServer server([](QTcpSocket *s, const QByteArray &) { s->write(jsonResponse(R"({"ok":true})")); });
        UpstreamClient client;
        std::unique_ptr<UpstreamReply> reply(client.postJson(server.url(), R"({"model":"m"})", "sk-channel", false));
        const auto got = collect(reply.get());
        QTRY_COMPARE_WITH_TIMEOUT(got->finished, 1, 10000);
        QCOMPARE(reply->error(), UpstreamReply::Error::None);
        QCOMPARE(reply->status(), 200);
        QCOMPARE(reply->contentType(), QByteArray("application/json"));
        QCOMPARE(got->data, QByteArray(R"({"ok":true})"));

        const QByteArray request = server.requests().value(0);
        QVERIFY(request.startsWith("POST /v1/chat/completions HTTP/1.1\r\n"));
        QVERIFY(request.contains("\r\nAuthorization: Bearer sk-channel\r\n"));
        QVERIFY(request.contains("\r\nContent-Type: application/json\r\n"));
        QVERIFY(!request.contains("Expect:"));
        QVERIFY(request.endsWith("\r\n\r\n{\"model\":\"m\"}"));
    }

    // A body in pieces (a multipart upload with its model replaced) goes out whole, in order, with its own
    // content type and Accept header; large enough for curl to read it in many calls.
    void sendsABodyInPieces()
    {
        ScriptedServer server([](QTcpSocket *s, const QByteArray &) { s->write(jsonResponse("{}")); });
        UpstreamClient client;
        QByteArray file(3 * 1024 * 1024, '\0');
        for (qsizetype i = 0; i < file.size(); ++i)
            file[i] = char(i * 7 + i / 251);
        const QByteArray head = "--b\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n";
        const QByteArray tail = "\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\r\n";
        RelayDesk::Relay::UpstreamBody body("multipart/form-data; boundary=b",
                                            {head, QByteArray("mapped-model"), tail,
                                             QByteArray::fromRawData(file.constData(), file.size()),
                                             QByteArray("\r\n--b--\r\n")},
                                            file);
        body.accept = "*/*";
        std::unique_ptr<UpstreamReply> reply(client.send("POST", server.url(), body, "sk-channel", false));
        const auto got = collect(reply.get());
        QTRY_COMPARE_WITH_TIMEOUT(got->finished, 1, 20000);
        QCOMPARE(reply->status(), 200);
        const QByteArray request = server.requests().value(0);
        const QByteArray expected = QByteArray(head + "mapped-model" + tail + file + "\r\n--b--\r\n");
        QVERIFY(request.contains("\r\nContent-Type: multipart/form-data; boundary=b\r\n"));
        QVERIFY(request.contains("\r\nAccept: */*\r\n"));
        QVERIFY(request.contains(QByteArray("\r\nContent-Length: " + QByteArray::number(expected.size()) + "\r\n")));
        QVERIFY(!request.contains("Expect:"));
        QVERIFY(request.endsWith(expected));
    }

    void reusesTheConnection()
    {
        ScriptedServer server([](QTcpSocket *s, const QByteArray &) { s->write(jsonResponse("{}")); });
        UpstreamClient client;
        for (int i = 0; i < 3; ++i) {
            std::unique_ptr<UpstreamReply> reply(client.postJson(server.url(), "{}", {}, false));
            const auto got = collect(reply.get());
            QTRY_COMPARE_WITH_TIMEOUT(got->finished, 1, 10000);
            QCOMPARE(reply->status(), 200);
        }
        QCOMPARE(server.requests().size(), 3);
        QCOMPARE(server.connections(), 1);
    }

    // Chunks are delivered as they arrive, not at the end.
    void streamsChunksAsTheyArrive()
    {
        QPointer<QTcpSocket> peer;
        ScriptedServer server([&](QTcpSocket *s, const QByteArray &) {
            peer = s;
            s->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
            s->write(chunk("data: one\n\n"));
        });
        UpstreamClient client;
        std::unique_ptr<UpstreamReply> reply(client.postJson(server.url(), "{}", {}, true));
        const auto got = collect(reply.get());
        QTRY_COMPARE_WITH_TIMEOUT(got->data, QByteArray("data: one\n\n"), 10000);
        QCOMPARE(reply->contentType(), QByteArray("text/event-stream"));
        QVERIFY(!reply->isFinished());
        peer->write(chunk("data: two\n\n") + "0\r\n\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(got->finished, 1, 10000);
        QCOMPARE(got->data, QByteArray("data: one\n\ndata: two\n\n"));
        QVERIFY(got->readyReads >= 1);
        QCOMPARE(reply->error(), UpstreamReply::Error::None);
    }

    void connectionRefusedIsAConnectError()
    {
        quint16 port = 0;
        {
            QTcpServer probe; // a port that nothing listens on once the probe is gone
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            port = probe.serverPort();
        }
        UpstreamClient client;
        std::unique_ptr<UpstreamReply> reply(
            client.postJson(QUrl(QStringLiteral("http://127.0.0.1:%1/v1/x").arg(port)), "{}", {}, false));
        const auto got = collect(reply.get());
        QTRY_COMPARE_WITH_TIMEOUT(got->finished, 1, 10000);
        QCOMPARE(reply->error(), UpstreamReply::Error::ConnectionRefused);
        QVERIFY(reply->isConnectError());
        QCOMPARE(reply->status(), 0);
        QVERIFY(!reply->errorString().isEmpty());
    }

    void silentUpstreamTimesOut()
    {
        ScriptedServer server([](QTcpSocket *, const QByteArray &) {}); // accepts, never answers
        UpstreamClient::Options options;
        options.transferTimeout = std::chrono::milliseconds(300);
        UpstreamClient client(options);
        std::unique_ptr<UpstreamReply> reply(client.postJson(server.url(), "{}", {}, false));
        const auto got = collect(reply.get());
        QTRY_COMPARE_WITH_TIMEOUT(got->finished, 1, 10000);
        QCOMPARE(reply->error(), UpstreamReply::Error::Timeout);
        QVERIFY(!reply->isConnectError()); // the request may have reached the upstream: never retried
        QTRY_COMPARE_WITH_TIMEOUT(server.disconnects(), 1, 10000); // the connection is not kept
    }

    void truncatedBodyIsRemoteClosed()
    {
        ScriptedServer server([](QTcpSocket *s, const QByteArray &) {
            s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"partial\"");
            s->flush();
            s->disconnectFromHost();
        });
        UpstreamClient client;
        std::unique_ptr<UpstreamReply> reply(client.postJson(server.url(), "{}", {}, false));
        const auto got = collect(reply.get());
        QTRY_COMPARE_WITH_TIMEOUT(got->finished, 1, 10000);
        QCOMPARE(reply->status(), 200);
        QCOMPARE(reply->error(), UpstreamReply::Error::RemoteClosed);
        QVERIFY(!reply->isConnectError());
        QCOMPARE(got->data, QByteArray("{\"partial\""));
    }

    // A consumer that does not read: the reply holds at most about readBufferSize, the transfer pauses (and
    // does not time out meanwhile), and everything arrives in order once it reads again.
    void pausesWhenTheConsumerDoesNotRead()
    {
        const QByteArray payload = [] {
            QByteArray p;
            for (int i = 0; p.size() < 4 * 1024 * 1024; ++i)
                p += QByteArray::number(i).rightJustified(8, '0') + '\n';
            return p;
        }();
        ScriptedServer server([&](QTcpSocket *s, const QByteArray &) { s->write(jsonResponse(payload)); });
        UpstreamClient::Options options;
        options.readBufferSize = 64 * 1024;
        options.transferTimeout = std::chrono::milliseconds(300);
        UpstreamClient client(options);
        std::unique_ptr<UpstreamReply> reply(client.postJson(server.url(), "{}", {}, false));
        int finished = 0;
        connect(reply.get(), &UpstreamReply::finished, this, [&] { ++finished; });
        QTRY_VERIFY_WITH_TIMEOUT(reply->bytesAvailable() >= options.readBufferSize, 10000);
        QTest::qWait(1000); // > transferTimeout while paused
        QCOMPARE(finished, 0);
        QCOMPARE(reply->error(), UpstreamReply::Error::None);
        QVERIFY2(reply->bytesAvailable() <= options.readBufferSize + 64 * 1024,
                 QByteArray::number(reply->bytesAvailable()).constData());

        QByteArray received;
        QTRY_VERIFY_WITH_TIMEOUT((received += reply->readAll(), finished == 1), 20000);
        received += reply->readAll();
        QCOMPARE(reply->error(), UpstreamReply::Error::None);
        QCOMPARE(received.size(), payload.size());
        QVERIFY(received == payload);
    }

    void abortStopsTheTransfer()
    {
        ScriptedServer server([](QTcpSocket *s, const QByteArray &) {
            s->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
            s->write(chunk("data: one\n\n"));
        });
        UpstreamClient client;
        std::unique_ptr<UpstreamReply> reply(client.postJson(server.url(), "{}", {}, true));
        const auto got = collect(reply.get());
        QTRY_VERIFY_WITH_TIMEOUT(!got->data.isEmpty(), 10000);
        reply->abort();
        QCOMPARE(reply->error(), UpstreamReply::Error::Aborted);
        QTRY_COMPARE_WITH_TIMEOUT(server.disconnects(), 1, 10000); // a half-read connection is closed
        QCOMPARE(got->finished, 0);

        // The client is still usable.
        std::unique_ptr<UpstreamReply> next(client.postJson(server.url(), "{}", {}, true));
        const auto more = collect(next.get());
        QTRY_VERIFY_WITH_TIMEOUT(!more->data.isEmpty(), 10000);
    }

    void deletingARunningReplyIsSafe()
    {
        ScriptedServer server([](QTcpSocket *, const QByteArray &) {});
        UpstreamClient client;
        delete client.postJson(server.url(), "{}", {}, false); // before curl even connected
        UpstreamReply *running = client.postJson(server.url(), "{}", {}, false);
        QTRY_COMPARE_WITH_TIMEOUT(server.requests().size(), 1, 10000);
        delete running; // waiting for the response
        QTRY_COMPARE_WITH_TIMEOUT(server.disconnects(), 1, 10000);
        QCOMPARE(server.connections(), 1);
    }

    // Replies may outlive the client (they are caller-owned): they end as aborted, without signals.
    void replyOutlivesTheClient()
    {
        ScriptedServer server([](QTcpSocket *, const QByteArray &) {});
        auto client = std::make_unique<UpstreamClient>();
        std::unique_ptr<UpstreamReply> reply(client->postJson(server.url(), "{}", {}, false));
        const auto got = collect(reply.get());
        QTRY_COMPARE_WITH_TIMEOUT(server.requests().size(), 1, 10000);
        client.reset();
        QVERIFY(reply->isFinished());
        QCOMPARE(reply->error(), UpstreamReply::Error::Aborted);
        QCOMPARE(reply->readAll(), QByteArray());
        QTest::qWait(50);
        QCOMPARE(got->finished, 0);
    }
};

QTEST_GUILESS_MAIN(TestUpstreamClient)
#include "tst_upstreamclient.moc"
