// WebRTC calls (issue 14, part 3), end to end on real sockets: an HTTP client → HttpServer + RealtimeRelay (its
// RealtimeCalls) → the demo upstream on its own HttpServer (DemoRealtimeCalls + DemoRealtime's ?call_id= sideband),
// real SQLite ledger. A call is offered as multipart sdp + session (sk- key) or a bare SDP (ek_ client secret), the
// upstream's SDP answer and Location come back unchanged, and the relay meters the call over the sideband: every
// response.done the demo sent is billed, priced here independently (logs == debits). Quota running out mid-call hangs
// the call up upstream (balance never below zero); a refused sideband hangs up and refunds; bad inputs are refused
// before anything is reserved; control requests go to the channel that owns the call.
#include "../relay/rawhttpclient.h"
#include "formbody.h"
#include "realtimerig.h"

#include "relay/realtime/realtimecallreaper.h"
#include "relay/realtime/realtimecalls.h"
#include "store/realtimecallrepository.h"

#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest>

using namespace RelayDesk;
using namespace RelayDeskTest;

namespace {

const QByteArray kOffer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";

RawResponse post(quint16 port, const QByteArray &path, const QByteArray &contentType, const QByteArray &body,
                 const QByteArray &bearer)
{
    RawClient c;
    if (!c.connectTo(port))
        return {};
    QByteArray head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!contentType.isEmpty())
        head += "Content-Type: " + contentType + "\r\n";
    if (!bearer.isEmpty())
        head += "Authorization: Bearer " + bearer + "\r\n";
    head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
    c.send(head + body);
    return c.readResponse(false, 20000).value_or(RawResponse{});
}

QJsonObject session(const QString &instructions)
{
    return {{QStringLiteral("type"), QStringLiteral("realtime")},
            {QStringLiteral("model"), QStringLiteral("gpt-realtime")},
            {QStringLiteral("instructions"), instructions}};
}

RawResponse offerMultipart(quint16 port, const QByteArray &key, const QJsonObject &s)
{
    const FormBody form = formBody({{"sdp", kOffer, {}, {}},
                                    {"session", QJsonDocument(s).toJson(QJsonDocument::Compact), {}, {}}});
    return post(port, "/v1/realtime/calls", form.contentType, form.body, key);
}

QString errorCode(const RawResponse &r)
{
    return QJsonDocument::fromJson(r.body).object().value(u"error").toObject().value(u"code").toString();
}

QString errorParam(const RawResponse &r)
{
    return QJsonDocument::fromJson(r.body).object().value(u"error").toObject().value(u"param").toString();
}

// The call id of a Location the relay returned.
QString callIdOf(const RawResponse &r)
{
    return QString::fromUtf8(r.header("Location")).section(QLatin1Char('/'), -1);
}

// An upstream that answers POSTs (the hangup) with 200 and never answers anything else (the sideband's upgrade):
// what a sideband that cannot be opened looks like from the relay.
class StallingUpstream
{
public:
    bool listen()
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    const QByteArray head = socket->readAll();
                    if (head.startsWith("GET ") || head.startsWith("POST "))
                        requests << head.left(head.indexOf("\r\n"));
                    if (head.startsWith("POST "))
                        socket->write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                });
            }
        });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()); }
    QList<QByteArray> requests; // request lines, in order

private:
    QTcpServer m_server;
};

struct Calls
{
    QStringList started;
    QHash<QString, QString> endReasons;
    QHash<QString, qint64> quota;
};

} // namespace

