// Realtime's ephemeral client secrets end to end (Runtime with the demo upstream, real sockets): a backend mints an
// `ek_` secret with its `sk-` key (GA /v1/realtime/client_secrets and beta /v1/realtime/sessions); a browser-like
// client opens Realtime sessions with it (subprotocol or Bearer, the model from the secret), the session config it
// was minted with is applied upstream first, and the session bills the parent key. Refusals: bad lifetimes, a model
// the key may not use, an expired or unknown secret, a disabled parent key, another model than the minted one — all
// before any upgrade; and the secret is refused everywhere but Realtime. Only the secret's hash is stored.
#include "meteredrelay.h"
#include "realtimerig.h"

#include "store/clientsecretrepository.h"

using namespace RelayDesk;
using Reply = RelayDeskTest::RelayReply;

namespace {

const QString kRealtime = QStringLiteral("gpt-realtime");

// The HTTP answer to a WebSocket upgrade of /v1/realtime with `secret` as the Bearer token.
std::optional<RelayDeskTest::RawResponse> upgrade(quint16 port, const QByteArray &query, const QByteArray &secret)
{
    RelayDeskTest::RawClient c;
    if (!c.connectTo(port))
        return std::nullopt;
    c.send("GET /v1/realtime" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
           "Authorization: Bearer " + secret + "\r\n\r\n");
    if (!c.waitClosed())
        return std::nullopt;
    return c.readResponse();
}

} // namespace

class TestClientSecrets : public QObject
{
    Q_OBJECT

private:
    RelayDeskTest::MeteredRelay m_relay;

    QJsonObject mint(const QJsonObject &body, int status = 200, const QByteArray &path = "/v1/realtime/client_secrets")
    {
        const Reply reply = m_relay.postJson(path, body, false);
        [&] { QCOMPARE(reply.http.status, status); }();
        return reply.json();
    }
    static QJsonObject gaBody(qint64 seconds, const QJsonObject &session)
    {
        return {{QStringLiteral("expires_after"),
                 QJsonObject{{QStringLiteral("anchor"), QStringLiteral("created_at")}, {QStringLiteral("seconds"), seconds}}},
                {QStringLiteral("session"), session}};
    }
    Store::ApiKey parentKey()
    {
        return *Store::ApiKeyRepository(m_relay.db()).byPlainKey(QString::fromUtf8(m_relay.key()));
    }

private Q_SLOTS:
    void initTestCase()
    {
        RelayDeskTest::MeteredRelay::Setup setup;
        setup.user = QStringLiteral("browser-app");
        setup.models = {kRealtime, QStringLiteral("gpt-4o-mini-transcribe")};
        QVERIFY(m_relay.start(this, setup));
    }
    void cleanupTestCase() { m_relay.stop(); }

