#pragma once
// WebRTC calls on the demo upstream (tests, demos): POST /v1/realtime/calls answers an SDP offer (application/sdp,
// or multipart sdp + session) with a fixed SDP answer, 201 and `Location: /v1/realtime/calls/rtc_<random>`; the
// call's sideband is DemoRealtime's `/v1/realtime?call_id=<id>` socket; POST /v1/realtime/calls/{id}/accept|reject|
// refer|hangup are recorded (hangup ends the call: its sidebands close). GET /v1/realtime/calls/{id} tells a test
// (another process too) what the call saw: {id, session, hung_up, actions, sidebands, responses}.
//
// A test drives a call through its session's instructions: "demo-call responses=N interval=MS end=1
// sideband=refuse" — N responses with usage on the sideband, MS apart, then the call ends (end=1); sideband=refuse
// answers the sideband's upgrade with 403; refuse=1 refuses the offer itself (400, quoting the caller's key).
// Without the marker the call stays quiet until it is hung up.
#include "demo/demorealtime.h"
#include "http/openaierror.h"

#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include <map>
#include <optional>

QT_BEGIN_NAMESPACE
class QWebSocket;
QT_END_NAMESPACE

namespace RelayDesk::Relay {

class HttpExchange;
class Router;

struct DemoRealtimeCall
{
    QString id;
    QJsonObject session;     // as the offer carried it (multipart) — empty for a bare SDP offer
    QByteArray offer;
    QByteArray authorization; // raw header (tests only; never printed)
    QStringList actions;     // control requests received, in order ("hangup", "accept", …)
    bool hungUp = false;
    int sidebands = 0;       // sideband sockets opened
};

class DemoRealtimeCalls final : public QObject
{
    Q_OBJECT

public:
    static constexpr const char *kAnswerSdp =
        "v=0\r\no=- 4242 2 IN IP4 127.0.0.1\r\ns=RelayDesk demo\r\nt=0 0\r\n"
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\na=sendrecv\r\n";

    explicit DemoRealtimeCalls(DemoRealtime &realtime, QObject *parent = nullptr);

    // Mounts the call routes and lets `realtime` serve the calls' sidebands.
    void install(Router &router);

    const DemoRealtimeCall *call(const QString &id) const;
    QStringList callIds() const { return m_order; }
    // Control requests for calls the demo never created (SIP-originated, in a test) are recorded here.
    const DemoRealtimeCall *lastCall() const { return m_order.isEmpty() ? nullptr : call(m_order.last()); }

    // For DemoRealtime's ?call_id= upgrade.
    std::optional<OpenAiError> checkSideband(const QString &callId) const;
    void attachSideband(QWebSocket *socket, const QString &callId);

    // The scenario a call's session asks for (see above).
    static DemoRealtimeScript scriptOf(const QJsonObject &session, bool *refuseSideband = nullptr);

private:
    void create(HttpExchange &exchange);
    void control(HttpExchange &exchange);
    void describe(HttpExchange &exchange);
    QJsonObject toJson(const DemoRealtimeCall &call) const;

    DemoRealtime &m_realtime;
    std::map<QString, DemoRealtimeCall> m_calls; // node-based: a test may hold a pointer to a call
    QStringList m_order;
};

} // namespace RelayDesk::Relay