class TestRealtimeCalls : public QObject
{
    Q_OBJECT

private:
    static RealtimeRig::Options options(qint64 userQuota = 10'000'000)
    {
        RealtimeRig::Options o;
        o.userQuota = userQuota;
        o.demoOverHttp = true;
        o.relay.defaultMaxOutputTokens = 100; // small holds: a test can run a user out in a few responses
        return o;
    }
    static void watch(RealtimeRig &rig, Calls &calls)
    {
        QObject::connect(&rig.relay->calls(), &Relay::RealtimeCalls::callStarted,
                         [&calls](const QString &id, quint64) { calls.started << id; });
        QObject::connect(&rig.relay->calls(), &Relay::RealtimeCalls::callFinished,
                         [&calls](const QString &id, const QString &reason, qint64 quota) {
                             calls.endReasons.insert(id, reason);
                             calls.quota.insert(id, quota);
                         });
    }
    // What the demo's response.done usages on `callId` cost, in quota (the account rounds the cumulative total).
    static qint64 billedQuota(const RealtimeRig &rig, const QString &callId)
    {
        qint64 tenths = 0;
        for (const QJsonObject &usage : rig.demo.callUsages(callId))
            tenths += tenthsOf(usage);
        return roundTenths(tenths);
    }
    static QString mintSecret(RealtimeRig &rig, const QJsonObject &s, qint64 expiresInMs = 60'000)
    {
        Store::ClientSecret secret;
        secret.keyId = rig.keyId;
        secret.userId = rig.userId;
        secret.session = s;
        secret.expiresAt = QDateTime::currentMSecsSinceEpoch() + expiresInMs;
        const auto minted = Store::ClientSecretRepository(rig.temp.db()).mint(secret);
        return minted ? minted->value : QString();
    }

private Q_SLOTS:
    void offerIsAnsweredAndMeteredOverTheSideband_data()
    {
        QTest::addColumn<bool>("clientSecret");
        QTest::newRow("multipart sdp + session, sk- key") << false;
        QTest::newRow("application/sdp, ek_ client secret") << true;
    }
    void offerIsAnsweredAndMeteredOverTheSideband()
    {
        QFETCH(bool, clientSecret);
        Calls calls; // outlives the rig: its signals may fire while the rig is torn down
        RealtimeRig rig(options());
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        watch(rig, calls);
        const QJsonObject s = session(QStringLiteral("Be brief. demo-call responses=3 interval=20 end=1"));
        RawResponse r;
        if (clientSecret) {
            const QString secret = mintSecret(rig, s);
            QVERIFY(!secret.isEmpty());
            r = post(rig.port(), "/v1/realtime/calls", "application/sdp", kOffer, secret.toUtf8());
        } else {
            r = offerMultipart(rig.port(), rig.plainKey, s);
        }
        QCOMPARE(r.status, 201);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/sdp"));
        QCOMPARE(r.body, QByteArray(Relay::DemoRealtimeCalls::kAnswerSdp));
        const QString callId = callIdOf(r);
        QVERIFY(callId.startsWith(QStringLiteral("rtc_")));
        QCOMPARE(r.header("Location"), QByteArray("/v1/realtime/calls/") + callId.toUtf8());

        // The upstream got the offer with the channel's secret and the session (model mapped, instructions kept).
        const Relay::DemoRealtimeCall *upstream = rig.demoCalls->call(callId);
        QVERIFY(upstream);
        QCOMPARE(upstream->offer, kOffer);
        QCOMPARE(upstream->authorization, QByteArray("Bearer sk-upstream-secret"));
        QCOMPARE(upstream->session.value(u"model").toString(), QStringLiteral("gpt-realtime"));
        QCOMPARE(upstream->session.value(u"instructions").toString(), s.value(u"instructions").toString());

        // Live: a Realtime session whose media goes direct.
        QVERIFY(spin([&] { return calls.started.contains(callId); }));
        bool direct = false;
        for (const Monitor::SessionInfo &info : rig.registry.sessions())
            direct = direct || info.mediaPath == Monitor::MediaPath::DirectWebRtc;
        QVERIFY(direct);

        // The call speaks three responses and ends upstream: settled once, at exactly what the demo reported.
        QVERIFY(spin([&] { return calls.endReasons.contains(callId); }));
        QCOMPARE(calls.endReasons.value(callId), QStringLiteral("call_ended"));
        QCOMPARE(rig.demo.callUsages(callId).size(), 3);
        QCOMPARE(upstream->sidebands, 1);
        QVERIFY(!upstream->hungUp); // it ended on its own: nothing to hang up
        const qint64 expected = billedQuota(rig, callId);
        QVERIFY(expected > 0);
        QCOMPARE(calls.quota.value(callId), expected);
        QCOMPARE(rig.loggedQuota(), expected);
        QCOMPARE(rig.initialBalance - rig.balance(), expected);
        QCOMPARE(rig.openReservations(), 0);
        const auto row = Store::RealtimeCallRepository(rig.temp.db()).byCallId(callId);
        QVERIFY(row && row->ended && row->channelId == rig.channelId);
        // One consume row, naming the call and its route.
        const QList<Store::LogRecord> logs = rig.logs();
        QCOMPARE(logs.size(), 1);
        QCOMPARE(logs.first().quota, expected);
        QCOMPARE(logs.first().other.value(u"webrtc_call_id").toString(), callId);
        QCOMPARE(logs.first().other.value(u"request_path").toString(), QStringLiteral("/v1/realtime/calls"));
    }

    // A user whose balance covers a few responses: the reservation cannot be extended, the relay hangs the call up
    // upstream and settles once the upstream has closed the sideband — every response the upstream answered (audio
    // the browser heard) is billed, also those that finished between the decision and the hangup; logs == debits.
    // Spaced responses: the hold covers the one in flight, the balance never goes below zero. A burst: what the
    // upstream answered past the hold is billed as overage, never dropped.
    void runningOutOfQuotaHangsTheCallUp_data()
    {
        QTest::addColumn<int>("intervalMs");
        QTest::addColumn<int>("lagMs"); // the upstream acts on the hangup this late, speaking on meanwhile
        QTest::addColumn<bool>("spaced");
        QTest::newRow("spaced responses, prompt hangup") << 50 << 0 << true;
        QTest::newRow("responses while the hangup lags") << 1 << 100 << false;
    }
    void runningOutOfQuotaHangsTheCallUp()
    {
        QFETCH(int, intervalMs);
        QFETCH(int, lagMs);
        QFETCH(bool, spaced);
        Calls calls;
        RealtimeRig rig(options(12'000));
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        watch(rig, calls);
        const RawResponse r = offerMultipart(
            rig.port(), rig.plainKey,
            session(QStringLiteral("demo-call responses=60 interval=%1 audio=2000 lag=%2").arg(intervalMs).arg(lagMs)));
        QCOMPARE(r.status, 201);
        const QString callId = callIdOf(r);
        QVERIFY(spin([&] { return calls.endReasons.contains(callId); }, 30000));
        QCOMPARE(calls.endReasons.value(callId), QStringLiteral("insufficient_quota"));
        const Relay::DemoRealtimeCall *upstream = rig.demoCalls->call(callId);
        QVERIFY(upstream);
        QVERIFY(spin([&] { return upstream->hungUp; }));
        QCOMPARE(upstream->actions, QStringList{QStringLiteral("hangup")});
        QVERIFY(rig.demo.callUsages(callId).size() < 60);
        QVERIFY(rig.loggedQuota() > 0);
        // Every response the upstream finished is billed (a response cut by the hangup adds its delivered part).
        QVERIFY2(rig.loggedQuota() >= billedQuota(rig, callId),
                 qPrintable(QStringLiteral("logged %1 < finished %2").arg(rig.loggedQuota()).arg(billedQuota(rig, callId))));
        QCOMPARE(rig.initialBalance - rig.balance(), rig.loggedQuota());
        if (spaced)
            QVERIFY(rig.balance() >= 0);
        QCOMPARE(rig.openReservations(), 0);
        QVERIFY(spin([&] {
            const auto row = Store::RealtimeCallRepository(rig.temp.db()).byCallId(callId);
            return row && row->ended;
        }));
    }

    // The upstream refuses the sideband: the call is hung up and its hold refunded, nothing billed.
    void refusedSidebandHangsUpAndRefunds()
    {
        Calls calls; // outlives the rig: its signals may fire while the rig is torn down
        RealtimeRig rig(options());
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        watch(rig, calls);
        const RawResponse r = offerMultipart(rig.port(), rig.plainKey, session(QStringLiteral("demo-call sideband=refuse")));
        QCOMPARE(r.status, 201);
        const QString callId = callIdOf(r);
        QVERIFY(spin([&] { return calls.endReasons.contains(callId); }));
        QCOMPARE(calls.endReasons.value(callId), QStringLiteral("sideband_failed"));
        const Relay::DemoRealtimeCall *upstream = rig.demoCalls->call(callId);
        QVERIFY(upstream && upstream->hungUp);
        QCOMPARE(upstream->sidebands, 0);
        QCOMPARE(rig.balance(), rig.initialBalance);
        QCOMPARE(rig.loggedQuota(), 0);
        QCOMPARE(rig.openReservations(), 0);
    }

    // The upstream refuses the offer: its error comes back in OpenAI's shape (status kept), the hold is refunded and
    // no call is stored or metered.
    void upstreamRefusalIsRefunded()
    {
        Calls calls; // outlives the rig: its signals may fire while the rig is torn down
        RealtimeRig rig(options());
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        watch(rig, calls);
        const RawResponse r = offerMultipart(rig.port(), rig.plainKey, session(QStringLiteral("demo-call refuse=1")));
        QCOMPARE(r.status, 400);
        const QJsonObject error = QJsonDocument::fromJson(r.body).object().value(u"error").toObject();
        QCOMPARE(error.value(u"type").toString(), QStringLiteral("invalid_request_error"));
        QVERIFY(!error.value(u"message").toString().isEmpty());
        QVERIFY(!r.body.contains("sk-upstream-secret"));
        QVERIFY(r.header("Location").isEmpty());
        QVERIFY(spin([&] { return rig.openReservations() == 0; })); // the refund lands on the store lane
        QCOMPARE(rig.balance(), rig.initialBalance);
        QCOMPARE(rig.openReservations(), 0);
        QCOMPARE(rig.loggedQuota(), 0);
        QVERIFY(calls.started.isEmpty());
        QSqlQuery q = rig.temp.db().query();
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM realtime_calls")) && q.next());
        QCOMPARE(q.value(0).toInt(), 0);
    }

    // A sideband that does not open within its timeout: the call is hung up on its channel and its hold refunded —
    // never left running unbilled.
    void sidebandThatNeverOpensIsHungUpAndRefunded()
    {
        RealtimeRig rig(options());
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        StallingUpstream stalling;
        QVERIFY(stalling.listen());
        std::optional<std::variant<Relay::RealtimeAdmitted, Relay::OpenAiError>> admitted;
        rig.relay->admitSession(rig.plainKey, QStringLiteral("gpt-realtime"), false, Relay::HttpRequest{},
                                [&admitted](std::variant<Relay::RealtimeAdmitted, Relay::OpenAiError> a) {
                                    admitted = std::move(a);
                                });
        QVERIFY(spin([&] { return admitted.has_value(); })); // the hold lands on the store lane
        QVERIFY(std::holds_alternative<Relay::RealtimeAdmitted>(*admitted));
        auto &session = std::get<Relay::RealtimeAdmitted>(*admitted);
        QVERIFY(rig.balance() < rig.initialBalance); // the hold is taken
        Relay::UpstreamClient http;
        Relay::RealtimeSideband sideband({QStringLiteral("rtc_stalled"), rig.channelId, QStringLiteral("stalling"),
                                          stalling.baseUrl(), "sk-upstream-secret"},
                                         std::move(session.account), rig.relay->lane(), http, &rig.registry, 0,
                                         [](const QString &text) { return qint64(text.size() / 4); });
        bool finished = false;
        QObject::connect(&sideband, &Relay::RealtimeSideband::finished, [&finished] { finished = true; });
        sideband.start(std::chrono::milliseconds(300));
        QVERIFY(spin([&] { return finished; }));
        QCOMPARE(sideband.endReason(), QStringLiteral("sideband_timeout"));
        QVERIFY(stalling.requests.size() >= 2);
        QVERIFY(stalling.requests.first().startsWith("GET /v1/realtime?call_id=rtc_stalled "));
        QCOMPARE(stalling.requests.last(), QByteArray("POST /v1/realtime/calls/rtc_stalled/hangup HTTP/1.1"));
        QCOMPARE(rig.balance(), rig.initialBalance);
        QCOMPARE(rig.openReservations(), 0);
        QCOMPARE(rig.loggedQuota(), 0);
    }

    void badInputsAreRefusedBeforeAnythingIsReserved_data()
    {
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("keyKind"); // "sk", "ek", "expired", "none"
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("param");

        const FormBody noSdp = formBody({{"session", QJsonDocument(session({})).toJson(QJsonDocument::Compact), {}, {}}});
        const FormBody noModel = formBody({{"sdp", kOffer, {}, {}}, {"session", "{\"type\":\"realtime\"}", {}, {}}});
        const FormBody badSession = formBody({{"sdp", kOffer, {}, {}}, {"session", "[1,2]", {}, {}}});
        const QByteArray bigSdp = kOffer + QByteArray(Relay::RealtimeCalls::kMaxSdpBytes, 'a');
        const FormBody bigSession = formBody({{"sdp", kOffer, {}, {}},
                                              {"session", QJsonDocument(session(QString(Relay::RealtimeCalls::kMaxSessionBytes, QLatin1Char('x')))).toJson(QJsonDocument::Compact), {}, {}}});
        QTest::newRow("SDP over 64 KiB") << QByteArray("application/sdp") << bigSdp << "ek" << 400 << "sdp";
        QTest::newRow("session over 64 KiB") << bigSession.contentType << bigSession.body << "sk" << 400 << "";
        QTest::newRow("multipart without an sdp part") << noSdp.contentType << noSdp.body << "sk" << 400 << "sdp";
        QTest::newRow("session is not an object") << badSession.contentType << badSession.body << "sk" << 400 << "session";
        QTest::newRow("an API key names no model") << noModel.contentType << noModel.body << "sk" << 400 << "session.model";
        QTest::newRow("not an SDP offer") << QByteArray("application/sdp") << QByteArray("hello") << "ek" << 400 << "sdp";
        QTest::newRow("unsupported content type") << QByteArray("application/json") << QByteArray("{}") << "sk" << 400 << "";
        QTest::newRow("expired client secret") << QByteArray("application/sdp") << kOffer << "expired" << 401 << "";
        QTest::newRow("no key") << QByteArray("application/sdp") << kOffer << "none" << 401 << "";
    }
    void badInputsAreRefusedBeforeAnythingIsReserved()
    {
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(QString, keyKind);
        QFETCH(int, status);
        QFETCH(QString, param);
        RealtimeRig rig(options());
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        QByteArray key;
        if (keyKind == u"sk")
            key = rig.plainKey;
        else if (keyKind == u"ek")
            key = mintSecret(rig, session(QStringLiteral("hi"))).toUtf8();
        else if (keyKind == u"expired")
            key = mintSecret(rig, session(QStringLiteral("hi")), -1000).toUtf8();
        const RawResponse r = post(rig.port(), "/v1/realtime/calls", contentType, body, key);
        QCOMPARE(r.status, status);
        const QJsonObject error = QJsonDocument::fromJson(r.body).object().value(u"error").toObject();
        QVERIFY2(!error.value(u"message").toString().isEmpty(), r.body.constData());
        if (!param.isEmpty())
            QCOMPARE(errorParam(r), param);
        QVERIFY(rig.demoCalls->callIds().isEmpty());
        QCOMPARE(rig.balance(), rig.initialBalance);
        QCOMPARE(int(Store::ReservationRepository(rig.temp.db()).openReservations().size()), 0);
    }

    // A client's hangup goes to the channel that owns the call; the sideband then closes and the call settles once.
    // Call control takes an API key, not a client secret.
    void controlGoesToTheOwningChannel()
    {
        Calls calls; // outlives the rig: its signals may fire while the rig is torn down
        RealtimeRig rig(options());
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        watch(rig, calls);
        const RawResponse r = offerMultipart(rig.port(), rig.plainKey, session(QStringLiteral("a quiet call")));
        QCOMPARE(r.status, 201);
        const QString callId = callIdOf(r);
        QVERIFY(spin([&] { return rig.demoCalls->call(callId) && rig.demoCalls->call(callId)->sidebands == 1; }));

        const QString secret = mintSecret(rig, session(QStringLiteral("hi")));
        const RawResponse refused = post(rig.port(), "/v1/realtime/calls/" + callId.toUtf8() + "/hangup", {}, {}, secret.toUtf8());
        QCOMPARE(refused.status, 401);
        const RawResponse unknownAction = post(rig.port(), "/v1/realtime/calls/" + callId.toUtf8() + "/explode", {}, {}, rig.plainKey);
        QCOMPARE(unknownAction.status, 404);

        const RawResponse hangup = post(rig.port(), "/v1/realtime/calls/" + callId.toUtf8() + "/hangup", {}, {}, rig.plainKey);
        QCOMPARE(hangup.status, 200);
        QCOMPARE(rig.demoCalls->call(callId)->actions, QStringList{QStringLiteral("hangup")});
        QVERIFY(spin([&] { return calls.endReasons.contains(callId); }));
        QCOMPARE(calls.endReasons.value(callId), QStringLiteral("call_ended"));
        QCOMPARE(rig.openReservations(), 0);
        QCOMPARE(rig.initialBalance - rig.balance(), rig.loggedQuota());
    }

    // An incoming (SIP) call the relay never saw: accept goes to the channel admission picks for the body's model,
    // and starts a sideband-metered call billed like a created one.
    void acceptedIncomingCallIsMetered()
    {
        Calls calls; // outlives the rig: its signals may fire while the rig is torn down
        RealtimeRig rig(options());
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        watch(rig, calls);
        const QByteArray body = QJsonDocument(session(QStringLiteral("demo-call responses=2 interval=10 end=1")))
                                    .toJson(QJsonDocument::Compact);
        const RawResponse r = post(rig.port(), "/v1/realtime/calls/rtc_sip_incoming/accept", "application/json", body,
                                   rig.plainKey);
        QCOMPARE(r.status, 200);
        const Relay::DemoRealtimeCall *upstream = rig.demoCalls->call(QStringLiteral("rtc_sip_incoming"));
        QVERIFY(upstream);
        QCOMPARE(upstream->actions, QStringList{QStringLiteral("accept")});
        QCOMPARE(upstream->authorization, QByteArray("Bearer sk-upstream-secret"));
        QVERIFY(spin([&] { return calls.endReasons.contains(QStringLiteral("rtc_sip_incoming")); }));
        const qint64 expected = billedQuota(rig, QStringLiteral("rtc_sip_incoming"));
        QVERIFY(expected > 0);
        QCOMPARE(rig.loggedQuota(), expected);
        QCOMPARE(rig.initialBalance - rig.balance(), expected);
        // Now stored: a later control request goes to the same channel, and only its user may send one.
        const auto row = Store::RealtimeCallRepository(rig.temp.db()).byCallId(QStringLiteral("rtc_sip_incoming"));
        QVERIFY(row && row->channelId == rig.channelId);
    }

    // A call left by a relay that died — its row not ended, its reservation closed by crash recovery — is hung up
    // by the reaper on the channel that owns it, then marked ended. Calls this relay still meters are left alone.
    void reaperHangsUpCallsWhoseReservationWasClosed()
    {
        RealtimeRig rig(options());
        QVERIFY2(rig.init(), qPrintable(rig.error()));
        const RawResponse live = offerMultipart(rig.port(), rig.plainKey, session(QStringLiteral("a quiet call")));
        QCOMPARE(live.status, 201);
        const QString liveId = callIdOf(live);
        QVERIFY(spin([&] { return rig.demoCalls->call(liveId) && rig.demoCalls->call(liveId)->sidebands == 1; }));
        QCOMPARE(rig.relay->calls().reaper().sweep(), 0);

        // Created upstream by a relay that then died: its hold recovered (closed), its row left behind.
        const FormBody form = formBody({{"sdp", kOffer, {}, {}}, {"session", "{}", {}, {}}});
        const RawResponse created = post(rig.demoServer->serverPort(), "/v1/realtime/calls", form.contentType, form.body, "x");
        QCOMPARE(created.status, 201);
        const QString orphan = callIdOf(created);
        const Store::ReservationRepository ledger(rig.temp.db());
        const auto hold = ledger.reserve(rig.userId, rig.keyId, 100, QStringLiteral("rt-orphan"), QStringLiteral("realtime"));
        QVERIFY(hold);
        QVERIFY(ledger.settle(hold.reservation.id, 0, {}));
        Store::RealtimeCall row;
        row.callId = orphan;
        row.channelId = rig.channelId;
        row.reservationId = hold.reservation.id;
        row.userId = rig.userId;
        row.keyId = rig.keyId;
        row.model = QStringLiteral("gpt-realtime");
        QVERIFY(Store::RealtimeCallRepository(rig.temp.db()).add(row));

        QCOMPARE(rig.relay->calls().reaper().sweep(), 1);
        QVERIFY(spin([&] {
            const auto stored = Store::RealtimeCallRepository(rig.temp.db()).byCallId(orphan);
            return stored && stored->ended;
        }));
        QVERIFY(rig.demoCalls->call(orphan)->hungUp);
        QCOMPARE(rig.demoCalls->call(orphan)->authorization, QByteArray("Bearer x"));
        QVERIFY(!rig.demoCalls->call(liveId)->hungUp);
        QCOMPARE(rig.relay->calls().reaper().sweep(), 0); // done once
    }
};

QTEST_MAIN(TestRealtimeCalls)
#include "tst_realtimecalls.moc"