    void mintedSecretOpensASessionBilledToTheParentKey_data()
    {
        QTest::addColumn<bool>("subprotocol");
        QTest::newRow("openai-insecure-api-key subprotocol") << true;
        QTest::newRow("Bearer") << false;
    }
    void mintedSecretOpensASessionBilledToTheParentKey()
    {
        QFETCH(bool, subprotocol);
        const qint64 before = QDateTime::currentSecsSinceEpoch();
        const QJsonObject minted = mint(gaBody(120, {{QStringLiteral("type"), QStringLiteral("realtime")},
                                                     {QStringLiteral("model"), kRealtime},
                                                     {QStringLiteral("instructions"), QStringLiteral("Be brief.")}}));
        const QString value = minted.value(QStringLiteral("value")).toString();
        QVERIFY(Store::ClientSecretRepository::looksLikeSecret(value));
        QVERIFY(minted.value(QStringLiteral("expires_at")).toInteger() >= before + 120);
        QVERIFY(minted.value(QStringLiteral("expires_at")).toInteger() <= QDateTime::currentSecsSinceEpoch() + 120);
        const QJsonObject session = minted.value(QStringLiteral("session")).toObject();
        QCOMPARE(session.value(QStringLiteral("object")).toString(), QStringLiteral("realtime.session"));
        QVERIFY(session.value(QStringLiteral("id")).toString().startsWith(QStringLiteral("sess_")));
        QCOMPARE(session.value(QStringLiteral("instructions")).toString(), QStringLiteral("Be brief."));
        // Stored as its hash only.
        QSqlQuery q = m_relay.db().query();
        QVERIFY(q.exec(QStringLiteral("SELECT secret_hash, session_json FROM client_secrets")));
        bool found = false;
        while (q.next()) {
            QVERIFY(!q.value(0).toString().contains(value) && !q.value(1).toString().contains(value));
            found = found || q.value(0).toString() == Store::ClientSecretRepository::hashSecret(value);
        }
        QVERIFY(found);

        // No model in the URL: the secret's. The session config comes first, before anything the client sends.
        const Store::ApiKey parent = parentKey();
        RelayDeskTest::RtClient client;
        client.open(m_relay.runtime().port(), QString(), value.toUtf8(), subprotocol);
        QVERIFY(client.waitOpen());
        QVERIFY(client.waitFor(QStringLiteral("session.updated")));
        client.send({{QStringLiteral("type"), QStringLiteral("response.create")}});
        QVERIFY(client.waitFor(QStringLiteral("response.done")));
        client.socket.close();
        QVERIFY(RelayDeskTest::spin([&] { return Store::ReservationRepository(m_relay.db()).openReservations().isEmpty(); }));
        Store::LogFilter filter;
        filter.type = Store::LogType::Consume;
        filter.keyId = parent.id;
        const auto rows = Store::LogRepository(m_relay.db()).page(filter, 1).rows;
        QVERIFY(!rows.isEmpty());
        QCOMPARE(rows.first().model, kRealtime);
        QVERIFY(rows.first().quota > 0);
        QCOMPARE(rows.first().userId, parent.userId);
    }

    // A secret minted for a transcription session opens one (?intent=transcription, no model in the URL): its
    // transcription model is applied upstream first, and each completed item is billed to the parent key at it.
    void transcriptionSecretOpensATranscriptionSession()
    {
        const QString model = QStringLiteral("gpt-4o-mini-transcribe");
        const QJsonObject minted = mint(gaBody(120, {{QStringLiteral("type"), QStringLiteral("transcription")},
                                                     {QStringLiteral("audio"), QJsonObject{{QStringLiteral("input"),
                                                      QJsonObject{{QStringLiteral("transcription"),
                                                                   QJsonObject{{QStringLiteral("model"), model}}}}}}}}));
        const QString value = minted.value(QStringLiteral("value")).toString();
        QVERIFY(Store::ClientSecretRepository::looksLikeSecret(value));
        const QJsonObject session = minted.value(QStringLiteral("session")).toObject();
        QCOMPARE(session.value(QStringLiteral("type")).toString(), QStringLiteral("transcription"));
        QVERIFY(!session.contains(QStringLiteral("model")));

        const Store::ApiKey parent = parentKey();
        RelayDeskTest::RtClient client;
        client.openQuery(m_relay.runtime().port(), QStringLiteral("intent=transcription"), value.toUtf8(), true);
        QVERIFY(client.waitOpen());
        QVERIFY(client.waitFor(QStringLiteral("session.updated")));
        QCOMPARE(Relay::RealtimeTranscription::modelOf(client.all(QStringLiteral("session.updated")).first()
                                                           .value(u"session").toObject()), model);
        client.send(RelayDeskTest::audioAppend(2000));
        client.send({{QStringLiteral("type"), QStringLiteral("input_audio_buffer.commit")}});
        QVERIFY(client.waitFor(QStringLiteral("conversation.item.input_audio_transcription.completed")));
        const QJsonObject usage = client.all(QStringLiteral("conversation.item.input_audio_transcription.completed"))
                                      .first().value(u"usage").toObject();
        QCOMPARE(usage.value(u"type").toString(), QStringLiteral("tokens"));
        client.socket.close();
        QVERIFY(RelayDeskTest::spin([&] { return Store::ReservationRepository(m_relay.db()).openReservations().isEmpty(); }));
        Store::LogFilter filter;
        filter.type = Store::LogType::Consume;
        filter.keyId = parent.id;
        const auto rows = Store::LogRepository(m_relay.db()).page(filter, 1).rows;
        QVERIFY(!rows.isEmpty());
        QCOMPARE(rows.first().model, model);
        QCOMPARE(rows.first().other.value(u"session_type").toString(), QStringLiteral("transcription"));
        QCOMPARE(rows.first().other.value(u"transcription").toObject().value(u"count").toInt(), 1);
        QVERIFY(rows.first().quota > 0);
    }

    void apiKeySessionGetsNoSessionUpdate()
    {
        RelayDeskTest::RtClient client;
        client.open(m_relay.runtime().port(), kRealtime, m_relay.key());
        QVERIFY(client.waitOpen());
        QVERIFY(client.waitFor(QStringLiteral("session.created")));
        client.send({{QStringLiteral("type"), QStringLiteral("response.create")}});
        QVERIFY(client.waitFor(QStringLiteral("response.done")));
        QCOMPARE(client.count(QStringLiteral("session.updated")), 0);
        client.socket.close();
        QVERIFY(RelayDeskTest::spin([&] { return Store::ReservationRepository(m_relay.db()).openReservations().isEmpty(); }));
    }

    void betaSessionsEndpoint()
    {
        const QJsonObject session = mint({{QStringLiteral("model"), kRealtime},
                                          {QStringLiteral("modalities"), QJsonArray{QStringLiteral("text")}}},
                                         200, "/v1/realtime/sessions");
        QCOMPARE(session.value(QStringLiteral("object")).toString(), QStringLiteral("realtime.session"));
        const QJsonObject secret = session.value(QStringLiteral("client_secret")).toObject();
        QVERIFY(Store::ClientSecretRepository::looksLikeSecret(secret.value(QStringLiteral("value")).toString()));
        const qint64 ttl = secret.value(QStringLiteral("expires_at")).toInteger() - QDateTime::currentSecsSinceEpoch();
        QVERIFY(ttl > 50 && ttl <= 60); // beta secrets live a minute by default
    }

    void badRequestsAreRefused_data()
    {
        QTest::addColumn<QJsonObject>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("param");
        QTest::newRow("too short") << gaBody(5, {}) << 400 << "expires_after.seconds";
        QTest::newRow("too long") << gaBody(7201, {}) << 400 << "expires_after.seconds";
        QTest::newRow("empty body: the defaults") << QJsonObject() << 200 << QString();
        QJsonObject anchor = gaBody(60, {});
        anchor.insert(QStringLiteral("expires_after"), QJsonObject{{QStringLiteral("anchor"), QStringLiteral("now")}});
        QTest::newRow("other anchor") << anchor << 400 << "expires_after";
        QTest::newRow("session not an object") << QJsonObject{{QStringLiteral("session"), 3}} << 400 << "session";
        QTest::newRow("unknown type") << gaBody(60, {{QStringLiteral("type"), QStringLiteral("chat")}}) << 400
                                      << "session.type";
        QTest::newRow("transcription model not served")
            << gaBody(60, {{QStringLiteral("type"), QStringLiteral("transcription")},
                           {QStringLiteral("audio"), QJsonObject{{QStringLiteral("input"), QJsonObject{{QStringLiteral("transcription"),
                                                      QJsonObject{{QStringLiteral("model"), QStringLiteral("no-such-transcriber")}}}}}}}})
            << 404 << QString();
        QTest::newRow("session too large") << gaBody(60, {{QStringLiteral("instructions"), QString(70 * 1024, u'x')}})
                                           << 400 << "session";
        QTest::newRow("unserved model") << gaBody(60, {{QStringLiteral("model"), QStringLiteral("no-such-model")}}) << 404
                                        << QString();
    }
    void badRequestsAreRefused()
    {
        QFETCH(QJsonObject, body);
        QFETCH(int, status);
        QFETCH(QString, param);
        const QJsonObject reply = mint(body, status);
        if (status == 200) { // an empty body: the defaults (gpt-realtime, ten minutes)
            QCOMPARE(reply.value(QStringLiteral("session")).toObject().value(QStringLiteral("model")).toString(), kRealtime);
            const qint64 ttl = reply.value(QStringLiteral("expires_at")).toInteger() - QDateTime::currentSecsSinceEpoch();
            QVERIFY(ttl > 590 && ttl <= 600);
            return;
        }
        const QJsonObject error = reply.value(QStringLiteral("error")).toObject();
        QVERIFY(!error.value(QStringLiteral("message")).toString().isEmpty());
        if (!param.isEmpty())
            QCOMPARE(error.value(QStringLiteral("param")).toString(), param);
    }

    void refusedBeforeUpgrade_data()
    {
        QTest::addColumn<QString>("what");
        QTest::newRow("expired") << "expired";
        QTest::newRow("unknown") << "unknown";
        QTest::newRow("other model") << "model";
        QTest::newRow("disabled parent key") << "disabled";
    }
    void refusedBeforeUpgrade()
    {
        QFETCH(QString, what);
        const Store::ApiKey parent = parentKey();
        Store::ClientSecret secret;
        secret.keyId = parent.id;
        secret.userId = parent.userId;
        secret.session = {{QStringLiteral("type"), QStringLiteral("realtime")}, {QStringLiteral("model"), kRealtime}};
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        secret.expiresAt = what == u"expired" ? now - 1 : now + 60'000;
        auto minted = Store::ClientSecretRepository(m_relay.db()).mint(secret);
        QVERIFY(minted);
        QByteArray value = minted->value.toUtf8();
        QByteArray query;
        if (what == u"unknown")
            value = "ek_" + QByteArray(48, 'x');
        if (what == u"model")
            query = "?model=gpt-4o-mini";
        Store::ApiKey disabled = parent;
        if (what == u"disabled") {
            disabled.status = Store::RowStatus::Disabled;
            QVERIFY(Store::ApiKeyRepository(m_relay.db()).update(disabled));
        }
        const qint64 reservations = m_relay.reservations();
        const auto r = upgrade(m_relay.runtime().port(), query, value);
        if (what == u"disabled")
            QVERIFY(Store::ApiKeyRepository(m_relay.db()).update(parent));
        QVERIFY(r);
        // A disabled parent key is refused as the key itself would be (403); an unusable secret is a bad key (401).
        QCOMPARE(r->status, what == u"model" ? 400 : what == u"disabled" ? 403 : 401);
        QVERIFY(!r->body.contains(value));
        QCOMPARE(m_relay.reservations(), reservations);
    }

    void secretIsRefusedOutsideRealtime()
    {
        const QString value = mint(gaBody(60, {})).value(QStringLiteral("value")).toString();
        for (const QByteArray &path : {QByteArrayLiteral("/v1/chat/completions"), QByteArrayLiteral("/v1/realtime/client_secrets")}) {
            const Reply reply = RelayDeskTest::exchangeWith(
                m_relay.runtime().port(), "POST", path,
                R"({"model":"gpt-realtime","messages":[{"role":"user","content":"hi"}]})", value.toUtf8());
            QCOMPARE(reply.http.status, 401);
            QVERIFY(reply.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("message"))
                        .toString().contains(QStringLiteral("Realtime")));
            QVERIFY(!reply.http.body.contains(value.toUtf8()));
        }
    }
};

QTEST_GUILESS_MAIN(TestClientSecrets)
#include "tst_clientsecrets.moc"
